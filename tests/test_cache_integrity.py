"""A damaged decoded cache is noticed, reported and rebuilt (issue 15 items 5-6).

Each test works in a cache folder of its own (the session cache is memory-mapped by
other tests and must not be touched) and uses the 10,000-glyph ``test`` split.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import script
from number_generator.glyphsets import mnist, read_idx
from number_generator.glyphsets.cache import CACHE_ENV, CacheDamaged, check_digest, digest_path, record_digest


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path


@pytest.fixture
def truth() -> tuple[np.ndarray, np.ndarray]:
    """The test split decoded from the bundled files, never from a cache."""
    return read_idx(mnist.data_dir() / "t10k-images-idx3-ubyte.gz"), read_idx(
        mnist.data_dir() / "t10k-labels-idx1-ubyte.gz"
    )


def _files(cache: Path) -> tuple[Path, Path]:
    folder = cache / "mnist" / mnist.version()
    return folder / "test-images.npy", folder / "test-labels.npy"


def _load_expecting_damage(truth, fragment: str) -> None:
    with pytest.warns(CacheDamaged, match=fragment):
        images, labels = mnist.load("test")
    np.testing.assert_array_equal(images, truth[0])
    np.testing.assert_array_equal(labels, truth[1])


def test_a_fresh_cache_records_digests_and_loads_without_warning(cache, truth):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        images, labels = mnist.load("test")
        again = mnist.load("test")
    images_path, labels_path = _files(cache)
    assert digest_path(images_path).is_file() and digest_path(labels_path).is_file()
    assert check_digest(images_path) is None and check_digest(images_path, full=True) is None
    np.testing.assert_array_equal(again[1], truth[1])


def test_relabelled_glyphs_are_caught_by_the_digest_and_rebuilt(cache, truth):
    """The issue's recipe: 600 of the 3s relabelled as 7s (same size, still a valid array)."""
    mnist.load("test")
    _, labels_path = _files(cache)
    labels = np.load(labels_path)
    labels[np.flatnonzero(labels == 3)[:600]] = 7
    np.save(labels_path, labels)
    assert check_digest(labels_path) == "CRC-32 differs from when it was built"
    assert check_digest(labels_path, full=True) == "SHA-256 differs from when it was built"
    _load_expecting_damage(truth, r"test-labels.npy is damaged \(CRC-32 differs")
    assert check_digest(labels_path, full=True) is None


def test_an_empty_file_is_rebuilt(cache, truth):
    mnist.load("test")
    images_path, _ = _files(cache)
    images_path.write_bytes(b"")
    _load_expecting_damage(truth, r"test-images.npy is damaged \(0 bytes, 7,840,128 when built\)")


def test_a_wrong_shape_is_rebuilt_even_with_a_matching_digest(cache, truth):
    mnist.load("test")
    images_path, _ = _files(cache)
    np.save(images_path, np.zeros((5, 28, 28), np.uint8))
    record_digest(images_path)  # as if someone replaced the array and its digest
    _load_expecting_damage(truth, r"images of shape \(5, 28, 28\) uint8, expected \(10000, 28, 28\) uint8")


def test_an_emptied_class_is_rebuilt_even_with_a_matching_digest(cache, truth):
    mnist.load("test")
    _, labels_path = _files(cache)
    labels = np.load(labels_path)
    labels[labels == 3] = 7
    np.save(labels_path, labels)
    record_digest(labels_path)
    _load_expecting_damage(truth, "every digit 0-9 must have samples")


def test_a_cache_from_before_digests_is_rebuilt_silently(cache):
    mnist.load("test")
    images_path, _ = _files(cache)
    digest_path(images_path).unlink()
    code = "from number_generator.glyphsets import mnist; mnist.load('test')"
    result = subprocess.run(  # a new process, as after an upgrade
        [sys.executable, "-W", "error", "-c", code], env={**os.environ, CACHE_ENV: str(cache)}, capture_output=True
    )
    assert result.returncode == 0 and result.stderr == b""
    assert check_digest(images_path, full=True) is None


def _cli(cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, CACHE_ENV: str(cache)}
    return subprocess.run([script("number-generator"), *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_cli_reports_a_damaged_cache_in_one_line_and_carries_on(cache, tmp_path):
    """A 0-byte cache file once made the CLI say 'interrupted' and exit 130."""
    mnist.load("test")
    images_path, _ = _files(cache)
    images_path.write_bytes(b"")
    out = tmp_path / "seq.png"
    result = _cli(
        cache, "generate-numbers-sequence", "0123", "--split", "test", "--seed", "1", "--output-path", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"number-generator: warning: cache file {images_path} is damaged (0 bytes, 7,840,128 when built); "
        "rebuilding it from its source"
    ]
    assert out.is_file() and check_digest(images_path, full=True) is None


def test_datasets_verify_checks_every_cached_array(cache):
    mnist.load("test")
    _, labels_path = _files(cache)
    ok = _cli(cache, "datasets", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "cache  2 cached arrays, 7.9 MB, sha256 checked in" in ok.stdout
    labels = np.load(labels_path)
    labels[:10] = (labels[:10] + 1) % 10
    np.save(labels_path, labels)
    damaged = _cli(cache, "datasets", "verify")
    assert damaged.returncode == 1
    assert f"cache  {labels_path}  DAMAGED (SHA-256 differs from when it was built)" in damaged.stdout
