"""Where an export is written: a local folder or any fsspec URL, behind one small interface.

Both backends write every file and shard folder atomically (a temporary name,
then a rename: :mod:`number_generator.io.atomic` locally, ``mv`` through
fsspec), and remove the temporary file or folder when a write fails.  Every
temporary name carries the run id (``.tmp-<run>-<name>``), so a cleanup
removes only the leftovers of runs that are over, never the files of a run
still writing.

Locking (:meth:`LocalStorage.lock`): a local folder (or a ``file://`` URL)
is locked with :func:`number_generator.export.lock.folder_lock`.  Other
fsspec targets (``s3://``, ``gs://`` ...) have no lock that excludes a second
writer, so an export to one is refused unless the caller passes
``lock=False`` (CLI ``--no-lock``), stating that no other run writes there;
such a run leaves other runs' temporary files alone.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xxhash

from number_generator.export.lock import folder_lock
from number_generator.io.atomic import TEMP_PREFIX, AtomicDirectory, atomic_file, naming_path, remove_path, temp_name

_CHUNK = 1 << 20


def new_run_id() -> str:
    """A fresh run id (12 hex digits): part of every temporary name the run writes."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Digests:
    """What a shard's check compares: its size and digests (hex) of its bytes.

    ``sha256`` guards against tampering (what ``export verify`` checks);
    ``xxh3_128`` (XXH3, 128 bits, non-cryptographic, ~15x faster) catches any
    accidental damage (what a resume checks).  ``sha256`` is ``None`` when a
    fast check did not compute it.
    """

    size: int
    sha256: str | None
    xxh3_128: str


def _digests(chunks: Iterable[bytes | memoryview], sha256: bool) -> Digests:
    """Both digests of ``chunks`` in one pass over their bytes (each chunk is hashed by both while in cache)."""
    secure = hashlib.sha256() if sha256 else None
    fast, size = xxhash.xxh3_128(), 0
    for chunk in chunks:
        if secure is not None:
            secure.update(chunk)
        fast.update(chunk)
        size += len(chunk)
    return Digests(size, None if secure is None else secure.hexdigest(), fast.hexdigest())


def bytes_digests(data: bytes | memoryview, *, sha256: bool = True) -> Digests:
    """:class:`Digests` of bytes in memory (a member of a png shard)."""
    return _digests([data], sha256)


def file_digests(fh: IO[bytes], *, sha256: bool = True) -> Digests:
    """:class:`Digests` of a file object's contents, from its start; ``sha256=False``: XXH3-128 only.

    A regular local file is hashed through a read-only memory map, 1 MiB at a
    time by both hashes: no copy of its bytes into Python buffers (about 10 %
    less CPU than reading it) and one pass over them; any other file object
    (fsspec, in memory) is read in 1 MiB chunks.  A file being written is
    flushed first.
    """
    fh.seek(0)  # a buffered file being written flushes here
    try:
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as view, memoryview(view) as whole:
            return _digests((whole[i : i + _CHUNK] for i in range(0, size, _CHUNK)), sha256)
    except (AttributeError, OSError, ValueError):  # no descriptor, not mappable, or empty: read it
        pass
    return _digests(iter(lambda: fh.read(_CHUNK), b""), sha256)


def folder_digests(members: dict[str, Digests]) -> Digests:
    """Digests of a png shard: each digest taken over its files' names and digests, in name order; the size is
    the sum of theirs.  ``sha256`` is ``None`` unless every member has one."""
    secure = hashlib.sha256() if all(d.sha256 is not None for d in members.values()) else None
    fast, size = xxhash.xxh3_128(), 0
    for name in sorted(members):
        member = members[name]
        if secure is not None:
            secure.update(name.encode() + b"\0" + bytes.fromhex(member.sha256 or ""))
        fast.update(name.encode() + b"\0" + bytes.fromhex(member.xxh3_128))
        size += member.size
    return Digests(size, None if secure is None else secure.hexdigest(), fast.hexdigest())


def is_temporary(name: str, run_id: str | None = None) -> bool:
    """Whether ``name`` is a temporary name (of run ``run_id`` when given)."""
    return name.startswith(f"{TEMP_PREFIX}{run_id}-" if run_id else TEMP_PREFIX)


class _CollectedDirectory:
    """fsspec: members gathered in memory, then written under a temporary name and moved into place."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, name: str, data: bytes) -> None:
        self.files[name] = data


class LocalStorage:
    """A folder on the local file system (plain os calls).

    Parameters
    ----------
    root : path
        The export folder (created by :meth:`prepare`).
    run_id : str, optional
        This run's id (default: a new one); workers of one run share it.
    """

    supports_flat = True

    def __init__(self, root: str | os.PathLike[str], run_id: str | None = None):
        self.root = Path(root)
        self.url = str(self.root)
        self.run_id = run_id or new_run_id()

    def prepare(self) -> None:
        """Create the folder; ``ValueError`` if the path is a file."""
        if self.root.exists() and not self.root.is_dir():
            raise ValueError(f"output path {self.root} is a file, not a directory")
        self.root.mkdir(parents=True, exist_ok=True)

    def lock(self, enabled: bool = True) -> Any:
        """A context manager holding the output's exclusive lock (see :mod:`number_generator.export.lock`)."""
        return folder_lock(self.root, self.run_id) if enabled else nullcontext()

    def list(self, folder: str = "") -> list[str]:
        """Names in the root (or in ``folder`` under it); empty if it does not exist."""
        try:
            return os.listdir(self.root / folder)
        except (FileNotFoundError, NotADirectoryError):
            return []

    def is_dir(self, name: str) -> bool:
        return (self.root / name).is_dir()

    def read(self, name: str) -> bytes | None:
        """Contents of file ``name``, or ``None`` if it is missing (or a folder)."""
        try:
            return (self.root / name).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def digest(self, name: str, *, sha256: bool = True) -> Digests | None:
        """:class:`Digests` of file ``name`` (``sha256=False``: XXH3-128 only), or ``None`` if it is missing."""
        try:
            with open(self.root / name, "rb") as fh:
                return file_digests(fh, sha256=sha256)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def exists(self, name: str) -> bool:
        return (self.root / name).exists()

    def remove(self, name: str) -> None:
        remove_path(self.root / name)

    @contextmanager
    def open_file(self, name: str) -> Iterator[IO[bytes]]:
        """Write file ``name`` atomically through the yielded file object (readable, seekable)."""
        with atomic_file(self.root / name, tag=self.run_id) as fh:
            yield fh

    def write(self, name: str, data: bytes) -> None:
        """Write file ``name`` atomically."""
        with self.open_file(name) as fh:
            fh.write(data)

    def directory(self, name: str, *, merge: bool = False) -> AtomicDirectory:
        """Folder ``name`` written atomically; ``merge=True``: its members renamed into the root instead
        (the flat layout; ``name`` then only labels the temporary folder)."""
        if merge:
            return AtomicDirectory(self.root, tag=self.run_id, merge_label=name)
        return AtomicDirectory(self.root / name, tag=self.run_id)

    def remove_temporaries(self, run_id: str | None = None) -> None:
        """Remove temporary files and folders (of run ``run_id`` only, when given) in the root and ``.index``."""
        for folder in ("", ".index"):
            for name in self.list(folder):
                if is_temporary(name, run_id):
                    remove_path(self.root / folder / name)


class FsspecStorage:
    """Any fsspec URL (``file://``, ``s3://``, ...): temporary names and ``mv`` for atomicity.

    A shard is built in memory and written in one ``pipe``; folders are
    written member by member under a temporary name and moved (on object
    stores a move is a copy and a delete, not atomic, so readers may briefly
    see a partly moved folder; the manifest records a shard only after its
    move, so a resume never trusts one).
    """

    supports_flat = False

    def __init__(self, url: str, run_id: str | None = None):
        try:
            import fsspec
        except ImportError:  # pragma: no cover - fsspec comes with the dask extra
            raise ValueError(f"output URL {url!r} needs fsspec: pip install 'number-generator[dask]'") from None
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.run_id = run_id or new_run_id()

    def _p(self, name: str) -> str:
        return f"{self.root}/{name}" if name else self.root

    @property
    def local_path(self) -> Path | None:
        """The folder on this machine when the URL is a local one (``file://``), else ``None``."""
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        return Path(self.root) if {"file", "local"} & set(protocols) else None

    def prepare(self) -> None:
        if self.fs.isfile(self.root):
            raise ValueError(f"output {self.url} is a file, not a directory")
        self.fs.makedirs(self.root, exist_ok=True)

    def lock(self, enabled: bool = True) -> Any:
        """The folder lock for ``file://`` URLs; for other URLs, ``ValueError`` unless ``enabled`` is false."""
        if not enabled:
            return nullcontext()
        if self.local_path is not None:
            return folder_lock(self.local_path, self.run_id)
        raise ValueError(
            f"{self.url} cannot be locked against a second export writing there at the same time (only local "
            "folders can); if no other run writes there, pass --no-lock (library: lock=False)"
        )

    def list(self, folder: str = "") -> list[str]:
        try:
            return [p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self._p(folder), detail=False)]
        except (FileNotFoundError, NotADirectoryError):
            return []

    def is_dir(self, name: str) -> bool:
        return self.fs.isdir(self._p(name))

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._p(name))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def digest(self, name: str, *, sha256: bool = True) -> Digests | None:
        try:
            if self.fs.isdir(self._p(name)):
                return None
            with self.fs.open(self._p(name), "rb") as fh:
                return file_digests(fh, sha256=sha256)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def exists(self, name: str) -> bool:
        return self.fs.exists(self._p(name))

    def remove(self, name: str) -> None:
        if self.fs.exists(self._p(name)):
            self.fs.rm(self._p(name), recursive=True)

    def _discard(self, path: str) -> None:
        try:
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)
        except OSError:  # pragma: no cover - best effort while another error propagates
            pass

    @contextmanager
    def open_file(self, name: str) -> Iterator[IO[bytes]]:
        buffer = io.BytesIO()
        yield buffer
        self.write(name, buffer.getbuffer())

    def write(self, name: str, data: bytes | memoryview) -> None:
        folder, _, base = name.rpartition("/")
        tmp = self._p(f"{folder}/{temp_name(base, self.run_id)}" if folder else temp_name(base, self.run_id))
        try:
            self.fs.pipe_file(tmp, bytes(data))
            self.fs.mv(tmp, self._p(name))
        except BaseException as exc:
            self._discard(tmp)
            if isinstance(exc, OSError):
                raise naming_path(exc, f"{self.url}/{name}") from exc
            raise

    @contextmanager
    def directory(self, name: str, *, merge: bool = False) -> Iterator[_CollectedDirectory]:
        if merge:
            raise ValueError("the flat layout writes to a local directory only")
        collected = _CollectedDirectory()
        yield collected
        tmp = self._p(temp_name(name, self.run_id))
        try:
            self.fs.makedirs(tmp, exist_ok=True)
            self.fs.pipe({f"{tmp}/{file_name}": data for file_name, data in collected.files.items()})
            self.remove(name)
            self.fs.mv(tmp, self._p(name), recursive=True)
        except BaseException as exc:
            self._discard(tmp)
            if isinstance(exc, OSError):
                raise naming_path(exc, f"{self.url}/{name}") from exc
            raise

    def remove_temporaries(self, run_id: str | None = None) -> None:
        for folder in ("", ".index"):
            for name in self.list(folder):
                if is_temporary(name, run_id):
                    self._discard(self._p(f"{folder}/{name}" if folder else name))


Storage = LocalStorage | FsspecStorage


def open_storage(out: str | os.PathLike[str], run_id: str | None = None) -> Storage:
    """A plain path is written with os calls; a URL (``scheme://...``) through fsspec."""
    if isinstance(out, str) and "://" in out:
        return FsspecStorage(out, run_id)
    return LocalStorage(out, run_id)
