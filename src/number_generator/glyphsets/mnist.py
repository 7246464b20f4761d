"""The official MNIST digits, bundled with the package.

All 70,000 glyphs (``train``: 60,000, ``test``: 10,000) ship as the official
IDX files, gzip-compressed, in ``data/mnist/``.  ``checksums.json`` beside them
holds their sha256, written by ``scripts/build_mnist_bundle.py`` after it
checked the official md5 sums; :func:`load` refuses files that do not match.

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

SPLITS = ("train", "test")
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
SPLIT_SIZES = {"train": 60_000, "test": 10_000}


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


def load(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(N, 28, 28) uint8`` (0 = paper, 255 = ink) and labels ``(N,) uint8``.

    The first call in a machine's life decodes the bundled files into the
    cache; later calls memory-map the cached arrays (read-only).
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

    images = cached_array(f"{key}-images.npy", build(0))
    labels = cached_array(f"{key}-labels.npy", build(1))
    return images, labels
