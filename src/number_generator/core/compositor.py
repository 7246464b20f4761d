"""Placing glyph pixels for planned layouts: one compositor for one sample or a block of them.

The image contract (see DESIGN.md): ``numpy.float32``, shape ``(28, width)``,
1.0 = white paper, 0.0 = black ink.  Glyphs use the opposite convention
(``uint8``, 0 = paper, 255 = full ink); a glyph pixel of value ``v`` becomes
``(255 - v) / 255`` (:func:`ink_to_image`).

Ink merges as ink does: where two glyphs cover the same pixel the darker
wins (the maximum of their ink values).  With gaps >= 0 no two glyphs share
a column and placing is a plain copy; overlapping layouts (negative gaps)
take the maximum.  Nothing here draws random numbers: the layout
(:class:`~number_generator.core.planner.Plan`) holds every choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from number_generator.core.layout import arrange, arrange_one
from number_generator.core.planner import Plan

HEIGHT = 28
_255 = np.float32(255.0)


def ink_to_image(ink: np.ndarray) -> np.ndarray:
    """Glyph convention (uint8, 0 = paper, 255 = ink) -> image contract (float32, 1.0 = paper, 0.0 = ink).

    ``(255 - v) / 255`` in float32, C-ordered: paper is exactly 1.0, full ink exactly 0.0.
    """
    return np.true_divide(np.subtract(255, ink, order="C"), _255, dtype=np.float32)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] -> ``uint8`` (0.0 -> 0, 1.0 -> 255, rounded): what files store.

    For a composed image ``to_uint8(ink_to_image(ink)) == 255 - ink`` exactly.
    """
    return np.rint(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


@dataclass(frozen=True)
class Composed:
    """The pixels of a block of layouts.

    ``images[k]`` is float32 ``(28, widths[k])`` (1.0 = paper) or, when composed
    with ``as_uint8=True``, uint8 (255 = paper, :func:`to_uint8` of the float
    image); ``boxes[k]`` int32 ``(n_k, 4)``, one per drawn glyph; ``scales[k]``
    1.0 or the down-scaling factor; ``gaps`` (m,) the gaps placed after each
    glyph (the plan's, overlaps bounded: :func:`~number_generator.core.layout.overlap_limit`).
    """

    images: list[np.ndarray]
    boxes: list[np.ndarray]
    scales: list[float]
    gaps: np.ndarray | None = None


def _shift_rows(values: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Glyph columns ``values`` (k, 28) moved down by ``dy`` (k,) pixels (up when negative); paper fills."""
    rows = np.arange(HEIGHT) - dy[:, None]
    inside = (rows >= 0) & (rows < HEIGHT)
    return np.where(inside, np.take_along_axis(values, np.clip(rows, 0, HEIGHT - 1), axis=1), 0).astype(np.uint8)


def _place_columns(
    canvas: np.ndarray, rows: np.ndarray | int, x: np.ndarray, values: np.ndarray, merged: np.ndarray | None
) -> None:
    """Put glyph columns ``values`` (k, 28) at columns ``x`` of samples ``rows`` of an x-major ink canvas (n, W, 28).

    One contiguous copy per column: the fast layout for blocks.  Darkest
    wins: without overlap (``merged`` None) every target column is distinct
    and a copy equals the maximum with blank paper.  With overlap, ``merged``
    marks the columns of every other glyph of a sample (odd positions): the
    even ones are copied, then the odd ones take the maximum with what is
    there.  Only neighbours overlap (:func:`~number_generator.core.layout.overlap_limit`
    keeps glyph ``i`` clear of ``i + 2``), so no two columns of one pass land
    on the same pixel column and the result is the maximum over all glyphs.
    """
    if merged is None:
        canvas[rows, x] = values
        return
    for take, merge in ((~merged, False), (merged, True)):
        at = (rows if isinstance(rows, int) else rows[take], x[take])
        canvas[at] = np.maximum(canvas[at], values[take]) if merge else values[take]


def _paste_glyphs(
    canvas: np.ndarray,
    columns: np.ndarray,
    store_ids: list[int],
    left: list[int],
    ink_widths: list[int],
    x0: list[int],
    dy: list[int] | None,
    overlap: bool,
) -> None:
    """Put the ink of glyphs into one image-shaped ink canvas (28, W), one slice per glyph.

    The lean layout for one image (no index arrays to build): glyph ``j``'s
    ink columns ``left[j] : left[j] + ink_widths[j]`` of ``columns[store_ids[j]]``
    go to canvas columns from ``x0[j]``, moved down by ``dy[j]`` rows (paper
    fills).  Darkest wins as in :func:`_place_columns`.
    """
    images = columns.transpose(0, 2, 1)  # images[g] is glyph g as drawn, (28, 28)
    shifts = dy if dy is not None else [0] * len(x0)
    for g, a, w, x, s in zip(store_ids, left, ink_widths, x0, shifts):
        glyph = images[g, :, a : a + w]
        if s == 0 and not overlap:  # the common case: one copy
            canvas[:, x : x + w] = glyph
            continue
        target = canvas[:, x : x + w]
        if s > 0:
            target, glyph = target[s:], glyph[: HEIGHT - s]
        elif s < 0:
            target, glyph = target[:s], glyph[-s:]
        if overlap:
            np.maximum(target, glyph, out=target)
        else:
            target[...] = glyph


def compose(
    plan: Plan,
    columns: np.ndarray,
    store_ids: np.ndarray,
    extents: np.ndarray,
    *,
    as_uint8: bool = False,
) -> Composed:
    """Compose every sample of ``plan``: place the ink columns of its glyphs, fit each to its width.

    A block of several samples places all its glyph columns at once in one
    x-major canvas; a single sample (and a sample scaled down) is pasted glyph
    by glyph into its own image-shaped canvas, which is cheaper at that size.
    The pixels are the same either way.

    Parameters
    ----------
    plan : Plan
        Glyph choices, gaps, widths, alignment of ``n`` samples (``m`` glyphs).
    columns : array, shape (G, 28, 28), uint8
        Glyph store in column-major order: ``columns[g, x]`` is column ``x`` of
        glyph ``g`` (0 = paper, 255 = ink); a transposed view is fine.
    store_ids : ndarray, shape (m,), int64
        Row of ``columns`` holding each planned glyph.
    extents : ndarray, shape (m, 4)
        Ink extents ``left, right, top, bottom`` of each glyph (inclusive pixels).
    as_uint8 : bool
        Return 8-bit images (255 = paper) as exports store them, skipping the
        float image for samples that fit.

    Returns
    -------
    Composed

    Raises
    ------
    ValueError
        ``plan.strict`` and a sample's strip is wider than its width.
    """
    if len(plan.lengths) == 1:
        return _compose_one(plan, columns, store_ids, extents, as_uint8)
    ext = np.asarray(extents, dtype=np.int64)
    left = ext[:, 0]
    ink_widths = ext[:, 1] - left + 1
    starts, lengths = plan.starts, plan.lengths
    n = len(lengths)
    arrangement = arrange(ink_widths, plan.gaps, starts, lengths, plan.widths, plan.align, plan.strict, plan.margins)
    x0 = arrangement.x0
    dy = plan.dy
    overlap = bool(np.minimum.reduce(plan.gaps) < 0)
    boxes_all = np.empty((len(x0), 4), dtype=np.int32)
    boxes_all[:, 0] = x0
    boxes_all[:, 2] = x0 + ink_widths
    boxes_all[:, 1] = ext[:, 2] if dy is None else np.clip(ext[:, 2] + dy, 0, HEIGHT - 1)
    boxes_all[:, 3] = ext[:, 3] + 1 if dy is None else np.clip(ext[:, 3] + 1 + dy, 1, HEIGHT)

    def one_canvas(a: int, b: int, width: int) -> np.ndarray:
        """Ink canvas (28, width) holding glyphs ``a:b`` (one sample) at their places."""
        canvas = np.zeros((HEIGHT, width), dtype=np.uint8)
        shifts = None if dy is None else dy[a:b].tolist()
        _paste_glyphs(
            canvas,
            columns,
            store_ids[a:b].tolist(),
            left[a:b].tolist(),
            ink_widths[a:b].tolist(),
            x0[a:b].tolist(),
            shifts,
            overlap,
        )
        return canvas

    def place_glyphs(canvas: np.ndarray, first: int, stop: int, rows: np.ndarray | int) -> None:
        widths = ink_widths[first:stop]
        k = np.repeat(np.arange(first, stop), widths)
        within = np.arange(k.size) - np.repeat(np.cumsum(widths) - widths, widths)
        values = columns[store_ids[k], left[k] + within]
        if dy is not None:
            values = _shift_rows(values, dy[k])
        merged = (k & 1).astype(bool) if overlap else None  # odd glyphs of the block: neighbours alternate
        _place_columns(canvas, rows if isinstance(rows, int) else rows[k], x0[k] + within, values, merged)

    fits = arrangement.fits
    widths_out = plan.widths.tolist()
    starts_list, lengths_list, fits_list = starts.tolist(), lengths.tolist(), fits.tolist()
    paper = ink = None
    if n > 1 and any(fits_list):  # a block: column-major canvas, each glyph column one contiguous copy
        canvas_width = max(w for w, f in zip(widths_out, fits_list) if f)
        ink = np.zeros((n, canvas_width, HEIGHT), dtype=np.uint8)
        if all(fits_list):
            place_glyphs(ink, 0, len(x0), np.repeat(np.arange(n), lengths))
        else:
            for k in np.flatnonzero(fits).tolist():
                place_glyphs(ink, starts_list[k], starts_list[k] + lengths_list[k], k)
        if as_uint8:
            paper = np.subtract(255, ink.transpose(0, 2, 1))  # == to_uint8(ink_to_image(ink)) exactly
    images: list[np.ndarray] = []
    boxes: list[np.ndarray] = []
    scales: list[float] = []
    for k in range(n):
        a, b, width = starts_list[k], starts_list[k] + lengths_list[k], widths_out[k]
        if fits_list[k]:
            if paper is not None:
                images.append(paper[k, :, :width])
            elif ink is not None:
                images.append(ink_to_image(ink[k, :width].T))
            else:  # one image: an image-shaped canvas, no transposition
                canvas = one_canvas(a, b, width)
                images.append(np.subtract(255, canvas) if as_uint8 else ink_to_image(canvas))
            boxes.append(boxes_all[a:b])
            scales.append(1.0)
            continue
        strip_width = int(arrangement.strip_widths[k])
        scale = width / strip_width
        image, scaled_boxes = scale_down(ink_to_image(one_canvas(a, b, strip_width)), boxes_all[a:b], width, scale)
        images.append(to_uint8(image) if as_uint8 else image)
        boxes.append(scaled_boxes)
        scales.append(scale)
    return Composed(images, boxes, scales, arrangement.gaps)


def _compose_one(
    plan: Plan, columns: np.ndarray, store_ids: np.ndarray, extents: np.ndarray, as_uint8: bool
) -> Composed:
    """:func:`compose` for a block of one sample, on Python ints: the same pixels and boxes, fewer array calls."""
    left, right, tops, bottoms = zip(*np.asarray(extents).tolist())
    ink_widths = [r - a + 1 for a, r in zip(left, right)]
    planned = plan.gaps.tolist()
    width = int(plan.widths[0])
    margin = None if plan.margins is None else float(plan.margins[0])
    x0, placed, strip_width, fits = arrange_one(ink_widths, planned, width, plan.align, plan.strict, margin)
    shifts = None if plan.dy is None else plan.dy.tolist()
    if shifts is None:
        boxes = [[x, t, x + w, b + 1] for x, t, w, b in zip(x0, tops, ink_widths, bottoms)]
    else:
        boxes = [
            [x, min(max(t + s, 0), HEIGHT - 1), x + w, min(max(b + 1 + s, 1), HEIGHT)]
            for x, t, w, b, s in zip(x0, tops, ink_widths, bottoms, shifts)
        ]
    box_array = np.array(boxes, dtype=np.int32)
    canvas = np.zeros((HEIGHT, width if fits else strip_width), dtype=np.uint8)
    overlap = min(planned) < 0
    _paste_glyphs(canvas, columns, store_ids.tolist(), list(left), ink_widths, x0, shifts, overlap)
    gaps = plan.gaps if placed is None else np.array(placed, dtype=np.int64)
    if fits:
        image = np.subtract(255, canvas) if as_uint8 else ink_to_image(canvas)
        return Composed([image], [box_array], [1.0], gaps)
    scale = width / strip_width
    image, box_array = scale_down(ink_to_image(canvas), box_array, width, scale)
    return Composed([to_uint8(image) if as_uint8 else image], [box_array], [scale], gaps)


def scale_down(strip: np.ndarray, boxes: np.ndarray, image_width: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Shrink a float ``strip`` (28, S) to ``image_width`` keeping its aspect ratio, centred vertically.

    Returns the image (28, image_width) and the boxes mapped onto it, widened
    by one pixel on each side (the bilinear filter spreads ink that far).
    """
    from PIL import Image

    height = max(1, round(HEIGHT * scale))
    small = np.asarray(
        Image.fromarray(strip, mode="F").resize((image_width, height), Image.Resampling.BILINEAR),
        dtype=np.float32,
    )
    # Filters leave 0.99999994 on blank paper; snap near-paper and near-ink values.
    small = np.clip(small, 0.0, 1.0)
    small[small > 1.0 - 1e-4] = 1.0
    small[small < 1e-4] = 0.0
    top = (HEIGHT - height) // 2
    image = np.ones((HEIGHT, image_width), dtype=np.float32)
    image[top : top + height] = small
    sx = image_width / strip.shape[1]
    sy = height / HEIGHT
    scaled = np.empty(boxes.shape, dtype=np.float64)
    scaled[:, 0] = np.floor(boxes[:, 0] * sx) - 1
    scaled[:, 2] = np.ceil(boxes[:, 2] * sx) + 1
    scaled[:, 1] = top + np.floor(boxes[:, 1] * sy) - 1
    scaled[:, 3] = top + np.ceil(boxes[:, 3] * sy) + 1
    scaled[:, 0::2] = np.clip(scaled[:, 0::2], 0, image_width)
    scaled[:, 1::2] = np.clip(scaled[:, 1::2], 0, HEIGHT)
    return image, scaled.astype(np.int32)
