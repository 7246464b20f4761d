"""A dataset split's glyphs with their ink extents, precomputed once.

The ink extents of a glyph are the first and last column (and row) holding
any ink (pixel value > 0).  They are computed for a whole split at once,
vectorised, cached on disk next to the decoded arrays, and memory-mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .datasets import get_dataset
from .datasets.cache import cached_array


def ink_extents(images: np.ndarray) -> np.ndarray:
    """Ink extents of a stack of glyphs.

    Parameters
    ----------
    images : ndarray, shape (N, H, W), uint8
        0 = paper, any value > 0 = ink.

    Returns
    -------
    ndarray, shape (N, 4), int16
        ``left, right, top, bottom`` -- inclusive pixel indices of the first and
        last column and row with ink.  A glyph without ink gets the full
        extent ``0, W-1, 0, H-1`` so that it still occupies space.
    """
    images = np.asarray(images)
    n, h, w = images.shape
    out = np.empty((n, 4), dtype=np.int16)
    cols = images.any(axis=1)  # (N, W)
    rows = images.any(axis=2)  # (N, H)
    has_ink = cols.any(axis=1)
    out[:, 0] = np.where(has_ink, cols.argmax(axis=1), 0)
    out[:, 1] = np.where(has_ink, w - 1 - cols[:, ::-1].argmax(axis=1), w - 1)
    out[:, 2] = np.where(has_ink, rows.argmax(axis=1), 0)
    out[:, 3] = np.where(has_ink, h - 1 - rows[:, ::-1].argmax(axis=1), h - 1)
    return out


@dataclass(frozen=True, eq=False)
class GlyphSet:
    """All glyphs of one dataset split, indexed for fast sampling by character.

    Attributes
    ----------
    dataset, split : str
        Where the glyphs come from.
    images : ndarray (N, 28, 28) uint8
        0 = paper, 255 = ink; read-only, usually memory-mapped.
    labels : ndarray (N,)
        Class of each glyph.
    extents : ndarray (N, 4) int16
        ``left, right, top, bottom`` ink extents (see :func:`ink_extents`).
    class_of_char : dict[str, int]
        Character -> class label.
    order : ndarray (N,) int64
        Glyph indices sorted by class; class ``c`` occupies
        ``order[starts[c] : starts[c] + counts[c]]``.
    starts, counts : ndarray (C,) int64
    """

    dataset: str
    split: str
    images: np.ndarray
    labels: np.ndarray
    extents: np.ndarray
    class_of_char: dict[str, int]
    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @property
    def characters(self) -> str:
        """Every character this set can draw (classes without samples excluded)."""
        return "".join(ch for ch, c in self.class_of_char.items() if self.counts[c] > 0)

    def pick(self, classes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One glyph index per requested class, uniformly among that class's samples."""
        offsets = rng.integers(0, self.counts[classes])
        return self.order[self.starts[classes] + offsets]


@lru_cache(maxsize=None)
def get_glyph_set(dataset: str = "mnist", split: str = "train") -> GlyphSet:
    """The :class:`GlyphSet` of a dataset split, loaded once per process.

    Raises
    ------
    ValueError
        Unknown dataset or split.
    """
    source = get_dataset(dataset)
    source.check_split(split)
    images, labels = source.load(split)
    extents = cached_array(
        f"{source.name}/{source.version()}/{split}-extents.npy", lambda: ink_extents(images)
    )
    n_classes = len(source.classes)
    labels_i = np.asarray(labels, dtype=np.int64)
    order = np.argsort(labels_i, kind="stable")
    counts = np.bincount(labels_i, minlength=n_classes)[:n_classes]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    class_of_char = source.char_labels()
    return GlyphSet(
        dataset=source.name,
        split=split,
        # A plain ndarray view of the memory map: same pages, cheaper indexing.
        images=images.view(np.ndarray) if isinstance(images, np.memmap) else images,
        labels=labels,
        extents=np.asarray(extents),
        class_of_char=class_of_char,
        order=order,
        starts=starts,
        counts=counts,
    )
