"""Glyph datasets from IDX files a user already has (Fashion-MNIST, KMNIST, their own).

>>> register_idx_dataset("kmnist", train_images="k/train-images-idx3-ubyte.gz",   # doctest: +SKIP
...                      train_labels="k/train-labels-idx1-ubyte.gz", mapping="oknahamayr")

The files are read once, checked (28x28 ``uint8`` images, one label per
image, every label mapped), converted to ``.npy`` in the cache and
memory-mapped afterwards, like the bundled MNIST.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from number_generator.glyphsets.cache import cache_dir, cached_array
from number_generator.glyphsets.emnist import parse_mapping
from number_generator.glyphsets.idx import IDXError, check_glyph_arrays, read_idx
from number_generator.glyphsets.registry import register_dataset, registered
from number_generator.glyphsets.source import GlyphSource


def _parse_classes(mapping, name: str) -> tuple[str, ...]:
    """``mapping`` -> ``classes`` tuple (``classes[label]`` = character, ``""`` where unused)."""
    if isinstance(mapping, (str, os.PathLike)) and Path(mapping).suffix == ".txt" and Path(mapping).is_file():
        mapping = {label: chars[0] for label, chars in parse_mapping(Path(mapping).read_text(), str(mapping)).items()}
    if isinstance(mapping, str):
        mapping = dict(enumerate(mapping))
    if not isinstance(mapping, Mapping) or not mapping:
        raise ValueError(
            f"dataset {name!r}: mapping must be a string of characters (label order), a dict "
            f"{{label: character}} or a mapping .txt file, got {mapping!r}"
        )
    bad = {
        k: v for k, v in mapping.items() if not (isinstance(k, int) and k >= 0 and isinstance(v, str) and len(v) == 1)
    }
    if bad:
        raise ValueError(f"dataset {name!r}: mapping entries must be label (int >= 0) -> one character, got {bad!r}")
    classes = [""] * (max(mapping) + 1)
    for label, char in mapping.items():
        classes[label] = char
    if len(set(mapping.values())) != len(mapping):
        raise ValueError(f"dataset {name!r}: two labels map to the same character in {mapping!r}")
    return tuple(classes)


def register_idx_dataset(
    name: str,
    *,
    train_images,
    train_labels,
    test_images=None,
    test_labels=None,
    mapping,
    transpose: bool = False,
    description: str = "",
) -> None:
    """Register IDX files (raw or ``.gz``) as a glyph dataset named ``name``.

    Parameters
    ----------
    name : str
        Registry name (must not shadow a built-in dataset).
    train_images, train_labels, test_images, test_labels : path
        IDX files; the test pair is optional (then only ``split="train"`` exists).
    mapping : str, dict or path
        Label -> character: a string in label order (``"0123456789"``), a dict
        ``{label: "c"}``, or an EMNIST-style mapping ``.txt`` (``label ascii_code``).
    transpose : bool
        Swap rows and columns on load (EMNIST-style files store glyphs transposed).
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}")
    existing = registered(name)
    if existing is not None and not existing.user_defined:
        raise ValueError(f"dataset name {name!r} is taken by a built-in dataset")
    classes = _parse_classes(mapping, name)
    files = {"train": (Path(train_images), Path(train_labels))}
    if (test_images is None) != (test_labels is None):
        raise ValueError(f"dataset {name!r}: give both test_images and test_labels, or neither")
    if test_images is not None:
        files["test"] = (Path(test_images), Path(test_labels))
    for images, labels in files.values():
        for path in (images, labels):
            if not path.is_file():
                raise ValueError(f"dataset {name!r}: no such file {str(path)!r}")
    register_dataset(UserIdxSource(name, files, classes, transpose, description))


class UserIdxSource(GlyphSource):
    """IDX files a user registered (:func:`register_idx_dataset`), converted once into the cache.

    Its version hashes the files' paths, sizes and modification times, the
    mapping and ``transpose``, so changed files are converted again.
    """

    removable = True
    user_defined = True

    def __init__(
        self, name: str, files: dict[str, tuple[Path, Path]], classes: tuple[str, ...], transpose: bool, note: str
    ):
        self.name = name
        self.description = f"user IDX dataset: {note or ', '.join(str(p) for p in files['train'])}"
        self.classes = classes
        self.splits = tuple(files)
        self.files, self.transpose = files, transpose
        identity = json.dumps(
            {s: [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in pair] for s, pair in files.items()}
            | {"transpose": transpose, "classes": classes}
        )
        self._version = hashlib.sha256(identity.encode()).hexdigest()[:12]
        self.folder = cache_dir() / "user" / name

    def load(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """Read, check and convert the split's IDX pair once; later calls memory-map the cached ``.npy`` files."""
        images_path, labels_path = self.files[split]
        key = f"user/{self.name}/{self._version}/{split}"
        built: dict[str, np.ndarray] = {}

        def build(part: str) -> np.ndarray:
            if not built:  # one read of the pair serves both cached arrays
                images, labels = read_idx(images_path), read_idx(labels_path)
                check_glyph_arrays(images, labels, str(images_path), str(labels_path))
                if labels.size and (labels.min() < 0 or labels.max() >= len(self.classes)):
                    raise IDXError(f"{labels_path}: label {int(labels.max())} has no character in the mapping")
                built["images"] = np.ascontiguousarray(images.transpose(0, 2, 1)) if self.transpose else images
                built["labels"] = labels.astype(np.int64)
            return built[part]

        return cached_array(f"{key}-images.npy", lambda: build("images")), cached_array(
            f"{key}-labels.npy", lambda: build("labels")
        )

    def version(self) -> str:
        return self._version

    def disk_usage(self) -> int:
        if not self.folder.exists():
            return 0
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())

    def remove(self) -> int:
        """Delete the converted files; the bytes freed are not counted (0)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        return 0
