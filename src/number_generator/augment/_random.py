"""Cheap, replayable randomness for transforms: per-sample noise seeds and noise banks.

Transform parameters must be plain data so that a sample can be recorded and
replayed.  Large random arrays (displacement fields, pixel noise, paper texture)
are therefore never stored in the parameters: the parameters hold a small integer
(a *seed* or an *offset*) from which the array is regenerated deterministically.

* :func:`seeded_uniform` regenerates uniform noise from a 63-bit seed.  Building a
  fresh ``numpy.random.default_rng(seed)`` costs ~6 µs because of ``SeedSequence``
  hashing; here one PCG64 bit generator per thread is re-positioned instead
  (< 1 µs).  The stream depends only on the seed.
* :func:`gaussian_bank` / :func:`uniform_bank` are fixed tables of noise generated
  once per process from a fixed seed (identical in every process and worker);
  an image transform samples a random *offset* into the table.  Drawing 8,400
  fresh Gaussian values costs ~70 µs, slicing the table costs ~2 µs.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

#: Largest seed value drawn for noise seeds (exclusive).
SEED_HIGH = 2**63

_MIX = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd 128-bit constant
_INC = 0xDA3E39CB94B95BDB0D3C1A2B3C4D5E6F | 1
_MASK128 = (1 << 128) - 1

_local = threading.local()


def _generator_for(seed: int) -> np.random.Generator:
    state = getattr(_local, "state", None)
    if state is None:
        bitgen = np.random.PCG64(0)
        _local.bitgen = bitgen
        _local.gen = np.random.Generator(bitgen)
        _local.state = state = bitgen.state
    state["state"]["state"] = (int(seed) * _MIX) & _MASK128
    state["state"]["inc"] = _INC
    state["has_uint32"] = 0
    state["uinteger"] = 0
    _local.bitgen.state = state
    return _local.gen


def seeded_uniform(seed: int, shape, low: float = -1.0, high: float = 1.0, out=None) -> np.ndarray:
    """Uniform float32 noise in ``[low, high)`` that depends only on ``seed``.

    Parameters
    ----------
    seed : int
        Integer in ``[0, 2**63)``.
    shape : tuple of int
        Output shape.
    low, high : float
        Range of the values.
    out : numpy.ndarray, optional
        float32 C-contiguous array of ``shape`` to fill.

    Returns
    -------
    numpy.ndarray
        float32 array of ``shape``.
    """
    gen = _generator_for(seed)
    if out is None:
        out = gen.random(shape, dtype=np.float32)
    else:
        gen.random(dtype=np.float32, out=out)
    if low != 0.0 or high != 1.0:
        out *= np.float32(high - low)
        out += np.float32(low)
    return out


BANK_SIZE = 1 << 19  # 512 Ki values, 2 MiB as float32


@lru_cache(maxsize=None)
def gaussian_bank() -> np.ndarray:
    """Fixed table of ``BANK_SIZE`` standard-normal float32 values (read-only)."""
    bank = np.random.default_rng(0x5EED_6A55).standard_normal(BANK_SIZE, dtype=np.float32)
    bank.flags.writeable = False
    return bank


@lru_cache(maxsize=None)
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


def draw_offset(rng: np.random.Generator) -> int:
    """Random offset into a bank."""
    return int(rng.integers(0, BANK_SIZE))


TEXTURE_COUNT = 8
TEXTURE_SHAPE = (64, 1024)


@lru_cache(maxsize=None)
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
            smooth = cv2.GaussianBlur(noise, (0, 0), sigma, borderType=cv2.BORDER_REFLECT101)
            smooth /= max(float(smooth.std()), 1e-6)
            acc += weight * smooth
        fibres = rng.standard_normal((h, w), dtype=np.float32)
        fibres = cv2.GaussianBlur(fibres, (0, 0), sigmaX=12.0, sigmaY=0.6)
        fibres /= max(float(fibres.std()), 1e-6)
        acc += 0.3 * fibres
        acc -= acc.min()
        acc /= max(float(acc.max()), 1e-6)
        out[i] = acc
    out.flags.writeable = False
    return out
