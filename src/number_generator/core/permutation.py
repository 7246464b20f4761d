"""A keyed pseudo-random permutation of ``range(size)``, vectorised.

Used to hand out distinct phone numbers without coordination: sample ``i``
gets number ``permutation(i)``, so any shard, made anywhere, draws numbers
no other index draws.  The permutation is a balanced Feistel network over the
smallest even power of two >= ``size``, with cycle walking to stay in range.
It is not cryptographic; it only has to be a bijection that looks random.
"""

from __future__ import annotations

import numpy as np

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fast, well-spread 64-bit hash (arrays wrap silently)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _C1
    x = x ^ (x >> np.uint64(27))
    x = x * _C2
    return x ^ (x >> np.uint64(31))


class KeyedPermutation:
    """Bijection of ``range(size)`` chosen by ``key``.

    Parameters
    ----------
    size : int
        Number of elements, >= 1.
    key : int
        Any non-negative integer; different keys give unrelated permutations.
    rounds : int
        Feistel rounds (6 is plenty for statistical, non-adversarial use).
    """

    def __init__(self, size: int, key: int, rounds: int = 6):
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = int(size)
        self._half = max(1, (int(size - 1).bit_length() + 1) // 2)
        self._mask = np.uint64((1 << self._half) - 1)
        self._keys = np.random.SeedSequence(key).generate_state(rounds, dtype=np.uint64)

    def _encrypt(self, x: np.ndarray) -> np.ndarray:
        half = np.uint64(self._half)
        left, right = x >> half, x & self._mask
        for k in self._keys:
            left, right = right, left ^ (_mix(right ^ k) & self._mask)
        return (left << half) | right

    def __call__(self, index):
        """Image of ``index`` (an int or an integer array, each in ``[0, size)``)."""
        scalar = np.ndim(index) == 0
        x = np.atleast_1d(np.asarray(index, dtype=np.uint64))
        if x.size and int(x.max()) >= self.size:
            raise ValueError(f"index {int(x.max())} is outside the permutation's range 0..{self.size - 1}")
        y = self._encrypt(x)
        out = y >= self.size
        while out.any():
            y[out] = self._encrypt(y[out])
            out = y >= self.size
        return int(y[0]) if scalar else y.astype(np.int64)
