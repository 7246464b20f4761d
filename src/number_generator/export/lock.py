"""An exclusive lock on an export's output folder, so two runs never write into one export.

The lock is ``fcntl.flock`` on the file ``.number-generator.lock`` in the
output folder; the file names the holder (pid, host, run id, start time) for
the message of a refused run.  The kernel releases the lock when its process
dies (even by SIGKILL), so a lock file left by a dead run is simply taken
over: no stale lock to clean by hand.  The holder deletes the file when it
finishes.  A process may take the lock it holds again (re-entrant), and
forked pool workers share their parent's.

Limits: ``flock`` works on local file systems and, on Linux, on NFS (where
the kernel maps it to NFS byte-range locks); it is advisory (programs that
ignore it are not stopped); on systems without ``fcntl`` (Windows) nothing is
locked.  Object stores (``s3://`` ...) cannot be locked this way: see
:meth:`number_generator.export.storage.FsspecStorage.lock`.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".number-generator.lock"

_held: dict[tuple[int, str], int] = {}  # (pid, folder) -> depth of re-entrant holds in this process


class OutputLockedError(ValueError):
    """Another live run holds the output folder (the CLI exits 2 with this message)."""


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096)
    try:
        info = json.loads(raw)
        return f"pid {info['pid']} on host {info['host']}, run {info['run']}, since {info['since']}"
    except (ValueError, KeyError, TypeError):
        return "a run that is starting"


def _acquire(path: Path, run_id: str) -> int:
    """Take the lock file at ``path`` (waiting for nothing); return its descriptor."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputLockedError(
                f"{path.parent} is being written by another export ({holder}); "
                "wait for it to finish or stop it, then re-run"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:  # a holder that just finished unlinks the file: make sure we locked the one at `path`
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    since = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    record = {"pid": os.getpid(), "host": socket.gethostname(), "run": run_id, "since": since}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
    return fd


@contextmanager
def folder_lock(folder: str | os.PathLike[str], run_id: str) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (an existing local directory) for the ``with`` block.

    Raises
    ------
    OutputLockedError
        Another live process holds it; the message names that process (pid and host).
    """
    if fcntl is None:  # pragma: no cover - Windows: documented as not locked
        yield
        return
    key = (os.getpid(), os.path.realpath(folder))
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = Path(folder) / LOCK_NAME
    fd = _acquire(path, run_id)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        path.unlink(missing_ok=True)  # still holding the lock: the next run locks a new file
        os.close(fd)
