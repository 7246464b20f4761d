"""Spacing, placement, and fitting a strip of glyphs to the requested width.

All quantities are integer pixels.  Spacing is measured between ink: the
blank columns MNIST puts around each digit are cut first, so a gap of 0 means
the last ink column of one glyph touches the first ink column of the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def draw_gaps(rng: np.random.Generator, count: int, spacing_range: tuple[int, int]) -> np.ndarray:
    """``count`` gaps, each uniform over the integers ``[min, max]`` inclusive."""
    low, high = spacing_range
    return rng.integers(low, high + 1, size=count)


def place(widths: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, int]:
    """Left edge of each glyph in the strip, and the strip's width.

    ``widths`` are the ink widths of ``n`` glyphs, ``gaps`` the ``n - 1``
    spacings between them.
    """
    offsets = np.zeros(len(widths), dtype=np.int64)
    if len(widths) > 1:
        np.cumsum(widths[:-1] + gaps, out=offsets[1:])
    return offsets, int(offsets[-1] + widths[-1])


@dataclass(frozen=True)
class Fit:
    """How a strip of ``strip_width`` goes into the output.

    ``scale`` is 1.0 when the strip fits (it is then shifted right by
    ``offset`` pixels), else ``image_width / strip_width`` < 1: the whole strip
    is scaled down, aspect ratio kept, and centred vertically.
    """

    offset: int
    scale: float


def fit(strip_width: int, image_width: int, align: str = "center", strict: bool = False) -> Fit:
    """Decide padding or down-scaling (see :class:`Fit`).

    Raises
    ------
    ValueError
        If ``strict`` and the strip is wider than ``image_width``.
    """
    if strip_width <= image_width:
        spare = image_width - strip_width
        offset = {"left": 0, "center": spare // 2, "right": spare}[align]
        return Fit(offset=offset, scale=1.0)
    if strict:
        raise ValueError(
            f"the sequence needs {strip_width} px but image_width is {image_width}; "
            "widen the image, reduce the spacing, or allow scaling (strict=False)"
        )
    return Fit(offset=0, scale=image_width / strip_width)
