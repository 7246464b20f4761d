"""Glyph sources (the lowest layer): bundled MNIST, EMNIST, user IDX files, and one registry of them by name.

A glyph source (:class:`~number_generator.glyphsets.source.GlyphSource`) is
a set of 28x28 ``uint8`` images (0 = paper, 255 = ink, upright as MNIST
stores them) with integer labels, a map from label to the character it
draws, and one or more splits.  Everything that draws glyphs (the library,
the CLI, the REST API, the dataset exporters) looks sources up in
:mod:`.registry`, so nothing source-specific is written twice.  This module
registers the built-in ones.
"""

from __future__ import annotations

from number_generator.glyphsets import emnist
from number_generator.glyphsets.emnist import DatasetUnavailable, EmnistSource
from number_generator.glyphsets.idx import IDXError, read_idx
from number_generator.glyphsets.mnist import DataIntegrityError, MnistSource
from number_generator.glyphsets.registry import dataset_names, get_dataset, register_dataset
from number_generator.glyphsets.source import GlyphSource
from number_generator.glyphsets.user import UserIdxSource, register_idx_dataset

#: The name of :class:`GlyphSource` before sources became classes (0.2); kept as an alias.
GlyphDataset = GlyphSource

__all__ = [
    "DataIntegrityError",
    "DatasetUnavailable",
    "EmnistSource",
    "GlyphDataset",
    "GlyphSource",
    "IDXError",
    "MnistSource",
    "UserIdxSource",
    "dataset_names",
    "get_dataset",
    "read_idx",
    "register_dataset",
    "register_idx_dataset",
]

register_dataset(MnistSource())
for _split in emnist.SPLITS.values():
    register_dataset(EmnistSource(_split))
