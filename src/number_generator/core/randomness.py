"""The one randomness policy.

Callers pass ``seed``: ``None`` (fresh randomness), a non-negative ``int``, or
a ``numpy.random.Generator`` (used as is, and advanced).  Sample ``i`` of a
batch or dataset derives its own generator from ``(seed, i)``, so samples can
be made in any order, in any process, and come out the same.
"""

from __future__ import annotations

import os

import numpy as np

from number_generator.core.validation import InvalidTypeError

SeedLike = "int | numpy.random.Generator | None"

_global: np.random.Generator | None = None


def _reset_global() -> None:
    global _global
    _global = None


# A forked worker must not replay its parent's stream.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_global)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidTypeError(f"seed must be a non-negative integer, a numpy Generator or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return int(seed)


def as_generator(seed: object = None) -> np.random.Generator:
    """A ``numpy.random.Generator`` for ``seed``.

    ``None`` gives a process-wide generator seeded from the OS once (cheaper
    than a new one per call, re-seeded in forked children).
    """
    global _global
    if seed is None:
        if _global is None:
            _global = np.random.default_rng()
        return _global
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_check_seed(seed))


def base_seed(seed: object = None) -> int:
    """An ``int`` seed for a batch: ``seed`` itself, or one drawn from it / from the OS."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    return _check_seed(seed)


def sample_generator(seed: int, index: int) -> np.random.Generator:
    """The generator of sample ``index`` of a batch made with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence((seed, index))))


SeedArgument = int | np.integer | np.random.Generator | None


def seed_argument(seed: SeedArgument = None, random_seed: SeedArgument = None) -> SeedArgument:
    """The seed of a call that accepts ``seed=`` and its alias ``random_seed=`` (the original project's name).

    Raises ``ValueError`` when both are given with different values.
    """
    if random_seed is None:
        return seed
    if seed is not None and seed is not random_seed and seed != random_seed:
        raise ValueError(f"give seed or random_seed, not both (got seed={seed!r}, random_seed={random_seed!r})")
    return random_seed
