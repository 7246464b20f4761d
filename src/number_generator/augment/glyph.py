"""Glyph transforms: applied to each character before composition.

A glyph is a ``numpy.uint8`` array ``(28, 28)`` in MNIST convention
(0 = no ink, 255 = full ink); a stack of glyphs is ``(n, 28, 28)``.
Coordinates are in pixels with pixel centres at integers, x to the right,
y downwards; the glyph centre is (13.5, 13.5).

Geometric transforms (:class:`Affine`, :class:`SizeVariation`,
:class:`BaselineJitter`, :class:`ElasticDistortion`) describe a map from output
to input coordinates.  Consecutive geometric transforms are composed and the
glyphs are resampled **once** (bilinear, ``cv2.remap``), up to 128 glyphs of a
stack in a single call: fewer interpolation blurs and much cheaper than one warp
per transform and glyph (a block's stack holds the glyphs of many strings; each
glyph's result depends neither on its neighbours nor on its place in the stack).
Ink pushed outside the 28 x 28 frame is lost, and pixels coming from outside it
are blank.  Anchors that depend on the ink (baseline, ink centre) are measured
on the glyph entering the group of geometric transforms.
"""

from __future__ import annotations

from typing import ClassVar

import cv2
import numpy as np

from number_generator.augment._random import MAX_SIGMA, SIGMA_STEP, SMOOTH_BANK_SHAPE, smooth_noise_crops
from number_generator.augment.base import (
    GlyphTransform,
    check_number,
    check_range,
    ranges_or_defaults,
    register,
)
from number_generator.augment.sampling import StringLayout
from number_generator.augment.warp import warp_glyphs

_SIZE = 28
_CENTER = (_SIZE - 1) / 2.0  # 13.5

# _crop_origins: seed bits >> shift, modulo the number of crop positions (x1, y1, x2, y2)
_ORIGIN_SHIFTS = np.array([0, 16, 24, 40], np.int64)
_ORIGIN_MODULI = np.array([SMOOTH_BANK_SHAPE[1] - _SIZE, SMOOTH_BANK_SHAPE[0] - _SIZE] * 2, np.int64)


def _translation(tx, ty) -> np.ndarray:
    n = len(tx)
    m = np.zeros((n, 3, 3))
    m[:, 0, 0] = m[:, 1, 1] = m[:, 2, 2] = 1.0
    m[:, 0, 2] = tx
    m[:, 1, 2] = ty
    return m


# --------------------------------------------------------------------------- transforms


@register
class Affine(GlyphTransform):
    """Rotation, shear (slant), isotropic scale and translation about the glyph centre.

    The forward map is ``T(c + t) . R(rotate) . Shear(shear) . S(scale) . T(-c)``
    with ``c`` = (13.5, 13.5).

    Parameters
    ----------
    rotate : [low, high] of float
        Angle in degrees, positive = counter-clockwise on screen; within [-180, 180].
    shear : [low, high] of float
        Slant in degrees, positive leans the top to the right (like italics); within [-60, 60].
    scale : [low, high] of float
        Scale factor, 1 = unchanged; within [0.1, 10].
    translate : [low, high] of float
        Offset in pixels, drawn independently for x and y; within [-28, 28].

    With none of the four given: rotate [-10, 10], shear [-15, 15], scale [0.95, 1.05], translate [0, 0]
    (the ``medium`` preset's); with some given, the others are the identity.
    p : float
        Probability of applying the transform to a glyph, in [0, 1].
    """

    geometric = True
    neutral: ClassVar[dict] = {"angle": 0.0, "shear": 0.0, "scale": 1.0, "tx": 0.0, "ty": 0.0}

    def __init__(self, rotate=None, shear=None, scale=None, translate=None, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        rotate, shear, scale, translate = ranges_or_defaults(
            {"rotate": rotate, "shear": shear, "scale": scale, "translate": translate},
            {"rotate": (-10.0, 10.0), "shear": (-15.0, 15.0), "scale": (0.95, 1.05), "translate": (0.0, 0.0)},
            {"rotate": (0.0, 0.0), "shear": (0.0, 0.0), "scale": (1.0, 1.0), "translate": (0.0, 0.0)},
        ).values()
        self.rotate = check_range(o, "rotate", rotate, -180, 180)
        self.shear = check_range(o, "shear", shear, -60, 60)
        self.scale = check_range(o, "scale", scale, 0.1, 10)
        self.translate = check_range(o, "translate", translate, -28, 28)

    def _uniform_params(self):
        return [
            ("angle", self.rotate),
            ("shear", self.shear),
            ("scale", self.scale),
            ("tx", self.translate),
            ("ty", self.translate),
        ]

    def backward(self, cols, info):
        th = np.deg2rad(cols["angle"])
        k = np.tan(np.deg2rad(cols["shear"]))
        inv_s = 1.0 / cols["scale"]
        cos, sin = np.cos(th), np.sin(th)
        # L = S^-1 . Shear^-1 . R^-1 with R^-1 = [[cos, -sin], [sin, cos]], Shear^-1 = [[1, k], [0, 1]]
        l00 = inv_s * (cos + k * sin)
        l01 = inv_s * (-sin + k * cos)
        l10 = inv_s * sin
        l11 = inv_s * cos
        cx = _CENTER + cols["tx"]
        cy = _CENTER + cols["ty"]
        m = np.zeros((len(th), 3, 3))
        m[:, 0, 0], m[:, 0, 1], m[:, 0, 2] = l00, l01, _CENTER - (l00 * cx + l01 * cy)
        m[:, 1, 0], m[:, 1, 1], m[:, 1, 2] = l10, l11, _CENTER - (l10 * cx + l11 * cy)
        m[:, 2, 2] = 1.0
        return "affine", m


@register
class SizeVariation(GlyphTransform):
    """Make the character bigger or smaller while it keeps standing on its baseline.

    Scales about the bottom centre of the glyph's ink (the lowest inked row,
    horizontally at the middle of the ink), so small characters stay on the line
    as in handwriting, unlike :class:`Affine` which scales about the frame centre.

    Parameters
    ----------
    scale : [low, high] of float
        Height factor, 1 = unchanged; within [0.25, 4].
    aspect : [low, high] of float
        Extra width factor (width = scale * aspect); within [0.25, 4].
    p : float
        Probability of applying the transform to a glyph, in [0, 1].

    With neither given: scale [0.85, 1.08], aspect [0.9, 1.1] (the ``medium`` preset's); with one given,
    the other is the identity.
    """

    geometric = True
    neutral: ClassVar[dict] = {"scale": 1.0, "aspect": 1.0}

    def __init__(self, scale=None, aspect=None, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        scale, aspect = ranges_or_defaults(
            {"scale": scale, "aspect": aspect},
            {"scale": (0.85, 1.08), "aspect": (0.9, 1.1)},
            {"scale": (1.0, 1.0), "aspect": (1.0, 1.0)},
        ).values()
        self.scale = check_range(o, "scale", scale, 0.25, 4)
        self.aspect = check_range(o, "aspect", aspect, 0.25, 4)

    def _uniform_params(self):
        return [("scale", self.scale), ("aspect", self.aspect)]

    def backward(self, cols, info):
        left, right = info.cols
        _, bottom = info.rows
        ax, ay = (left + right) / 2.0, bottom
        sy = 1.0 / cols["scale"]
        sx = sy / cols["aspect"]
        m = np.zeros((len(sx), 3, 3))
        m[:, 0, 0], m[:, 0, 2] = sx, ax * (1 - sx)
        m[:, 1, 1], m[:, 1, 2] = sy, ay * (1 - sy)
        m[:, 2, 2] = 1.0
        return "affine", m


@register
class BaselineJitter(GlyphTransform):
    """Move the character up or down, as handwriting wanders around its baseline.

    The shift is reduced where needed so the ink stays inside the 28 rows.

    Parameters
    ----------
    shift : [low, high] of float
        Vertical offset in pixels, positive = down; within [-27, 27].
    p : float
        Probability of applying the transform to a glyph, in [0, 1].
    """

    geometric = True
    neutral: ClassVar[dict] = {"dy": 0.0}

    def __init__(self, shift=(-2.0, 2.0), p: float = 1.0):
        super().__init__(p)
        self.shift = check_range(type(self).__name__, "shift", shift, -27, 27)

    def _uniform_params(self):
        return [("dy", self.shift)]

    def backward(self, cols, info):
        top, bottom = info.rows
        dy = np.minimum(np.maximum(cols["dy"], np.minimum(-top, 0.0)), np.maximum(_SIZE - 1 - bottom, 0.0))
        return "affine", _translation(np.zeros_like(dy), -dy)


def round_sigma(sigma):
    """Elastic smoothing sigmas are used rounded to multiples of ``SIGMA_STEP`` (0.25 px)."""
    return np.maximum(np.rint(np.asarray(sigma, np.float64) * (1.0 / SIGMA_STEP)), 1.0) * SIGMA_STEP


def _crop_origins(seed: np.ndarray) -> np.ndarray:
    """Crop positions of the dx and dy fields in the noise bank, from 63-bit seeds ``(k,)``.

    Returns int64 ``(2, k, 2)``: ``[0]`` rows, ``[1]`` columns; ``[:, :, 0]`` for dx, ``[:, :, 1]`` for dy.
    """
    parts = (np.asarray(seed, np.int64)[:, None] >> _ORIGIN_SHIFTS) % _ORIGIN_MODULI  # (k, 4): x1, y1, x2, y2
    return parts.reshape(-1, 2, 2).transpose(2, 0, 1)[::-1]


@register
class ElasticDistortion(GlyphTransform):
    """Elastic distortion (Simard, Steinkraus & Platt, 2003).

    A displacement field with components uniform in [-1, 1], smoothed by a
    Gaussian of standard deviation ``sigma`` and multiplied by ``alpha``; each
    output pixel samples the input at its position plus the displacement.
    Simard et al. used sigma = 4, alpha = 34 on MNIST, which displaces by about
    1.4 px (standard deviation).

    The smoothed noise is precomputed once per process and per sigma (a wide
    noise image smoothed by OpenCV, see :func:`._random.smooth_noise_bank`); the
    recorded ``seed`` selects the 28 x 28 crops used as x and y displacements.
    This is the same random field as smoothing a fresh 28 x 28 patch, without
    border effects, at a fraction of the cost.  Sigma is rounded to 0.25 px.

    Parameters
    ----------
    alpha : [low, high] of float
        Field scale in pixels; within [0, 300].
    sigma : [low, high] of float
        Smoothing in pixels (larger = smoother, more global warps); within [0.5, 12].
    p : float
        Probability of applying the transform to a glyph, in [0, 1].
    """

    geometric = True
    neutral: ClassVar[dict] = {"alpha": 0.0, "sigma": 4.0, "seed": 0}

    def __init__(self, alpha=(15.0, 28.0), sigma=(4.0, 4.0), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.alpha = check_range(o, "alpha", alpha, 0, 300)
        self.sigma = check_range(o, "sigma", sigma, 0.5, 12)

    def _uniform_params(self):
        return [("alpha", self.alpha), ("sigma", self.sigma), ("seed", (0.0, float(2**53)))]

    def _finish(self, cols, strings):
        cols["sigma"] = round_sigma(cols["sigma"])
        cols["seed"] = cols["seed"].astype(np.int64)  # 53 random bits

    def backward(self, cols, info):
        # every glyph's crops, times alpha (0 where skipped: a field of zeros, as no displacement)
        bank = np.maximum(np.rint(cols["sigma"] * (1.0 / SIGMA_STEP)), 1.0).astype(np.intp)  # round_sigma / step
        if bank.size and bank.max() > MAX_SIGMA / SIGMA_STEP:
            raise ValueError(f"ElasticDistortion: parameter 'sigma' must be <= {MAX_SIGMA}, got {cols['sigma']}")
        y, x = _crop_origins(cols["seed"])
        field = smooth_noise_crops(bank[:, None], y, x, _SIZE)  # (n, 2, 28, 28): dx, dy
        field *= np.maximum(cols["alpha"], 0.0).astype(np.float32)[:, None, None, None]
        return "field", field


_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)


@register
class StrokeThickness(GlyphTransform):
    """Thinner or thicker strokes by grayscale morphology.

    ``delta`` counts steps of erosion (negative) or dilation (positive) with a
    3 x 3 cross, each step moving every stroke edge by about one pixel;
    fractional values blend the two nearest steps (so 0.5 adds a faint half
    pixel of ink around the strokes).

    Parameters
    ----------
    delta : [low, high] of float
        Steps, within [-2, 2]; negative = thinner, positive = thicker.
    p : float
        Probability of applying the transform to a glyph, in [0, 1].
    """

    neutral: ClassVar[dict] = {"delta": 0.0}

    def __init__(self, delta=(-0.5, 0.7), p: float = 1.0):
        super().__init__(p)
        self.delta = check_range(type(self).__name__, "delta", delta, -2, 2)

    def _uniform_params(self):
        return [("delta", self.delta)]

    def _apply_pixels(self, stack, cols):
        out = stack.copy()
        # glyphs of one direction and whole step count are eroded or dilated together (see _morph_steps)
        groups: dict[tuple[bool, int], list[tuple[int, float]]] = {}
        for i, d in enumerate(cols["delta"].tolist()):
            if d:
                steps, frac = divmod(abs(d), 1.0)
                groups.setdefault((d > 0, int(steps)), []).append((i, frac))
        for (thicker, steps), members in groups.items():
            op = cv2.dilate if thicker else cv2.erode
            most = steps + any(frac > 0 for _, frac in members)
            g, nxt = _morph_steps(stack[[i for i, _ in members]], op, steps, most)
            for j, (i, frac) in enumerate(members):  # a fraction blends in one step more
                out[i] = cv2.addWeighted(g[j], 1.0 - frac, nxt[j], frac, 0.0) if frac > 0 else g[j]
        return out


def _morph_steps(glyphs: np.ndarray, op, steps: int, most: int) -> tuple[np.ndarray, np.ndarray]:
    """``op`` (``cv2.dilate`` or ``cv2.erode`` by the 3 x 3 cross) applied ``steps`` times to each glyph, and
    once more (``most > steps``; else the second array is the first).

    Equal glyph by glyph to ``op`` on each glyph alone with a blank border: the glyphs
    are stacked with ``most`` blank rows between them, so no ink reaches a neighbour in
    ``most`` steps (and erosion meets blank rows as it met the border).
    """
    k, pad = len(glyphs), max(most, 1)
    strip = np.zeros((k, _SIZE + pad, _SIZE), np.uint8)
    strip[:, pad:] = glyphs
    g = strip.reshape(-1, _SIZE)
    for _ in range(steps):
        g = op(g, _CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    nxt = op(g, _CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=0) if most > steps else g
    return g.reshape(k, _SIZE + pad, _SIZE)[:, pad:], nxt.reshape(k, _SIZE + pad, _SIZE)[:, pad:]


def _per_string(cols: dict[str, np.ndarray], names: tuple[str, ...], strings: StringLayout) -> None:
    """Give every glyph its string's first glyph's draw of ``names``: the values of a string-scoped transform."""
    for name in names:
        cols[name] = cols[name][strings.first]


@register
class StringStyle(GlyphTransform):
    """One hand for the whole string: slant and size drawn once per string, a smooth baseline drift.

    String-scoped (``scope = "string"``): the glyphs of one ``apply_glyphs``
    call (the library makes one per sample) share one draw of ``slant``,
    ``scale``, ``drift``, ``waves`` and ``phase``; each glyph deviates from the
    string's slant by up to ``slant_spread`` degrees and from its scale by up
    to ``scale_spread`` (a fraction).  The baseline follows one low-frequency
    curve across the string, ``dy_i = drift * sin(2 pi waves t_i + phase)``
    with ``t_i = i / (n - 1)`` the glyph's place in the string, not an
    independent jitter per glyph.  Slant and scale act about the bottom centre
    of each glyph's ink, so the glyphs keep standing on the line; the drift is
    reduced where needed to keep the ink inside the 28 rows.

    Recorded per glyph (replayable): ``shear`` (degrees), ``scale`` and ``dy``
    (px, positive = down), the values applied; beside them the string's draws
    (``drift``, ``waves``, ``phase``) and the glyph's deviations
    (``slant_dev``, ``scale_dev``).

    With no ranges given, the ``realistic`` preset's settings (slant +-14 deg,
    spread 3, scale 0.94-1.04, spread 0.04, drift 0.5-2 px); given some, the
    others are the identity.

    Parameters
    ----------
    slant : [low, high] of float
        The string's slant in degrees, positive leans the tops right; within [-45, 45].
    slant_spread : float
        Largest per-glyph deviation from it, degrees; within [0, 20].
    scale : [low, high] of float
        The string's size factor; within [0.5, 1.5].
    scale_spread : float
        Largest per-glyph deviation of the size, a fraction; within [0, 0.3].
    drift : [low, high] of float
        Amplitude of the baseline curve, pixels; within [0, 6].
    waves : [low, high] of float
        Cycles of the curve across the string; within [0, 2] (low frequency).
    p : float
        Probability of applying the transform to a string, in [0, 1].
    """

    geometric = True
    scope = "string"
    neutral: ClassVar[dict] = {
        "shear": 0.0,
        "slant_dev": 0.0,
        "scale": 1.0,
        "scale_dev": 0.0,
        "drift": 0.0,
        "waves": 0.0,
        "phase": 0.0,
        "dy": 0.0,
    }

    def __init__(
        self,
        slant=None,
        slant_spread: float | None = None,
        scale=None,
        scale_spread: float | None = None,
        drift=None,
        waves=(0.3, 1.0),
        p: float = 1.0,
    ):
        super().__init__(p)
        o = type(self).__name__
        slant, slant_spread, scale, scale_spread, drift = ranges_or_defaults(
            {
                "slant": slant,
                "slant_spread": slant_spread,
                "scale": scale,
                "scale_spread": scale_spread,
                "drift": drift,
            },
            {
                "slant": (-14.0, 14.0),
                "slant_spread": 3.0,
                "scale": (0.94, 1.04),
                "scale_spread": 0.04,
                "drift": (0.5, 2.0),
            },
            {"slant": (0.0, 0.0), "slant_spread": 0.0, "scale": (1.0, 1.0), "scale_spread": 0.0, "drift": (0.0, 0.0)},
        ).values()
        self.slant = check_range(o, "slant", slant, -45, 45)
        self.slant_spread = check_number(o, "slant_spread", slant_spread, 0, 20)
        self.scale = check_range(o, "scale", scale, 0.5, 1.5)
        self.scale_spread = check_number(o, "scale_spread", scale_spread, 0, 0.3)
        self.drift = check_range(o, "drift", drift, 0, 6)
        self.waves = check_range(o, "waves", waves, 0, 2)

    def _uniform_params(self) -> list[tuple[str, tuple[float, float]]]:
        return [
            ("shear", self.slant),
            ("slant_dev", (-self.slant_spread, self.slant_spread)),
            ("scale", self.scale),
            ("scale_dev", (-self.scale_spread, self.scale_spread)),
            ("drift", self.drift),
            ("waves", self.waves),
            ("phase", (0.0, 2 * np.pi)),
        ]

    def _finish(self, cols: dict[str, np.ndarray], strings: StringLayout) -> None:
        _per_string(cols, ("shear", "scale", "drift", "waves", "phase"), strings)
        cols["shear"] = cols["shear"] + cols["slant_dev"]
        cols["scale"] = cols["scale"] * (1.0 + cols["scale_dev"])
        cols["dy"] = cols["drift"] * np.sin(2 * np.pi * cols["waves"] * strings.place + cols["phase"])

    def backward(self, cols, info):
        left, right = info.cols
        top, bottom = info.rows
        ax, ay = (left + right) / 2.0, bottom
        s, k = cols["scale"], np.tan(np.deg2rad(cols["shear"]))
        new_top = ay - s * (ay - top)
        # np.minimum/np.maximum are np.clip bit for bit, at a third of its cost on short columns
        dy = np.minimum(np.maximum(cols["dy"], np.minimum(-new_top, 0.0)), np.maximum(_SIZE - 1 - bottom, 0.0))
        # forward: p' = s [[1, -k], [0, 1]] (p - a) + a + (0, dy); backward: p = L (p' - a - (0, dy)) + a
        inv = 1.0 / s
        m = np.zeros((len(s), 3, 3))
        m[:, 0, 0], m[:, 0, 1] = inv, inv * k
        m[:, 1, 1] = inv
        m[:, 0, 2] = ax - (inv * ax + inv * k * (ay + dy))
        m[:, 1, 2] = ay - inv * (ay + dy)
        m[:, 2, 2] = 1.0
        return "affine", m


@register
class StringStroke(StrokeThickness):
    """One pen for the whole string: a stroke thickness change drawn once per string, small per-glyph deviations.

    String-scoped like :class:`StringStyle`: ``delta`` (steps of dilation,
    positive, or erosion, negative; see :class:`StrokeThickness`) is drawn once
    for the glyphs of one call, and each glyph adds up to ``spread`` steps.
    Recorded per glyph: ``delta`` (applied, clipped to [-2, 2]) and
    ``delta_dev``.

    Parameters
    ----------
    delta : [low, high] of float
        The string's thickness change, steps; within [-2, 2].
    spread : float
        Largest per-glyph deviation, steps; within [0, 1].
    p : float
        Probability of applying the transform to a string, in [0, 1].
    """

    scope = "string"
    neutral: ClassVar[dict] = {"delta": 0.0, "delta_dev": 0.0}

    def __init__(self, delta=(-0.5, 0.8), spread: float = 0.15, p: float = 1.0):
        super().__init__(delta, p)
        self.spread = check_number(type(self).__name__, "spread", spread, 0, 1)

    def _uniform_params(self) -> list[tuple[str, tuple[float, float]]]:
        return [("delta", self.delta), ("delta_dev", (-self.spread, self.spread))]

    def _finish(self, cols: dict[str, np.ndarray], strings: StringLayout) -> None:
        _per_string(cols, ("delta",), strings)
        cols["delta"] = np.minimum(np.maximum(cols["delta"] + cols["delta_dev"], -2.0), 2.0)


__all__ = [
    "Affine",
    "SizeVariation",
    "BaselineJitter",
    "ElasticDistortion",
    "StrokeThickness",
    "StringStyle",
    "StringStroke",
    "warp_glyphs",
]
