"""Cheap, replayable randomness for transforms: per-sample noise seeds and noise banks.

Transform parameters must be plain data so that a sample can be recorded and
replayed.  Large random arrays (displacement fields, pixel noise, paper texture)
are therefore never stored in the parameters: the parameters hold a small integer
(a *seed* or an *offset*) from which the array is regenerated deterministically.

* :func:`smooth_noise_bank` holds, per smoothing sigma, a wide image of uniform
  noise in [-1, 1] smoothed by a Gaussian of that sigma: an elastic displacement
  field is a 28 x 28 crop of it (statistically the same as smoothing a 28 x 28
  noise patch, minus the border effects, and ~10x cheaper per glyph).
* :func:`gaussian_bank` / :func:`uniform_bank` are fixed tables of noise generated
  once per process from a fixed seed (identical in every process and worker);
  an image transform samples a random *offset* into the table.  Drawing 8,400
  fresh Gaussian values costs ~70 µs, slicing the table costs ~2 µs.
"""

from __future__ import annotations

import threading
from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BANK_SIZE = 1 << 19  # 512 Ki values, 2 MiB as float32


@cache
def gaussian_bank() -> np.ndarray:
    """Fixed table of ``BANK_SIZE`` standard-normal float32 values (read-only)."""
    bank = np.random.default_rng(0x5EED_6A55).standard_normal(BANK_SIZE, dtype=np.float32)
    bank.flags.writeable = False
    return bank


@cache
def uniform_bank() -> np.ndarray:
    """Fixed table of ``BANK_SIZE`` float32 values uniform in ``[0, 1)`` (read-only)."""
    bank = np.random.default_rng(0x5EED_0001).random(BANK_SIZE, dtype=np.float32)
    bank.flags.writeable = False
    return bank


def bank_window(bank: np.ndarray, offset: int, shape) -> np.ndarray:
    """View (or wrapped copy) of ``prod(shape)`` consecutive bank values from ``offset``."""
    size = int(np.prod(shape))
    offset = int(offset) % bank.size
    if offset + size <= bank.size:
        return bank[offset : offset + size].reshape(shape)
    return np.resize(np.roll(bank, -offset), size).reshape(shape)


TEXTURE_COUNT = 8
TEXTURE_SHAPE = (64, 1024)


@cache
def paper_textures() -> np.ndarray:
    """Fixed set of paper-like textures, float32 ``(TEXTURE_COUNT, 64, 1024)`` in ``[0, 1]``.

    Each texture is a sum of octaves of smoothed noise (large blotches plus fine
    grain and a few horizontal fibres), normalised to ``[0, 1]`` where 1 is the
    darkest spot.  Generated once per process from a fixed seed.
    """
    import cv2

    rng = np.random.default_rng(0x9A9E8)
    h, w = TEXTURE_SHAPE
    out = np.empty((TEXTURE_COUNT, h, w), np.float32)
    for i in range(TEXTURE_COUNT):
        acc = np.zeros((h, w), np.float32)
        for sigma, weight in ((16.0, 1.0), (6.0, 0.6), (2.0, 0.35), (0.7, 0.25)):
            noise = rng.standard_normal((h, w), dtype=np.float32)
            smooth: np.ndarray = cv2.GaussianBlur(noise, (0, 0), sigma, borderType=cv2.BORDER_REFLECT101)
            smooth /= max(float(smooth.std()), 1e-6)
            acc += weight * smooth
        fibre_noise = rng.standard_normal((h, w), dtype=np.float32)
        fibres: np.ndarray = cv2.GaussianBlur(fibre_noise, (0, 0), sigmaX=12.0, sigmaY=0.6)
        fibres /= max(float(fibres.std()), 1e-6)
        acc += 0.3 * fibres
        acc -= acc.min()
        acc /= max(float(acc.max()), 1e-6)
        out[i] = acc
    out.flags.writeable = False
    return out


def texture_offsets(shape) -> list[tuple[str, tuple[int, int]]]:
    """Uniform draws choosing a texture and a crop of ``shape`` in it (see :func:`texture_window`)."""
    th, tw = TEXTURE_SHAPE
    return [("texture", (0, TEXTURE_COUNT)), ("x", (0, tw)), ("y", (0, max(1, th - shape[0] + 1)))]


def round_texture_offsets(params: dict) -> dict:
    """The draws of :func:`texture_offsets` as whole numbers (in place; returns ``params``)."""
    for k in ("texture", "x", "y"):
        params[k] = int(params[k])
    return params


def texture_window(index: int, x: int, y: int, shape) -> np.ndarray:
    """A ``shape`` crop of paper texture ``index`` at column ``x``, row ``y`` (wrapping around in x).

    A view when it fits; rows beyond the texture's height repeat it.
    """
    h, w = shape
    tex = paper_textures()[int(index) % TEXTURE_COUNT]
    th, tw = tex.shape
    y = int(y) % max(1, th - h + 1) if h <= th else 0
    rows = tex[y : y + h] if h <= th else np.resize(tex, (h, tw))
    x = int(x) % tw
    if x + w <= tw:
        return rows[:, x : x + w]
    return np.take(rows, np.arange(x, x + w) % tw, axis=1)  # wrap around (the seam is faint)


SMOOTH_BANK_SHAPE = (48, 8192)
#: Elastic smoothing sigmas are rounded to multiples of this (px), one bank per value.
SIGMA_STEP = 0.25
#: Largest smoothing sigma (px) with a bank: ``ElasticDistortion`` accepts sigma up to 12.
MAX_SIGMA = 12.0

_SIGMA_INDICES = int(round(MAX_SIGMA / SIGMA_STEP)) + 1
# Every bank in one array (bank i: sigma = i * SIGMA_STEP), filled on first use.  np.empty of 75 MB
# reserves address space only: the pages of a bank are committed when it is filled.
_smooth_banks = np.empty((_SIGMA_INDICES, *SMOOTH_BANK_SHAPE), np.float32)
_filled = np.zeros(_SIGMA_INDICES, bool)
_filling = threading.Lock()  # one thread fills a bank; readers see it only once it is whole


def smooth_noise_banks(indices) -> np.ndarray:
    """All smoothed noise banks, float32 ``(49, *SMOOTH_BANK_SHAPE)``; bank ``i`` is :func:`smooth_noise_bank`
    of sigma ``i * SIGMA_STEP``, and those of ``indices`` (ints in [1, 48]) are filled on return.

    One array, so crops of banks of many sigmas are gathered in one indexing step; only filled
    banks may be read.
    """
    indices = np.asarray(indices, np.intp)
    if not _filled[indices].all():
        import cv2

        with _filling:
            for i in np.unique(indices[~_filled[indices]]).tolist():
                rng = np.random.default_rng((0xE1A57, i))
                noise = rng.random(SMOOTH_BANK_SHAPE, dtype=np.float32) * np.float32(2.0) - np.float32(1.0)
                sigma = i * SIGMA_STEP
                _smooth_banks[i] = cv2.GaussianBlur(noise, (0, 0), sigma, borderType=cv2.BORDER_REFLECT101)
                _filled[i] = True
    return _smooth_banks


@cache
def _bank_windows(size: int) -> np.ndarray:
    """Every ``size`` x ``size`` crop of every bank: a view ``(49, 48 - size + 1, 8192 - size + 1, size, size)``."""
    return sliding_window_view(smooth_noise_banks([]), (1, size, size))[:, :, :, 0]


def smooth_noise_crops(indices: np.ndarray, y: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Crops ``bank[indices][y : y + size, x : x + size]`` of the smoothed noise banks, in one gather.

    Parameters
    ----------
    indices, y, x : numpy.ndarray
        Integer arrays of one shape ``S``: bank index (sigma / ``SIGMA_STEP``, in [1, 48]) and the
        crop's top row and left column (within the bank).

    Returns
    -------
    numpy.ndarray
        float32 ``(*S, size, size)``, a new array.
    """
    smooth_noise_banks(indices)
    return _bank_windows(size)[indices, y, x]


def smooth_noise_bank(sigma: float) -> np.ndarray:
    """Uniform [-1, 1] noise smoothed by a normalised Gaussian of ``sigma`` px (a multiple of ``SIGMA_STEP``).

    float32 ``SMOOTH_BANK_SHAPE`` (1.5 MiB), generated on first use per sigma from a
    fixed seed (identical in every process), a read-only view of :func:`smooth_noise_banks`.
    """
    i = int(round(sigma / SIGMA_STEP))
    bank = smooth_noise_banks([i])[i]
    bank.flags.writeable = False
    return bank
