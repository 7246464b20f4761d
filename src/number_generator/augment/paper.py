"""Forms and paper: printed rules, boxes and comb cells, ruled and grid paper, security patterns, ink darkness.

Real numbers are written on forms and notebooks, and what is printed on the
page is in the crop.  These image transforms draw it *under* the handwriting:
printed lines darken the paper (``min(image, line)``: the darkest wins, so a
digit crossing a rule stays as dark as it was) and never change the label or
the boxes.  Positions come from the character boxes where the print belongs
to the field (rule, box, comb cells) and from the page elsewhere (ruled paper,
patterns).

Units: pixels for positions and thicknesses (fractional thicknesses are drawn
as partial coverage of the rows or columns they overlap), fractions of full
scale for darkness (0.3 = the line is 30 % of the way from paper to black).
Images are ``float32 (28, W)`` in [0, 1], 1.0 = paper.
"""

from __future__ import annotations

import numpy as np

from number_generator.augment._random import round_texture_offsets, texture_offsets, texture_window
from number_generator.augment.base import (
    ImageTransform,
    check_number,
    check_range,
    copy_boxes,
    per_image,
    register,
)


def line_profile(n: int, centres, thickness: float) -> np.ndarray:
    """float32 ``(n,)`` coverage of pixels ``0..n-1`` by lines of ``thickness`` px centred at ``centres``.

    Pixel ``i`` spans ``[i, i + 1)``; a line centred at ``c`` spans
    ``[c - t/2, c + t/2]``; coverage is the overlap length, capped at 1 where lines meet.
    """
    edges = np.arange(n, dtype=np.float64)
    c = np.atleast_1d(np.asarray(centres, np.float64))[:, None]
    overlap = np.minimum(edges + 1, c + thickness / 2) - np.maximum(edges, c - thickness / 2)
    return np.clip(overlap, 0.0, 1.0).max(axis=0, initial=0.0).astype(np.float32)


def _print(image: np.ndarray, rows: np.ndarray | None, cols: np.ndarray | None, darkness: float) -> np.ndarray:
    """``min(image, 1 - darkness * coverage)`` for printed lines given as row and column coverages.

    ``rows`` ``(H,)`` or ``(H, W)``: horizontal lines (or any coverage map); ``cols`` ``(W,)``: vertical lines.
    """
    # paper left by the print, 1 - darkness * coverage, on the smallest array that holds it
    # (coverages are >= 0, so the maximum with blank paper is the coverage itself)
    if rows is None:
        cover = np.zeros(image.shape, np.float32) if cols is None else cols[None, :]
    elif cols is None:
        cover = rows if rows.ndim == 2 else rows[:, None]
    else:
        cover = np.maximum(rows if rows.ndim == 2 else rows[:, None], cols[None, :])
    paper = cover * np.float32(-darkness)  # -(d * c): the same rounding as 1 - d * c below
    paper += np.float32(1.0)
    return np.minimum(image, paper)


def _field(boxes, shape) -> tuple[float, float, float, float]:
    """The extent of all boxes (x0, y0, x1, y1); the whole image without boxes."""
    if boxes is None or not len(boxes):
        return 0.0, 0.0, float(shape[1]), float(shape[0])
    b = np.asarray(boxes)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


@register
class PrintedRule(ImageTransform):
    """A printed baseline rule across the image, at the bottom of the handwriting.

    The line's centre is ``offset`` pixels below the lowest box bottom (the
    digits stand on it; descending strokes cross it), kept inside the image.

    Parameters
    ----------
    offset : [low, high] of float
        Pixels below the lowest ink, within [-10, 10].
    thickness : [low, high] of float
        Pixels, within [0.3, 4].
    darkness : [low, high] of float
        Within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, offset=(-1.0, 2.0), thickness=(0.7, 1.6), darkness=(0.35, 0.8), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.offset = check_range(o, "offset", offset, -10, 10)
        self.thickness = check_range(o, "thickness", thickness, 0.3, 4)
        self.darkness = check_range(o, "darkness", darkness, 0, 1)

    def _uniform_params(self, shape):
        return [("offset", self.offset), ("thickness", self.thickness), ("darkness", self.darkness)]

    def _apply(self, image, boxes, params):
        h = image.shape[0]
        t = params["thickness"]
        y = float(np.clip(_field(boxes, image.shape)[3] + params["offset"], t / 2, h - t / 2))
        return _print(image, line_profile(h, y, t), None, params["darkness"]), copy_boxes(boxes)


@register
class PrintedBox(ImageTransform):
    """A printed box around the field: the boxes' extent plus margins (edges outside the image are cut).

    Parameters
    ----------
    margin_x : [low, high] of float
        Paper between the ink and the left and right edges (each drawn), pixels, within [-20, 100].
    margin_y : [low, high] of float
        Paper between the ink and the top and bottom edges (each drawn), pixels, within [-5, 28].
    thickness : [low, high] of float
        Pixels, within [0.3, 4].
    darkness : [low, high] of float
        Within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, margin_x=(2, 14), margin_y=(0.5, 3.5), thickness=(0.7, 1.5), darkness=(0.35, 0.8), p=1.0):
        super().__init__(p)
        o = type(self).__name__
        self.margin_x = check_range(o, "margin_x", margin_x, -20, 100)
        self.margin_y = check_range(o, "margin_y", margin_y, -5, 28)
        self.thickness = check_range(o, "thickness", thickness, 0.3, 4)
        self.darkness = check_range(o, "darkness", darkness, 0, 1)

    def _uniform_params(self, shape):
        return [
            ("left", self.margin_x),
            ("right", self.margin_x),
            ("top", self.margin_y),
            ("bottom", self.margin_y),
            ("thickness", self.thickness),
            ("darkness", self.darkness),
        ]

    def _apply(self, image, boxes, params):
        h, w = image.shape
        x0, y0, x1, y1 = _field(boxes, image.shape)
        t = params["thickness"]
        left, right = x0 - params["left"] - t / 2, x1 + params["right"] + t / 2
        top, bottom = y0 - params["top"] - t / 2, y1 + params["bottom"] + t / 2
        inside_x = line_profile(w, (left + right) / 2, right - left + t)  # the box's extent, edges included
        inside_y = line_profile(h, (top + bottom) / 2, bottom - top + t)
        rows = line_profile(h, [top, bottom], t)[:, None] * inside_x[None, :]
        cols = line_profile(w, [left, right], t)[None, :] * inside_y[:, None]
        return _print(image, np.maximum(rows, cols), None, params["darkness"]), copy_boxes(boxes)


@register
class CombBoxes(ImageTransform):
    """Comb cells, one per character, as on Japanese forms for postal codes and phone numbers.

    Cells have one width, ``pitch`` times the median distance between
    consecutive characters' centres, and start half a cell before the first
    character (moved by ``shift`` of a cell), so the handwriting drifts against
    the cells as it does on paper: most characters sit inside a cell, some cross
    a wall.  The bottom line is always printed; the walls rise ``wall`` of the
    way to the top line, which is printed (closed cells) with probability ``closed``.

    Parameters
    ----------
    pitch : [low, high] of float
        Within [0.5, 2].
    shift : [low, high] of float
        Within [-0.5, 0.5].
    wall : [low, high] of float
        Wall height as a fraction of the cell height, within [0, 1].
    closed : float
        Probability of a top line (closed cells), in [0, 1].
    margin_y : [low, high] of float
        Paper between the ink and the top and bottom lines, pixels, within [-5, 28].
    thickness : [low, high] of float
        Pixels, within [0.3, 4].
    darkness : [low, high] of float
        Within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(
        self,
        pitch=(1.0, 1.12),
        shift=(-0.15, 0.15),
        wall=(0.35, 1.0),
        closed: float = 0.5,
        margin_y=(0.5, 3.0),
        thickness=(0.7, 1.4),
        darkness=(0.35, 0.8),
        p: float = 1.0,
    ):
        super().__init__(p)
        o = type(self).__name__
        self.pitch = check_range(o, "pitch", pitch, 0.5, 2)
        self.shift = check_range(o, "shift", shift, -0.5, 0.5)
        self.wall = check_range(o, "wall", wall, 0, 1)
        self.closed = check_number(o, "closed", closed, 0, 1)
        self.margin_y = check_range(o, "margin_y", margin_y, -5, 28)
        self.thickness = check_range(o, "thickness", thickness, 0.3, 4)
        self.darkness = check_range(o, "darkness", darkness, 0, 1)

    def _uniform_params(self, shape):
        return [
            ("pitch", self.pitch),
            ("shift", self.shift),
            ("wall", self.wall),
            ("closed", (0.0, 1.0)),
            ("top", self.margin_y),
            ("bottom", self.margin_y),
            ("thickness", self.thickness),
            ("darkness", self.darkness),
        ]

    def _finish(self, params, rng, shape):
        params["closed"] = bool(params["closed"] < self.closed)
        return params

    def _apply(self, image, boxes, params):
        if boxes is None or not len(boxes):
            return image.copy(), copy_boxes(boxes)
        h, w = image.shape
        b = np.asarray(boxes, np.float64)
        centres = (b[:, 0] + b[:, 2]) / 2
        step = float(np.median(np.diff(centres))) if len(b) > 1 else float(b[0, 2] - b[0, 0]) + 4
        pitch = max(step * params["pitch"], 4.0)
        start = centres[0] - pitch / 2 + params["shift"] * pitch
        walls = start + pitch * np.arange(len(b) + 1)
        t = params["thickness"]
        top = float(b[:, 1].min()) - params["top"] - t / 2
        bottom = float(b[:, 3].max()) + params["bottom"] + t / 2
        span_x = line_profile(w, (walls[0] + walls[-1]) / 2, walls[-1] - walls[0] + t)
        lines = [bottom, top] if params["closed"] else [bottom]
        rows = line_profile(h, lines, t)[:, None] * span_x[None, :]
        rise = params["wall"] * (bottom - top)
        wall_rows = line_profile(h, bottom - rise / 2, rise)  # from the bottom line up
        cols = line_profile(w, walls, t)[None, :] * wall_rows[:, None]
        return _print(image, np.maximum(rows, cols), None, params["darkness"]), copy_boxes(boxes)


@register
class RuledPaper(ImageTransform):
    """Ruled notebook paper, or grid paper: thin lines at a regular spacing across the whole image.

    Horizontal lines every ``spacing`` pixels from a random offset; with
    probability ``grid`` vertical lines at the same spacing too (square grid paper).

    Parameters
    ----------
    spacing : [low, high] of float
        Pixels between lines, within [3, 200].
    thickness : [low, high] of float
        Pixels, within [0.3, 3].
    darkness : [low, high] of float
        Within [0, 1]; ruled paper is printed light (0.1-0.35).
    grid : float
        Probability of vertical lines as well, in [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, spacing=(9.0, 24.0), thickness=(0.6, 1.2), darkness=(0.12, 0.35), grid: float = 0.4, p=1.0):
        super().__init__(p)
        o = type(self).__name__
        self.spacing = check_range(o, "spacing", spacing, 3, 200)
        self.thickness = check_range(o, "thickness", thickness, 0.3, 3)
        self.darkness = check_range(o, "darkness", darkness, 0, 1)
        self.grid = check_number(o, "grid", grid, 0, 1)

    def _uniform_params(self, shape):
        return [
            ("spacing", self.spacing),
            ("offset_y", (0.0, 1.0)),
            ("offset_x", (0.0, 1.0)),
            ("grid", (0.0, 1.0)),
            ("thickness", self.thickness),
            ("darkness", self.darkness),
        ]

    def _finish(self, params, rng, shape):
        params["grid"] = bool(params["grid"] < self.grid)
        return params

    def _apply(self, image, boxes, params):
        h, w = image.shape
        s, t = params["spacing"], params["thickness"]
        rows = line_profile(h, np.arange(params["offset_y"] * s, h + s, s), t)
        cols = line_profile(w, np.arange(params["offset_x"] * s, w + s, s), t) if params["grid"] else None
        return _print(image, rows, cols, params["darkness"]), copy_boxes(boxes)


@register
class SecurityPattern(ImageTransform):
    """A fine repeating security pattern: families of thin, parallel wavy lines (as on cheques and forms).

    Each family is a set of sine-shaped lines ``period`` pixels apart, waving
    ``amplitude`` pixels with ``wavelength`` pixels, at ``angle`` degrees; a second
    family (with probability ``cross``) crosses the first at another angle.

    Parameters
    ----------
    period : [low, high] of float
        Pixels between lines of a family, within [2, 60].
    amplitude : [low, high] of float
        Pixels, within [0, 20].
    wavelength : [low, high] of float
        Pixels, within [4, 400].
    angle : [low, high] of float
        Degrees, within [-90, 90].
    width : [low, high] of float
        Line width, pixels, within [0.2, 3].
    darkness : [low, high] of float
        Within [0, 1].
    cross : float
        Probability of a second family, in [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(
        self,
        period=(3.0, 7.0),
        amplitude=(0.5, 2.5),
        wavelength=(12.0, 48.0),
        angle=(-35.0, 35.0),
        width=(0.5, 1.0),
        darkness=(0.12, 0.35),
        cross: float = 0.5,
        p: float = 1.0,
    ):
        super().__init__(p)
        o = type(self).__name__
        self.period = check_range(o, "period", period, 2, 60)
        self.amplitude = check_range(o, "amplitude", amplitude, 0, 20)
        self.wavelength = check_range(o, "wavelength", wavelength, 4, 400)
        self.angle = check_range(o, "angle", angle, -90, 90)
        self.width = check_range(o, "width", width, 0.2, 3)
        self.darkness = check_range(o, "darkness", darkness, 0, 1)
        self.cross = check_number(o, "cross", cross, 0, 1)

    def _uniform_params(self, shape):
        return [
            ("period", self.period),
            ("amplitude", self.amplitude),
            ("wavelength", self.wavelength),
            ("angle", self.angle),
            ("angle2", self.angle),
            ("phase", (0.0, 2 * np.pi)),
            ("cross", (0.0, 1.0)),
            ("width", self.width),
            ("darkness", self.darkness),
        ]

    def _finish(self, params, rng, shape):
        params["cross"] = bool(params["cross"] < self.cross)
        return params

    def _family(self, shape, params, angle: float) -> np.ndarray:
        h, w = shape
        a = np.deg2rad(angle)
        ys, xs = np.arange(h, dtype=np.float32)[:, None] + 0.5, np.arange(w, dtype=np.float32)[None, :] + 0.5
        along = xs * np.float32(np.cos(a)) - ys * np.float32(np.sin(a))
        across = xs * np.float32(np.sin(a)) + ys * np.float32(np.cos(a))
        wave = np.float32(params["amplitude"]) * np.sin(
            along * np.float32(2 * np.pi / params["wavelength"]) + params["phase"]
        )
        f = (across + wave) * np.float32(1 / params["period"])
        dist = np.abs(f - np.round(f)) * np.float32(params["period"])  # pixels to the nearest line
        return np.clip(np.float32(params["width"] / 2 + 0.5) - dist, 0.0, 1.0)

    def _apply(self, image, boxes, params):
        cover = self._family(image.shape, params, params["angle"])
        if params["cross"]:
            second = params["angle2"] + (60.0 if abs(params["angle2"] - params["angle"]) < 30 else 0.0)
            cover = np.maximum(cover, self._family(image.shape, params, second))
        return _print(image, cover, None, params["darkness"]), copy_boxes(boxes)


@register
class InkDarkness(ImageTransform):
    """Ink of varying darkness: a lighter pen overall, fading and darkening across the line.

    The ink (``1 - x``) is multiplied by ``(1 - fade) * (1 - variation * t)``,
    ``t`` in [0, 1] a crop of a fixed smooth texture (see :mod:`._random`); paper
    stays paper.  Unlike :class:`~.image.IntensityRange`, only the ink changes.

    Parameters
    ----------
    fade : [low, high] of float
        Overall lightening of the ink, within [0, 1].
    variation : [low, high] of float
        Largest extra lightening across the line, within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, fade=(0.0, 0.35), variation=(0.1, 0.5), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.fade = check_range(o, "fade", fade, 0, 1)
        self.variation = check_range(o, "variation", variation, 0, 1)

    def _uniform_params(self, shape):
        return [("fade", self.fade), ("variation", self.variation), *texture_offsets(shape)]

    def _finish(self, params, rng, shape):
        return round_texture_offsets(params)

    stacked = True

    def _apply_stack(self, stack, params):
        shape = stack.shape[1:]
        keep = np.stack([texture_window(p["texture"], p["x"], p["y"], shape) for p in params])
        keep *= per_image([-p["variation"] for p in params])
        keep += np.float32(1.0)
        keep *= per_image([1.0 - p["fade"] for p in params])
        out = np.subtract(np.float32(1.0), stack)
        out *= keep
        np.subtract(np.float32(1.0), out, out=out)
        return np.clip(out, 0.0, 1.0, out=out)
