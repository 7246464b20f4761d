"""Engines that run the shards of an export: in this process, a local process pool, or a Dask cluster.

Every engine calls :func:`~number_generator.export.worker.make_shard` (or
``write_shard``) for the shards still to do and hands each finished entry to
``record`` in this process; the bytes are the same whatever the engine.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from number_generator.data.dataset import SyntheticDataset
from number_generator.export.layout import Layout
from number_generator.export.manifest import ShardEntry
from number_generator.export.storage import Storage
from number_generator.export.worker import ShardJob, make_shard, set_progress_counter, write_shard

ENGINES = ("local", "dask")
MAX_WORKERS = 256  # local processes or Dask workers of a local cluster

Record = Callable[[ShardEntry], None]


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C (pool workers are terminated, the manifest keeps finished shards)."""

    def handler(signum: int, frame: Any) -> None:
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


def run_serial(
    ds: SyntheticDataset, storage: Storage, job: ShardJob, todo: list[int], record: Record, bar: Any
) -> None:
    """Make the shards one after another in this process."""
    layout = Layout.parse(job.layout)
    for k in todo:
        record(write_shard(ds, storage, job.format, job.shard_size, k, layout, bar.update))


def _init_pool_worker(counter: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    set_progress_counter(counter)


def run_pool(job: ShardJob, todo: list[int], workers: int, record: Record, bar: Any) -> None:
    """Make the shards in a pool of ``workers`` local processes (forked where the platform allows)."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    counter = context.Value("q", 0)
    results: queue.Queue = queue.Queue()
    seen = 0
    with context.Pool(min(workers, len(todo)), _init_pool_worker, (counter,)) as pool:
        for k in todo:
            pool.apply_async(make_shard, (job, k), callback=results.put, error_callback=results.put)
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


def run_dask(job: ShardJob, todo: list[int], scheduler: str | None, workers: int, record: Record, bar: Any) -> None:
    """Send the shards to the Dask cluster at ``scheduler``, or to a local cluster of ``workers`` processes."""
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
            futures = [client.submit(make_shard, job, k, pure=False, key=f"shard-{k}-{uuid.uuid4().hex}") for k in todo]
            for future in as_completed(futures):
                entry = future.result()
                record(entry)
                bar.update(entry.stop - entry.start)
    finally:
        if cluster is not None:
            cluster.close()
