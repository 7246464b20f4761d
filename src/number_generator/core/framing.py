"""Framing: glyphs scaled so the string's ink fills a chosen share of the 28 rows, on one baseline.

The planner draws the scale and baseline of every glyph
(:func:`number_generator.core.planner.frame`); this module moves the pixels.
Each glyph is scaled by ``s`` about the bottom centre of MNIST's 20 x 20 box
(column 13.5, row 24) and that point is moved to row ``baseline``: a digit
normalised to the box (ink 20 px tall) ends ``20 * s`` px tall, standing on
the baseline; shorter glyphs (a hyphen, a dot) keep their place relative to
it.  Bilinear resampling (OpenCV, imported on first use so unframed drawing
does not load it).
"""

from __future__ import annotations

import numpy as np

#: The point of the glyph frame that stands on the baseline: x = frame centre, y = bottom of MNIST's box.
ANCHOR_X, ANCHOR_Y = 13.5, 24.0


def frame_glyphs(glyphs: np.ndarray, scales: np.ndarray, baselines: np.ndarray) -> np.ndarray:
    """Glyphs ``(m, 28, 28) uint8`` (255 = ink) scaled by ``scales`` (m,) onto rows ``baselines`` (m,) px.

    Returns a new stack of the same shape; ink scaled beyond the 28 x 28
    frame is cut (the planner keeps a string's glyphs inside it).
    """
    import cv2

    out = np.empty(glyphs.shape, np.uint8)  # C-ordered: each out[i] is written in place by OpenCV
    matrices = np.zeros((len(glyphs), 2, 3))
    matrices[:, 0, 0] = matrices[:, 1, 1] = scales
    matrices[:, 0, 2] = ANCHOR_X * (1 - scales)
    matrices[:, 1, 2] = baselines - ANCHOR_Y * scales
    size = glyphs.shape[1:][::-1]
    for i, matrix in enumerate(matrices):
        cv2.warpAffine(glyphs[i], matrix, size, dst=out[i], flags=cv2.INTER_LINEAR, borderValue=0)
    return out
