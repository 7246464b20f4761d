"""Foreign digit styles: class-conditional glyph edits drawn as pen strokes.

Writers outside the US cross their 7s, start their 1s with a long lead-in
stroke (the continental 1) and leave the top of their 4s open; MNIST (US
census staff and students) has few of them.  Each transform here edits only
glyphs of its character (the pipeline passes the text:
``Pipeline.apply_glyphs(..., text=...)``), with its own probability ``p``; the
label does not change.

Strokes are drawn with :func:`~number_generator.glyphsets.strokes.stroke_ink_batch`
in the glyph's own pen width (:func:`~number_generator.augment.marks.estimate_pen_width`
of that glyph, times a drawn factor), at places found from the glyph's ink
(rows and columns with ink above half darkness).  A glyph whose ink does not
show the expected structure (e.g. no stem at mid-height of a 7) is left as it
is.  Glyphs are ``uint8 (28, 28)``, 0 = no ink, 255 = full ink; pixel ``[r, c]``
has its centre at ``(c + 0.5, r + 0.5)``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from number_generator.augment.base import GlyphTransform, check_range, register
from number_generator.augment.marks import estimate_pen_width
from number_generator.glyphsets.strokes import stroke_ink_batch

_SOLID = 128  # ink above half darkness
_FLAG_T = np.linspace(0.0, 1.0, 6)[:, None]  # FlaggedOne: places of the flag's 6 points, 0..1
_FLAG_REST = 1 - _FLAG_T


def _pen_widths(glyphs: np.ndarray) -> np.ndarray:
    """Pen width (px) of each glyph of a stack ``(k, 28, 28)``, clipped to [1.2, 5]: float64 ``(k,)``."""
    return np.minimum(np.maximum(estimate_pen_width(1.0 - glyphs.astype(np.float32) / 255), 1.2), 5.0)


def _ink_rows(glyph: np.ndarray) -> tuple[int, int] | None:
    rows = np.flatnonzero((glyph >= _SOLID).any(axis=1))
    return (int(rows[0]), int(rows[-1])) if rows.size else None


def _centre_of_row(glyph: np.ndarray, row: int) -> float | None:
    cols = np.flatnonzero(glyph[row] >= _SOLID)
    return float(cols.mean()) + 0.5 if cols.size else None


#: What an edit adds: the glyph to draw on (the input, or a copy with ink erased), a polyline ``(m, 2)``
#: of ``(x, y)`` points (the same ``m`` for every edit of one transform) and its pen width in pixels.
Edit = tuple[np.ndarray, np.ndarray, float]


class _DigitStyle(GlyphTransform):
    """Shared loop: edit each glyph the pipeline marked as applied (its character, drawn ``p``).

    The edits of a stack are found glyph by glyph (:meth:`_edit`), then all
    their strokes are rasterised in one :func:`stroke_ink_batch` call.
    """

    def _apply_pixels(self, stack, cols):
        out = stack.copy()
        (applied,) = np.nonzero(cols["applied"])
        if not applied.size:
            return out
        widths = _pen_widths(stack[applied]).tolist()
        edited, bases, lines, thickness = [], [], [], []
        for j, i in enumerate(applied.tolist()):
            rows = _ink_rows(stack[i])
            if rows is None:  # a blank glyph stays blank
                continue
            edit = self._edit(stack[i], {k: float(cols[k][i]) for k in self.neutral}, *rows, widths[j])
            if edit is not None:
                edited.append(i)
                bases.append(edit[0])
                lines.append(edit[1])
                thickness.append(edit[2])
        if edited:
            ink = stroke_ink_batch(np.stack(lines), np.array(thickness))
            out[edited] = np.maximum(np.stack(bases), np.rint(ink * 255).astype(np.uint8))
        return out

    def _edit(self, glyph: np.ndarray, params: dict, top: int, bottom: int, width: float) -> Edit | None:
        """The stroke to add to ``glyph`` (``None``: leave it as it is).

        ``top``/``bottom``: its first and last rows of solid ink; ``width``: its pen width in pixels.
        """
        raise NotImplementedError


@register
class CrossedSeven(_DigitStyle):
    """A bar across the stem of a 7 (the continental 7).

    The bar crosses the stem at ``height`` (fraction of the ink height from the
    top), centred on the stem's ink in that row (shifted by ``shift`` of its
    length), ``length`` times the glyph's ink width long, tilted by ``tilt``
    degrees, ``thickness`` times the glyph's pen width.

    Parameters
    ----------
    height : [low, high] of float
        Within [0.3, 0.8].
    length : [low, high] of float
        Within [0.2, 1.2].
    shift : [low, high] of float
        Within [-0.5, 0.5].
    tilt : [low, high] of float
        Degrees, positive rises to the right; within [-30, 30].
    thickness : [low, high] of float
        Within [0.5, 2].
    p : float
        Probability for each 7, in [0, 1].
    """

    character = "7"
    neutral: ClassVar[dict] = {"height": 0.5, "length": 0.6, "shift": 0.0, "tilt": 0.0, "thickness": 1.0}

    def __init__(
        self,
        height=(0.45, 0.6),
        length=(0.45, 0.75),
        shift=(-0.15, 0.15),
        tilt=(-6, 8),
        thickness=(0.85, 1.1),
        p: float = 1.0,
    ):
        super().__init__(p)
        o = type(self).__name__
        self.height = check_range(o, "height", height, 0.3, 0.8)
        self.length = check_range(o, "length", length, 0.2, 1.2)
        self.shift = check_range(o, "shift", shift, -0.5, 0.5)
        self.tilt = check_range(o, "tilt", tilt, -30, 30)
        self.thickness = check_range(o, "thickness", thickness, 0.5, 2)

    def _uniform_params(self):
        return [
            ("height", self.height),
            ("length", self.length),
            ("shift", self.shift),
            ("tilt", self.tilt),
            ("thickness", self.thickness),
        ]

    def _edit(self, glyph, params, top, bottom, width):
        row = int(round(top + params["height"] * (bottom - top)))
        cx = _centre_of_row(glyph, row)
        if cx is None:
            return None
        cols = np.flatnonzero((glyph >= _SOLID).any(axis=0))
        length = params["length"] * int(cols[-1] - cols[0] + 1)
        a = math.radians(params["tilt"])  # scalars in Python: numpy's bits, without its per-call cost
        dx, dy = math.cos(a) * length / 2, -math.sin(a) * length / 2
        cx, cy = cx + params["shift"] * length, row + 0.5
        return glyph, np.array([[cx - dx, cy - dy], [cx + dx, cy + dy]]), width * params["thickness"]


@register
class FlaggedOne(_DigitStyle):
    """A lead-in flag on a 1 (the continental 1): a stroke down-left from its top.

    The flag leaves the top of the 1's ink towards the lower left, ``angle``
    degrees flatter than the 1's own stroke (measured from the centres of its
    top and bottom ink rows, so a slanted 1 gets a flag that stands out from
    it), ``length`` times the ink height long, bent by ``bend`` pixels,
    ``thickness`` times the glyph's pen width.

    Parameters
    ----------
    length : [low, high] of float
        Within [0.1, 0.7].
    angle : [low, high] of float
        Degrees between the stroke and the flag, within [10, 90].
    bend : [low, high] of float
        Pixels, within [-3, 3].
    thickness : [low, high] of float
        Within [0.5, 2].
    p : float
        Probability for each 1, in [0, 1].
    """

    character = "1"
    neutral: ClassVar[dict] = {"length": 0.3, "angle": 45.0, "bend": 0.0, "thickness": 1.0}

    def __init__(self, length=(0.22, 0.4), angle=(35, 60), bend=(-0.8, 0.8), thickness=(0.85, 1.05), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.length = check_range(o, "length", length, 0.1, 0.7)
        self.angle = check_range(o, "angle", angle, 10, 90)
        self.bend = check_range(o, "bend", bend, -3, 3)
        self.thickness = check_range(o, "thickness", thickness, 0.5, 2)

    def _uniform_params(self):
        return [("length", self.length), ("angle", self.angle), ("bend", self.bend), ("thickness", self.thickness)]

    def _edit(self, glyph, params, top, bottom, width):
        x_top, x_bottom = _centre_of_row(glyph, top), _centre_of_row(glyph, bottom)
        if x_top is None or x_bottom is None:
            return None
        length = params["length"] * (bottom - top + 1)
        # below the horizontal, towards the left (numpy's arctan2: math.atan2 differs in the last bit)
        stroke_angle = float(np.arctan2(bottom - top, x_top - x_bottom))
        a = stroke_angle - math.radians(params["angle"])
        cos, sin = math.cos(a), math.sin(a)
        start = np.array([x_top, top + width / 2])
        end = start + np.array([-cos * length, sin * length])
        line = start + _FLAG_T * (end - start) + (params["bend"] * 4 * _FLAG_T * _FLAG_REST) * np.array([sin, cos])
        return glyph, line, width * params["thickness"]


@register
class OpenFour(_DigitStyle):
    """An open-top 4: the left stroke goes straight up from the crossbar and never meets the stem.

    The crossbar is the fullest ink row between a third and five sixths of the
    ink height; the stem is the ink just under it.  The ink above the
    crossbar and left of the stem is erased and a new left stroke is drawn from
    the crossbar's left end up to ``drop`` times the ink height below the top,
    leaning ``lean`` pixels to the right at its top, ``thickness`` times the
    glyph's pen width.

    Parameters
    ----------
    drop : [low, high] of float
        Within [0, 0.4].
    lean : [low, high] of float
        Pixels, within [-4, 4].
    thickness : [low, high] of float
        Within [0.5, 2].
    p : float
        Probability for each 4, in [0, 1].
    """

    character = "4"
    neutral: ClassVar[dict] = {"drop": 0.1, "lean": 0.0, "thickness": 1.0}

    def __init__(self, drop=(0.0, 0.2), lean=(-1.5, 1.0), thickness=(0.85, 1.05), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.drop = check_range(o, "drop", drop, 0, 0.4)
        self.lean = check_range(o, "lean", lean, -4, 4)
        self.thickness = check_range(o, "thickness", thickness, 0.5, 2)

    def _uniform_params(self):
        return [("drop", self.drop), ("lean", self.lean), ("thickness", self.thickness)]

    def _edit(self, glyph, params, top, bottom, width):
        height = bottom - top + 1
        solid = glyph >= _SOLID
        lo, hi = top + height // 3, top + (5 * height) // 6
        if hi <= lo:
            return None  # a 4 of one or two rows of ink (eroded to a trace): nothing to open
        bar = lo + int(np.argmax(solid[lo:hi].sum(axis=1)))
        under = min(bar + int(np.ceil(width)) + 1, bottom)  # just under the crossbar only the stem has ink
        below = np.flatnonzero(solid[under])
        bar_cols = np.flatnonzero(solid[bar])
        if below.size == 0 or bar_cols.size == 0:
            return None
        stem_left = int(below[0])
        x_left = bar_cols[0] + width / 2
        if stem_left - x_left < 1.5 * width:
            return None  # the crossbar does not reach left of the stem: not a 4 to open
        out = glyph.copy()
        out[: max(bar - int(width), 0), : max(stem_left - 1, 0)] = 0
        y_top = top + params["drop"] * height + width / 2
        stroke = np.array([[x_left, bar + 0.5], [x_left + params["lean"], y_top]])
        return out, stroke, width * params["thickness"]
