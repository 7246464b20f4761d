"""Synthetic glyphs and line images for the augmentation tests (no MNIST needed)."""

from __future__ import annotations

import cv2
import numpy as np


def bar_glyph(thickness: int = 3) -> np.ndarray:
    """A vertical stroke like a '1': uint8 (28, 28), 255 = ink."""
    g = np.zeros((28, 28), np.uint8)
    cv2.line(g, (14, 5), (14, 22), 255, thickness, cv2.LINE_AA)
    return g


def ring_glyph() -> np.ndarray:
    """An ellipse like a '0'."""
    g = np.zeros((28, 28), np.uint8)
    cv2.ellipse(g, (14, 14), (6, 9), 0, 0, 360, 255, 2, cv2.LINE_AA)
    return g


def seven_glyph() -> np.ndarray:
    g = np.zeros((28, 28), np.uint8)
    cv2.polylines(g, [np.array([[8, 6], [20, 6], [12, 23]])], False, 255, 2, cv2.LINE_AA)
    return g


def glyph_stack() -> np.ndarray:
    return np.stack([bar_glyph(), ring_glyph(), seven_glyph(), bar_glyph(2)])


def line_image(width: int = 120, n: int = 4):
    """A composed line of ``n`` glyphs: float32 (28, width), 1.0 = paper; boxes from the ink."""
    glyphs = [bar_glyph(), ring_glyph(), seven_glyph(), bar_glyph(2)] * ((n + 3) // 4)
    img = np.ones((28, width), np.float32)
    boxes = []
    x = 6
    for g in glyphs[:n]:
        cols = np.nonzero(g.any(axis=0))[0]
        rows = np.nonzero(g.any(axis=1))[0]
        piece = g[:, cols[0] : cols[-1] + 1]
        w = piece.shape[1]
        img[:, x : x + w] = np.minimum(img[:, x : x + w], 1.0 - piece / 255.0)
        boxes.append([x, rows[0], x + w, rows[-1] + 1])
        x += w + 5
    return img.astype(np.float32), np.array(boxes, dtype=np.int64)


def ink_orientation(g: np.ndarray) -> float:
    """Angle in degrees of the principal axis of the ink, counter-clockwise from +x (y up)."""
    w = g.astype(np.float64)
    ys, xs = np.mgrid[0 : g.shape[0], 0 : g.shape[1]]
    x, y = xs.astype(np.float64), -ys.astype(np.float64)
    m = w.sum()
    cx, cy = (w * x).sum() / m, (w * y).sum() / m
    cxx = (w * (x - cx) ** 2).sum() / m
    cyy = (w * (y - cy) ** 2).sum() / m
    cxy = (w * (x - cx) * (y - cy)).sum() / m
    return float(np.degrees(0.5 * np.arctan2(2 * cxy, cxx - cyy)))


def ink_rows(g: np.ndarray, thr: int = 64):
    rows = np.nonzero((g > thr).any(axis=1))[0]
    return int(rows[0]), int(rows[-1])


def ink_cols(g: np.ndarray, thr: int = 64):
    cols = np.nonzero((g > thr).any(axis=0))[0]
    return int(cols[0]), int(cols[-1])
