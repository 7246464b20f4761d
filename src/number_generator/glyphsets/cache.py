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
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

CACHE_ENV = "NUMBER_GENERATOR_CACHE"


def cache_dir() -> Path:
    """The folder holding cached arrays (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("number-generator", appauthor=False))


def atomic_write_bytes(path: Path, data: bytes | memoryview) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Readers never see a partly written file; a crash leaves at most a stray
    ``.tmp`` file, never a truncated ``path``.
    """
    # The temporary name is unique per process and thread; O_EXCL is not
    # needed because no one else writes it.  (Cheaper than mkstemp: exports
    # call this once per image.)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_npy_atomic(path: Path, array: np.ndarray) -> None:
    """Save ``array`` as ``.npy`` at ``path`` atomically (see :func:`atomic_write_bytes`)."""
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
