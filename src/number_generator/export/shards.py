"""Sharded, resumable, verifiable exports of a :class:`~number_generator.data.dataset.SyntheticDataset`.

Layout of an export directory (or fsspec URL)::

    manifest.json          spec, spec hash, package version, format, and every finished shard + size, digests
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
manifest.  One run at a time: the output is locked for the run
(:mod:`number_generator.export.lock`).  Re-running the same export checks
every recorded shard against its size and XXH3-128 digest (SHA-256 for
entries of manifests written before XXH3-128 was recorded; ``verify`` checks
SHA-256), keeps the good ones and redoes the rest (missing, damaged, or never finished), so an interrupted and
resumed export is byte-identical to an uninterrupted one.  A different spec,
format or shard size in an existing output is refused.  No file contains a
timestamp.

The parts live in this package: :mod:`~number_generator.export.storage`
(atomic writes, local or fsspec), :mod:`~number_generator.export.formats`
(one writer per format, shared with the REST stream),
:mod:`~number_generator.export.layout`, :mod:`~number_generator.export.manifest`,
:mod:`~number_generator.export.engines` (local pool, Dask) and
:mod:`~number_generator.export.verify`.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from number_generator.core.validation import MAX_COUNT, check_int
from number_generator.data.dataset import DatasetSpec, SyntheticDataset, load_spec
from number_generator.export.engines import ENGINES, MAX_WORKERS, run_dask, run_pool, run_serial, sigterm_as_interrupt
from number_generator.export.formats import EXPORT_FORMATS
from number_generator.export.layout import FLAT_INDEX_DIR, Layout
from number_generator.export.lock import LOCK_NAME
from number_generator.export.manifest import MANIFEST, Manifest, ManifestError, ShardEntry, read_manifest
from number_generator.export.storage import Storage, is_temporary, open_storage
from number_generator.export.verify import LABELS, METADATA, VerifyReport, check_shards, png_tables, verify_export
from number_generator.export.worker import ShardJob

__all__ = [
    "EXPORT_FORMATS",
    "MAX_WORKERS",
    "ExportResult",
    "Layout",
    "VerifyReport",
    "export_dataset",
    "verify_export",
]

_MANIFEST_INTERVAL = 0.25  # seconds between manifest writes while shards finish


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_dataset` (and ``export_phone_numbers``) did.

    ``written`` and ``skipped`` count shards: made by this run, and found
    finished (and intact) from an earlier run; ``redone`` of the written ones
    were recorded as finished but failed their size or digest check.
    """

    out: str
    count: int
    shards: int
    written: int
    skipped: int
    spec_hash: str
    format: str = "png"
    redone: int = 0

    @property
    def labels_path(self) -> Path | None:
        """``labels.csv`` of a png export in a local folder, else ``None``."""
        return Path(self.out) / LABELS if self.format == "png" and "://" not in self.out else None


def _ours(name: str) -> bool:
    """Names an export writes in its root (removed by ``overwrite``; other files are left alone)."""
    return name.startswith("shard-") or is_temporary(name) or name in (MANIFEST, METADATA, LABELS, FLAT_INDEX_DIR)


def _finished_shards(
    storage: Storage, manifest: Manifest | None, mine: Manifest, overwrite: bool
) -> tuple[dict[int, ShardEntry], int]:
    """The intact finished shards an earlier run of this export left in ``storage``, and how many
    recorded ones failed their check (removing what cannot be reused)."""
    if manifest is not None:
        recorded = {
            "spec hash": manifest.spec_hash,
            "format": manifest.format,
            "shard size": manifest.shard_size,
            "version": manifest.version,
            "layout": str(manifest.layout),
        }
        wanted = {
            "spec hash": mine.spec_hash,
            "format": mine.format,
            "shard size": mine.shard_size,
            "version": mine.version,
            "layout": str(mine.layout),
        }
        differs = [key for key in wanted if recorded[key] != wanted[key]]
        if not differs:
            checked = check_shards(storage, manifest, manifest.shards.values(), fast=True)
            intact = {k: e for k, e in manifest.shards.items() if not checked[k]}
            return intact, len(manifest.shards) - len(intact)
        if not overwrite:
            what = differs[0]
            raise ValueError(
                f"{storage.url} holds an export with a different {what} ({recorded[what]!r}, this run: "
                f"{wanted[what]!r}); refusing to mix them: choose another output or --overwrite"
            )
    else:
        strangers = sorted(n for n in storage.list() if not is_temporary(n) and n != LOCK_NAME)
        if strangers and not overwrite:
            raise ValueError(
                f"{storage.url} is not empty and holds no {MANIFEST} ({strangers[0]!r}, ...); "
                "choose an empty or new output, or --overwrite"
            )
    for name in storage.list():
        if _ours(name):
            storage.remove(name)
    return {}, 0


def export_dataset(
    spec: Any,
    out: str | os.PathLike[str],
    *,
    count: int | None = None,
    format: str = "png",
    shard_size: int = 10_000,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: bool = False,
    overwrite: bool = False,
    layout: str | Layout = "shards",
    lock: bool = True,
) -> ExportResult:
    """Export ``count`` samples of ``spec`` to ``out`` in shards; resume (and repair) what an earlier run left.

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
        Samples per shard (the unit of work, atomicity and resumption), 1 to 10,000,000.
    workers : int
        Local processes (engine ``"local"``), or Dask workers of a local
        cluster started when ``engine="dask"`` and no ``scheduler`` is given; 1 to 256.
    engine : {"local", "dask"}
        ``"dask"`` sends shards to the cluster at ``scheduler`` (``tcp://host:port``);
        needs ``pip install 'number-generator[dask]'``.  Same bytes either way.
    overwrite : bool
        Delete an existing export of another spec (or a damaged manifest) first (only its own files).
    layout : str or Layout
        ``"shards"``; or ``Layout.flat(PREFIX)`` / ``"flat:PREFIX"`` (png, local directory): all images
        in the root as ``PREFIX<i>.png``, as ``generate-phone-numbers`` writes.
    lock : bool
        Hold the output's exclusive lock for the run (default).  Object-store URLs cannot be locked:
        for them pass ``lock=False`` once sure no other run writes there.

    Raises
    ------
    ValueError
        Bad arguments, or ``out`` holds an export of a different spec / format /
        shard size / package version, unrelated files, or a damaged manifest
        (:class:`~number_generator.export.manifest.ManifestError`); or another run
        holds the output (:class:`~number_generator.export.lock.OutputLockedError`).
    OSError
        Writing failed (a full disk names the file it was writing); no temporary file is left.
    """
    spec = load_spec(spec, length=count)
    if format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    shard_size = check_int("shard_size", shard_size, 1, MAX_COUNT)
    workers = check_int("workers", workers, 1, MAX_WORKERS)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose local or dask")
    if scheduler is not None and engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    layout = Layout.parse(layout)
    layout.check_format(format)
    storage = open_storage(out)
    if layout.is_flat and not storage.supports_flat:
        raise ValueError("the flat layout writes to a local directory only")
    storage.prepare()
    with storage.lock(lock):
        if lock:  # no other run is live here: whatever temporary files exist are leftovers of dead runs
            storage.remove_temporaries()
        try:
            return _export(spec, storage, format, shard_size, workers, engine, scheduler, progress, overwrite, layout)
        finally:
            storage.remove_temporaries(storage.run_id)  # e.g. of pool workers terminated mid-shard


def _export(
    spec: DatasetSpec,
    storage: Storage,
    fmt: str,
    shard_size: int,
    workers: int,
    engine: str,
    scheduler: str | None,
    progress: bool,
    overwrite: bool,
    layout: Layout,
) -> ExportResult:
    manifest = Manifest(
        format=fmt, layout=layout, count=spec.length, shard_size=shard_size, spec=spec.data, spec_hash=spec.hash
    )
    try:
        earlier = read_manifest(storage)
    except ManifestError as exc:
        if not overwrite:
            raise ManifestError(f"{exc}; delete the export or re-run with --overwrite") from None
        earlier = None
        for name in storage.list():
            if _ours(name):
                storage.remove(name)
    manifest.shards, redone = _finished_shards(storage, earlier, manifest, overwrite)
    n_shards = manifest.n_shards
    complete_before = earlier is not None and earlier.complete and len(manifest.shards) == n_shards
    if fmt == "png" and not complete_before:
        for name in (METADATA, LABELS):  # rebuilt at the end, from the shards
            storage.remove(name)
    manifest.complete = len(manifest.shards) == n_shards and complete_before
    storage.write(MANIFEST, manifest.to_bytes())
    todo = [k for k in range(n_shards) if k not in manifest.shards]
    skipped = len(manifest.shards)

    from tqdm import tqdm

    bar = tqdm(
        total=spec.length,
        initial=sum(e.stop - e.start for e in manifest.shards.values()),
        unit="img",
        disable=None if progress else True,
        dynamic_ncols=True,
        smoothing=0.1,
    )
    last_write = [0.0]

    def record(entry: ShardEntry) -> None:
        # At most ~4 manifest writes a second: a shard finished but not yet recorded is simply redone.
        manifest.shards[entry.shard] = entry
        now = time.monotonic()
        if now - last_write[0] > _MANIFEST_INTERVAL:
            storage.write(MANIFEST, manifest.to_bytes())
            last_write[0] = now

    job = ShardJob(spec.to_json(), storage.url, storage.run_id, fmt, shard_size, str(layout))
    try:
        with sigterm_as_interrupt():
            if todo and engine == "dask":
                run_dask(job, todo, scheduler, workers, record, bar)
            elif todo and (workers == 1 or len(todo) == 1):
                run_serial(SyntheticDataset(spec), storage, job, todo, record, bar)
            elif todo:
                run_pool(job, todo, workers, record, bar)
    except BaseException:
        with contextlib.suppress(OSError):  # keep what finished (on a full disk the old manifest stays)
            storage.write(MANIFEST, manifest.to_bytes())
        raise
    finally:
        bar.close()
    if fmt == "png":
        for name, data in png_tables(storage, manifest, [manifest.shards[k] for k in sorted(manifest.shards)]).items():
            storage.write(name, data)
    manifest.complete = True
    storage.write(MANIFEST, manifest.to_bytes())
    return ExportResult(
        out=storage.url,
        count=spec.length,
        shards=n_shards,
        written=len(todo),
        skipped=skipped,
        spec_hash=spec.hash,
        format=fmt,
        redone=redone,
    )
