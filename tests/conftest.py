"""Test-wide set-up: a private, empty cache so the tests exercise the first-load path (one per test process)."""

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

_CACHE = Path(tempfile.mkdtemp(prefix="ng-test-cache-"))
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
    shutil.rmtree(_CACHE, ignore_errors=True)
