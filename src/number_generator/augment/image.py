"""Image transforms: applied to the composed line after composition.

The image is ``numpy.float32`` ``(28, W)`` in ``[0, 1]`` with 1.0 = white paper
and 0.0 = black ink; ``boxes`` is an integer array ``(n, 4)`` of per-character
boxes ``(x0, y0, x1, y1)``, half-open, in pixels (or ``None``).  Every
transform returns ``(image, boxes)`` with the image again float32 ``(28, W)``
in ``[0, 1]``; only geometric transforms (:class:`Perspective`) change the boxes.

Intensity units are fractions of full scale (0.1 = a tenth of the distance
from black to white).  Pixel noise and paper textures come from fixed tables
(see :mod:`._random`) at a random recorded offset, so parameters stay small.
"""

from __future__ import annotations

import cv2
import numpy as np

from number_generator.augment._random import (
    BANK_SIZE,
    bank_window,
    gaussian_bank,
    round_texture_offsets,
    texture_offsets,
    texture_window,
    uniform_bank,
)
from number_generator.augment.base import (
    ImageTransform,
    check_number,
    check_range,
    copy_boxes,
    per_image,
    ranges_or_defaults,
    register,
)


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0, out=x)


def _f32(v: float) -> np.float32:
    return np.float32(v)


@register
class GaussianNoise(ImageTransform):
    """Additive Gaussian noise.

    Parameters
    ----------
    sigma : [low, high] of float
        Standard deviation in intensity units, within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, sigma=(0.01, 0.05), p: float = 1.0):
        super().__init__(p)
        self.sigma = check_range(type(self).__name__, "sigma", sigma, 0, 1)

    def _uniform_params(self, shape):
        return [("sigma", self.sigma), ("offset", (0, BANK_SIZE))]

    def _finish(self, params, rng, shape):
        params["offset"] = int(params["offset"])
        return params

    stacked = True

    def _apply_stack(self, stack, params):
        bank, shape = gaussian_bank(), stack.shape[1:]
        out = np.stack([bank_window(bank, p["offset"], shape) for p in params])
        out *= per_image([p["sigma"] for p in params])
        out += stack
        return _clip(out)


@register
class SaltAndPepper(ImageTransform):
    """Set a random fraction of pixels to white (salt) or black (pepper).

    Parameters
    ----------
    amount : [low, high] of float
        Fraction of pixels changed, within [0, 1].
    salt : float
        Share of the changed pixels that become white, in [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, amount=(0.005, 0.03), salt: float = 0.5, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.amount = check_range(o, "amount", amount, 0, 1)
        self.salt = check_number(o, "salt", salt, 0, 1)

    def _uniform_params(self, shape):
        return [("amount", self.amount), ("offset", (0, BANK_SIZE))]

    def _finish(self, params, rng, shape):
        params["offset"] = int(params["offset"])
        return params

    def _apply(self, image, boxes, params):
        u = bank_window(uniform_bank(), params["offset"], image.shape)
        amount = params["amount"]
        out = image.copy()
        out[u < _f32(amount * (1.0 - self.salt))] = 0.0
        out[u >= _f32(1.0 - amount * self.salt)] = 1.0
        return out, copy_boxes(boxes)


@register
class Brightness(ImageTransform):
    """Add a constant to every pixel (then clip to [0, 1]).

    Parameters
    ----------
    delta : [low, high] of float
        Offset in intensity units, within [-1, 1]; negative = darker.
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, delta=(-0.08, 0.08), p: float = 1.0):
        super().__init__(p)
        self.delta = check_range(type(self).__name__, "delta", delta, -1, 1)

    def _uniform_params(self, shape):
        return [("delta", self.delta)]

    stacked = True

    def _apply_stack(self, stack, params):
        return _clip(stack + per_image([p["delta"] for p in params]))


@register
class Contrast(ImageTransform):
    """Scale deviations from the image mean: ``mean + factor * (x - mean)``.

    Parameters
    ----------
    factor : [low, high] of float
        Contrast factor, within [0, 10]; < 1 = flatter, > 1 = harsher.
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, factor=(0.75, 1.15), p: float = 1.0):
        super().__init__(p)
        self.factor = check_range(type(self).__name__, "factor", factor, 0, 10)

    def _uniform_params(self, shape):
        return [("factor", self.factor)]

    def _apply(self, image, boxes, params):
        mean = cv2.mean(image)[0]
        f = params["factor"]
        out = image * _f32(f)
        out += _f32(mean * (1.0 - f))
        return _clip(out), copy_boxes(boxes)


@register
class Gamma(ImageTransform):
    """Gamma curve ``x ** gamma``: > 1 darkens mid-tones (ink edges), < 1 lightens them.

    Parameters
    ----------
    gamma : [low, high] of float
        Exponent, within [0.05, 20].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, gamma=(0.7, 1.5), p: float = 1.0):
        super().__init__(p)
        self.gamma = check_range(type(self).__name__, "gamma", gamma, 0.05, 20)

    def _uniform_params(self, shape):
        return [("gamma", self.gamma)]

    def _apply(self, image, boxes, params):
        return _clip(cv2.pow(image, params["gamma"])), copy_boxes(boxes)


@register
class GaussianBlur(ImageTransform):
    """Gaussian blur (out-of-focus, low resolution scans).

    Parameters
    ----------
    sigma : [low, high] of float
        Standard deviation in pixels, within [0, 10].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, sigma=(0.3, 0.8), p: float = 1.0):
        super().__init__(p)
        self.sigma = check_range(type(self).__name__, "sigma", sigma, 0, 10)

    def _uniform_params(self, shape):
        return [("sigma", self.sigma)]

    def _apply(self, image, boxes, params):
        s = params["sigma"]
        if s <= 0:
            return image.copy(), copy_boxes(boxes)
        k = 2 * int(np.ceil(3 * s)) + 1
        out = cv2.GaussianBlur(image, (k, k), s, borderType=cv2.BORDER_REPLICATE)
        return _clip(out), copy_boxes(boxes)


def motion_kernel(length: float, angle: float) -> np.ndarray:
    """Normalised float32 line kernel: ``length`` px long at ``angle`` degrees (counter-clockwise).

    Points spaced 1/4 px along the segment are splatted bilinearly, so the kernel
    is symmetric, sub-pixel exact, and a horizontal kernel has no vertical spread.
    """
    half = (max(float(length), 1.0) - 1.0) / 2.0
    size = 2 * int(np.ceil(half)) + 1
    c = (size - 1) / 2.0
    t = np.linspace(-half, half, max(2, int(np.ceil(4 * half)) + 1))
    a = np.deg2rad(angle)
    x = np.clip(c + t * np.cos(a), 0, size - 1)
    y = np.clip(c - t * np.sin(a), 0, size - 1)
    x0 = np.minimum(np.floor(x).astype(np.intp), max(size - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.intp), max(size - 2, 0))
    fx, fy = x - x0, y - y0
    stride = size + 1
    base = y0 * stride + x0
    idx = np.concatenate([base, base + 1, base + stride, base + stride + 1])
    wts = np.concatenate([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
    k = np.bincount(idx, wts, minlength=stride * stride).reshape(stride, stride)[:size, :size]
    return (k / k.sum()).astype(np.float32)


@register
class MotionBlur(ImageTransform):
    """Blur along a line (camera or hand motion).

    Parameters
    ----------
    length : [low, high] of float
        Length of the motion in pixels, within [1, 29]; 1 = no blur.
    angle : [low, high] of float
        Direction in degrees, counter-clockwise from the x axis, within [-180, 180].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, length=(2.0, 4.0), angle=(-180.0, 180.0), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.length = check_range(o, "length", length, 1, 29)
        self.angle = check_range(o, "angle", angle, -180, 180)

    def _uniform_params(self, shape):
        return [("length", self.length), ("angle", self.angle)]

    def _apply(self, image, boxes, params):
        k = motion_kernel(params["length"], params["angle"])
        out = cv2.filter2D(image, -1, k, borderType=cv2.BORDER_REPLICATE)
        return _clip(out), copy_boxes(boxes)


@register
class BackgroundGradient(ImageTransform):
    """Uneven lighting: the paper darkens linearly along a random direction.

    Multiplicative (``x * shade``), so black ink stays black and the paper goes
    from 1 down to ``1 - strength`` across the image.

    Parameters
    ----------
    strength : [low, high] of float
        Darkening at the darkest side, within [0, 1].
    angle : [low, high] of float
        Direction of darkening in degrees (0 = darker to the right, 90 = darker at the top),
        within [-180, 180].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, strength=(0.05, 0.2), angle=(-180.0, 180.0), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.strength = check_range(o, "strength", strength, 0, 1)
        self.angle = check_range(o, "angle", angle, -180, 180)

    def _uniform_params(self, shape):
        return [("strength", self.strength), ("angle", self.angle)]

    def _apply(self, image, boxes, params):
        h, w = image.shape
        a = np.deg2rad(params["angle"])
        cx, cy = np.float32(np.cos(a)), np.float32(-np.sin(a))
        xs = np.arange(w, dtype=np.float32) * cx
        ys = np.arange(h, dtype=np.float32) * cy
        ramp = ys[:, None] + xs[None, :]
        lo = min(0.0, float(cx) * (w - 1)) + min(0.0, float(cy) * (h - 1))
        hi = max(0.0, float(cx) * (w - 1)) + max(0.0, float(cy) * (h - 1))
        span = max(hi - lo, 1e-6)
        shade = ramp * _f32(-params["strength"] / span) + _f32(1.0 + params["strength"] * lo / span)
        return _clip(image * shade), copy_boxes(boxes)


@register
class BackgroundTexture(ImageTransform):
    """Paper-like texture (blotches, grain and fibres) multiplied into the image.

    The paper becomes ``1 - strength * t`` with ``t`` in [0, 1] a crop of one of
    a fixed set of generated textures; black ink stays black.

    Parameters
    ----------
    strength : [low, high] of float
        Darkening of the darkest texture spots, within [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, strength=(0.05, 0.2), p: float = 1.0):
        super().__init__(p)
        self.strength = check_range(type(self).__name__, "strength", strength, 0, 1)

    def _uniform_params(self, shape):
        return [("strength", self.strength), *texture_offsets(shape)]

    def _finish(self, params, rng, shape):
        return round_texture_offsets(params)

    stacked = True

    def _apply_stack(self, stack, params):
        shape = stack.shape[1:]
        shade = np.stack([texture_window(p["texture"], p["x"], p["y"], shape) for p in params])
        shade *= per_image([-p["strength"] for p in params])
        shade += _f32(1.0)
        shade *= stack
        return _clip(shade)


@register
class IntensityRange(ImageTransform):
    """Map black to an ink level and white to a paper level (grey ink, grey paper).

    ``out = ink + x * (paper - ink)``.

    Parameters
    ----------
    ink : [low, high] of float
        Intensity of full ink, within [0, 1].
    paper : [low, high] of float
        Intensity of blank paper, within [0, 1]; must be above ``ink``.
    p : float
        Probability of applying the transform, in [0, 1].

    With neither given: ink [0, 0.25], paper [0.85, 1] (the ``medium`` preset's); with one given, the other
    is the identity.
    """

    def __init__(self, ink=None, paper=None, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        ink, paper = ranges_or_defaults(
            {"ink": ink, "paper": paper},
            {"ink": (0.0, 0.25), "paper": (0.85, 1.0)},
            {"ink": (0.0, 0.0), "paper": (1.0, 1.0)},
        ).values()
        self.ink = check_range(o, "ink", ink, 0, 1)
        self.paper = check_range(o, "paper", paper, 0, 1)
        if self.ink[1] >= self.paper[0]:
            raise ValueError(
                f"{o}: parameter 'ink' must be darker than 'paper' "
                f"(ink high < paper low), got ink={list(self.ink)}, paper={list(self.paper)}"
            )

    def _uniform_params(self, shape):
        return [("ink", self.ink), ("paper", self.paper)]

    stacked = True

    def _apply_stack(self, stack, params):
        out = stack * per_image([p["paper"] - p["ink"] for p in params])
        out += per_image([p["ink"] for p in params])
        return _clip(out)


@register
class RandomErasing(ImageTransform):
    """Occlusion: fill random rectangles with a flat grey level (labels and boxes unchanged).

    Parameters
    ----------
    count : [low, high] of int
        Number of rectangles, within [0, 100].
    width : [low, high] of int
        Rectangle width in pixels, within [1, 10000].
    height : [low, high] of int
        Rectangle height in pixels, within [1, 28].
    fill : [low, high] of float
        Fill intensity, within [0, 1] (1 = paper, hides ink; 0 = black blot).
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, count=(1, 1), width=(2, 8), height=(2, 8), fill=(0.6, 1.0), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.count = check_range(o, "count", count, 0, 100, integer=True)
        self.width = check_range(o, "width", width, 1, 10000, integer=True)
        self.height = check_range(o, "height", height, 1, 28, integer=True)
        self.fill = check_range(o, "fill", fill, 0, 1)

    def _finish(self, params, rng, shape):
        h, w = shape
        n = int(rng.integers(self.count[0], self.count[1] + 1))
        rects = []
        for _ in range(n):
            rw = int(rng.integers(self.width[0], self.width[1] + 1))
            rh = int(rng.integers(self.height[0], self.height[1] + 1))
            x = int(rng.integers(0, max(1, w - rw + 1)))
            y = int(rng.integers(0, max(1, h - rh + 1)))
            rects.append([x, y, rw, rh, float(rng.uniform(*self.fill))])
        params["rects"] = rects
        return params

    def _apply(self, image, boxes, params):
        out = image.copy()
        for x, y, rw, rh, fill in params["rects"]:
            out[int(y) : int(y) + int(rh), int(x) : int(x) + int(rw)] = fill
        return out, copy_boxes(boxes)


@register
class Perspective(ImageTransform):
    """Skew, slight rotation and perspective of the whole line; boxes follow.

    The four image corners are sheared by ``skew``, rotated by ``rotate`` about
    the image centre, then each moved by an independent random offset of at most
    ``corner`` pixels in x and y; the homography mapping the original corners to
    these is applied (bilinear, uncovered areas become paper = 1.0).  Each box is
    replaced by the bounding box of its transformed corners, clipped to the
    image, so it still covers its ink (up to 1 px of interpolation spread).

    Parameters
    ----------
    skew : [low, high] of float
        Horizontal shear in degrees, positive leans the top to the right; within [-45, 45].
    rotate : [low, high] of float
        Rotation in degrees, positive = counter-clockwise; within [-10, 10].  Long
        lines rotate their ends out of the 28 rows quickly (2 degrees over 300 px = 5 px).
    corner : [low, high] of float
        Maximum corner displacement in pixels (drawn from this range, then each
        coordinate uniform in [-max, max]); within [0, 14].
    p : float
        Probability of applying the transform, in [0, 1].

    With none given: skew [-6, 6], rotate [-1, 1], corner [0, 1] (the ``medium`` preset's); with some given,
    the others are the identity.
    """

    geometric = True
    finish_draws = 8  # the corner offsets

    def __init__(self, skew=None, rotate=None, corner=None, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        skew, rotate, corner = ranges_or_defaults(
            {"skew": skew, "rotate": rotate, "corner": corner},
            {"skew": (-6.0, 6.0), "rotate": (-1.0, 1.0), "corner": (0.0, 1.0)},
            {"skew": (0.0, 0.0), "rotate": (0.0, 0.0), "corner": (0.0, 0.0)},
        ).values()
        self.skew = check_range(o, "skew", skew, -45, 45)
        self.rotate = check_range(o, "rotate", rotate, -10, 10)
        self.corner = check_range(o, "corner", corner, 0, 14)

    def _uniform_params(self, shape):
        return [("skew", self.skew), ("rotate", self.rotate), ("corner", self.corner)]

    def _finish(self, params, rng, shape):
        amp = params.pop("corner")
        jitter = (rng.random(8) * (2 * amp) - amp).tolist()
        params["dx"], params["dy"] = jitter[:4], jitter[4:]
        return params

    @staticmethod
    def homography(shape, params) -> np.ndarray:
        """3 x 3 float64 matrix mapping input to output pixel coordinates."""
        h, w = shape
        src = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
        c = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
        k = np.tan(np.deg2rad(params["skew"]))
        th = np.deg2rad(params["rotate"])
        cos, sin = np.cos(th), np.sin(th)
        rot = np.array([[cos, sin], [-sin, cos]])
        lin = rot @ np.array([[1.0, -k], [0.0, 1.0]])
        dst = (src - c) @ lin.T + c
        dst += np.array([params["dx"], params["dy"]]).T
        return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))

    def _apply(self, image, boxes, params):
        h, w = image.shape
        m = self.homography((h, w), params)
        out = cv2.warpPerspective(
            image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=1.0
        )
        return _clip(out), transform_boxes(boxes, m, (h, w))


def transform_boxes(boxes, m: np.ndarray, shape) -> np.ndarray | None:
    """Boxes after the homography ``m``: bounding boxes of the moved corners, clipped.

    A half-open box ``[x0, x1)`` covers pixel centres ``x0 .. x1 - 1``, i.e. the
    continuous interval ``[x0 - 0.5, x1 - 0.5]``; the corners of that area are
    transformed and the result rounded outwards to whole pixels.
    """
    if boxes is None:
        return None
    b = np.asarray(boxes)
    if b.size == 0:
        return b.copy()
    h, w = shape
    f = b.astype(np.float64) - 0.5
    # corners (x, y, 1) of every box: (n, 4, 3)
    corners = np.ones((len(b), 4, 3))
    corners[:, :, :2] = f[:, _CORNERS].reshape(len(b), 4, 2)
    moved = corners @ m.T
    xy = moved[:, :, :2] / moved[:, :, 2:3]
    edges = np.concatenate(
        [
            np.floor(xy.min(axis=1) + (0.5 + 1e-4)),  # 1e-4: float32 homographies are not exact,
            np.ceil(xy.max(axis=1) + (0.5 - 1e-4)),  # and the identity must give the same boxes
        ],
        axis=1,
    )
    np.clip(edges, 0, (w, h, w, h), out=edges)
    return edges.astype(b.dtype)


#: (x, y) of a box's four corners, as columns of ``(x0, y0, x1, y1)``.
_CORNERS = [0, 1, 2, 1, 2, 3, 0, 3]


@register
class Invert(ImageTransform):
    """Swap ink and paper: ``1 - x``.

    This deliberately breaks the 1.0 = background convention (white ink on black,
    MNIST-style); it is in no preset and must be asked for explicitly.

    Parameters
    ----------
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, p: float = 1.0):
        super().__init__(p)

    def _finish(self, params, rng, shape):
        return {"invert": True}

    def _apply(self, image, boxes, params):
        return 1.0 - image, copy_boxes(boxes)
