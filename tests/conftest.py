"""Test-wide set-up: a private, empty cache so the tests exercise the first-load path."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

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


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)
