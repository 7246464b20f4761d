"""One registry of glyph datasets, by name.

A glyph dataset is a set of 28x28 ``uint8`` images (0 = paper, 255 = ink,
upright as MNIST stores them) with integer labels, a map from label to the
character it draws, and one or more splits.  Everything that draws glyphs
(the library, the CLI, the REST API, the dataset exporters) looks datasets up
here, so nothing dataset-specific is written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from number_generator.glyphsets import emnist, mnist
from number_generator.glyphsets.emnist import DatasetUnavailable
from number_generator.glyphsets.idx import IDXError, read_idx
from number_generator.glyphsets.mnist import DataIntegrityError

__all__ = [
    "DataIntegrityError",
    "DatasetUnavailable",
    "GlyphDataset",
    "IDXError",
    "dataset_names",
    "get_dataset",
    "read_idx",
    "register_dataset",
    "register_idx_dataset",
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
    aliases : mapping of str to int
        Further characters and the label that draws them (e.g. ``"c" -> 38``
        in a dataset that merged lowercase c into uppercase C).
    present : callable
        ``present() -> bool``: whether the data is on this machine (bundled
        data always is).
    disk_usage : callable
        ``disk_usage() -> int``: bytes the dataset takes in the cache.
    fetch : callable or None
        ``fetch(progress=True, source=None)``: download and/or convert it
        (``None``: nothing to fetch).
    remove : callable or None
        ``remove() -> int``: delete its cached files, return bytes freed.
    writers : callable or None
        ``writers(split) -> (N,) int32``: the writer id of every glyph, aligned
        with ``load(split)`` (``None``: writers unknown).
    """

    name: str
    description: str
    classes: tuple[str, ...]
    splits: tuple[str, ...]
    load: Callable[[str], tuple[np.ndarray, np.ndarray]]
    version: Callable[[], str]
    aliases: Mapping[str, int] = field(default_factory=dict)
    present: Callable[[], bool] = lambda: True
    disk_usage: Callable[[], int] = lambda: 0
    fetch: Callable[..., object] | None = None
    remove: Callable[[], int] | None = None
    writers: Callable[[str], np.ndarray] | None = None

    def char_labels(self) -> dict[str, int]:
        """Character -> label: each class's own character first, then the aliases."""
        lookup: dict[str, int] = {}
        for label, char in enumerate(self.classes):
            if char:
                lookup.setdefault(char, label)
        for char, label in self.aliases.items():
            lookup.setdefault(char, label)
        return lookup

    def check_split(self, split: str) -> str:
        """Return ``split`` if this dataset has it, else raise ``ValueError``."""
        if split not in self.splits:
            raise ValueError(
                f"unknown split {split!r} for dataset {self.name!r}; choose one of {', '.join(self.splits)}"
            )
        return split


_REGISTRY: dict[str, GlyphDataset] = {}


def register_dataset(dataset: GlyphDataset) -> None:
    """Add (or replace) a dataset in the registry (glyph sets loaded for a replaced one are dropped)."""
    import sys

    replaced = dataset.name in _REGISTRY
    _REGISTRY[dataset.name] = dataset
    glyphs = sys.modules.get("number_generator.glyphsets.glyphs")
    if replaced and glyphs is not None:
        glyphs.get_glyph_set.cache_clear()


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
        writers=mnist.load_writers,
    )
)


def _emnist_dataset(split: emnist.EmnistSplit) -> GlyphDataset:
    return GlyphDataset(
        name=f"emnist-{split.name}",
        description=f"EMNIST {split.description}; download about 560 MB",
        classes=split.classes,
        splits=emnist.PARTS,
        load=partial(emnist.load, split.name),
        version=partial(emnist.version, split.name),
        aliases=split.aliases,
        present=partial(emnist.is_converted, split.name),
        disk_usage=partial(emnist.disk_usage, split.name),
        fetch=partial(emnist.download, split.name),
        remove=partial(emnist.remove, split.name),
    )


for _split in emnist.SPLITS.values():
    register_dataset(_emnist_dataset(_split))

from number_generator.glyphsets.user import register_idx_dataset  # noqa: E402  (uses GlyphDataset above)
