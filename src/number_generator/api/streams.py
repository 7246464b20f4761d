"""Streamed batch downloads: a ZIP of PNGs or an NPZ, written block by block.

The bytes come from the export writers (:mod:`number_generator.export.formats`),
the same objects that write shards on disk; here they write into a sink whose
contents are handed out in chunks.  Both streams are plain generators of byte
chunks (Starlette iterates them in a worker thread, so the event loop stays
free); only one block of samples (:func:`block_size` images, at most
``BLOCK_BYTES`` of pixels) and the small label tables are in memory at a time,
so a slow reader holds a few MB at most.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from number_generator.data.dataset import Block, SyntheticDataset
from number_generator.export.formats import NpzWriter, PngWriter, ZipMembers, labels_csv
from number_generator.export.layout import flat_file_name

BLOCK = 256
#: Most bytes of 8-bit pixels in one block (and so in one chunk sent to the client).
BLOCK_BYTES = 2 * 2**20


def block_size(width: int) -> int:
    """Images per block for images ``width`` px wide: ``BLOCK``, fewer when they are wide (at least 1)."""
    return max(1, min(BLOCK, BLOCK_BYTES // (28 * width)))


class _Sink:
    """A write-only file object whose contents are taken out in chunks (no seek: zipfile streams)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _blocks(dataset: SyntheticDataset) -> Iterator[Block]:
    step = block_size(dataset.width[1])
    for start in range(0, len(dataset), step):
        yield dataset.render_block(start, min(len(dataset), start + step))


def stream_zip(dataset: SyntheticDataset) -> Iterator[bytes]:
    """``000000.png``... then ``labels.csv`` (file_name,text) and ``metadata.jsonl``."""
    sink = _Sink()
    count = len(dataset)
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as zf:
        members = ZipMembers(zf)
        with PngWriter(members, path_of=lambda i: flat_file_name("", i, count)) as writer:
            for block in _blocks(dataset):
                writer.add(block)
                yield sink.take()
        members.add("labels.csv", labels_csv(writer.lines))
        members.add("metadata.jsonl", writer.metadata())
    yield sink.take()


def stream_npz(dataset: SyntheticDataset) -> Iterator[bytes]:
    """An ``.npz`` as an export shard of all the samples (see :class:`~number_generator.export.formats.NpzWriter`)."""
    sink = _Sink()
    with NpzWriter(sink, start=0, count=len(dataset), width=dataset.width[1]) as writer:
        for block in _blocks(dataset):
            writer.add(block)
            yield sink.take()
    yield sink.take()
