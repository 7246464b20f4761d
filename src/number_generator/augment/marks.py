"""Marks that are not the label: separators, leading and trailing marks, stray pen marks, an underline.

Real numbers are written on documents, and the documents are in the crop:
``52.063`` with a dot between the groups, ``1,000/-`` with a trailing mark,
a tick or a speck beside the digits, a line drawn under the amount.  The
transforms here draw such marks on the composed line **without changing the
label**: they run after composition and before the image transforms
(:meth:`Pipeline.apply_marks <number_generator.augment.pipeline.Pipeline.apply_marks>`),
with the image, the character boxes and the text.

Rules every mark follows:

* **Pen strokes in the string's pen width.**  The width is estimated once per
  line from the digits' ink (:func:`estimate_pen_width`: twice the ink area over
  the ink outline, which for a stroke of width ``w`` and length ``L`` is
  ``2 w L / 2 L = w``) and rounded to the nearest of :data:`MARK_WIDTHS`; each
  mark is a sample of a fixed bank drawn once per width from a fixed seed and
  cached on disk, like the hyphen (:func:`mark_bank`).
* **Never over a digit's ink.**  A mark's ink is cut where the digits' ink,
  dilated by one pixel, is (:class:`Page` keeps that mask), so a mark never
  darkens or touches a digit.
* **Placed with the character boxes.**  Separators go in a gap opened between two
  digits (the digits on each side move apart, using the paper at the line's ends;
  boxes follow); leading and trailing marks go beside the first and last box;
  stray marks go on paper outside every box; the underline runs under the boxes.
  A mark that does not fit is left out (the recorded parameters say what was drawn).

Parameters are plain data (bank indices, positions, shifts) so a page can be
replayed exactly (``Pipeline.replay_marks``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, cached_property
from itertools import accumulate

import cv2
import numpy as np

from number_generator.augment.base import MarkTransform, check_choice, check_number, check_range, register
from number_generator.glyphsets.strokes import stroke_ink

#: Pen widths (px) the mark banks are drawn at; a line's marks use the nearest to its digits' width.
MARK_WIDTHS = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5)
#: Samples per figure and pen width.
MARK_BANK_SIZE = 64
MARK_BANK_SEED = 20261130
#: Bump when a figure's drawing changes, so cached banks are rebuilt.
MARK_BANK_VERSION = 1
_FRAME = 28  # figures are drawn in a glyph-sized frame: digits span rows ~4-24, mid-height 14, baseline ~23.5
_UNDERLINE_SHAPE = (8, 128)  # underline strips: the line along row 4, stretched to the length drawn
_CROSS = np.ones((3, 3), np.uint8)


def _jitter(rng: np.random.Generator, points, amount: float = 0.4) -> np.ndarray:
    p = np.asarray(points, np.float64)
    return p + rng.uniform(-amount, amount, p.shape)


def _line(p0, p1, bend: float = 0.0, n: int = 7) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1 = np.asarray(p0, np.float64), np.asarray(p1, np.float64)
    d = p1 - p0
    normal = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
    return p0 + t * d + (bend * 4 * t * (1 - t)) * normal


def _dot(rng, w):
    cx, cy, length, angle = rng.uniform((13.0, 21.5, 0.0, 0.0), (15.0, 23.0, 1.2, np.pi))
    d = np.array([np.cos(angle), np.sin(angle)]) * length / 2
    return [np.array([[cx, cy] - d, [cx, cy] + d])], 1.15


def _comma(rng, w):
    return [_jitter(rng, [(14.0, 21.6), (14.5, 23.0), (13.9, 24.7), (12.8, 26.0)], 0.35)], 1.0


def _apostrophe(rng, w):
    top = rng.uniform(3.5, 6.0)
    return [_jitter(rng, [(14.6, top), (14.1, top + 2.0), (13.4, top + 4.2)], 0.3)], 1.0


def _dash(rng, w):
    length, cy, slant, bend = rng.uniform((6.0, 13.0, -0.15, -0.7), (11.0, 16.0, 0.1, 0.7))
    return [_line((14 - length / 2, cy + slant * length / 2), (14 + length / 2, cy - slant * length / 2), bend)], 1.0


def _equals(rng, w):
    length, cy, gap = rng.uniform((6.0, 13.0, 3.5), (10.0, 16.0, 5.0))
    gap = max(gap, 1.6 * w)
    return [
        _jitter(rng, _line((14 - length / 2, cy - gap / 2), (14 + length / 2, cy - gap / 2)), 0.25),
        _jitter(rng, _line((14 - length / 2 + 0.5, cy + gap / 2), (14 + length / 2, cy + gap / 2)), 0.25),
    ], 1.0


def _slash_dash(rng, w):
    height, lean, length = rng.uniform((11.0, 3.0, 5.0), (15.0, 5.5, 8.0))
    slash = _line((10.0 - lean / 2, 14 + height / 2), (10.0 + lean / 2, 14 - height / 2))
    dash = _line((12.0 + lean / 2, 14.5), (12.0 + lean / 2 + length, 14.0))
    return [_jitter(rng, slash, 0.3), _jitter(rng, dash, 0.3)], 1.0


def _hash(rng, w):
    size, lean, cy = rng.uniform((9.0, 1.0, 13.0), (13.0, 3.0, 15.5))
    h = size / 2
    strokes = [
        _line((14 - h / 3 - lean / 2, cy + h), (14 - h / 3 + lean / 2, cy - h)),
        _line((14 + h / 3 - lean / 2, cy + h), (14 + h / 3 + lean / 2, cy - h)),
        _line((14 - h, cy - h / 3), (14 + h, cy - h / 3)),
        _line((14 - h, cy + h / 3), (14 + h, cy + h / 3)),
    ]
    return [_jitter(rng, s, 0.3) for s in strokes], 0.9


def _asterisk(rng, w):
    size, cy, turn = rng.uniform((7.0, 10.0, -0.3), (10.0, 14.0, 0.3))
    c = np.array([14.0, cy])
    strokes = []
    for angle in (np.pi / 2, np.pi / 6, 5 * np.pi / 6):
        d = np.array([np.cos(angle + turn), -np.sin(angle + turn)]) * size / 2
        strokes.append(_jitter(rng, [c - d, c + d], 0.3))
    return strokes, 0.85


def _yen(rng, w):
    height, width, lean = rng.uniform((14.0, 7.0, -1.0), (19.0, 10.0, 1.5))
    top, bottom = 23.5 - height, 23.5
    fork = top + height * 0.45
    strokes = [
        _line((14 - width / 2 + lean, top), (14 + lean / 2, fork), n=4),
        _line((14 + width / 2 + lean, top), (14 + lean / 2, fork), n=4),
        _line((14 + lean / 2, fork), (14, bottom), n=5),
        _line((14 - width / 2.5, fork + height * 0.12), (14 + width / 2.5, fork + height * 0.12), n=4),
        _line((14 - width / 2.5, fork + height * 0.3), (14 + width / 2.5, fork + height * 0.3), n=4),
    ]
    return [_jitter(rng, s, 0.25) for s in strokes], 0.85


def _tick(rng, w):
    size, cx, cy = rng.uniform((4.0, 12.0, 10.0), (8.0, 16.0, 18.0))
    return [
        _jitter(rng, [(cx - size / 2, cy), (cx - size / 6, cy + size / 2), (cx + size / 2, cy - size / 2)], 0.4)
    ], 1.0


def _stray_stroke(rng, w):
    length, angle, bend, cx, cy = rng.uniform((4.0, 0.0, -1.5, 12.0, 8.0), (9.0, np.pi, 1.5, 16.0, 20.0))
    d = np.array([np.cos(angle), np.sin(angle)]) * length / 2
    c = np.array([cx, cy])
    return [_line(c - d, c + d, bend)], 1.0


def _speck(rng, w):
    cx, cy = rng.uniform((12.0, 8.0), (16.0, 20.0))
    return [np.array([[cx, cy]])], 0.7


#: name -> function ``(rng, pen width) -> (polylines in the 28 x 28 frame, width factor)``.
FIGURES: dict[str, Callable] = {
    "dot": _dot,
    "comma": _comma,
    "apostrophe": _apostrophe,
    "dash": _dash,
    "equals": _equals,
    "slash-dash": _slash_dash,
    "hash": _hash,
    "asterisk": _asterisk,
    "yen": _yen,
    "tick": _tick,
    "stroke": _stray_stroke,
    "speck": _speck,
}
SEPARATOR_FIGURES = ("dot", "comma", "apostrophe")
LEADING_FIGURES = ("hash", "asterisk", "yen")
TRAILING_FIGURES = ("dash", "equals", "slash-dash", "asterisk")
STRAY_FIGURES = ("tick", "stroke", "speck", "dot")


def _draw_bank(name: str) -> np.ndarray:
    draw = FIGURES[name]
    rng = np.random.default_rng((MARK_BANK_SEED, *name.encode()))
    out = np.empty((len(MARK_WIDTHS), MARK_BANK_SIZE, _FRAME, _FRAME), np.uint8)
    for i, width in enumerate(MARK_WIDTHS):
        for j in range(MARK_BANK_SIZE):
            strokes, factor = draw(rng, width)
            thickness = width * factor * rng.uniform(0.9, 1.1)
            out[i, j] = np.rint(stroke_ink(strokes, thickness, taper=0.25) * 255)
    return out


def _draw_underlines() -> np.ndarray:
    rng = np.random.default_rng((MARK_BANK_SEED, *b"underline"))
    h, w = _UNDERLINE_SHAPE
    x = np.linspace(1.0, w - 1.0, 33)
    out = np.empty((len(MARK_WIDTHS), MARK_BANK_SIZE, h, w), np.uint8)
    for i, width in enumerate(MARK_WIDTHS):
        for j in range(MARK_BANK_SIZE):
            slope, wave, period, phase, thickness = rng.uniform(
                (-1.0, 0.0, 60.0, 0.0, 0.9), (1.0, 0.6, 200.0, 6.3, 1.1)
            )
            y = 4.0 + slope * (x - w / 2) / (w / 2) + wave * np.sin(2 * np.pi * x / period + phase)
            ink = stroke_ink([np.stack([x, y], 1)], width * thickness, shape=(h, w), taper=0.4)
            out[i, j] = np.rint(ink * 255)
    return out


@cache
def mark_bank(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The bank of a figure: uint8 ``(len(MARK_WIDTHS), MARK_BANK_SIZE, 28, 28)`` (255 = ink) and its ink extents.

    Extents are int16 ``(len(MARK_WIDTHS), MARK_BANK_SIZE, 4)``: left, right, top, bottom (inclusive).
    ``name`` is one of :data:`FIGURES` or ``"underline"`` (strips of ``(8, 128)``).  Drawn once from
    a fixed seed (identical on every machine) and cached on disk.
    """
    from number_generator.glyphsets.cache import cached_array
    from number_generator.glyphsets.glyphs import ink_extents

    if name != "underline" and name not in FIGURES:
        raise ValueError(f"unknown mark figure {name!r}; valid: {', '.join(FIGURES)}, underline")
    stem = f"marks/{name}-v{MARK_BANK_VERSION}-{MARK_BANK_SEED}-{MARK_BANK_SIZE}"
    images = cached_array(f"{stem}.npy", _draw_underlines if name == "underline" else lambda: _draw_bank(name))
    flat = images.reshape(-1, *images.shape[2:])
    extents = cached_array(f"{stem}-extents.npy", lambda: ink_extents(flat)).reshape(*images.shape[:2], 4)
    return images.view(np.ndarray), np.asarray(extents)


def estimate_pen_width(image: np.ndarray):
    """Pen width in pixels of the ink of a line image (float32, 1.0 = paper).

    Twice the ink area (soft: the sum of ``1 - image``) over the length of the
    ink's outline (pixel edges between ink above and below half darkness,
    times pi/4 to undo the staircase); a stroke of width ``w`` gives about
    ``w``.  MNIST digits give 2-3 px.  A line without ink gives 2.5.

    ``image`` ``(H, W)`` gives a float; a stack ``(n, H, W)`` gives float64
    ``(n,)``, each entry equal to the float of its image (one pass for all).
    """
    ink = 1.0 - image
    *lead, h, w = image.shape
    solid = np.zeros((*lead, h + 2, w + 2), bool)  # framed by paper: ink on the border is outline too
    solid[..., 1:-1, 1:-1] = ink > 0.5
    across = solid[..., :, 1:] != solid[..., :, :-1]
    down = solid[..., 1:, :] != solid[..., :-1, :]
    if not lead:
        edges = np.count_nonzero(across) + np.count_nonzero(down)
        return 2.5 if edges == 0 else float(2.0 * ink.sum() / (edges * np.pi / 4))
    counts = across.sum(axis=(-2, -1)) + down.sum(axis=(-2, -1))
    # as the float above: a float32 area over the outline rounded to float32 (a Python float divisor is)
    outline = (np.maximum(counts, 1) * (np.pi / 4)).astype(np.float32)
    width = (2.0 * ink.sum(axis=(-2, -1)) / outline).astype(np.float64)
    width[counts == 0] = 2.5
    return width


def width_index(pen_width: float) -> int:
    """Index of the bank width (:data:`MARK_WIDTHS`) nearest to ``pen_width``."""
    return int(np.argmin(np.abs(np.asarray(MARK_WIDTHS) - pen_width)))


class Page:
    """A composed line being marked: image, boxes, text, the digits' keep-out mask and pen width.

    Parameters
    ----------
    image : numpy.ndarray
        float32 ``(H, W)`` in [0, 1], 1.0 = paper, before any mark (copied).
    boxes : numpy.ndarray
        Integer ``(n, 4)`` character boxes ``(x0, y0, x1, y1)``, half-open (copied).
    text : str
        The ``n`` characters drawn.
    """

    def __init__(self, image: np.ndarray, boxes, text: str):
        if boxes is None:
            raise ValueError("marks need the character boxes (got boxes=None)")
        self.image = image.copy()
        self.boxes = np.array(boxes, copy=True)
        if self.boxes.ndim != 2 or self.boxes.shape[1:] != (4,) or len(self.boxes) != len(text):
            raise ValueError(f"marks need one box per character: {len(text)} characters, boxes {self.boxes.shape}")
        self.text = text

    @cached_property
    def keepout(self) -> np.ndarray:
        """Digit ink dilated by one pixel (bool ``(H, W)``): no mark pixel goes there."""
        return cv2.dilate((self.image < 1.0).view(np.uint8), _CROSS) > 0

    @cached_property
    def width(self) -> int:
        """Index in :data:`MARK_WIDTHS` of the digits' pen width (measured before any mark; replays set it)."""
        return width_index(estimate_pen_width(self.image))

    @property
    def margins(self) -> tuple[int, int]:
        """Paper columns left of the first box and right of the last one."""
        if not len(self.boxes):
            return 0, 0
        return int(self.boxes[:, 0].min()), int(self.image.shape[1] - self.boxes[:, 2].max())

    def middle(self, k: int | Sequence[int]) -> float:
        """Vertical centre of the ink of boxes ``k``, in rows."""
        rows = [self.boxes[i].tolist() for i in np.atleast_1d(k).tolist()]
        top, bottom = (sum(box[side] for box in rows) / len(rows) for side in (1, 3))  # means, as numpy's
        return (top + bottom - 1) / 2

    def draw(self, ink: np.ndarray, x: int, y: int) -> None:
        """Darken the page with ``ink`` (0-255 or 0-1 coverage) at top-left ``(x, y)``, clipped, off the keep-out."""
        h, w = self.image.shape
        ph, pw = ink.shape
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + pw, w), min(y + ph, h)
        if x0 >= x1 or y0 >= y1:
            return
        cover = ink[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
        if ink.dtype == np.uint8:
            cover *= np.float32(1 / 255)
        np.copyto(cover, np.float32(0.0), where=self.keepout[y0:y1, x0:x1])
        np.subtract(np.float32(1.0), cover, out=cover)
        region = self.image[y0:y1, x0:x1]
        np.minimum(region, cover, out=region)

    def draw_figure(self, name: str, index: int, x: int, y_middle: float, frame_middle: float = 14.0) -> None:
        """Draw bank sample ``index`` of figure ``name`` with its ink's left edge at column ``x``.

        The figure's frame row ``frame_middle`` lands on row ``y_middle`` (the digits' middle), so
        a dot stays on the baseline and an apostrophe at the top, as drawn in the frame.
        """
        images, extents = mark_bank(name)
        left = int(extents[self.width, index, 0])
        self.draw(images[self.width, index], x - left, int(round(y_middle - frame_middle)))

    def figure_width(self, name: str, index: int) -> int:
        _, extents = mark_bank(name)
        e = extents[self.width, index]
        return int(e[1] - e[0] + 1)

    def open_gap(self, split: int, left: int, right: int) -> None:
        """Move everything left of column ``split`` left by ``left`` px and the rest right by ``right`` px.

        The paper at the line's ends is used up; the opened columns are paper; boxes follow.
        """
        h, w = self.image.shape
        keepout = self.keepout  # the digits' ink before the move
        opened = np.ones((h, left + right), np.float32)
        self.image = np.concatenate([self.image[:, left:split], opened, self.image[:, split : w - right]], axis=1)
        self.keepout = np.concatenate([keepout[:, left:split], opened < 0, keepout[:, split : w - right]], axis=1)
        self.boxes[:, 0::2] += np.where(self.boxes[:, 2] <= split, -left, right)[:, None]


def _uniform_int(u: float, bounds: tuple[int, int]) -> int:
    """An integer uniform in ``[low, high]`` (inclusive) from a uniform ``u`` in [0, 1)."""
    return bounds[0] + int(u * (bounds[1] - bounds[0] + 1))


def _check_figures(owner: str, name: str, value, allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{owner}: parameter {name!r} must be a non-empty list of {', '.join(allowed)}, got {value!r}")
    return tuple(check_choice(owner, name, v, allowed) for v in value)


@register
class GroupSeparators(MarkTransform):
    """Separators between digit groups (``52.063``, ``1,250,000``, ``12'500``) or a wider gap.

    In every run of at least ``min_digits`` consecutive digits, a separator goes
    after every ``group`` digits counted from the right (thousands).  One kind per
    line (a writer is consistent): a dot or comma on the baseline, an apostrophe
    at the top, or ``"gap"``, a wider space and no ink.  Each separator opens a gap
    of its ink width plus ``pad`` on each side between the two digits, using the
    paper at the ends of the line (a separator that does not fit is left out).
    By default only lines of digits alone get them (amounts): a phone number or
    a date already has its own punctuation, and nobody writes ``090-1'234-5678``.

    Parameters
    ----------
    marks : list of str
        Kinds drawn from uniformly: ``dot``, ``comma``, ``apostrophe``, ``gap``.
    group : [low, high] of int
        Digits per group, within [2, 6] (3 = thousands).
    min_digits : int
        Shortest digit run that gets separators, within [3, 100].
    pad : [low, high] of int
        Paper between the separator's ink and each digit, pixels, within [0, 10].
    gap : [low, high] of int
        Width of a ``gap`` separator, pixels, within [1, 30].
    digits_only : bool
        Only lines made of digits alone get separators (default ``True``).
    p : float
        Probability of applying the transform, in [0, 1].
    """

    KINDS = (*SEPARATOR_FIGURES, "gap")

    def __init__(
        self,
        marks=KINDS,
        group=(3, 3),
        min_digits: int = 4,
        pad=(1, 3),
        gap=(4, 9),
        digits_only: bool = True,
        p: float = 1.0,
    ):
        super().__init__(p)
        o = type(self).__name__
        self.marks = _check_figures(o, "marks", marks, self.KINDS)
        self.group = check_range(o, "group", group, 2, 6, integer=True)
        self.min_digits = check_number(o, "min_digits", min_digits, 3, 100, integer=True)
        self.pad = check_range(o, "pad", pad, 0, 10, integer=True)
        self.gap = check_range(o, "gap", gap, 1, 30, integer=True)
        if not isinstance(digits_only, bool):
            raise ValueError(f"{o}: parameter 'digits_only' must be true or false, got {digits_only!r}")
        self.digits_only = digits_only

    def _splits(self, text: str, group: int) -> list[int]:
        """Character indices ``k`` with a separator between ``k`` and ``k + 1``."""
        out: list[int] = []
        if self.digits_only and not (text.isascii() and text.isdigit()):
            return out
        start = 0
        for k in range(len(text) + 1):
            if k == len(text) or not text[k].isdigit():
                if k - start >= self.min_digits:
                    out.extend(range(k - 1 - group, start - 1, -group))
                start = k + 1
        return sorted(out)

    def _sample(self, rng, page):
        u_kind, u_group = rng.random(2)
        kind = self.marks[int(u_kind * len(self.marks))]
        group = _uniform_int(u_group, self.group)
        candidates = self._splits(page.text, group)
        splits = []
        spare = sum(page.margins)
        for k, (u_index, u_a, u_b) in zip(candidates, rng.random((len(candidates), 3)).tolist()):
            index = int(u_index * MARK_BANK_SIZE)
            if kind == "gap":
                need = _uniform_int(u_a, self.gap)
            else:
                need = page.figure_width(kind, index) + _uniform_int(u_a, self.pad) + _uniform_int(u_b, self.pad)
            if need <= spare:
                splits.append([k, index, need])
                spare -= need
        if not splits:
            return {}
        # Share the opened width between the two ends of the line, in proportion to their paper.
        left_paper, right_paper = page.margins
        total = sum(need for _, _, need in splits)
        take_left = min(left_paper, round(total * left_paper / max(left_paper + right_paper, 1)))
        take_left = max(take_left, total - right_paper)
        # each split's share of the left paper in proportion to its width (floors of the cumulative
        # shares), so no split takes more than it opens: an even split of take_left did when the
        # line's paper was lopsided (a random margin) and the needs differed
        floors = [opened * take_left // max(total, 1) for opened in accumulate(need for _, _, need in splits)]
        shares = [b - a for a, b in zip([0, *floors], floors)]
        return {
            "mark": kind,
            "width": page.width,
            "splits": [[k, index, int(a), need - int(a)] for (k, index, need), a in zip(splits, shares)],
        }

    def _apply(self, page, params):
        page.width = int(params["width"])
        for k, index, left, right in params["splits"]:
            k = int(k)
            if page.boxes[k, 2] > page.boxes[k + 1, 0]:
                continue  # overlapping glyphs: no room between them
            page.open_gap(int(page.boxes[k, 2]), int(left), int(right))
            if params["mark"] != "gap":
                x0, x1 = int(page.boxes[k, 2]), int(page.boxes[k + 1, 0])
                w = page.figure_width(params["mark"], int(index))
                page.draw_figure(params["mark"], int(index), x0 + (x1 - x0 - w + 1) // 2, page.middle([k, k + 1]))


@register
class EndMarks(MarkTransform):
    """A mark before the number (``#``, ``*``, ``¥``) and/or after it (``-``, ``=``, ``/-``, ``*``).

    One side is drawn (chosen uniformly), or both with probability ``both``.
    The mark stands ``gap`` pixels from the first or last box, at the digits'
    height; it is left out where the paper at that end is too narrow.

    Parameters
    ----------
    leading : list of str
        Figures before the number, drawn from uniformly: ``hash``, ``asterisk``, ``yen``.
    trailing : list of str
        Figures after it: ``dash``, ``equals``, ``slash-dash``, ``asterisk``.
    both : float
        Probability of a mark on both sides, in [0, 1].
    gap : [low, high] of int
        Paper between the mark's ink and the nearest box, pixels, within [0, 30].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(
        self, leading=LEADING_FIGURES, trailing=TRAILING_FIGURES, both: float = 0.2, gap=(1, 5), p: float = 1.0
    ):
        super().__init__(p)
        o = type(self).__name__
        self.leading = _check_figures(o, "leading", leading, LEADING_FIGURES)
        self.trailing = _check_figures(o, "trailing", trailing, TRAILING_FIGURES)
        self.both = check_number(o, "both", both, 0, 1)
        self.gap = check_range(o, "gap", gap, 0, 30, integer=True)

    def _sample(self, rng, page):
        u_both, u_side, *u = rng.random(8).tolist()
        sides = ("leading", "trailing") if u_both < self.both else (("leading",) if u_side < 0.5 else ("trailing",))
        left_paper, right_paper = page.margins
        out: dict = {"width": page.width}
        for side, (u_name, u_index, u_gap) in zip(("leading", "trailing"), (u[:3], u[3:])):
            names = self.leading if side == "leading" else self.trailing
            name = names[int(u_name * len(names))]
            index = int(u_index * MARK_BANK_SIZE)
            gap = _uniform_int(u_gap, self.gap)
            room = left_paper if side == "leading" else right_paper
            if side in sides and page.figure_width(name, index) + gap <= room:
                out[side] = [name, index, gap]
        return out if len(out) > 1 else {}

    def _apply(self, page, params):
        page.width = int(params["width"])
        last = len(page.boxes) - 1
        if "leading" in params:
            name, index, gap = params["leading"]
            x = int(page.boxes[0, 0]) - int(gap) - page.figure_width(name, int(index))
            page.draw_figure(name, int(index), x, page.middle(0))
        if "trailing" in params:
            name, index, gap = params["trailing"]
            page.draw_figure(name, int(index), int(page.boxes[last, 2]) + int(gap), page.middle(last))


@register
class StrayMarks(MarkTransform):
    """Stray pen marks (a tick, a short stroke, a speck, a dot) on paper beside the digits.

    Each mark goes at a random column where its ink stays clear of every
    character box (by one pixel) and at a random height.

    Parameters
    ----------
    count : [low, high] of int
        Marks per line, within [0, 20].
    marks : list of str
        Figures drawn from uniformly: ``tick``, ``stroke``, ``speck``, ``dot``.
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, count=(1, 2), marks=STRAY_FIGURES, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.count = check_range(o, "count", count, 0, 20, integer=True)
        self.marks = _check_figures(o, "marks", marks, STRAY_FIGURES)

    def _sample(self, rng, page):
        h, w = page.image.shape
        free = np.ones(w + 1, bool)  # columns clear of every box, one pixel around
        for x0, _, x1, _ in page.boxes.tolist():
            free[max(x0 - 1, 0) : x1 + 1] = False
        free[w] = False
        drawn = []
        count = _uniform_int(float(rng.random()), self.count)
        for u_name, u_index, u_x, u_y in rng.random((count, 4)).tolist():
            name = self.marks[int(u_name * len(self.marks))]
            index = int(u_index * MARK_BANK_SIZE)
            _, extents = mark_bank(name)
            left, right, top, bottom = extents[page.width, index].tolist()
            fw = right - left + 1
            # starts x with free[x : x + fw] all True
            run = np.convolve(free.astype(np.int32), np.ones(fw, np.int32), "valid")
            starts = np.flatnonzero(run[: max(w - fw + 1, 0)] == fw)
            if starts.size:
                x = int(starts[int(u_x * starts.size)])
                y = int(u_y * max(h - (bottom - top + 1), 0)) - top  # frame row of the ink's top -> y
                drawn.append([name, index, x, y])
        return {"width": page.width, "marks": drawn} if drawn else {}

    def _apply(self, page, params):
        page.width = int(params["width"])
        for name, index, x, y in params["marks"]:
            page.draw_figure(name, int(index), int(x), int(y) + 14)


@register
class Underline(MarkTransform):
    """A handwritten line under the number.

    The line starts ``overhang`` pixels before the first box and ends
    ``overhang`` pixels after the last one (drawn for each end; negative =
    inside), ``offset`` pixels below the lowest ink, kept inside the image; it
    is a bank strip stretched to that length, so it keeps the pen width.  Where
    it passes under a descending digit it stops short of the ink.

    Parameters
    ----------
    offset : [low, high] of float
        Distance from the lowest box bottom to the line's centre, pixels, within [-5, 10].
    overhang : [low, high] of int
        Extension beyond the first and last boxes, pixels, within [-50, 50].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, offset=(0.5, 2.5), overhang=(-2, 6), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.offset = check_range(o, "offset", offset, -5, 10)
        self.overhang = check_range(o, "overhang", overhang, -50, 50, integer=True)

    def _sample(self, rng, page):
        u_index, u_offset, u_left, u_right = rng.random(4).tolist()
        index = int(u_index * MARK_BANK_SIZE)
        offset = self.offset[0] + u_offset * (self.offset[1] - self.offset[0])
        left, right = _uniform_int(u_left, self.overhang), _uniform_int(u_right, self.overhang)
        x0 = max(int(page.boxes[:, 0].min()) - left, 0)
        x1 = min(int(page.boxes[:, 2].max()) + right, page.image.shape[1])
        if x1 - x0 < 4:
            return {}
        half = MARK_WIDTHS[page.width] / 2  # the line's centre, in pixel-edge units (row r spans r..r+1)
        y = min(float(page.boxes[:, 3].max()) + offset, page.image.shape[0] - half)
        return {"width": page.width, "index": index, "x0": x0, "x1": x1, "y": round(y, 3)}

    def _apply(self, page, params):
        images, _ = mark_bank("underline")
        strip = images[int(params["width"]), int(params["index"])]
        x0, x1 = int(params["x0"]), int(params["x1"])
        stretched = cv2.resize(strip, (x1 - x0, strip.shape[0]), interpolation=cv2.INTER_LINEAR)
        page.draw(stretched, x0, int(round(float(params["y"]) - 4.0)))
