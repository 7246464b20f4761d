"""Glyphs that no dataset has, synthesised as handwritten-looking strokes.

MNIST has no hyphen, so phone numbers need one drawn to match the digits:
a short, slightly slanted and bent stroke near mid-height, with MNIST's
stroke thickness and soft anti-aliased edges.  Output follows the dataset
convention: ``(28, 28) uint8``, 0 = paper, 255 = ink.
"""

from __future__ import annotations

import numpy as np

_SIZE = 28
_YY, _XX = np.mgrid[0:_SIZE, 0:_SIZE].astype(np.float64) + 0.5


def draw_hyphen(rng: np.random.Generator) -> np.ndarray:
    """A random handwritten hyphen.

    Parameters drawn from ``rng`` (pixels unless stated): length 7-14 between
    the centres of the rounded ends (ink spans about 9-19 columns), stroke
    thickness 1.8-3.4, slant -10..+6 degrees (upward to the right is
    negative y), a bend of up to 1 px at the middle, vertical centre 12.5-16
    (MNIST digits span rows ~4-24, so this is mid-height), ends tapered.
    """
    length = rng.uniform(7.0, 14.0)
    thickness = rng.uniform(1.8, 3.4)
    angle = np.deg2rad(rng.uniform(-10.0, 6.0))
    bend = rng.uniform(-1.0, 1.0)
    cy = rng.uniform(12.5, 16.0)
    cx = _SIZE / 2 + rng.uniform(-0.5, 0.5)
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
    return np.rint(ink * 255).astype(np.uint8)


#: Characters drawn by a synthesiser instead of a dataset.
SYNTHESISED = {"-": draw_hyphen}
