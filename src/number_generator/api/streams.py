"""Streamed batch downloads: a ZIP of PNGs or an NPZ, written block by block.

Both are produced by a plain generator of byte chunks (Starlette iterates it
in a worker thread, so the event loop stays free); only one block of samples
(``BLOCK`` images) and the small label tables are in memory at a time.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator

import numpy as np

from number_generator.export.shards import add_npz_arrays, zip_member
from number_generator.io.png import encode_png

BLOCK = 256


class _Sink:
    """A write-only file object whose contents are taken out in chunks (no seek: zipfile streams)."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _blocks(dataset):
    for start in range(0, len(dataset), BLOCK):
        yield dataset.render_block(start, min(len(dataset), start + BLOCK))


def stream_zip(dataset) -> Iterator[bytes]:
    """``000000.png``... then ``labels.csv`` (file_name,text) and ``metadata.jsonl``."""
    sink = _Sink()
    digits = max(6, len(str(len(dataset) - 1)))
    labels, metadata = io.StringIO(), io.StringIO()
    writer = csv.writer(labels, lineterminator="\n")
    writer.writerow(("file_name", "text"))
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as zf:
        for block in _blocks(dataset):
            for i, text, boxes, image in zip(block.indices, block.texts, block.boxes, block.images):
                name = f"{i:0{digits}d}.png"
                zf.writestr(zip_member(name), encode_png(image))
                writer.writerow((name, text))
                metadata.write(
                    json.dumps(
                        {"file_name": name, "text": text, "boxes": np.asarray(boxes).tolist(), "index": i},
                        separators=(",", ":"),
                    )
                    + "\n"
                )
            yield sink.take()
        zf.writestr(zip_member("labels.csv"), labels.getvalue())
        zf.writestr(zip_member("metadata.jsonl"), metadata.getvalue())
    yield sink.take()


def stream_npz(dataset) -> Iterator[bytes]:
    """An ``.npz`` whose ``images`` member is written block by block; the small arrays follow."""
    sink = _Sink()
    count, width = len(dataset), dataset.width[1]
    texts, boxes, offsets = [], [], [0]
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)),
        "fortran_order": False,
        "shape": (count, 28, width),
    }
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as zf:
        with zf.open(zip_member("images.npy"), "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_2_0(fh, header)
            for block in _blocks(dataset):
                for image, text, bx in zip(block.images, block.texts, block.boxes):
                    row = np.full((28, width), 255, dtype=np.uint8)
                    row[:, : image.shape[1]] = image
                    fh.write(row.tobytes())
                    texts.append(text)
                    boxes.append(np.asarray(bx, dtype=np.int32).reshape(-1, 4))
                    offsets.append(offsets[-1] + len(boxes[-1]))
                yield sink.take()
        add_npz_arrays(
            zf,
            {
                "labels": np.array(texts, dtype=str),
                "boxes": np.concatenate(boxes).astype(np.int32),
                "box_offsets": np.array(offsets, dtype=np.int64),
                "indices": np.arange(count, dtype=np.int64),
            },
        )
    yield sink.take()
