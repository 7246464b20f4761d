"""The resampling engine of geometric glyph transforms: a chain of them applied with one ``cv2.remap``.

Each geometric transform (:mod:`.glyph`) gives the map from output to input
coordinates (``backward``: an affine matrix or a displacement field); here the
maps of consecutive transforms are composed and the glyphs resampled **once**
(bilinear), up to 128 glyphs of a stack in a single call, each glyph in its own
tile of a tall strip framed by blank rows.  Glyphs are ``uint8 (28, 28)``,
0 = no ink; pixel centres at integers, the glyph centre at (13.5, 13.5).
"""

from __future__ import annotations

import cv2
import numpy as np

from number_generator.glyphsets.glyphs import ink_extents

_SIZE = 28
_TILE = _SIZE + 2  # one blank column on each side of every glyph in the strip
_CHUNK = 128  # glyphs warped together (keeps coordinate arrays in cache and strip coordinates small)

_GY, _GX = np.mgrid[0:_SIZE, 0:_SIZE].astype(np.float32)
_GRID = np.stack([_GX.ravel(), _GY.ravel()])  # (2, 784): x, y of every output pixel
# Adding then subtracting 1.5 * 2**18 rounds a float32 to a multiple of 1/32 px, the grid on
# which cv2.remap interpolates (INTER_BITS = 5): maps are quantised before the tile offsets
# are added, so a glyph's result does not depend on its position in the batch.
_ROUND32 = np.float32(1.5 * 2**18)


def _to_strip(stack: np.ndarray) -> np.ndarray:
    """Stack glyphs vertically, each framed by blank rows: uint8 (n * 30, 28)."""
    n = stack.shape[0]
    strip = np.zeros((n, _TILE, _SIZE), np.uint8)
    strip[:, 1 : _SIZE + 1] = stack
    return strip.reshape(n * _TILE, _SIZE)


def _sample_field(field: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear lookup of fields (n, 2, 28, 28) at coordinates x, y (n, 784); edge-clamped.

    Everything stays float32 (fields and coordinates are float32): ``cv2.remap``
    takes float32 maps only, and an elastic field may follow another geometric step.
    """
    x = np.clip(x, 0, _SIZE - 1)
    y = np.clip(y, 0, _SIZE - 1)
    x0 = np.minimum(np.floor(x).astype(np.intp), _SIZE - 2)
    y0 = np.minimum(np.floor(y).astype(np.intp), _SIZE - 2)
    fx = (x - x0.astype(np.float32))[:, None]
    fy = (y - y0.astype(np.float32))[:, None]
    idx = np.arange(field.shape[0])[:, None]
    f = field.transpose(0, 2, 3, 1)  # (n, 28, 28, 2)
    a = f[idx, y0, x0].transpose(0, 2, 1)
    b = f[idx, y0, x0 + 1].transpose(0, 2, 1)
    c = f[idx, y0 + 1, x0].transpose(0, 2, 1)
    d = f[idx, y0 + 1, x0 + 1].transpose(0, 2, 1)
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def warp_glyphs(stack: np.ndarray, chain: list) -> np.ndarray:
    """Apply a chain of geometric glyph transforms with a single resampling.

    Parameters
    ----------
    stack : numpy.ndarray
        uint8 ``(n, 28, 28)``.
    chain : list of (GlyphTransform, dict of numpy.ndarray)
        Geometric transforms in application order, with their column parameters.

    Returns
    -------
    numpy.ndarray
        New uint8 ``(n, 28, 28)`` stack.
    """
    n = stack.shape[0]
    if n <= _CHUNK:
        return _warp_chunk(stack, chain)
    out = np.empty_like(stack)
    for s in range(0, n, _CHUNK):  # chunks keep the coordinate arrays in cache
        e = min(n, s + _CHUNK)
        out[s:e] = _warp_chunk(stack[s:e], [(t, {k: v[s:e] for k, v in cols.items()}) for t, cols in chain])
    return out


def _warp_chunk(stack: np.ndarray, chain: list) -> np.ndarray:
    """:func:`warp_glyphs` of at most ``_CHUNK`` glyphs."""
    n = stack.shape[0]
    info = GlyphInfo(stack)
    steps: list = []  # in backward order (output -> input)
    for t, cols in reversed(chain):
        if not cols["applied"].any():
            continue
        kind, val = t.backward(cols, info)
        if kind == "affine" and steps and steps[-1][0] == "affine":
            steps[-1] = ("affine", val @ steps[-1][1])
        else:
            steps.append((kind, val))
    if not steps:
        return stack.copy()
    pts: np.ndarray | None = None  # (n, 2, 784) input coordinates of every output pixel
    for kind, val in steps:
        if kind == "affine":
            m = val[:, :2].astype(np.float32)
            pts = (m[:, :, :2] @ (_GRID if pts is None else pts)) + m[:, :, 2:3]
        elif pts is None:
            pts = _GRID + val.reshape(n, 2, _SIZE * _SIZE)
        else:
            pts = pts + _sample_field(val, pts[:, 0], pts[:, 1]).reshape(n, 2, -1)
    assert pts is not None  # steps is not empty
    strip = _to_strip(stack)
    # y in [-1, 28] stays inside this glyph's tile (rows -1 and 28 are blank)
    offs = (np.arange(n, dtype=np.float32) * _TILE + 1.0)[:, None]
    my = np.minimum(np.maximum(pts[:, 1], -1.0), float(_SIZE))  # np.clip, bit for bit, and cheaper
    my += _ROUND32
    my -= _ROUND32 - offs
    mx = pts[:, 0] + _ROUND32
    mx -= _ROUND32
    res = cv2.remap(
        strip,
        mx.reshape(n * _SIZE, _SIZE),
        my.reshape(n * _SIZE, _SIZE),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return res.reshape(n, _SIZE, _SIZE)


class GlyphInfo:
    """Lazily computed ink extents of a glyph stack (threshold: any ink > 0)."""

    def __init__(self, stack: np.ndarray):
        self.stack = stack
        self._rows: tuple[np.ndarray, np.ndarray] | None = None
        self._cols: tuple[np.ndarray, np.ndarray] | None = None

    def _extents(self):
        extents = ink_extents(self.stack).T.astype(np.float64)  # (4, n): left, right, top, bottom
        self._rows = extents[2], extents[3]
        self._cols = extents[0], extents[1]

    @property
    def rows(self):
        """(top, bottom) ink rows, inclusive, float64 arrays of length n."""
        if self._rows is None:
            self._extents()
        return self._rows

    @property
    def cols(self):
        """(left, right) ink columns, inclusive."""
        if self._cols is None:
            self._extents()
        return self._cols
