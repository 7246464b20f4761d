"""Sharded, resumable, verifiable exports of a :class:`~number_generator.data.dataset.SyntheticDataset`.

Layout of an export directory (or fsspec URL)::

    manifest.json          spec, spec hash, package version, format, and every finished shard + checksum
    shard-00000/           format "png": one directory per shard, renamed into place when complete
        00000000.png ...   sample i is <i>.png (zero-padded)
        _index.jsonl       this shard's metadata lines
    metadata.jsonl         (png) Hugging Face imagefolder metadata: file_name, text, boxes, index
    labels.csv             (png) file_name,text
    shard-00000.npz        format "npz": images uint8 (n, 28, W_max) padded with paper, widths, labels,
                           boxes (sum n_chars, 4) int32 with box_offsets (n + 1), indices
    shard-00000.tar        format "webdataset": KEY.png + KEY.json ({"text", "boxes", "index"})

Shard ``k`` holds samples ``[k * shard_size, (k + 1) * shard_size)`` and is a
pure function of ``(spec, k)``: it is written under a temporary name and
renamed (one rename per shard, whatever its size), then recorded in the
manifest.  Re-running the same export skips recorded shards and redoes the
rest, so an interrupted and resumed export is byte-identical to an
uninterrupted one.  A different spec, format or shard size in an existing
output is refused.  No file contains a timestamp.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import queue
import shutil
import signal
import tarfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from number_generator.core.validation import MAX_COUNT, check_int
from number_generator.data.dataset import DatasetSpec, SyntheticDataset, load_spec
from number_generator.io.png import encode_png

__all__ = [
    "EXPORT_FORMATS",
    "ExportResult",
    "export_dataset",
    "verify_export",
]

EXPORT_FORMATS = ("png", "npz", "webdataset")
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "number-generator-export/1"
METADATA = "metadata.jsonl"
LABELS = "labels.csv"
SHARD_INDEX = "_index.jsonl"
FLAT_INDEX_DIR = ".index"  # flat layout: one <shard>.jsonl per finished shard
MAX_WORKERS = 256
_EXT = {"png": "", "npz": ".npz", "webdataset": ".tar"}
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
BLOCK = 512  # samples rendered per vectorised step (bigger blocks fall out of the CPU caches)


def _package_version() -> str:
    from number_generator import __version__

    return __version__


def shard_count(count: int, shard_size: int) -> int:
    return -(-count // shard_size)


def shard_name(k: int, n_shards: int) -> str:
    return f"shard-{k:0{max(5, len(str(n_shards - 1)))}d}"


def sample_key(i: int, count: int) -> str:
    return f"{i:0{max(8, len(str(count - 1)))}d}"


def flat_file_name(prefix: str, i: int, count: int) -> str:
    """Flat layout: ``<prefix><i>.png``, zero-padded to at least 6 digits so names sort in index order."""
    return f"{prefix}{i:0{max(6, len(str(count - 1)))}d}.png"


def _flat_prefix(layout: str) -> str | None:
    return layout[len("flat:") :] if layout.startswith("flat:") else None


# --------------------------------------------------------------------------- outputs


class _LocalOutput:
    """A directory on the local file system (fast path: plain os calls)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.url = str(self.root)

    def prepare(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise ValueError(f"output path {self.root} is a file, not a directory")
        self.root.mkdir(parents=True, exist_ok=True)

    def list(self) -> list[str]:
        return os.listdir(self.root) if self.root.is_dir() else []

    def read(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return (self.root / name).exists()

    def remove(self, name: str) -> None:
        path = self.root / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def write(self, name: str, data: bytes) -> None:
        tmp = self.root / f".tmp-{uuid.uuid4().hex}-{name.replace('/', '_')}"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, self.root / name)

    def write_with(self, name: str, writer: Callable) -> tuple[str, int]:
        """Stream ``writer(file)`` into a temporary file, rename it to ``name``; return its SHA-256 and size."""
        tmp = self.root / f".tmp-{uuid.uuid4().hex}-{name}"
        try:
            with open(tmp, "w+b") as fh:
                writer(fh)
                size = fh.seek(0, os.SEEK_END)
                fh.seek(0)
                digest = (
                    hashlib.file_digest(fh, "sha256").hexdigest()
                    if hasattr(hashlib, "file_digest")
                    else hashlib.sha256(fh.read()).hexdigest()
                )
            os.replace(tmp, self.root / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return digest, size

    def write_dir(self, name: str, files: Iterable[tuple[str, bytes]]) -> None:
        """Write ``files`` into a temporary directory, then rename it to ``name`` (one rename)."""
        tmp = self.root / f".tmp-{uuid.uuid4().hex}-{name}"
        os.mkdir(tmp)
        try:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
                for file_name, data in files:
                    f = os.open(file_name, flags, 0o644, dir_fd=fd)
                    try:
                        os.write(f, data)
                    finally:
                        os.close(f)
            finally:
                os.close(fd)
            final = self.root / name
            if final.exists():  # finished but not yet recorded when the last run stopped
                shutil.rmtree(final)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def write_flat(self, index_name: str, files: Iterable[tuple[str, bytes]]) -> None:
        """Flat layout: write ``files`` in a temporary directory, rename each into the root, then
        write the shard's index (its record of completion) atomically."""
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        os.mkdir(tmp)
        try:
            names = []
            fd = os.open(tmp, os.O_RDONLY)
            try:
                for file_name, data in files:
                    if file_name == SHARD_INDEX:
                        index = data
                        continue
                    f = os.open(file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=fd)
                    try:
                        os.write(f, data)
                    finally:
                        os.close(f)
                    names.append(file_name)
                root = os.open(self.root, os.O_RDONLY)
                try:
                    for file_name in names:
                        os.rename(file_name, file_name, src_dir_fd=fd, dst_dir_fd=root)
                finally:
                    os.close(root)
            finally:
                os.close(fd)
            (self.root / FLAT_INDEX_DIR).mkdir(exist_ok=True)
            self.write(f"{FLAT_INDEX_DIR}/{index_name}", index)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def read_dir(self, name: str) -> dict[str, bytes] | None:
        path = self.root / name
        if not path.is_dir():
            return None
        return {p.name: p.read_bytes() for p in path.iterdir()}


class _FsspecOutput:
    """Any fsspec URL (``file://``, ``s3://``, ...): temporary names and ``mv`` for atomicity."""

    def __init__(self, url: str):
        try:
            import fsspec
        except ImportError:  # pragma: no cover - fsspec comes with the dask extra
            raise ValueError(f"output URL {url!r} needs fsspec: pip install 'number-generator[dask]'") from None
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)

    def _p(self, name: str) -> str:
        return f"{self.root}/{name}"

    def prepare(self) -> None:
        if self.fs.isfile(self.root):
            raise ValueError(f"output {self.url} is a file, not a directory")
        self.fs.makedirs(self.root, exist_ok=True)

    def list(self) -> list[str]:
        try:
            return [p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self.root, detail=False)]
        except FileNotFoundError:
            return []

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._p(name))
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self.fs.exists(self._p(name))

    def remove(self, name: str) -> None:
        if self.fs.exists(self._p(name)):
            self.fs.rm(self._p(name), recursive=True)

    def write(self, name: str, data: bytes) -> None:
        tmp = self._p(f".tmp-{uuid.uuid4().hex}-{name}")
        self.fs.pipe_file(tmp, data)
        self.fs.mv(tmp, self._p(name))

    def write_with(self, name: str, writer: Callable) -> tuple[str, int]:
        buffer = io.BytesIO()
        writer(buffer)
        data = buffer.getbuffer()
        self.write(name, data)
        return hashlib.sha256(data).hexdigest(), len(data)

    def write_dir(self, name: str, files: Iterable[tuple[str, bytes]]) -> None:
        tmp = self._p(f".tmp-{uuid.uuid4().hex}-{name}")
        self.fs.makedirs(tmp, exist_ok=True)
        try:
            self.fs.pipe({f"{tmp}/{file_name}": data for file_name, data in files})
            self.remove(name)
            self.fs.mv(tmp, self._p(name), recursive=True)
        except BaseException:
            if self.fs.exists(tmp):
                self.fs.rm(tmp, recursive=True)
            raise

    def read_dir(self, name: str) -> dict[str, bytes] | None:
        if not self.fs.isdir(self._p(name)):
            return None
        paths = self.fs.ls(self._p(name), detail=False)
        return {p.rstrip("/").rsplit("/", 1)[-1]: self.fs.cat_file(p) for p in paths}


def _output(out: str | os.PathLike) -> _LocalOutput | _FsspecOutput:
    """A plain path is written with os calls; a URL (``scheme://...``) through fsspec."""
    if isinstance(out, str) and "://" in out:
        return _FsspecOutput(out)
    return _LocalOutput(out)


# --------------------------------------------------------------------------- shard contents


def _meta(text: str, boxes: np.ndarray, index: int) -> dict:
    return {"text": text, "boxes": boxes.tolist(), "index": index}


def _dir_checksum(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def zip_member(name: str) -> zipfile.ZipInfo:
    """A zip member with a fixed timestamp and mode, so equal contents give equal bytes."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.external_attr = 0o644 << 16
    return info


def add_npz_arrays(zf: zipfile.ZipFile, arrays: dict[str, np.ndarray]) -> None:
    """Add ``NAME.npy`` members to an open zip (an ``.npz``), each streamed: no extra copy."""
    for name, array in arrays.items():
        with zf.open(zip_member(f"{name}.npy"), "w", force_zip64=array.nbytes > 2**30) as fh:
            np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)


def _write_npz(fh, arrays: dict[str, np.ndarray]) -> None:
    """An ``.npz`` (stored zip) with fixed timestamps, so equal arrays give equal bytes."""
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        add_npz_arrays(zf, arrays)


def _tar_bytes(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A tar with fixed owner, mode and mtime, so equal members give equal bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = (
                len(data),
                0,
                0o644,
                0,
                0,
                "",
                "",
            )
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _json_line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_shard(
    ds: SyntheticDataset,
    out,
    fmt: str,
    shard_size: int,
    k: int,
    progress: Callable[[int], None] | None = None,
    layout: str = "shards",
) -> dict:
    """Render shard ``k`` of ``ds`` and write it atomically to ``out``; return its manifest entry.

    ``layout="flat:PREFIX"`` (png only) puts the images of every shard in the
    root as ``PREFIX<i>.png`` (renamed in one by one) and the shard's index in
    ``.index/<shard>.jsonl``.
    """
    count = len(ds)
    n_shards = shard_count(count, shard_size)
    name = shard_name(k, n_shards)
    start, stop = k * shard_size, min((k + 1) * shard_size, count)
    done = 0

    def samples():
        """(index, text, boxes, uint8 image) in order, rendered in vectorised blocks."""
        nonlocal done
        for lo in range(start, stop, BLOCK):
            block = ds.render_block(lo, min(lo + BLOCK, stop))
            yield from zip(block.indices, block.texts, block.boxes, block.images)
            done += len(block.indices)
            if progress is not None:
                progress(len(block.indices))

    prefix = _flat_prefix(layout)
    if fmt == "png":
        files: dict[str, bytes] = {}
        lines = []
        for i, text, boxes, image in samples():
            if prefix is None:
                file_name = f"{sample_key(i, count)}.png"
                path = f"{name}/{file_name}"
            else:
                file_name = path = flat_file_name(prefix, i, count)
            files[file_name] = encode_png(image)
            lines.append(_json_line({"file_name": path, **_meta(text, boxes, i)}))
        files[SHARD_INDEX] = "".join(lines).encode()
        if prefix is None:
            out.write_dir(name, files.items())
            file_name = name
        else:
            if not isinstance(out, _LocalOutput):
                raise ValueError("the flat layout writes to a local directory only")
            file_name = f"{FLAT_INDEX_DIR}/{name}.jsonl"
            out.write_flat(f"{name}.jsonl", files.items())
        checksum, size = _dir_checksum(files), sum(map(len, files.values()))
    elif fmt == "npz":
        width = ds.width[1]
        images = np.full((stop - start, 28, width), 255, dtype=np.uint8)
        widths = np.empty(stop - start, dtype=np.int32)
        texts, boxes, offsets = [], [], [0]
        for i, text, bx, image in samples():
            j = i - start
            w = image.shape[1]
            images[j, :, :w] = image
            widths[j] = w
            texts.append(text)
            boxes.append(bx)
            offsets.append(offsets[-1] + len(bx))
        arrays = {
            "images": images,
            "widths": widths,
            "labels": np.array(texts, dtype=str),
            "boxes": np.concatenate(boxes).astype(np.int32),
            "box_offsets": np.array(offsets, dtype=np.int64),
            "indices": np.arange(start, stop, dtype=np.int64),
        }
        file_name = name + ".npz"
        checksum, size = out.write_with(file_name, lambda fh: _write_npz(fh, arrays))
    elif fmt == "webdataset":
        members = []
        for i, text, bx, image in samples():
            key = sample_key(i, count)
            members.append((f"{key}.png", encode_png(image)))
            members.append((f"{key}.json", json.dumps(_meta(text, bx, i), separators=(",", ":")).encode()))
        data = _tar_bytes(members)
        file_name = name + ".tar"
        out.write(file_name, data)
        checksum, size = hashlib.sha256(data).hexdigest(), len(data)
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return {"shard": k, "name": file_name, "start": start, "stop": stop, "sha256": checksum, "bytes": size}


def shard_checksum(out, fmt: str, name: str, layout: str = "shards") -> str | None:
    """Recompute the checksum of a written shard (``None`` if it is missing)."""
    if fmt == "png" and _flat_prefix(layout) is not None:
        index = out.read(name)
        if index is None:
            return None
        files = {SHARD_INDEX: index}
        for line in index.decode().splitlines():
            file_name = json.loads(line)["file_name"]
            data = out.read(file_name)
            if data is None:
                return None
            files[file_name] = data
        return _dir_checksum(files)
    if fmt == "png":
        files = out.read_dir(name)
        return None if files is None else _dir_checksum(files)
    data = out.read(name)
    return None if data is None else hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- workers

_worker_cache: dict[str, Any] = {}


def _worker_shard(spec_json: str, out_url: str, fmt: str, shard_size: int, k: int, layout: str = "shards") -> dict:
    """Make shard ``k`` in any process (pool worker, Dask worker): a pure function of its arguments."""
    key = (spec_json, out_url)
    if _worker_cache.get("key") != key:
        _worker_cache.update(key=key, ds=SyntheticDataset(json.loads(spec_json)), out=_output(out_url))
    counter = _worker_cache.get("counter")

    def tick(n: int) -> None:
        if counter is not None:
            with counter.get_lock():
                counter.value += n

    return write_shard(_worker_cache["ds"], _worker_cache["out"], fmt, shard_size, k, tick, layout)


def _init_pool_worker(counter) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_cache["counter"] = counter


# --------------------------------------------------------------------------- export


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C (pool workers are terminated, the manifest keeps finished shards)."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_dataset` did."""

    out: str
    count: int
    shards: int
    written: int  # shards written by this run
    skipped: int  # shards already finished by an earlier run
    spec_hash: str


def _manifest(
    spec: DatasetSpec, fmt: str, shard_size: int, entries: dict[int, dict], complete: bool, layout: str = "shards"
) -> bytes:
    data = {
        "layout": layout,
        "manifest": MANIFEST_FORMAT,
        "package": "number-generator",
        "version": _package_version(),
        "format": fmt,
        "count": spec.length,
        "shard_size": shard_size,
        "shards_total": shard_count(spec.length, shard_size),
        "spec_hash": spec.hash,
        "spec": spec.data,
        "complete": complete,
        "shards": [entries[k] for k in sorted(entries)],
    }
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def read_manifest(out) -> dict | None:
    raw = out.read(MANIFEST)
    if raw is None:
        return None
    try:
        manifest = json.loads(raw)
        if manifest.get("manifest") != MANIFEST_FORMAT:
            raise ValueError
        return manifest
    except ValueError:
        raise ValueError(f"{out.url}/{MANIFEST} is not a number-generator manifest") from None


def _aggregate_png(out, manifest_shards: list[dict], layout: str = "shards") -> dict[str, bytes]:
    """metadata.jsonl and labels.csv of a png export, from the shards' own index files."""
    lines = []
    flat = _flat_prefix(layout) is not None
    for entry in manifest_shards:
        part = out.read(entry["name"] if flat else f"{entry['name']}/{SHARD_INDEX}")
        if part is None:
            raise ValueError(f"shard {entry['name']} has no {SHARD_INDEX}")
        lines.extend(part.decode().splitlines(keepends=True))
    labels = io.StringIO()
    writer = csv.writer(labels, lineterminator="\n")
    writer.writerow(("file_name", "number" if flat else "text"))
    for line in lines:
        record = json.loads(line)
        writer.writerow((record["file_name"], record["text"]))
    return {METADATA: "".join(lines).encode(), LABELS: labels.getvalue().encode()}


def _ours(name: str) -> bool:
    return name.startswith(("shard-", ".tmp-")) or name in (MANIFEST, METADATA, LABELS, FLAT_INDEX_DIR)


def export_dataset(
    spec: Any,
    out: str | os.PathLike,
    *,
    count: int | None = None,
    format: str = "png",
    shard_size: int = 10_000,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: bool = False,
    overwrite: bool = False,
    layout: str = "shards",
) -> ExportResult:
    """Export ``count`` samples of ``spec`` to ``out`` in shards; resume what an earlier run left.

    Parameters
    ----------
    spec : dict, DatasetSpec, path
        See :mod:`number_generator.data.dataset`.
    out : path or URL
        A local directory, or any fsspec URL (``file://``, ``s3://`` with s3fs installed, ...).
    count : int, optional
        Number of samples (overrides the spec's ``length``).
    format : {"png", "npz", "webdataset"}
    shard_size : int
        Samples per shard (the unit of work, atomicity and resumption).
    workers : int
        Local processes (engine ``"local"``), or Dask workers of a local
        cluster started when ``engine="dask"`` and no ``scheduler`` is given.
    engine : {"local", "dask"}
        ``"dask"`` sends shards to the cluster at ``scheduler`` (``tcp://host:port``);
        needs ``pip install 'number-generator[dask]'``.  Same bytes either way.
    overwrite : bool
        Delete an existing export of another spec first (only its own files).
    layout : str
        ``"shards"``; or ``"flat:PREFIX"`` (png, local directory): all images
        in the root as ``PREFIX<i>.png``, as ``generate-phone-numbers`` writes.

    Raises
    ------
    ValueError
        Bad arguments, or ``out`` holds an export of a different spec / format /
        shard size / package version, or unrelated files.
    """
    spec = load_spec(spec, length=count)
    if format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    shard_size = check_int("shard_size", shard_size, 1, MAX_COUNT)
    workers = check_int("workers", workers, 1, MAX_WORKERS)
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}; choose local or dask")
    if scheduler is not None and engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    if layout != "shards" and not (layout.startswith("flat:") and format == "png"):
        raise ValueError(f"unknown layout {layout!r}: 'shards', or 'flat:PREFIX' with format png")
    target = _output(out)
    target.prepare()
    n_shards = shard_count(spec.length, shard_size)
    done: dict[int, dict] = {}
    manifest = read_manifest(target)
    if manifest is not None:
        mine = {
            "spec_hash": spec.hash,
            "format": format,
            "shard_size": shard_size,
            "version": _package_version(),
            "layout": layout,
        }
        differs = [k for k, v in mine.items() if manifest.get(k) != v]
        if differs and not overwrite:
            what = differs[0].replace("_", " ")
            raise ValueError(
                f"{target.url} holds an export with a different {what} ({manifest.get(differs[0])!r}, "
                f"this run: {mine[differs[0]]!r}); refusing to mix them: choose another output or --overwrite"
            )
        if differs:
            for name in target.list():
                if _ours(name):
                    target.remove(name)
        else:
            done = {e["shard"]: e for e in manifest["shards"] if target.exists(e["name"])}
    else:
        strangers = sorted(n for n in target.list() if not n.startswith(".tmp-"))
        if strangers and not overwrite:
            raise ValueError(
                f"{target.url} is not empty and holds no {MANIFEST} ({strangers[0]!r}, ...); "
                "choose an empty or new output, or --overwrite"
            )
        for name in strangers:
            if _ours(name):
                target.remove(name)
    for name in target.list():  # leftovers of an interrupted run
        if name.startswith(".tmp-"):
            target.remove(name)
    if format == "png":
        for name in (METADATA, LABELS):  # rebuilt at the end, from the shards
            if not (manifest and manifest.get("complete") and len(done) == n_shards):
                target.remove(name)
    target.write(MANIFEST, _manifest(spec, format, shard_size, done, len(done) == n_shards, layout))
    todo = [k for k in range(n_shards) if k not in done]
    skipped = len(done)

    from tqdm import tqdm

    finished_samples = sum(e["stop"] - e["start"] for e in done.values())
    bar = tqdm(
        total=spec.length,
        initial=finished_samples,
        unit="img",
        disable=None if progress else True,
        dynamic_ncols=True,
        smoothing=0.1,
    )

    last_write = [0.0]

    def record(entry: dict) -> None:
        # At most ~4 manifest writes a second: a shard finished but not yet recorded is simply redone.
        done[entry["shard"]] = entry
        now = time.monotonic()
        if now - last_write[0] > 0.25:
            target.write(MANIFEST, _manifest(spec, format, shard_size, done, False, layout))
            last_write[0] = now

    try:
        with _sigterm_as_interrupt():
            if todo and engine == "dask":
                _run_dask(spec, target.url, format, shard_size, todo, scheduler, workers, record, bar, layout)
            elif todo and (workers == 1 or len(todo) == 1):
                ds = SyntheticDataset(spec)
                for k in todo:
                    record(write_shard(ds, target, format, shard_size, k, bar.update, layout))
            elif todo:
                _run_pool(spec, target.url, format, shard_size, todo, workers, record, bar, layout)
    except BaseException:
        target.write(MANIFEST, _manifest(spec, format, shard_size, done, False, layout))  # keep what finished
        raise
    finally:
        bar.close()
    if format == "png":
        for name, data in _aggregate_png(target, [done[k] for k in sorted(done)], layout).items():
            target.write(name, data)
    target.write(MANIFEST, _manifest(spec, format, shard_size, done, True, layout))
    return ExportResult(
        out=target.url, count=spec.length, shards=n_shards, written=len(todo), skipped=skipped, spec_hash=spec.hash
    )


def _run_pool(spec, url, fmt, shard_size, todo, workers, record, bar, layout) -> None:
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    counter = context.Value("q", 0)
    results: queue.Queue = queue.Queue()
    seen = 0
    with context.Pool(min(workers, len(todo)), _init_pool_worker, (counter,)) as pool:
        for k in todo:
            pool.apply_async(
                _worker_shard,
                (spec.to_json(), url, fmt, shard_size, k, layout),
                callback=results.put,
                error_callback=results.put,
            )
        remaining = len(todo)
        while remaining:
            try:
                item = results.get(timeout=0.2)
            except queue.Empty:
                item = None
            now = counter.value
            bar.update(now - seen)
            seen = now
            if item is None:
                continue
            if isinstance(item, BaseException):
                raise item
            record(item)
            remaining -= 1


def _run_dask(spec, url, fmt, shard_size, todo, scheduler, workers, record, bar, layout) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError("--engine dask needs dask[distributed]: pip install 'number-generator[dask]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = [
                client.submit(
                    _worker_shard,
                    spec.to_json(),
                    url,
                    fmt,
                    shard_size,
                    k,
                    layout,
                    pure=False,
                    key=f"shard-{k}-{uuid.uuid4().hex}",
                )
                for k in todo
            ]
            for future in as_completed(futures):
                entry = future.result()
                record(entry)
                bar.update(entry["stop"] - entry["start"])
    finally:
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class VerifyReport:
    """Result of :func:`verify_export`: ``ok`` when ``problems`` is empty."""

    out: str
    count: int
    shards: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export(out: str | os.PathLike) -> VerifyReport:
    """Check an export: manifest complete, spec hash, every shard present with its checksum, metadata.

    Raises ``ValueError`` when ``out`` holds no manifest.
    """
    target = _output(out)
    manifest = read_manifest(target)
    if manifest is None:
        raise ValueError(f"{target.url} holds no {MANIFEST}; not a number-generator export")
    problems = []
    try:
        spec = load_spec(manifest["spec"])
        if spec.hash != manifest["spec_hash"]:
            problems.append(
                f"spec hash {manifest['spec_hash'][:12]}… does not match the recorded spec ({spec.hash[:12]}…)"
            )
    except ValueError as exc:
        problems.append(f"recorded spec is invalid: {exc}")
    fmt, shard_size, count = manifest["format"], manifest["shard_size"], manifest["count"]
    layout = manifest.get("layout", "shards")
    n_shards = shard_count(count, shard_size)
    entries = {e["shard"]: e for e in manifest["shards"]}
    if not manifest.get("complete"):
        problems.append("export is not complete (re-run the same command to finish it)")
    missing = [k for k in range(n_shards) if k not in entries]
    if missing:
        problems.append(f"{len(missing)} of {n_shards} shards not finished (first: {shard_name(missing[0], n_shards)})")
    for k in sorted(entries):
        entry = entries[k]
        actual = shard_checksum(target, fmt, entry["name"], layout)
        if actual is None:
            problems.append(f"{entry['name']} is missing")
        elif actual != entry["sha256"]:
            problems.append(
                f"{entry['name']} checksum mismatch (recorded {entry['sha256'][:12]}…, found {actual[:12]}…)"
            )
    if fmt == "png" and not missing and not problems:
        for name, data in _aggregate_png(target, [entries[k] for k in sorted(entries)], layout).items():
            if target.read(name) != data:
                problems.append(f"{name} does not match the shards")
    return VerifyReport(out=target.url, count=count, shards=n_shards, problems=problems)
