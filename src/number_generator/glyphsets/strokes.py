"""Glyphs that no dataset has, synthesised as handwritten-looking strokes.

MNIST has no hyphen, so phone numbers need one drawn to match the digits:
a short, slightly slanted and bent stroke near mid-height, with MNIST's
stroke thickness and soft anti-aliased edges.  Output follows the dataset
convention: ``(28, 28) uint8``, 0 = paper, 255 = ink.

Like a dataset class, each synthesised character has a fixed bank of
samples (4,096 hyphens drawn once from a fixed seed, cached on disk), and a
generator picks one uniformly: as varied as an MNIST class, and ~10x cheaper
per image than drawing a new stroke.
"""

from __future__ import annotations

from functools import cache

import numpy as np

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


#: Characters drawn by a synthesiser instead of a dataset: char -> (name, drawing function).
SYNTHESISED = {"-": ("hyphen", draw_hyphen)}
BANK_SIZE = 4096
BANK_SEED = 20261124
#: Bump when a drawing function changes, so cached banks are rebuilt.
BANK_VERSION = 1


@cache
def synthetic_glyphs(char: str) -> tuple[np.ndarray, np.ndarray]:
    """The sample bank of a synthesised character: ``(BANK_SIZE, 28, 28) uint8`` and its ink extents."""
    from number_generator.glyphsets.cache import cached_array
    from number_generator.glyphsets.glyphs import ink_extents

    name, draw = SYNTHESISED[char]
    stem = f"synthetic/{name}-v{BANK_VERSION}-{BANK_SEED}-{BANK_SIZE}"

    def build() -> np.ndarray:
        rng = np.random.default_rng(BANK_SEED)
        return np.stack([draw(rng) for _ in range(BANK_SIZE)])

    images = cached_array(f"{stem}.npy", build)
    extents = cached_array(f"{stem}-extents.npy", lambda: ink_extents(images))
    return images.view(np.ndarray), np.asarray(extents)
