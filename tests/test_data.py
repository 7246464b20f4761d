"""The bundled MNIST data: complete, verified, cached, memory-mapped, lazily loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from number_generator.glyphsets import DataIntegrityError, dataset_names, get_dataset, mnist
from number_generator.glyphsets.glyphs import get_glyph_set, ink_extents

# Per-class counts of the official MNIST splits.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize("split, counts", [("train", TRAIN_COUNTS), ("test", TEST_COUNTS)])
def test_all_official_digits_are_bundled(split, counts):
    images, labels = mnist.load(split)
    assert images.shape == (sum(counts), 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == counts


def test_cached_arrays_are_memory_mapped_and_read_only(cache_root):
    images, labels = mnist.load("train")
    assert isinstance(images, np.memmap)
    assert not images.flags.writeable
    cached = sorted(p.name for p in cache_root.rglob("*.npy"))
    assert "train-images.npy" in cached and "train-labels.npy" in cached


def test_verify_reports_every_bundled_file_ok():
    checks = mnist.verify()
    assert sorted(c.name for c in checks) == [
        "qmnist-test-labels-idx2-int.gz",
        "qmnist-train-labels-idx2-int.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    assert all(c.ok for c in checks)


def test_a_tampered_bundle_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "mnist"
    shutil.copytree(mnist.data_dir(), fake)
    target = fake / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(target.read_bytes())
    data[-20] ^= 0xFF
    target.write_bytes(bytes(data))
    monkeypatch.setattr(mnist, "data_dir", lambda: fake)
    monkeypatch.setenv("NUMBER_GENERATOR_CACHE", str(tmp_path / "cache"))
    with pytest.raises(DataIntegrityError, match="t10k-labels-idx1-ubyte.gz has sha256"):
        mnist.load("test")
    assert [c.ok for c in mnist.verify() if c.name == target.name] == [False]
    assert not list((tmp_path / "cache").rglob("*.npy"))


def test_checksums_file_records_the_official_md5s():
    recorded = json.loads((mnist.data_dir() / "checksums.json").read_text())
    assert recorded["train-images-idx3-ubyte.gz"]["uncompressed_md5"] == "6bbc9ace898e44ae57da46a324031adb"
    assert recorded["t10k-labels-idx1-ubyte.gz"]["uncompressed_md5"] == "27ae3e4e09519cfbb04c329615203637"


def test_unknown_dataset_and_split_are_value_errors():
    assert "mnist" in dataset_names()
    with pytest.raises(ValueError, match="unknown dataset 'nope'; choose one of .*mnist"):
        get_dataset("nope")
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        get_glyph_set("mnist", "validation")


def test_ink_extents_match_a_brute_force_scan():
    glyphs = get_glyph_set("mnist", "test")
    for index in range(0, 10_000, 97):
        image = np.asarray(glyphs.images[index])
        cols = np.flatnonzero(image.max(axis=0) > 0)
        rows = np.flatnonzero(image.max(axis=1) > 0)
        assert glyphs.extents[index].tolist() == [cols[0], cols[-1], rows[0], rows[-1]]


def test_blank_glyph_keeps_full_extent():
    stack = np.zeros((2, 28, 28), np.uint8)
    stack[1, 5:9, 3:20] = 200
    assert ink_extents(stack).tolist() == [[0, 27, 0, 27], [3, 19, 5, 8]]
    # any dtype and layout: nonzero is ink
    assert (
        ink_extents(stack > 0).tolist()
        == ink_extents(stack.astype(np.float32)).tolist()
        == [[0, 27, 0, 27], [3, 19, 5, 8]]
    )
    assert ink_extents(stack.transpose(0, 2, 1)).tolist() == [[0, 27, 0, 27], [5, 8, 3, 19]]


def test_importing_the_package_reads_no_data(tmp_path):
    code = (
        "import sys, number_generator;"
        "print(sorted(m for m in ('PIL', 'typer', 'tqdm', 'platformdirs') if m in sys.modules))"
    )
    env = {"NUMBER_GENERATOR_CACHE": str(tmp_path / "cache"), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
    assert not (tmp_path / "cache").exists()
