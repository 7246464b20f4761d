"""Who wrote each glyph: per-writer glyph tables and a style space for drawing one hand per string.

A :class:`WriterTable` holds, for one split of a dataset whose writers are
known (the bundled ``mnist``, through QMNIST), every writer's glyph indices
per class in CSR form, so that "a glyph of class ``c`` by writer ``w``" is one
vectorised gather for a whole batch (:meth:`WriterTable.pick`).

Not every writer wrote every class (in MNIST's test split only 124 of 297
writers did).  A writer lacking a class borrows it from its nearest
neighbour, within the same split, among the writers that have it; "nearest"
is measured in a small style space of three features measured from the
glyph images (:func:`glyph_style`):

==============  ======  ============================================================
feature         unit    how it is measured (ink = pixel >= 128 of 255)
==============  ======  ============================================================
stroke width    px      ``4 * mean(distance transform over ink) - 2``: for a long
                        straight stroke of width ``w`` px, exactly ``w`` if ``w`` is
                        even and ``w + 1/w`` if odd (so never below 2).  MNIST:
                        2 to 8.7, 98 % of glyphs within 2-4.9, median 2.7
slant           px/px   ``-mu11 / mu02`` of the ink's central moments: horizontal
                        shift per pixel upwards (tan of the lean from vertical,
                        positive = top leans right).  MNIST: -1.4 to 1.9, 98 %
                        within -0.53 to 0.78, median 0.1
ink height      px      rows from the first to the last row with ink, 0-28.  MNIST
                        scaled every digit to fit 20 px: 8 to 20, median 20
==============  ======  ============================================================

A writer's style is the mean over its glyphs of each feature's deviation
from the mean of that glyph's class (so a writer of many 1s does not look
thin), plus the split's overall mean, in the units above.  Distances use each
feature divided by its standard deviation across the split's writers.  The
per-glyph features are computed once per split and cached on disk beside the
decoded arrays; the tables are built in memory once per process (a few ms).

Train and test writers of MNIST are disjoint (539 and 297 writers); building
a table checks it, so ``split="test"`` keeps meaning unseen hands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from number_generator.glyphsets.cache import cached_array
from number_generator.glyphsets.glyphs import get_glyph_set, group_indices
from number_generator.glyphsets.registry import get_dataset

#: Names of the columns of :func:`glyph_style` and :attr:`WriterTable.style`.
STYLE_FEATURES = ("stroke_width", "slant", "ink_height")
#: Pixel value (of 255) from which a pixel counts as ink for the style features.
INK_THRESHOLD = 128
_CHUNK = 4096  # glyphs per distance-transform mosaic (bounds the temporary memory to ~15 MB)


def glyph_style(images: np.ndarray) -> np.ndarray:
    """Stroke width, slant and ink height of each glyph (see the module docstring for units).

    Parameters
    ----------
    images : ndarray, shape (N, H, W), uint8, or a GlyphReader
        0 = paper, 255 = ink; read in chunks of a few thousand glyphs.

    Returns
    -------
    ndarray, shape (N, 3), float32
        Columns :data:`STYLE_FEATURES`: stroke width (px, >= 0), slant (px per
        px, positive = leaning right) and ink height (px, 0-H).  A glyph
        without ink gets zeros.
    """
    n, h, w = images.shape
    out = np.zeros((n, 3), dtype=np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    for start in range(0, n, _CHUNK):
        ink: np.ndarray = np.asarray(images[np.arange(start, min(start + _CHUNK, n))]) >= INK_THRESHOLD
        m = len(ink)
        area = ink.sum(axis=(1, 2))
        has_ink = area > 0
        # One distance transform over a mosaic of glyphs separated by a row and column of paper.
        mosaic = np.zeros((m, h + 2, w + 2), np.uint8)
        mosaic[:, 1:-1, 1:-1] = ink
        distance = cv2.distanceTransform(mosaic.reshape(m * (h + 2), w + 2), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        depth = distance.reshape(m, h + 2, w + 2)[:, 1:-1, 1:-1].sum(axis=(1, 2), dtype=np.float64)
        safe_area = np.maximum(area, 1)
        width = np.where(has_ink, 4.0 * depth / safe_area - 2.0, 0.0)
        # Central moments of the ink: slant = -mu11 / mu02 (image rows grow downwards).
        weights = ink.astype(np.float64)
        cx = (weights * xs).sum(axis=(1, 2)) / safe_area
        cy = (weights * ys).sum(axis=(1, 2)) / safe_area
        dx, dy = xs - cx[:, None, None], ys - cy[:, None, None]
        mu11 = (weights * dx * dy).sum(axis=(1, 2))
        mu02 = (weights * dy * dy).sum(axis=(1, 2))
        slant = np.where(mu02 > 0, -mu11 / np.maximum(mu02, 1e-12), 0.0)
        rows = np.any(ink, axis=2)
        height = np.where(has_ink, h - rows[:, ::-1].argmax(axis=1) - rows.argmax(axis=1), 0)
        out[start : start + m] = np.stack([np.maximum(width, 0.0), slant, height], axis=1)
    return out


def check_disjoint_writers(writers_by_split: Mapping[str, np.ndarray]) -> None:
    """Raise ``ValueError`` if any writer id (other than ``-1``) appears in two splits."""
    names = list(writers_by_split)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = np.intersect1d(writers_by_split[first], writers_by_split[second])
            shared = shared[shared >= 0]
            if shared.size:
                raise ValueError(
                    f"splits {first!r} and {second!r} share {shared.size} writers (e.g. {shared[:5].tolist()}); "
                    "evaluation on unseen writers would not be"
                )


@dataclass(frozen=True, eq=False)
class WriterTable:
    """The glyphs of every writer of one split, by class, and each writer's fallback for missing classes.

    Attributes
    ----------
    dataset, split : str
        Where the glyphs come from.
    ids : ndarray (W,) int32
        Writer ids, ascending; row ``r`` of the other arrays is writer ``ids[r]``.
    order : ndarray (N,) int64
        Glyph indices sorted by writer row, then class: writer row ``r``'s
        glyphs of class ``c`` are ``order[starts[r, c] : starts[r, c] + counts[r, c]]``.
    starts, counts : ndarray (W, C) int64
    style : ndarray (W, 3) float32
        Each writer's stroke width (px), slant (px per px) and ink height (px),
        class-balanced (see the module docstring).
    supplier : ndarray (W, C) int32
        Row of the writer whose glyphs stand in for writer row ``r``'s class
        ``c``: ``r`` itself if it wrote ``c``, else its nearest neighbour in
        style space among the split's writers of ``c``; ``-1`` if no writer of
        the split wrote ``c``.
    """

    dataset: str
    split: str
    ids: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    style: np.ndarray
    supplier: np.ndarray

    def rows(self, writers: np.ndarray | int) -> np.ndarray:
        """Row of each writer id; ``ValueError`` naming ids this split does not have."""
        writers = np.asarray(writers, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.ids, writers), len(self.ids) - 1)
        unknown = self.ids[rows] != writers
        if unknown.any():
            raise ValueError(
                f"writer ids {np.unique(writers[unknown])[:5].tolist()} are not writers of "
                f"{self.dataset} {self.split!r} ({len(self.ids)} writers)"
            )
        return rows

    def pick(
        self, writers: np.ndarray | int, classes: np.ndarray | int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """One glyph of each requested class by each requested writer, or by its fallback writer.

        Parameters
        ----------
        writers : int or array of int
            Writer ids (from :attr:`ids`); broadcast against ``classes``.
        classes : int or array of int
            Class labels, ``0 <= c < C``.
        rng : numpy.random.Generator
            Draws one glyph uniformly among the supplying writer's glyphs of
            the class (one ``integers`` call for the whole batch).

        Returns
        -------
        glyphs : ndarray of int64
            Glyph indices into the split (shape of the broadcast inputs).
        suppliers : ndarray of int32
            Writer id that supplied each glyph: the requested writer, or its
            nearest neighbour when that writer never wrote the class.

        Raises
        ------
        ValueError
            Unknown writer id, class out of range, or a class no writer of the split wrote.
        """
        writers, classes = np.broadcast_arrays(np.asarray(writers), np.asarray(classes, dtype=np.int64))
        n_classes = self.counts.shape[1]
        if classes.size and (classes.min() < 0 or classes.max() >= n_classes):
            raise ValueError(f"class labels must be in 0-{n_classes - 1}, got {np.unique(classes).tolist()[:10]}")
        suppliers = self.supplier[self.rows(writers), classes]
        if (suppliers < 0).any():
            missing = np.unique(classes[suppliers < 0]).tolist()
            raise ValueError(f"no writer of {self.dataset} {self.split!r} wrote class {missing}")
        offsets = rng.integers(0, self.counts[suppliers, classes])
        return self.order[self.starts[suppliers, classes] + offsets], self.ids[suppliers]


def writer_style(style: np.ndarray, labels: np.ndarray, rows: np.ndarray, n_writers: int) -> np.ndarray:
    """Class-balanced mean style per writer (see the module docstring), ``(n_writers, 3) float32``.

    ``style`` is :func:`glyph_style` of the glyphs, ``labels`` their classes and
    ``rows`` their writer rows (``0 <= row < n_writers``).
    """
    labels = np.asarray(labels, dtype=np.int64)
    per_class = np.zeros((labels.max() + 1, style.shape[1]))
    np.add.at(per_class, labels, style)
    per_class /= np.maximum(np.bincount(labels), 1)[:, None]
    deviation = style - per_class[labels]
    sums = np.zeros((n_writers, style.shape[1]))
    np.add.at(sums, rows, deviation)
    means = sums / np.maximum(np.bincount(rows, minlength=n_writers), 1)[:, None]
    return (means + style.mean(axis=0)).astype(np.float32)


def nearest_suppliers(style: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each writer row and class, the row supplying that class (see :attr:`WriterTable.supplier`).

    Ties go to the lowest row, so the result depends only on the data.
    """
    scale = style.std(axis=0)
    scaled = style / np.where(scale > 0, scale, 1.0)
    distance = np.linalg.norm(scaled[:, None, :] - scaled[None, :, :], axis=2)
    has = counts > 0  # (W, C)
    supplier = np.empty(counts.shape, dtype=np.int32)
    for c in range(counts.shape[1]):  # a handful of classes; each step is a (W, W) argmin
        candidate = np.where(has[None, :, c], distance, np.inf)
        nearest = candidate.argmin(axis=1)
        nearest = np.where(np.isfinite(candidate[np.arange(len(style)), nearest]), nearest, -1)
        supplier[:, c] = np.where(has[:, c], np.arange(len(style)), nearest)
    return supplier


@cache
def get_writer_table(dataset: str = "mnist", split: str = "train") -> WriterTable:
    """The :class:`WriterTable` of a dataset split, built once per process.

    Raises
    ------
    ValueError
        Unknown dataset or split, a dataset whose writers are unknown, or
        writers shared between its splits.
    """
    source = get_dataset(dataset)
    glyphs = get_glyph_set(dataset, split)
    if not source.has_writers:
        raise ValueError(f"dataset {dataset!r} does not record who wrote its glyphs; use 'mnist'")
    check_disjoint_writers({name: np.unique(source.writers(name)) for name in source.splits})
    writers = np.asarray(glyphs.writers)
    known = np.flatnonzero(writers >= 0)
    ids, rows = np.unique(writers[known], return_inverse=True)
    labels = np.asarray(glyphs.labels, dtype=np.int64)[known]
    shape = (len(ids), len(glyphs.counts))  # (writers, classes)
    order, starts, counts = group_indices(rows * shape[1] + labels, shape[0] * shape[1])
    starts, counts = starts.reshape(shape), counts.reshape(shape)
    style = cached_array(f"{source.name}/{source.version()}/{split}-style.npy", lambda: glyph_style(glyphs.images))
    writer_styles = writer_style(np.asarray(style)[known], labels, rows, len(ids))
    return WriterTable(
        dataset=source.name,
        split=split,
        ids=ids.astype(np.int32),
        order=known[order],
        starts=starts,
        counts=counts,
        style=writer_styles,
        supplier=nearest_suppliers(writer_styles, counts),
    )
