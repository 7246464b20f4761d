"""Test-wide set-up: a private cache, empty when the run starts, shared by the run's test processes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from xdist.scheduler import LoadFileScheduling

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


#: Test files that run in one worker process, one after the other (one pytest-xdist work unit): all import
#: torch when it is installed (the README's DataLoader block, one OpenCV-threads test), which costs ~1.4 s of
#: CPU per process; they import it when a test runs, not when pytest collects them.
SAME_WORKER = {
    "test_project.py": "torch",
    "test_torch_adapter.py": "torch",
    "test_train_recipe.py": "torch",
    "test_first_hour.py": "torch",
}

#: The costliest work units, most CPU first (1.4-25 s of CPU each, measured 2026-11-30): handed out first,
#: so that the many small files even out the end of the run (longest-processing-time-first scheduling).
#: The README's blocks cannot be split: they run in order in one namespace.  Other files follow in
#: collection order; a file renamed or removed here only loses its place.
COSTLIEST_FIRST = (
    "torch",
    "test_shards.py",
    "test_api_abuse.py",
    "test_cli.py",
    "test_export_reliability.py",
    "test_phone.py",
    "test_augment_paper.py",
    "test_dask.py",
    "test_playground.py",
    "test_api_schema.py",
    "test_dataset.py",
    "test_cache_integrity.py",
    "test_api.py",
    "test_writers.py",
    "test_handwriting.py",
    "test_augment_pairs.py",
)


def work_unit(path: str) -> str:
    """The work unit of a test file (see :data:`SAME_WORKER`): the file itself, or its group's name."""
    return SAME_WORKER.get(Path(path).name, path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(COSTLIEST_FIRST)}
    # a stable sort: the order within a file is kept
    items.sort(key=lambda item: rank.get(work_unit(item.path.name), len(rank)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    """``--dist loadfile`` (pyproject's addopts) with the files of :data:`SAME_WORKER` as one work unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(super()._split_scope(nodeid))

    return FilesScheduling(config, log)


def pytest_sessionfinish(session, exitstatus):
    if _OWNS_CACHE:
        shutil.rmtree(_CACHE, ignore_errors=True)
