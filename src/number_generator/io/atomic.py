"""Atomic writes on the local file system: the one place the package creates files.

A file (:func:`atomic_file`, :func:`atomic_write_bytes`) or a directory
(:class:`AtomicDirectory`) is written under a hidden temporary name in its
final folder and renamed into place when complete, so readers never see a
partly written file.  When a write fails for any reason (a full disk, an
exception, Ctrl-C) the temporary file or directory is removed before the
error propagates, and an ``OSError`` raised while writing (``ENOSPC`` has no
file name of its own) is re-raised naming the final path the user asked for.

Temporary names are ``.tmp-<tag>-<name>``.  The tag is unique per process and
thread by default; exports pass their run id, so a cleanup can tell one run's
leftovers from another's (see :mod:`number_generator.export.storage`).

What is *not* done: no ``fsync``.  After a power cut a renamed file may be
empty or short; exports detect that by checksum (``number-generator export
verify``) and a re-run rewrites the shard.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".tmp-"
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def default_tag() -> str:
    """A temporary-name tag unique to this process and thread: ``<pid>x<thread id>``."""
    return f"{os.getpid()}x{threading.get_ident()}"


def temp_name(name: str, tag: str | None = None) -> str:
    """The hidden temporary name under which ``name`` is written: ``.tmp-<tag>-<name>``."""
    return f"{TEMP_PREFIX}{tag or default_tag()}-{name}"


def create_file(path: str | os.PathLike[str], *, dir_fd: int | None = None) -> BinaryIO:
    """Create a new file (``O_EXCL``) open for reading and writing: every file the package writes starts here.

    The tests replace this function to simulate a full disk.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o644, dir_fd=dir_fd)
    return os.fdopen(fd, "w+b")


def naming_path(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """``exc`` re-made to name ``path`` when it names no file (``ENOSPC`` from a write names none)."""
    if exc.filename is not None or not exc.errno:
        return exc
    return type(exc)(exc.errno, exc.strerror, os.fspath(path))


def remove_path(path: Path) -> None:
    """Remove a file or a directory tree; nothing if it does not exist."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def atomic_file(path: str | os.PathLike[str], *, tag: str | None = None) -> Iterator[BinaryIO]:
    """Yield a file object for ``path``'s temporary name; rename it to ``path`` when the block ends cleanly.

    The parent folder is created if needed.  On any exception the temporary
    file is removed and the exception propagates (an ``OSError`` naming
    ``path``, see :func:`naming_path`).
    """
    path = Path(path)
    tmp = path.parent / temp_name(path.name, tag)
    try:
        try:
            fh = create_file(tmp)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = create_file(tmp)
        with fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise naming_path(exc, path) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | memoryview, *, tag: str | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (see :func:`atomic_file`)."""
    with atomic_file(path, tag=tag) as fh:
        fh.write(data)


class AtomicDirectory:
    """A directory written member by member under a temporary name, then renamed into place.

    >>> with AtomicDirectory(root / "shard-00000") as d:  # doctest: +SKIP
    ...     d.add("00000000.png", png_bytes)

    With ``merge_label`` the members are written in a temporary folder
    *inside* ``path`` (an existing folder, e.g. the root of a flat export;
    ``merge_label`` names that temporary folder) and renamed one by one into
    ``path``, replacing files of the same name.  Without it an existing
    ``path`` is replaced as a whole.  On any exception the temporary folder and
    everything in it is removed.
    """

    def __init__(self, path: str | os.PathLike[str], *, tag: str | None = None, merge_label: str | None = None):
        self.path = Path(path)
        self.merge = merge_label is not None
        if merge_label is not None:
            self.tmp = self.path / temp_name(merge_label, tag)
        else:
            self.tmp = self.path.parent / temp_name(self.path.name, tag)
        self.names: list[str] = []
        self._fd: int | None = None

    def __enter__(self) -> AtomicDirectory:
        os.mkdir(self.tmp)
        try:
            self._fd = os.open(self.tmp, os.O_RDONLY | _O_CLOEXEC)
        except BaseException:
            os.rmdir(self.tmp)
            raise
        return self

    def add(self, name: str, data: bytes | memoryview) -> None:
        """Write member ``name`` (a plain file name, no folders) with ``data``."""
        with create_file(name, dir_fd=self._fd) as fh:
            fh.write(data)
        self.names.append(name)

    def _commit(self) -> None:
        if not self.merge:
            if self.path.exists():  # e.g. a shard finished but not recorded when the last run stopped
                remove_path(self.path)
            os.rename(self.tmp, self.path)
            return
        root = os.open(self.path, os.O_RDONLY | _O_CLOEXEC)
        try:
            for name in self.names:
                os.rename(name, name, src_dir_fd=self._fd, dst_dir_fd=root)
        finally:
            os.close(root)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        try:
            if exc_type is None:
                self._commit()
        except OSError as error:
            raise naming_path(error, self.path) from error
        finally:
            if self._fd is not None:
                os.close(self._fd)
            if self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            named = naming_path(exc, self.path)
            if named is not exc:
                raise named from exc
