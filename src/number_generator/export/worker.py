"""Making one shard: a pure function of ``(spec, k)``, what every engine runs in any process.

Shard ``k`` holds samples ``[k * shard_size, (k + 1) * shard_size)``, rendered
in vectorised blocks, encoded by the format's writer
(:mod:`number_generator.export.formats`) and written atomically through the
storage (:mod:`number_generator.export.storage`); its manifest entry records
the size, SHA-256 and XXH3-128 of what was written, both digests taken in one
pass over the bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from number_generator.data.dataset import Block, SyntheticDataset
from number_generator.export.formats import NpzWriter, PngWriter, TarWriter
from number_generator.export.layout import SHARD_INDEX, Layout, sample_key, shard_count, shard_name
from number_generator.export.manifest import ShardEntry
from number_generator.export.storage import Digests, Storage, bytes_digests, file_digests, folder_digests, open_storage

BLOCK = 512  # samples rendered per vectorised step (bigger blocks fall out of the CPU caches)


class _DigestingSink:
    """Passes members on to ``inner`` and keeps each member's :class:`Digests`."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.digests: dict[str, Digests] = {}

    def add(self, name: str, data: bytes) -> None:
        self.inner.add(name, data)
        self.digests[name] = bytes_digests(data)


def write_shard(
    ds: SyntheticDataset,
    storage: Storage,
    fmt: str,
    shard_size: int,
    k: int,
    layout: Layout,
    progress: Callable[[int], None] | None = None,
) -> ShardEntry:
    """Render shard ``k`` of ``ds``, write it atomically to ``storage`` and return its manifest entry.

    ``progress(n)`` is called after each block of ``n`` samples.
    """
    count = len(ds)
    n_shards = shard_count(count, shard_size)
    start, stop = k * shard_size, min((k + 1) * shard_size, count)
    name = layout.entry_name(fmt, k, n_shards)

    def blocks() -> Iterator[Block]:
        for lo in range(start, stop, BLOCK):
            block = ds.render_block(lo, min(lo + BLOCK, stop))
            yield block
            if progress is not None:
                progress(len(block.indices))

    if fmt == "png":
        folder = shard_name(k, n_shards)
        with storage.directory(folder, merge=layout.is_flat) as directory:
            sink = _DigestingSink(directory)
            with PngWriter(
                sink,
                path_of=lambda i: layout.png_path(i, count, n_shards, shard_size),
                member_of=None if layout.is_flat else lambda i: f"{sample_key(i, count)}.png",
            ) as writer:
                for block in blocks():
                    writer.add(block)
            index = writer.metadata()
            if not layout.is_flat:
                sink.add(SHARD_INDEX, index)
        if layout.is_flat:  # written last: the flat shard's record of completion
            storage.write(name, index)
            sink.digests[SHARD_INDEX] = bytes_digests(index)
        digests = folder_digests(sink.digests)
    else:
        with storage.open_file(name) as fh:
            encoder: NpzWriter | TarWriter
            if fmt == "npz":
                encoder = NpzWriter(fh, start=start, count=stop - start, width=ds.width[1])
            else:
                encoder = TarWriter(fh, key_of=lambda i: sample_key(i, count))
            with encoder:
                for block in blocks():
                    encoder.add(block)
            digests = file_digests(fh)
    return ShardEntry.of(k, name, start, stop, digests)


@dataclass(frozen=True)
class ShardJob:
    """What a worker process needs to make any shard of one export run (plain data: picklable)."""

    spec_json: str
    url: str
    run_id: str
    format: str
    shard_size: int
    layout: str


_process_cache: dict[str, Any] = {}


def make_shard(job: ShardJob, k: int) -> ShardEntry:
    """Make shard ``k`` of ``job`` in this process (pool or Dask worker); the dataset is built once per process."""
    if _process_cache.get("job") != job:
        _process_cache.update(
            job=job,
            ds=SyntheticDataset(json.loads(job.spec_json)),
            storage=open_storage(job.url, job.run_id),
        )
    counter = _process_cache.get("counter")

    def tick(n: int) -> None:
        if counter is not None:
            with counter.get_lock():
                counter.value += n

    return write_shard(
        _process_cache["ds"], _process_cache["storage"], job.format, job.shard_size, k, Layout.parse(job.layout), tick
    )


def set_progress_counter(counter: Any) -> None:
    """Pool workers: count rendered samples in ``counter`` (a shared ``multiprocessing.Value``)."""
    _process_cache["counter"] = counter
