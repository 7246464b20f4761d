"""The on-disk cache of decoded arrays.

Arrays decoded from bundled or downloaded files are stored once as ``.npy``
and memory-mapped afterwards, so a new process pays microseconds, not a
decompression.  The cache lives in the user cache directory
(``platformdirs.user_cache_dir("number-generator")``) unless the environment
variable ``NUMBER_GENERATOR_CACHE`` names another folder.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from number_generator.io.atomic import atomic_write_bytes

CACHE_ENV = "NUMBER_GENERATOR_CACHE"


def cache_dir() -> Path:
    """The folder holding cached arrays (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("number-generator", appauthor=False))


def save_npy_atomic(path: Path, array: np.ndarray) -> None:
    """Save ``array`` as ``.npy`` at ``path`` atomically (see :func:`number_generator.io.atomic.atomic_file`)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    atomic_write_bytes(path, buffer.getbuffer())


def cached_array(relative_path: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """Memory-map the cached array at ``relative_path``, building it first if needed.

    ``build`` is called only when the cache file is missing or unreadable; its
    result is saved atomically, so concurrent processes at worst build twice.
    The returned array is read-only.
    """
    path = cache_dir() / relative_path
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (FileNotFoundError, ValueError, OSError):
        pass
    array = build()
    try:
        save_npy_atomic(path, array)
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except OSError:
        # A read-only or full cache must not stop generation: use memory.
        array = np.array(array, copy=True)
        array.setflags(write=False)
        return array
