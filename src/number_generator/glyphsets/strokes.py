"""Glyphs that no dataset has, synthesised as handwritten-looking strokes.

MNIST has no hyphen, so phone numbers need one drawn to match the digits:
a short, slightly slanted and bent stroke near mid-height, with MNIST's
stroke thickness and soft anti-aliased edges.  The punctuation people write
in numbers (``(``, ``)``, ``+``, ``.``, ``/``) is drawn the same way, placed
where a writer puts it beside MNIST digits (digits span rows ~4-24 of the
28 x 28 frame: a dot sits on the baseline, a bracket spans the digit height,
a plus is centred at mid-height).  Output follows the dataset convention:
``(28, 28) uint8``, 0 = paper, 255 = ink.

Like a dataset class, each synthesised character has a fixed bank of
samples (4,096 drawn once from a fixed seed, cached on disk), and a
generator picks one uniformly: as varied as an MNIST class, and ~10x cheaper
per image than drawing a new stroke.

:func:`stroke_ink` is the one rasteriser of pen strokes (polylines with round,
tapered ends and soft edges); the marks of :mod:`number_generator.augment.marks`
use it too.  :func:`stroke_ink_batch` draws one polyline on each of many
images with the same per-pixel arithmetic (:func:`_beyond_pen_edge`), so its
images equal ``stroke_ink``'s bit for bit; the foreign digit styles use it to
draw all the strokes of a block in one call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from number_generator.glyphsets.cache import cached_array
from number_generator.glyphsets.glyphs import ink_extents

_SIZE = 28
# The stroke never leaves this band (centre 12.5-16, half-height < 5.5 px).
_TOP, _BOTTOM = 6, 23
_YY, _XX = np.mgrid[_TOP:_BOTTOM, 0:_SIZE].astype(np.float32) + np.float32(0.5)


def draw_hyphen(rng: np.random.Generator) -> np.ndarray:
    """A random handwritten hyphen.

    Parameters drawn from ``rng`` (pixels unless stated): length 7-14 between
    the centres of the rounded ends (ink spans about 9-19 columns), stroke
    thickness 1.8-3.4, slant -10..+6 degrees (upward to the right is
    negative y), a bend of up to 1 px at the middle, vertical centre 12.5-16
    (MNIST digits span rows ~4-24, so this is mid-height), ends tapered.
    """
    length, thickness, slant, bend, cy, jitter = rng.uniform(
        (7.0, 1.8, -10.0, -1.0, 12.5, -0.5), (14.0, 3.4, 6.0, 1.0, 16.0, 0.5)
    )
    cx = _SIZE / 2 + jitter
    angle = np.deg2rad(slant)
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    x0, y0 = cx - dx, cy - dy
    # Project every pixel centre on the segment, then bend it as a parabola.
    vx, vy = 2 * dx, 2 * dy
    t = np.clip(((_XX - x0) * vx + (_YY - y0) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
    px = x0 + t * vx
    py = y0 + t * vy + bend * 4 * t * (1 - t)
    dist = np.hypot(_XX - px, _YY - py)
    radius = thickness / 2 * (1.0 - 0.3 * (2 * t - 1) ** 2)
    ink = np.clip((radius + 0.8 - dist) / 1.3, 0.0, 1.0)
    glyph = np.zeros((_SIZE, _SIZE), dtype=np.uint8)
    glyph[_TOP:_BOTTOM] = np.rint(ink * 255)
    return glyph


def stroke_ink(
    strokes: Sequence[np.ndarray], thickness: float, shape: tuple[int, int] = (_SIZE, _SIZE), taper: float = 0.3
) -> np.ndarray:
    """Rasterise pen strokes: float32 ink coverage in ``[0, 1]`` of ``shape``.

    Parameters
    ----------
    strokes : sequence of numpy.ndarray
        Each an ``(m, 2)`` polyline of ``(x, y)`` points in pixels (pixel
        ``[r, c]`` has its centre at ``(c + 0.5, r + 0.5)``); ``m >= 1``
        (one point is a dot).
    thickness : float
        Pen width in pixels (> 0), at the middle of each stroke.
    shape : (int, int)
        ``(height, width)`` of the output.
    taper : float
        In ``[0, 1)``: the ends of a stroke are ``1 - taper`` times as wide as its middle.

    Returns
    -------
    numpy.ndarray
        float32 ``shape``; 1.0 = full ink.  Edges are soft over ~1.3 px, as
        the hyphen's and MNIST's.  Several strokes overlap as one pen would
        (the darkest wins).
    """
    h, w = shape
    out: np.ndarray = np.zeros(shape, np.float32)
    every = np.concatenate([np.asarray(p, np.float64).reshape(-1, 2) for p in strokes])
    reach = thickness / 2 + 0.8  # coverage is 0 farther than this from every stroke
    c0, r0 = (max(int(np.floor(v - reach)), 0) for v in every.min(axis=0))
    c1, r1 = (int(np.ceil(v + reach)) + 1 for v in every.max(axis=0))
    c1, r1 = min(c1, w), min(r1, h)
    if c0 >= c1 or r0 >= r1:
        return out
    yy, xx = _pixel_centres(r0, r1, c0, c1)
    starts, vectors, s0, lengths, totals = [], [], [], [], []
    for points in strokes:
        p: np.ndarray = np.asarray(points, np.float32).reshape(-1, 2)
        if len(p) == 1:
            p = np.concatenate([p, p])
        seg = p[1:] - p[:-1]
        seg_len = np.hypot(seg[:, 0], seg[:, 1])
        arc = np.cumsum(seg_len) - seg_len
        starts.append(p[:-1])
        vectors.append(seg)
        s0.append(arc)
        lengths.append(seg_len)
        totals.append(np.full(len(seg), max(float(seg_len.sum()), 1e-6), np.float32))
    segments = (np.concatenate(starts), np.concatenate(vectors), np.concatenate(s0), np.concatenate(lengths))
    beyond = _beyond_pen_edge(xx, yy, *segments, np.concatenate(totals), np.float32(thickness / 2), taper)
    # The nearest pen edge wins (a tapered end stays thin where it crosses another stroke's middle).
    out[r0:r1, c0:c1] = _coverage(beyond.min(axis=0))
    return out


def stroke_ink_batch(
    polylines: np.ndarray, thickness: np.ndarray, shape: tuple[int, int] = (_SIZE, _SIZE), taper: float = 0.3
) -> np.ndarray:
    """:func:`stroke_ink` of ``k`` images at once, one polyline each: float32 ``(k, *shape)`` in ``[0, 1]``.

    Image ``j`` equals ``stroke_ink([polylines[j]], thickness[j], shape, taper)``
    to the bit (the same arithmetic, pixel by pixel), at a fraction of the cost
    of ``k`` calls: the per-stroke setup runs once for all, over the box that
    holds every stroke's reach (pixels beyond a stroke's reach get no ink
    either way).

    Parameters
    ----------
    polylines : numpy.ndarray
        ``(k, m, 2)`` with ``m >= 2``: image ``j``'s polyline of ``(x, y)`` points in pixels.
    thickness : numpy.ndarray
        ``(k,)`` pen widths in pixels (> 0).
    shape, taper
        As for :func:`stroke_ink`.
    """
    p = np.asarray(polylines, np.float32)
    k, m = p.shape[:2]
    if m < 2:
        raise ValueError(f"stroke_ink_batch: polylines need at least 2 points each, got shape {p.shape}")
    h, w = shape
    out = np.zeros((k, h, w), np.float32)
    if k == 0:
        return out
    half = np.asarray(thickness, np.float64) / 2
    reach = float(half.max()) + 1.8  # stroke_ink's reach, plus a pixel against rounding
    (x0, y0), (x1, y1) = p.min(axis=(0, 1)).tolist(), p.max(axis=(0, 1)).tolist()
    c0, r0 = max(math.floor(x0 - reach), 0), max(math.floor(y0 - reach), 0)
    c1, r1 = min(math.ceil(x1 + reach) + 1, w), min(math.ceil(y1 + reach) + 1, h)
    if c0 >= c1 or r0 >= r1:
        return out
    yy, xx = _pixel_centres(r0, r1, c0, c1)
    seg = p[:, 1:] - p[:, :-1]  # (k, m - 1, 2)
    seg_len = np.hypot(seg[..., 0], seg[..., 1])
    arc = np.cumsum(seg_len, axis=1) - seg_len  # per polyline, as stroke_ink's 1-D cumsum
    total = np.maximum(seg_len.sum(axis=1), np.float32(1e-6))
    flat = k * (m - 1)
    beyond = _beyond_pen_edge(
        xx,
        yy,
        p[:, :-1].reshape(flat, 2),
        seg.reshape(flat, 2),
        arc.reshape(flat),
        seg_len.reshape(flat),
        np.repeat(total, m - 1),
        np.repeat(half.astype(np.float32), m - 1)[:, None, None],
        taper,
    )
    out[:, r0:r1, c0:c1] = _coverage(beyond.reshape(k, m - 1, r1 - r0, c1 - c0).min(axis=1))
    return out


def _pixel_centres(r0: int, r1: int, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray]:
    """float32 y ``(r1 - r0, 1)`` and x ``(1, c1 - c0)`` of the centres of pixels ``[r0:r1, c0:c1]``."""
    yy = np.arange(r0, r1, dtype=np.float32)[:, None] + np.float32(0.5)
    xx = np.arange(c0, c1, dtype=np.float32)[None, :] + np.float32(0.5)
    return yy, xx


def _beyond_pen_edge(xx, yy, starts, vectors, s0, seg_len, total, half_width, taper: float) -> np.ndarray:
    """Distance (px) of every pixel centre beyond the pen edge of each of ``S`` segments: ``(S, h, w)``.

    ``xx``/``yy``: float32 pixel-centre coordinates ``(1, w)`` and ``(h, 1)`` (see
    :func:`_pixel_centres`).  ``starts``/``vectors`` ``(S, 2)`` float32: first point and direction of
    each segment; ``s0``, ``seg_len``, ``total`` ``(S,)`` float32: arc length at its start, its length
    and its stroke's length; ``half_width``: half the pen width (float32 scalar or ``(S, 1, 1)``),
    narrowed towards the stroke's ends by ``taper``.  Negative inside the pen.
    """
    vx, vy = vectors[:, 0, None, None], vectors[:, 1, None, None]
    seg_len, total = seg_len[:, None, None], total[:, None, None]
    norm = np.maximum(vx**2 + vy**2, np.float32(1e-12))
    dx, dy = xx - starts[:, 0, None, None], yy - starts[:, 1, None, None]  # (S, 1, w), (S, h, 1)
    t = np.minimum(np.maximum((dx * vx + dy * vy) / norm, 0.0), 1.0)  # np.clip, bit for bit, and cheaper
    dist = np.hypot(dx - t * vx, dy - t * vy)
    s = (s0[:, None, None] + t * seg_len) / total  # position along its stroke, 0..1
    radius = half_width * (1.0 - np.float32(taper) * (2 * s - 1) ** 2)
    return dist - radius


def _coverage(beyond: np.ndarray) -> np.ndarray:
    """Ink coverage in [0, 1] from the distance beyond the nearest pen edge: soft over ~1.3 px."""
    return np.minimum(np.maximum((0.8 - beyond) / np.float32(1.3), 0.0), 1.0)


def _to_glyph(ink: np.ndarray) -> np.ndarray:
    return np.rint(ink * 255).astype(np.uint8)


def _bend(p0, p1, bend: float, n: int = 9) -> np.ndarray:
    """``n`` points from ``p0`` to ``p1`` bowed sideways by ``bend`` px at the middle."""
    p0, p1 = np.asarray(p0, np.float64), np.asarray(p1, np.float64)
    t = np.linspace(0.0, 1.0, n)[:, None]
    d = p1 - p0
    normal = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
    return p0 + t * d + (bend * 4 * t * (1 - t)) * normal


def draw_paren_left(rng: np.random.Generator) -> np.ndarray:
    """A handwritten ``(``: an arc bulging left, as tall as a digit.

    Height 15-21 px between the ends (digits are ~20), centred at rows
    12.5-15.5; bulge 2.5-5 px; the whole arc slanted by -8..+12 degrees;
    thickness 1.8-3.4 (as the hyphen); ends tapered.
    """
    height, bulge, slant, thickness, cy, jitter = rng.uniform(
        (15.0, 2.5, -8.0, 1.8, 12.5, -1.0), (21.0, 5.0, 12.0, 3.4, 15.5, 1.0)
    )
    phi = np.linspace(-1.0, 1.0, 13)
    y = cy + phi * height / 2
    x = _SIZE / 2 + jitter + bulge * (phi**2 - 0.5)  # ends to the right of the middle
    x -= (y - cy) * np.tan(np.deg2rad(slant))  # slant: the top leans right for positive angles
    return _to_glyph(stroke_ink([np.stack([x, y], 1)], thickness))


def draw_paren_right(rng: np.random.Generator) -> np.ndarray:
    """A handwritten ``)``: the mirror image of :func:`draw_paren_left` (its own draws)."""
    return np.ascontiguousarray(draw_paren_left(rng)[:, ::-1])


def draw_plus(rng: np.random.Generator) -> np.ndarray:
    """A handwritten ``+``: two crossing strokes at mid-height.

    Arms 8-13 px long (each), centre at rows 12.5-16, rotated -8..+8 degrees,
    the crossing off-centre by up to 1.5 px along each arm; thickness 1.8-3.4.
    """
    across, down, angle, thickness, cy, off_x, off_y, bend = rng.uniform(
        (8.0, 8.0, -8.0, 1.8, 12.5, -1.5, -1.5, -0.8), (13.0, 13.0, 8.0, 3.4, 16.0, 1.5, 1.5, 0.8)
    )
    a = np.deg2rad(angle)
    u = np.array([np.cos(a), -np.sin(a)])  # along the horizontal arm
    v = np.array([np.sin(a), np.cos(a)])  # along the vertical arm (downwards)
    c = np.array([_SIZE / 2, cy])
    h = _bend(c - u * (across / 2 + off_x), c + u * (across / 2 - off_x), bend)
    vert = _bend(c - v * (down / 2 + off_y), c + v * (down / 2 - off_y), -bend)
    return _to_glyph(stroke_ink([h, vert], thickness))


def draw_dot(rng: np.random.Generator) -> np.ndarray:
    """A handwritten ``.``: a blob on the baseline.

    A stroke 0-1.5 px long at a random angle (a pen tap is rarely a perfect
    point), thickness 2.6-4.2 px, centre at rows 20.5-23 (MNIST digits end near
    row 23).
    """
    length, angle, thickness, cy, jitter = rng.uniform((0.0, 0.0, 2.6, 20.5, -1.0), (1.5, 180.0, 4.2, 23.0, 1.0))
    a = np.deg2rad(angle)
    d = np.array([np.cos(a), np.sin(a)]) * length / 2
    c = np.array([_SIZE / 2 + jitter, cy])
    return _to_glyph(stroke_ink([np.stack([c - d, c + d])], thickness, taper=0.0))


def draw_slash(rng: np.random.Generator) -> np.ndarray:
    """A handwritten ``/``: a rising stroke as tall as a digit.

    Height 15-21 px, 55-78 degrees from the horizontal, centred at rows
    12.5-15.5, bent by up to 1 px; thickness 1.8-3.4.
    """
    height, angle, thickness, cy, bend, jitter = rng.uniform(
        (15.0, 55.0, 1.8, 12.5, -1.0, -1.0), (21.0, 78.0, 3.4, 15.5, 1.0, 1.0)
    )
    half_w = height / 2 / np.tan(np.deg2rad(angle))
    c = np.array([_SIZE / 2 + jitter, cy])
    bottom_left = c + [-half_w, height / 2]
    top_right = c + [half_w, -height / 2]
    return _to_glyph(stroke_ink([_bend(bottom_left, top_right, bend)], thickness))


@dataclass(frozen=True)
class Synthesiser:
    """How one synthesised character is drawn: a name (for cache files), a function, the bank's seed."""

    name: str
    draw: Callable[[np.random.Generator], np.ndarray]
    seed: int | tuple[int, ...]
    #: Bump when ``draw`` changes, so cached banks are rebuilt.
    version: int = 1


BANK_SIZE = 4096
BANK_SEED = 20261124
#: Version of the hyphen's bank (kept as a name: older code read it).
BANK_VERSION = 1

#: Characters drawn by a synthesiser instead of a dataset, in the order of the CTC alphabet.
#: The hyphen keeps its original seed and cache name, so its bank (and every image with it) is unchanged.
SYNTHESISED: dict[str, Synthesiser] = {
    "-": Synthesiser("hyphen", draw_hyphen, BANK_SEED, BANK_VERSION),
    "(": Synthesiser("paren-left", draw_paren_left, (BANK_SEED, ord("("))),
    ")": Synthesiser("paren-right", draw_paren_right, (BANK_SEED, ord(")"))),
    "+": Synthesiser("plus", draw_plus, (BANK_SEED, ord("+"))),
    ".": Synthesiser("dot", draw_dot, (BANK_SEED, ord("."))),
    "/": Synthesiser("slash", draw_slash, (BANK_SEED, ord("/"))),
}


@cache
def synthetic_glyphs(char: str) -> tuple[np.ndarray, np.ndarray]:
    """The sample bank of a synthesised character: ``(BANK_SIZE, 28, 28) uint8`` and its ink extents.

    Built once from the character's fixed seed (the same bytes on every machine) and cached on disk.
    """
    synth = SYNTHESISED[char]
    seed_part = synth.seed if isinstance(synth.seed, int) else "-".join(map(str, synth.seed))
    stem = f"synthetic/{synth.name}-v{synth.version}-{seed_part}-{BANK_SIZE}"

    def build() -> np.ndarray:
        rng = np.random.default_rng(synth.seed)
        return np.stack([synth.draw(rng) for _ in range(BANK_SIZE)])

    images = cached_array(f"{stem}.npy", build)
    extents = cached_array(f"{stem}-extents.npy", lambda: ink_extents(images))
    return images.view(np.ndarray), np.asarray(extents)
