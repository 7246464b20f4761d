"""The official MNIST digits, bundled with the package.

All 70,000 glyphs (``train``: 60,000, ``test``: 10,000) ship as the official
IDX files, gzip-compressed, in ``data/mnist/``.  ``checksums.json`` beside them
holds their sha256, written by ``scripts/build_mnist_bundle.py`` after it
checked the official md5 sums; :func:`load` refuses files that do not match.

Beside them, the QMNIST extended labels (Yadav and Bottou, "Cold Case: The
Lost MNIST Digits", NeurIPS 2019; BSD licence, ``QMNIST-LICENSE``) name the
NIST writer of every digit: row ``i`` of ``qmnist-train-labels-idx2-int.gz``
is MNIST training digit ``i``, and the first 10,000 rows of the test file are
the t10k digits in order.  :func:`load_writers` checks that alignment (the
QMNIST class column equals the MNIST label for every digit) before it trusts
a writer id.

MNIST: Yann LeCun, Corinna Cortes and Christopher J. C. Burges,
licensed CC BY-SA 3.0.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from number_generator.glyphsets.cache import cached_array
from number_generator.glyphsets.idx import check_glyph_arrays, read_idx
from number_generator.glyphsets.source import GlyphSource

SPLITS = ("train", "test")
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
SPLIT_SIZES = {"train": 60_000, "test": 10_000}
_QMNIST_FILES = {"train": "qmnist-train-labels-idx2-int.gz", "test": "qmnist-test-labels-idx2-int.gz"}
#: Columns of a QMNIST extended-label row (see the QMNIST README).
QMNIST_CLASS, QMNIST_WRITER = 0, 2


class DataIntegrityError(ValueError):
    """A data file does not match its recorded checksum."""


def data_dir() -> Path:
    """Folder of the bundled ``.gz`` files and ``checksums.json``."""
    return Path(str(resources.files("number_generator.glyphsets") / "data" / "mnist"))


@cache
def _checksums() -> dict[str, dict]:
    return json.loads((data_dir() / "checksums.json").read_text())


def version() -> str:
    """A short key that changes whenever a bundled file changes (names cache files)."""
    joined = "".join(entry["sha256"] for _, entry in sorted(_checksums().items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class FileCheck:
    """The result of checking one bundled file."""

    name: str
    expected_sha256: str
    actual_sha256: str | None

    @property
    def ok(self) -> bool:
        return self.actual_sha256 == self.expected_sha256


def verify() -> list[FileCheck]:
    """Hash every bundled file and compare with ``checksums.json``."""
    results = []
    for name, entry in sorted(_checksums().items()):
        path = data_dir() / name
        actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        results.append(FileCheck(name, entry["sha256"], actual))
    return results


def _read_checked(name: str) -> np.ndarray:
    path = data_dir() / name
    expected = _checksums()[name]["sha256"]
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise DataIntegrityError(f"bundled file {path} has sha256 {actual}, expected {expected}; reinstall the package")
    return read_idx(path)


def _build_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name = _FILES[split]
    images = _read_checked(images_name)
    labels = _read_checked(labels_name)
    check_glyph_arrays(images, labels, images_name, labels_name, error=DataIntegrityError)
    if labels.max() > 9:
        raise DataIntegrityError(f"{labels_name}: label {int(labels.max())} outside 0-9")
    return images, labels


def _expect(split: str, part: str):
    """A check of a cached array of ``split``: its shape and dtype, and for labels every digit present."""
    n = SPLIT_SIZES[split]
    shape = (n, 28, 28) if part == "images" else (n,)

    def check(array: np.ndarray) -> None:
        if array.shape != shape or array.dtype != np.uint8:
            raise ValueError(f"{part} of shape {array.shape} {array.dtype}, expected {shape} uint8")
        if part == "labels":
            counts = np.bincount(array, minlength=10)
            if len(counts) > 10 or not counts.all():
                raise ValueError(f"label counts {counts.tolist()}: every digit 0-9 must have samples")

    return check


def load(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(N, 28, 28) uint8`` (0 = paper, 255 = ink) and labels ``(N,) uint8``.

    The first call in a machine's life decodes the bundled files into the
    cache; later calls memory-map the cached arrays (read-only), checked once
    per process against the digest recorded when they were built, their
    shape and dtype, and (labels) that every digit has samples.  A damaged
    cache file is rebuilt from the bundled files with a warning.
    """
    if split not in _FILES:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    key = f"mnist/{version()}/{split}"
    built: dict[str, np.ndarray] = {}

    def build(part: int):
        def _build() -> np.ndarray:
            if not built:
                built["images"], built["labels"] = _build_split(split)
            return built["images" if part == 0 else "labels"]

        return _build

    images = cached_array(f"{key}-images.npy", build(0), _expect(split, "images"))
    labels = cached_array(f"{key}-labels.npy", build(1), _expect(split, "labels"))
    return images, labels


def _build_writers(split: str, labels: np.ndarray) -> np.ndarray:
    name = _QMNIST_FILES[split]
    table = _read_checked(name)
    n = SPLIT_SIZES[split]
    if table.ndim != 2 or table.shape[0] < n or table.shape[1] <= QMNIST_WRITER:
        raise DataIntegrityError(f"{name}: expected at least {n} rows of QMNIST labels, got shape {table.shape}")
    mismatched = np.flatnonzero(table[:n, QMNIST_CLASS] != labels)
    if mismatched.size:
        first = int(mismatched[0])
        raise DataIntegrityError(
            f"{name} is not aligned with the MNIST {split} labels: {mismatched.size} of {n} rows differ "
            f"(first at row {first}: QMNIST class {int(table[first, QMNIST_CLASS])}, MNIST label "
            f"{int(labels[first])}); writer ids cannot be trusted"
        )
    return table[:n, QMNIST_WRITER].astype(np.int32)


def load_writers(split: str) -> np.ndarray:
    """NIST writer id of every digit of a split: ``(N,) int32``, aligned with :func:`load`'s arrays.

    Ids are QMNIST's (0-610 and 2100-2599); the train and test splits share
    no writer.  The first call checks the bundled QMNIST file's sha256 and its
    alignment with the MNIST labels, then caches the ids; later calls
    memory-map them (read-only).

    Raises
    ------
    DataIntegrityError
        If the QMNIST file is altered or its class column differs from the
        MNIST label of any digit.
    """
    _, labels = load(split)
    return cached_array(f"mnist/{version()}/{split}-writers.npy", lambda: _build_writers(split, np.asarray(labels)))


class MnistSource(GlyphSource):
    """The bundled, checksummed MNIST digits, with the QMNIST writer id of every glyph."""

    name = "mnist"
    description = "official MNIST digits 0-9 (bundled; train 60,000, test 10,000)"
    classes = tuple("0123456789")
    splits = SPLITS
    has_writers = True

    def load(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        return load(split)

    def version(self) -> str:
        return version()

    def writers(self, split: str) -> np.ndarray:
        return load_writers(split)
