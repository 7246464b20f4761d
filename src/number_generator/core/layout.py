"""Layout maths: where each glyph of a block of samples goes, and whether each sample fits its width.

All quantities are integer pixels.  Spacing is measured between ink: the
blank columns MNIST puts around each digit are cut first, so a gap of 0 means
the last ink column of one glyph touches the first ink column of the next,
and a negative gap means the two glyphs' ink overlaps by that many columns.
Everything here is vectorised over the glyphs of a whole block; a single
sample is a block of one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate
from operator import add

import numpy as np

ALIGN_SHIFT = {"left": 0, "center": 1, "right": 2, "random": 3}


def overlap_limit(ink_widths: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """The gaps with every overlap bounded so that no glyph's ink is covered whole.

    A gap ``g`` between glyphs of ink widths ``a`` and ``b`` is raised to at
    least ``-((min(a, b) - 1) // 2)``: each neighbour covers at most half of a
    glyph's ink columns less one, so even a glyph overlapped from both sides
    keeps at least one ink column that no other glyph's box covers, and both
    edges of consecutive boxes strictly increase (the order of the characters
    is the order of their boxes).  Gaps >= 0 are returned unchanged.

    Parameters
    ----------
    ink_widths : ndarray (m,)
        Ink width of each glyph, pixels (>= 1).
    gaps : ndarray (m,)
        Gap after each glyph, pixels between ink (0 after a sample's last glyph).

    Returns
    -------
    ndarray (m,) int64
        The gaps as drawn where allowed, else the limit.
    """
    if not gaps.size or gaps.min() >= 0:
        return gaps
    narrower = np.minimum(ink_widths, np.append(ink_widths[1:], ink_widths[-1:]))
    return np.maximum(gaps, -((narrower - 1) // 2))


@dataclass(frozen=True)
class Arrangement:
    """Where the glyphs of a block go.

    Attributes
    ----------
    x0 : ndarray (m,) int64
        Left edge of each glyph's ink in its sample's canvas: the output image
        when the sample fits, else its unscaled strip.
    gaps : ndarray (m,) int64
        The gaps placed: as planned, overlaps bounded by :func:`overlap_limit`.
    strip_widths : ndarray (n,) int64
        Width of each sample's strip of ink, gaps included.
    fits : ndarray (n,) bool
        Whether the strip fits the sample's width (else it is scaled down,
        aspect ratio kept, by ``width / strip_width``).
    """

    x0: np.ndarray
    strip_widths: np.ndarray
    fits: np.ndarray
    gaps: np.ndarray


def arrange(
    ink_widths: np.ndarray,
    gaps: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    widths: np.ndarray,
    align: str = "center",
    strict: bool = False,
    margins: np.ndarray | None = None,
) -> Arrangement:
    """Place glyphs left to right with their gaps, then fit each sample's strip to its width.

    Parameters
    ----------
    ink_widths : ndarray (m,)
        Ink width of each glyph, pixels (>= 1).
    gaps : ndarray (m,)
        Gap after each glyph, pixels between ink (0 after a sample's last
        glyph); negative gaps overlap, bounded by :func:`overlap_limit`.
    starts, lengths : ndarray (n,)
        First glyph and number of glyphs of each sample.
    widths : ndarray (n,)
        Output width of each sample.
    align : {"center", "left", "right", "random"}
        Where a strip narrower than its width goes (the spare pixels split
        ``spare // 2`` on the left for ``center``; ``floor(margins[k] * (spare + 1))``
        on the left for ``random``).
    margins : ndarray (n,) of float in [0, 1), optional
        The planner's draw of each sample's left margin, for ``random``.
    strict : bool
        Raise instead of scaling down a strip wider than its width.

    Raises
    ------
    ValueError
        ``strict`` and some strip is wider than its width (names both sizes).
    """
    if len(lengths) == 1:  # one sample: Python numbers, no per-sample bookkeeping
        margin = None if margins is None else float(margins[0])
        x0_list, placed, strip_width, fits = arrange_one(
            ink_widths.tolist(), gaps.tolist(), int(widths[0]), align, strict, margin
        )
        return Arrangement(
            x0=np.array(x0_list, dtype=np.int64),
            strip_widths=np.array([strip_width], dtype=np.int64),
            fits=np.array([fits]),
            gaps=np.array(placed, dtype=np.int64) if placed is not None else gaps,
        )
    gaps = overlap_limit(ink_widths, gaps)
    step = ink_widths + gaps
    before = step.cumsum() - step
    how = ALIGN_SHIFT[align]
    sample_of = np.repeat(np.arange(len(lengths)), lengths)
    offsets = before - before[starts][sample_of]
    strip_widths = np.maximum.reduceat(offsets + ink_widths, starts) if len(starts) else np.zeros(0, np.int64)
    spare = widths - strip_widths
    fits = spare >= 0
    if strict and not fits.all():
        k = int(np.argmin(fits))
        raise _too_wide(int(strip_widths[k]), int(widths[k]))
    if how == 0:
        return Arrangement(x0=offsets, strip_widths=strip_widths, fits=fits, gaps=gaps)
    shift = np.where(fits, _left_margins(spare, how, margins), 0)
    return Arrangement(x0=offsets + shift[sample_of], strip_widths=strip_widths, fits=fits, gaps=gaps)


def arrange_one(
    ink_widths: list[int],
    gaps: list[int],
    width: int,
    align: str = "center",
    strict: bool = False,
    margin: float | None = None,
) -> tuple[list[int], list[int] | None, int, bool]:
    """:func:`arrange` for one sample, on Python ints (no array calls: the cheap path of a single image).

    Parameters
    ----------
    ink_widths, gaps : list of int
        As in :func:`arrange`, for the sample's ``m >= 1`` glyphs.
    width : int
        The output width, pixels.
    align, strict
        As in :func:`arrange`.
    margin : float in [0, 1) or None
        The planner's left-margin draw, for ``align="random"``.

    Returns
    -------
    x0 : list of int
        Left edge of each glyph's ink (in the image if it fits, else in the strip).
    gaps : list of int or None
        The gaps placed (:func:`overlap_limit`), or None when they are the planned ones.
    strip_width : int
        Width of the strip of ink, gaps included, pixels.
    fits : bool
        Whether the strip fits ``width``.
    """
    placed = None
    if min(gaps) < 0:  # the same bound as overlap_limit, glyph by glyph
        narrower = map(min, ink_widths, ink_widths[1:] + ink_widths[-1:])
        gaps = placed = [max(g, -((w - 1) // 2)) for g, w in zip(gaps, narrower)]
    before = list(accumulate(map(add, ink_widths, gaps), initial=0))
    del before[-1]
    strip_width = max(map(add, before, ink_widths))
    room = width - strip_width
    if strict and room < 0:
        raise _too_wide(strip_width, width)
    how = ALIGN_SHIFT[align]
    moved = 0 if room < 0 or how == 0 else room // 2 if how == 1 else room if how == 2 else None
    if moved is None:  # random: the planner's margin draw, as _left_margins computes it
        if margin is None:
            raise ValueError("align 'random' needs the planned margins")
        moved = math.floor(margin * (room + 1))
    return [b + moved for b in before] if moved else before, placed, strip_width, room >= 0


def _left_margins(spare: np.ndarray, how: int, margins: np.ndarray | None) -> np.ndarray:
    """Paper left of each strip that fits, for ``how`` = 1 (center), 2 (right) or 3 (random, from ``margins``)."""
    if how == 3:
        if margins is None:
            raise ValueError("align 'random' needs the planned margins")
        return np.floor(margins * (np.maximum(spare, 0) + 1)).astype(np.int64)
    return spare // 2 if how == 1 else spare


def _too_wide(strip_width: int, width: int) -> ValueError:
    """The error of a strict layout whose strip (``strip_width`` px) is wider than its ``width``."""
    return ValueError(
        f"the sequence needs {strip_width} px but image_width is {width}; "
        "widen the image, reduce the spacing, or allow scaling (strict=False)"
    )
