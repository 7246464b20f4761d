"""Test-wide set-up: a private cache, empty when the run starts, shared by the run's test processes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One test process per core (pytest-xdist, see pyproject's addopts), so each runs OpenMP/BLAS/torch work on
    # one thread (inherited by its subprocesses): two threads per process on two busy cores spin instead of
    # working (a 40-step training test took 37 s instead of 3 s).
    os.environ.setdefault("OMP_NUM_THREADS", "1")

#: Names the run's cache folder for the pytest-xdist workers, which inherit the controller's environment.
RUN_CACHE_ENV = "NUMBER_GENERATOR_TEST_RUN_CACHE"
#: The first process of the run (the xdist controller, or the only process) makes the folder and removes it at
#: the end; its workers, and the subprocesses tests start, use it too.  So the first load of each array (MNIST
#: decoding, writer styles, punctuation and mark banks: ~5 s of CPU in all) happens once per run, not once per
#: worker; the cache tolerates concurrent builders (atomic writes: at worst two processes build the same array).
#: Tests of the first-load path itself, and tests that damage cached files, use a cache of their own
#: (``monkeypatch.setenv(CACHE_ENV, ...)``).
_OWNS_CACHE = not os.environ.get(RUN_CACHE_ENV)
if _OWNS_CACHE:
    os.environ[RUN_CACHE_ENV] = tempfile.mkdtemp(prefix="ng-test-cache-")
_CACHE = Path(os.environ[RUN_CACHE_ENV])
os.environ["NUMBER_GENERATOR_CACHE"] = str(_CACHE)

BIN = Path(sys.executable).parent


def script(name: str) -> str:
    """Path of an installed console script of this environment."""
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"console script {name!r} is not installed; run `poetry install` first")
        return found
    return str(path)


@pytest.fixture(scope="session")
def cache_root() -> Path:
    return _CACHE


#: Files that take longest and cannot be split (the README's blocks run in order in one namespace): started
#: first, so that no worker is left running one alone at the end (pytest-xdist hands out whole files in
#: collection order; see pyproject's addopts).
LONGEST_FIRST = ("test_project.py",)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # a stable sort: order within files is kept


def pytest_sessionfinish(session, exitstatus):
    if _OWNS_CACHE:
        shutil.rmtree(_CACHE, ignore_errors=True)
