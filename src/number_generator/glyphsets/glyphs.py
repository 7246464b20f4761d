"""A dataset split's glyphs with their ink extents, precomputed once.

The ink extents of a glyph are the first and last column (and row) holding
any ink (pixel value > 0).  They are computed for a whole split at once,
vectorised, cached on disk next to the decoded arrays, and memory-mapped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np

from number_generator.glyphsets.cache import cached_array
from number_generator.glyphsets.registry import get_dataset, on_replace


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
    import cv2  # here: the bounding box of a glyph's nonzero pixels is one C call (plain drawing never gets here)

    images = np.asarray(images)
    n, h, w = images.shape
    if images.dtype != np.uint8:
        images = (images != 0).view(np.uint8)
    out = np.empty((n, 4), dtype=np.int16)
    for i, image in enumerate(images):
        x, y, box_w, box_h = cv2.boundingRect(image)
        out[i] = (x, x + box_w - 1, y, y + box_h - 1) if box_w else (0, w - 1, 0, h - 1)
    return out


def group_indices(keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices grouped by key, CSR style.

    Parameters
    ----------
    keys : ndarray (N,) of int
        Group of each index, ``0 <= key < n_groups``.
    n_groups : int

    Returns
    -------
    order : ndarray (N,) int64
        Indices sorted by key (stable: ascending within a group).
    starts, counts : ndarray (n_groups,) int64
        Group ``k`` is ``order[starts[k] : starts[k] + counts[k]]``.
    """
    keys = np.asarray(keys, dtype=np.int64)
    counts = np.bincount(keys, minlength=n_groups)[:n_groups]
    return np.argsort(keys, kind="stable"), np.cumsum(counts) - counts, counts


@dataclass(frozen=True, eq=False)
class GlyphSet:
    """All glyphs of one dataset split, indexed for fast sampling by character.

    Attributes
    ----------
    dataset, split : str
        Where the glyphs come from.
    images : ndarray (N, 28, 28) uint8, or GlyphReader
        0 = paper, 255 = ink; read-only: a view of a memory map, or for files
        over :data:`READER_MIN_BYTES` a :class:`GlyphReader`.
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
    writers : ndarray (N,) int32
        Writer id of each glyph (``mnist``: QMNIST's NIST writer ids, 0-610
        and 2100-2599); ``-1`` where the dataset does not know its writers.
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
    writers: np.ndarray

    @property
    def characters(self) -> str:
        """Every character this set can draw (classes without samples excluded)."""
        return "".join(ch for ch, c in self.class_of_char.items() if self.counts[c] > 0)

    def pick(self, classes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One glyph index per requested class, uniformly among that class's samples."""
        offsets = rng.integers(0, self.counts[classes])
        return self.order[self.starts[classes] + offsets]


#: Memory-mapped glyph files larger than this are read glyph by glyph (:class:`GlyphReader`).
READER_MIN_BYTES = 64 * 2**20


class GlyphReader:
    """Glyphs of a large uncompressed ``.npy`` file, read with ``pread``, one glyph per read.

    A memory map of a large file (EMNIST byclass: 547 MB) ends up counting
    in the process's resident memory almost whole after a few thousand random
    draws: the kernel maps whole folios around every page touched. Reading
    each glyph into a fresh array keeps the process's memory at what it
    holds; the file's pages stay in the kernel's page cache, shared by every
    process. Supports what rendering needs: ``len``, ``shape``, ``dtype`` and
    indexing by an int or an array of ints (returns ``(n, 28, 28) uint8``).
    """

    def __init__(self, path: str, offset: int, count: int, glyph_shape: tuple[int, ...] = (28, 28)):
        self._open(path, offset, count, glyph_shape)

    def _open(self, path: str, offset: int, count: int, glyph_shape: tuple[int, ...]) -> None:
        self.path, self.offset = str(path), int(offset)
        self.shape = (int(count), *glyph_shape)
        self.dtype = np.dtype(np.uint8)
        self._size = int(np.prod(glyph_shape))
        self._fd = os.open(self.path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        scalar = np.ndim(index) == 0
        indices = np.atleast_1d(np.asarray(index, dtype=np.int64))
        if indices.size and (indices.min() < -len(self) or indices.max() >= len(self)):
            raise IndexError(f"glyph index out of range for {len(self)} glyphs")
        indices = np.where(indices < 0, indices + len(self), indices)
        out = np.empty((indices.size, *self.shape[1:]), dtype=np.uint8)
        flat = out.reshape(indices.size, self._size)
        for j, i in enumerate(indices.tolist()):
            flat[j] = np.frombuffer(os.pread(self._fd, self._size, self.offset + i * self._size), dtype=np.uint8)
        return out[0] if scalar else out

    def __getstate__(self):  # reopened in a spawned worker process
        return {"path": self.path, "offset": self.offset, "count": self.shape[0], "glyph_shape": self.shape[1:]}

    def __setstate__(self, state):
        self._open(state["path"], state["offset"], state["count"], state["glyph_shape"])

    def __del__(self):
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


def _glyph_access(images):
    """How a split's glyphs are read: a plain view of a small memory map, a reader for a large one."""
    if isinstance(images, np.memmap):
        if images.nbytes >= READER_MIN_BYTES and images.filename and images.dtype == np.uint8:
            return GlyphReader(images.filename, images.offset, len(images), images.shape[1:])
        return images.view(np.ndarray)  # same pages, cheaper indexing
    return images


@cache
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
    extents = cached_array(f"{source.name}/{source.version()}/{split}-extents.npy", lambda: ink_extents(images))
    order, starts, counts = group_indices(labels, len(source.classes))
    class_of_char = source.char_labels()
    writers = source.writers(split) if source.has_writers else np.broadcast_to(np.int32(-1), (len(labels),))
    return GlyphSet(
        dataset=source.name,
        split=split,
        images=_glyph_access(images),
        labels=labels,
        extents=np.asarray(extents),
        class_of_char=class_of_char,
        order=order,
        starts=starts,
        counts=counts,
        writers=np.asarray(writers),
    )


on_replace(get_glyph_set.cache_clear)  # a name registered again must not serve the old source's glyphs
