"""One writer object per output format, fed blocks of rendered samples.

The same writers make the shards of an export on disk and the REST API's
streamed batches (:mod:`number_generator.api.streams`), so both encode a
sample the same way:

- :class:`PngWriter`: one PNG per sample into a *member sink* (a shard
  folder, a flat folder, a ZIP archive) plus one metadata line per sample
  (``file_name``, ``text``, ``boxes``, ``index``);
- :class:`NpzWriter`: an ``.npz`` (stored zip) streamed into a file object:
  ``images`` uint8 ``(n, 28, W_max)`` padded with paper (255), then
  ``widths``, ``labels``, ``boxes`` ``(sum of characters, 4)`` int32,
  ``box_offsets`` ``(n + 1)`` and ``indices`` (int64);
- :class:`TarWriter`: a WebDataset tar, ``KEY.png`` + ``KEY.json``
  (``text``, ``boxes``, ``index``) per sample.

Timestamps, owners and modes are fixed, so equal samples give equal bytes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any, Protocol, TypeVar

import numpy as np

from number_generator.data.dataset import Block
from number_generator.io.png import encode_png

FILE_EXTENSIONS = {"png": "", "npz": ".npz", "webdataset": ".tar"}  # a png shard is a folder
EXPORT_FORMATS = tuple(FILE_EXTENSIONS)
IMAGE_HEIGHT = 28
PAPER = 255
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class BinarySink(Protocol):
    """A write-only byte stream (what a streamed, unseekable ZIP needs): ``write``, ``flush``, ``close``."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class MemberSink(Protocol):
    """Where a :class:`PngWriter` puts its files: anything with ``add(name, data)``."""

    def add(self, name: str, data: bytes) -> None: ...


def json_line(record: dict[str, Any]) -> str:
    """One compact JSON line (``metadata.jsonl``, ``_index.jsonl``)."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"


def sample_record(index: int, text: str, boxes: np.ndarray, writers: np.ndarray | None = None) -> dict[str, Any]:
    """A sample's metadata: ``{"text", "boxes" ([[x0, y0, x1, y1], ...], pixels), "index"}``.

    With ``writers`` (specs drawing with ``writer: same``) also ``"writers"``:
    the writer id of each character (-1: synthesised or a space).
    """
    record = {"text": text, "boxes": np.asarray(boxes).tolist(), "index": index}
    if writers is not None:
        record["writers"] = np.asarray(writers).tolist()
    return record


def block_writers(block: Block) -> list:
    """Each sample's writer ids, or ``None`` per sample when the block does not record them."""
    return block.writers if block.writers is not None else [None] * len(block.texts)


def labels_csv(metadata_lines: Iterable[str], label_column: str = "text") -> bytes:
    """``labels.csv`` (``file_name,<label_column>``) from metadata lines, in their order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("file_name", label_column))
    for line in metadata_lines:
        record = json.loads(line)
        writer.writerow((record["file_name"], record["text"]))
    return buffer.getvalue().encode()


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


class ZipMembers:
    """A :class:`MemberSink` adding stored members to an open ``zipfile.ZipFile``."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf

    def add(self, name: str, data: bytes) -> None:
        self.zf.writestr(zip_member(name), data)


W = TypeVar("W", bound="_Writer")


class _Writer:
    """A format writer as a context manager: :meth:`close` when the block ends cleanly, :meth:`abort` on error."""

    def close(self) -> None:
        """Finish the output."""

    def abort(self) -> None:
        """Give up a half-written output after an error (the storage discards its temporary file)."""

    def __enter__(self: W) -> W:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class PngWriter(_Writer):
    """PNG files into ``sink`` and their metadata lines.

    Parameters
    ----------
    sink : MemberSink
        Receives ``(member name, PNG bytes)``.
    path_of : callable
        Sample index -> ``file_name`` recorded in the metadata (relative to the export root).
    member_of : callable, optional
        Sample index -> member name in ``sink`` (default: ``path_of``); e.g. the
        name inside a shard folder when ``path_of`` gives ``shard-00000/<key>.png``.
    """

    def __init__(self, sink: MemberSink, path_of: Callable[[int], str], member_of: Callable[[int], str] | None = None):
        self.sink = sink
        self.path_of = path_of
        self.member_of = member_of or path_of
        self.lines: list[str] = []

    def add(self, block: Block) -> None:
        for i, text, boxes, image, writers in zip(
            block.indices, block.texts, block.boxes, block.images, block_writers(block)
        ):
            self.sink.add(self.member_of(i), encode_png(image))
            self.lines.append(json_line({"file_name": self.path_of(i), **sample_record(i, text, boxes, writers)}))

    def metadata(self) -> bytes:
        """The metadata lines so far (``metadata.jsonl`` / ``_index.jsonl``)."""
        return "".join(self.lines).encode()


class NpzWriter(_Writer):
    """An ``.npz`` of samples ``start <= i < start + count`` streamed into ``fh`` (seekable or not).

    ``images`` is written row by row as blocks arrive (only the small tables
    are kept until :meth:`close`); every image is padded on the right with
    paper to ``width`` (the spec's widest).
    """

    def __init__(self, fh: IO[bytes] | BinarySink, *, start: int, count: int, width: int):
        self.start, self.count, self.width = start, count, width
        self.widths: list[int] = []
        self.texts: list[str] = []
        self.boxes: list[np.ndarray] = []
        self.writers: list[np.ndarray] = []
        self.offsets = [0]
        self.zf = zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED)
        header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)), "fortran_order": False}
        nbytes = count * IMAGE_HEIGHT * width
        self.images = self.zf.open(zip_member("images.npy"), "w", force_zip64=nbytes > 2**30)
        np.lib.format.write_array_header_1_0(self.images, {**header, "shape": (count, IMAGE_HEIGHT, width)})

    def add(self, block: Block) -> None:
        rows = np.full((len(block.images), IMAGE_HEIGHT, self.width), PAPER, dtype=np.uint8)
        for j, (image, text, boxes) in enumerate(zip(block.images, block.texts, block.boxes)):
            rows[j, :, : image.shape[1]] = image
            self.widths.append(image.shape[1])
            self.texts.append(text)
            self.boxes.append(np.asarray(boxes, dtype=np.int32).reshape(-1, 4))
            self.offsets.append(self.offsets[-1] + len(self.boxes[-1]))
        if block.writers is not None:
            self.writers.extend(np.asarray(w, dtype=np.int32) for w in block.writers)
        self.images.write(rows.tobytes())

    def close(self) -> None:
        """Finish ``images`` and write the tables; raises ``ValueError`` if fewer samples came than announced."""
        if len(self.texts) != self.count:
            raise ValueError(f"npz writer got {len(self.texts)} samples, expected {self.count}")
        self.images.close()
        add_npz_arrays(
            self.zf,
            {
                "widths": np.array(self.widths, dtype=np.int32),
                "labels": np.array(self.texts, dtype=str),
                "boxes": np.concatenate(self.boxes).astype(np.int32),
                "box_offsets": np.array(self.offsets, dtype=np.int64),
                "indices": np.arange(self.start, self.start + self.count, dtype=np.int64),
                **({"writers": np.concatenate(self.writers)} if self.writers else {}),
            },
        )
        self.zf.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # the zip cannot be finished; only release it
            self.images.close()
        with contextlib.suppress(Exception):
            self.zf.close()


class TarWriter(_Writer):
    """A WebDataset tar streamed into ``fh``: ``KEY.png`` + ``KEY.json`` per sample, ``key_of(i)`` giving KEY."""

    def __init__(self, fh: IO[bytes], key_of: Callable[[int], str]):
        self.key_of = key_of
        self.tar = tarfile.open(fileobj=fh, mode="w", format=tarfile.USTAR_FORMAT)

    def _member(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = len(data), 0, 0o644, 0, 0, "", ""
        self.tar.addfile(info, io.BytesIO(data))

    def add(self, block: Block) -> None:
        for i, text, boxes, image, writers in zip(
            block.indices, block.texts, block.boxes, block.images, block_writers(block)
        ):
            key = self.key_of(i)
            self._member(f"{key}.png", encode_png(image))
            record = sample_record(i, text, boxes, writers)
            self._member(f"{key}.json", json.dumps(record, separators=(",", ":")).encode())

    def close(self) -> None:
        self.tar.close()
