"""The :class:`Sample` record: one generated image with everything known about it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Sample:
    """One generated image with everything known about it.

    Attributes
    ----------
    image : ndarray, shape (28, W), float32
        1.0 = paper, 0.0 = ink.
    text : str
        The characters drawn, left to right (spaces included).
    boxes : ndarray, shape (n, 4), int32
        One box per character, ``x0, y0, x1, y1`` in output pixels, half-open
        (``image[y0:y1, x0:x1]`` holds the character's ink); a space's box
        spans the gap between its neighbours' ink.
    glyph_indices : ndarray, shape (n,), int64
        Index of each character's source glyph in its dataset split, or -1
        for synthesised characters (the hyphen) and spaces.
    spacing : ndarray, shape (d - 1,), int64
        The gaps drawn between consecutive drawn (non-space) characters, in
        pixels between ink before any down-scaling; a word gap is the sum of
        its spaces' draws.
        Negative gaps overlap the ink (``spacing`` with a negative minimum),
        as placed: an overlap deeper than half the narrower neighbour's ink
        allows is raised to that limit
        (:func:`~number_generator.core.layout.overlap_limit`).
    scale : float
        1.0 when the strip fitted; else the down-scaling factor applied.
    writers : ndarray, shape (n,), int64, or None
        Writer id (NIST, from QMNIST) of each character's source glyph; -1 for
        synthesised characters, spaces and datasets without writers.  With
        ``writer="same"`` every entry equals :attr:`writer` except where that
        writer never wrote the class and its nearest writer in style space
        supplied the glyph (the fallback, visible here).
    writer : int
        The writer drawn for the string with ``writer="same"``; -1 otherwise.
    """

    image: np.ndarray
    text: str
    boxes: np.ndarray
    glyph_indices: np.ndarray
    spacing: np.ndarray
    scale: float
    writers: np.ndarray | None = None
    writer: int = -1
