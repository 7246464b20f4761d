"""Checking an export against its manifest, with no glyph data: ``export verify`` and every resume use it.

Each finished shard is checked for size and digests against its manifest
entry; a png shard is checked file by file against the names its layout
computes (a missing PNG is named, an extra file in a shard folder too).
Nothing read from the export is used as a path.

Two depths of check, one code path: ``verify`` computes SHA-256 (and
XXH3-128) and compares every digest the entry records: it is the integrity
check, which a deliberate change cannot pass without rewriting the
manifest's SHA-256.  A resume (``fast=True``) computes only the
non-cryptographic XXH3-128, which catches every accidental damage (flipped
bits, truncation, a missing or extra file) at a fraction of SHA-256's cost;
an entry from a manifest that predates XXH3-128 is checked by SHA-256.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from number_generator.data.dataset import DatasetSpec
from number_generator.export.formats import labels_csv
from number_generator.export.layout import SHARD_INDEX
from number_generator.export.manifest import MANIFEST, Manifest, ShardEntry, read_manifest
from number_generator.export.storage import Digests, Storage, folder_digests, open_storage

METADATA = "metadata.jsonl"  # png exports: Hugging Face imagefolder metadata (file_name, text, boxes, index)
LABELS = "labels.csv"  # png exports: file_name,text (flat phone-number folders: file_name,number)
_SHOWN = 3  # missing files named per shard; the rest are counted
_MAX_THREADS = 8


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


def _compare(entry: ShardEntry, found: Digests) -> list[str]:
    """Size first, then every digest both the entry and ``found`` have."""
    if found.size != entry.bytes:
        return [f"{entry.name} holds {found.size} bytes, the manifest records {entry.bytes}"]
    for what, recorded, computed in (
        ("checksum", entry.sha256, found.sha256),
        ("XXH3-128 checksum", entry.xxh3_128, found.xxh3_128),
    ):
        if recorded is not None and computed is not None and recorded != computed:
            return [f"{entry.name} {what} mismatch (recorded {recorded[:12]}…, found {computed[:12]}…)"]
    return []


def shard_problems(storage: Storage, manifest: Manifest, entry: ShardEntry, *, fast: bool = False) -> list[str]:
    """What is wrong with finished shard ``entry`` on ``storage`` (empty: it matches its size and digests).

    ``fast=True`` (resume): compare XXH3-128, not SHA-256, when the entry records it.
    """
    sha256 = not (fast and entry.xxh3_128 is not None)
    if manifest.format != "png":
        found = storage.digest(entry.name, sha256=sha256)
        return [f"{entry.name} is missing"] if found is None else _compare(entry, found)
    layout = manifest.layout
    paths = layout.shard_files(entry.shard, manifest.count, manifest.shard_size)
    problems = []
    if not layout.is_flat:
        if not storage.is_dir(entry.name):
            return [f"{entry.name} is missing"]
        expected = {path.rsplit("/", 1)[-1] for path in paths}
        extra = sorted(set(storage.list(entry.name)) - expected)
        problems += [f"{entry.name}/{name} is not part of the export" for name in extra[:_SHOWN]]
    digests, missing = {}, []
    for path in paths:
        found = storage.digest(path, sha256=sha256)
        if found is None:
            missing.append(path)
            continue
        digests[SHARD_INDEX if path == paths[-1] else path.rsplit("/", 1)[-1]] = found
    whose = f" (shard {entry.name})" if layout.is_flat else ""
    problems += [f"{path} is missing{whose}" for path in missing[:_SHOWN]]
    if len(missing) > _SHOWN:
        problems.append(f"{entry.name}: {len(missing) - _SHOWN} more files missing")
    return problems or _compare(entry, folder_digests(digests))


def check_shards(
    storage: Storage, manifest: Manifest, entries: Iterable[ShardEntry], *, fast: bool = False
) -> dict[int, list[str]]:
    """:func:`shard_problems` of each entry (``fast``: as a resume checks), keyed by shard number; shards are
    hashed in parallel threads (hashlib and xxhash release the GIL), up to one per core."""
    entries = list(entries)
    threads = min(len(entries), os.cpu_count() or 1, _MAX_THREADS)
    if threads <= 1:
        return {e.shard: shard_problems(storage, manifest, e, fast=fast) for e in entries}
    with ThreadPoolExecutor(threads) as pool:
        found = pool.map(lambda e: shard_problems(storage, manifest, e, fast=fast), entries)
        return {e.shard: problems for e, problems in zip(entries, found)}


def png_tables(storage: Storage, manifest: Manifest, entries: Iterable[ShardEntry]) -> dict[str, bytes]:
    """``metadata.jsonl`` and ``labels.csv`` of a png export, from the indexes of ``entries`` (in order)."""
    lines: list[str] = []
    for entry in entries:
        index = storage.read(manifest.layout.index_path(entry.shard, manifest.n_shards))
        if index is None:
            raise ValueError(f"shard {entry.name} has no {SHARD_INDEX}")
        lines.extend(index.decode().splitlines(keepends=True))
    return {METADATA: "".join(lines).encode(), LABELS: labels_csv(lines, manifest.layout.label_column)}


def verify_export(out: str | os.PathLike[str]) -> VerifyReport:
    """Check an export: manifest complete, spec hash, every shard's size and checksum, png metadata.

    Needs no glyph data (the spec is hashed, not loaded).

    Raises
    ------
    ValueError
        ``out`` holds no manifest, or a damaged one
        (:class:`~number_generator.export.manifest.ManifestError`): nothing can
        be checked against it.  The CLI exits 2 then, and 1 when ``problems``
        is not empty.
    """
    storage = open_storage(out)
    manifest = read_manifest(storage)
    if manifest is None:
        raise ValueError(f"{storage.url} holds no {MANIFEST}; not a number-generator export")
    problems = []
    recorded = DatasetSpec(manifest.spec).hash
    if recorded != manifest.spec_hash:
        problems.append(f"spec hash {manifest.spec_hash[:12]}… does not match the recorded spec ({recorded[:12]}…)")
    if manifest.spec.get("length") != manifest.count:
        problems.append(f"the recorded spec's length {manifest.spec.get('length')!r} is not count {manifest.count}")
    if not manifest.complete:
        problems.append("export is not complete (re-run the same command to finish it)")
    first_missing = manifest.first_missing()
    if first_missing is not None:
        problems.append(
            f"{manifest.n_shards - len(manifest.shards)} of {manifest.n_shards} shards not finished "
            f"(first: {manifest.entry_name(first_missing)})"
        )
    checked = check_shards(storage, manifest, manifest.shards.values())
    for k in sorted(checked):
        problems += checked[k]
    if manifest.format == "png" and not problems:
        for name, data in png_tables(storage, manifest, [manifest.shards[k] for k in sorted(manifest.shards)]).items():
            if storage.read(name) != data:
                problems.append(f"{name} does not match the shards")
    return VerifyReport(out=storage.url, count=manifest.count, shards=manifest.n_shards, problems=problems)
