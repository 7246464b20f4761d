"""Scans: JPEG compression, low resolution, binarisation (thresholded and fax-like), bleed-through.

What a scanner or a phone camera does to a page after it is written.  With
:class:`~.image.GaussianBlur` (a slightly blurred page) these make the scan
half of the ``realistic`` preset.  Images are ``float32 (28, W)`` in [0, 1],
1.0 = paper; none of these moves pixels, so boxes are unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

from number_generator.augment._random import BANK_SIZE, bank_window, gaussian_bank
from number_generator.augment.base import ImageTransform, check_number, check_range, copy_boxes, register


def to_8bit(image: np.ndarray) -> np.ndarray:
    """float32 [0, 1] -> uint8 0-255 (rounded), as a scanner stores it."""
    return np.rint(image * np.float32(255)).astype(np.uint8)


@register
class JpegCompression(ImageTransform):
    """JPEG compression at a random quality (blocking and ringing around the strokes).

    The image is encoded as an 8-bit greyscale JPEG by OpenCV (libjpeg) and
    decoded again; the same quality always gives the same bytes.

    Parameters
    ----------
    quality : [low, high] of int
        JPEG quality, within [1, 100]; scanners and phones use 50-95, web images go lower.
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, quality=(25, 90), p: float = 1.0):
        super().__init__(p)
        self.quality = check_range(type(self).__name__, "quality", quality, 1, 100, integer=True)

    def _uniform_params(self, shape):
        return [("quality", (self.quality[0], self.quality[1] + 1))]

    def _finish(self, params, rng, shape):
        params["quality"] = min(int(params["quality"]), self.quality[1])
        return params

    def _apply(self, image, boxes, params):
        ok, data = cv2.imencode(".jpg", to_8bit(image), [cv2.IMWRITE_JPEG_QUALITY, int(params["quality"])])
        if not ok:  # pragma: no cover - OpenCV always encodes a 2-D uint8 array
            raise RuntimeError("JPEG encoding failed")
        decoded = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
        if decoded is None:  # pragma: no cover - OpenCV decodes what it encoded
            raise RuntimeError("JPEG decoding failed")
        out = decoded.astype(np.float32)
        out *= np.float32(1 / 255)
        return out, copy_boxes(boxes)


@register
class LowResolution(ImageTransform):
    """A low-resolution scan: down-sampled by ``scale`` (area average), then up-sampled back (bilinear).

    Parameters
    ----------
    scale : [low, high] of float
        Resolution kept, within [0.1, 1] (0.5 = half the pixels in each direction).
    p : float
        Probability of applying the transform, in [0, 1].
    """

    def __init__(self, scale=(0.4, 0.8), p: float = 1.0):
        super().__init__(p)
        self.scale = check_range(type(self).__name__, "scale", scale, 0.1, 1)

    def _uniform_params(self, shape):
        return [("scale", self.scale)]

    def _apply(self, image, boxes, params):
        h, w = image.shape
        small = (max(1, round(w * params["scale"])), max(1, round(h * params["scale"])))
        down = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
        up = cv2.resize(down, (w, h), interpolation=cv2.INTER_LINEAR)
        return np.clip(up, 0.0, 1.0, out=up), copy_boxes(boxes)


@register
class Binarize(ImageTransform):
    """A black-and-white scan: every pixel becomes paper (1.0) or ink (0.0).

    Pixels lighter than ``threshold`` become paper.  ``noise`` jitters the
    threshold per pixel (Gaussian, from a fixed table at a recorded offset), so
    stroke edges come out ragged; with probability ``fax`` the vertical
    resolution is halved first (a fax's standard mode: 98 lines per inch
    against 204 dots across), which makes strokes blocky.

    Parameters
    ----------
    threshold : [low, high] of float
        Within [0.05, 0.95].
    noise : [low, high] of float
        Standard deviation of the threshold per pixel, within [0, 0.5].
    fax : float
        Probability of halving the vertical resolution first, in [0, 1].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, threshold=(0.4, 0.65), noise=(0.0, 0.08), fax: float = 0.3, p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.threshold = check_range(o, "threshold", threshold, 0.05, 0.95)
        self.noise = check_range(o, "noise", noise, 0, 0.5)
        self.fax = check_number(o, "fax", fax, 0, 1)

    def _uniform_params(self, shape):
        return [("threshold", self.threshold), ("noise", self.noise), ("fax", (0.0, 1.0)), ("offset", (0, BANK_SIZE))]

    def _finish(self, params, rng, shape):
        params["fax"] = bool(params["fax"] < self.fax)
        params["offset"] = int(params["offset"])
        return params

    def _apply(self, image, boxes, params):
        h, w = image.shape
        src = image
        if params["fax"]:
            half = cv2.resize(image, (w, max(1, h // 2)), interpolation=cv2.INTER_AREA)
            src = cv2.resize(half, (w, h), interpolation=cv2.INTER_NEAREST)
        level: np.ndarray = np.full(image.shape, params["threshold"], np.float32)
        if params["noise"] > 0:
            level += bank_window(gaussian_bank(), params["offset"], image.shape) * np.float32(params["noise"])
        return (src >= level).astype(np.float32), copy_boxes(boxes)


@register
class BleedThrough(ImageTransform):
    """Writing on the back of the sheet showing through: a faint, blurred mirror image.

    The back is this line's own ink mirrored left to right and moved by a
    random offset (``shift``, a fraction of the width, wrapping around),
    blurred by ``blur`` pixels and multiplied into the page at ``strength``.

    Parameters
    ----------
    strength : [low, high] of float
        Darkening where the back has full ink, within [0, 1].
    blur : [low, high] of float
        Gaussian sigma, pixels, within [0, 10].
    p : float
        Probability of applying the transform, in [0, 1].
    """

    finish_draws = 0

    def __init__(self, strength=(0.08, 0.3), blur=(0.8, 2.0), p: float = 1.0):
        super().__init__(p)
        o = type(self).__name__
        self.strength = check_range(o, "strength", strength, 0, 1)
        self.blur = check_range(o, "blur", blur, 0, 10)

    def _uniform_params(self, shape):
        return [("strength", self.strength), ("blur", self.blur), ("shift", (0.0, 1.0)), ("dy", (-2.0, 2.0))]

    def _finish(self, params, rng, shape):
        params["dy"] = int(round(params["dy"]))
        return params

    def _apply(self, image, boxes, params):
        h, w = image.shape
        back = np.roll(1.0 - image[:, ::-1], (int(params["dy"]), int(params["shift"] * w)), axis=(0, 1))
        if params["blur"] > 0:
            back = cv2.GaussianBlur(back, (0, 0), params["blur"], borderType=cv2.BORDER_REPLICATE)
        out = image * (1.0 - np.float32(params["strength"]) * back)
        return np.clip(out, 0.0, 1.0, out=out), copy_boxes(boxes)
