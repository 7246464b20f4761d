"""One registry of glyph datasets, by name.

A glyph dataset is a set of 28x28 ``uint8`` images (0 = paper, 255 = ink,
upright as MNIST stores them) with integer labels, a map from label to the
character it draws, and one or more splits.  Everything that draws glyphs
(the library, the CLI, the REST API, the dataset exporters) looks datasets up
here, so nothing dataset-specific is written twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import mnist
from .idx import IDXError, read_idx
from .mnist import DataIntegrityError

__all__ = [
    "DataIntegrityError",
    "GlyphDataset",
    "IDXError",
    "dataset_names",
    "get_dataset",
    "read_idx",
    "register_dataset",
]


@dataclass(frozen=True)
class GlyphDataset:
    """A named source of handwritten glyphs.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"mnist"``.
    description : str
        One line for listings.
    classes : tuple of str
        ``classes[label]`` is the character drawn by glyphs with that label.
    splits : tuple of str
        Split names, e.g. ``("train", "test")``.
    load : callable
        ``load(split) -> (images, labels)``: ``(N, 28, 28) uint8`` and ``(N,)``
        integer labels; may be memory-mapped and read-only.
    version : callable
        ``version() -> str``: a key that changes when the data changes; names
        derived cache files.
    """

    name: str
    description: str
    classes: tuple[str, ...]
    splits: tuple[str, ...]
    load: Callable[[str], tuple[np.ndarray, np.ndarray]]
    version: Callable[[], str]

    def check_split(self, split: str) -> str:
        """Return ``split`` if this dataset has it, else raise ``ValueError``."""
        if split not in self.splits:
            raise ValueError(f"unknown split {split!r} for dataset {self.name!r}; choose one of {', '.join(self.splits)}")
        return split


_REGISTRY: dict[str, GlyphDataset] = {}


def register_dataset(dataset: GlyphDataset) -> None:
    """Add (or replace) a dataset in the registry."""
    _REGISTRY[dataset.name] = dataset


def dataset_names() -> list[str]:
    """Names of all registered datasets, sorted."""
    return sorted(_REGISTRY)


def get_dataset(name: str) -> GlyphDataset:
    """Look a dataset up by name; ``ValueError`` lists the known names."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(dataset_names())}") from None


register_dataset(
    GlyphDataset(
        name="mnist",
        description="official MNIST digits 0-9 (bundled; train 60,000, test 10,000)",
        classes=tuple("0123456789"),
        splits=mnist.SPLITS,
        load=mnist.load,
        version=mnist.version,
    )
)
