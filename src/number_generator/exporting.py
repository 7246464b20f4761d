"""Writing generated images to disk: single PNGs, phone-number sets, the demo.

Every file is written under a temporary name and renamed, so an interrupted
run never leaves a truncated PNG; ``labels.csv`` is written last (also on
interruption) and lists exactly the images that exist.  Sample ``i`` depends
only on ``(seed, i)``, so the files are byte-identical for any worker count.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .datasets.cache import atomic_write_bytes
from .phone import PhoneNumberBatch
from .png import encode_png, write_png
from .randomness import sample_generator
from .render import render_sequence, resolve_augmentation
from .validation import MAX_SEQUENCE_LENGTH, check_int, parse_digits

LABELS_FILE = "labels.csv"
MAX_WORKERS = 256


def sequence_file_name(digits: str, seed: int) -> str:
    """``sequence-<digits>-seed<seed>.png``; long sequences are shortened."""
    shown = digits if len(digits) <= 32 else f"{digits[:32]}-{len(digits)}digits"
    return f"sequence-{shown}-seed{seed}.png"


def write_sequence_png(digits: str, spacing_range, image_width: int, output_path: Path, *, seed: int,
                       split: str = "train", align: str = "center", strict: bool = False,
                       overwrite: bool = False, augment=None) -> Path:  # fmt: skip
    """Render ``digits`` and write one PNG.

    ``output_path`` ending in ``.png`` is the file; anything else is a
    directory (created if needed) that gets :func:`sequence_file_name`.
    """
    digits = parse_digits(digits)
    sample = render_sequence(digits, spacing_range, image_width, seed=seed, split=split, align=align, strict=strict,
                             augment=augment)  # fmt: skip
    output_path = Path(output_path)
    if output_path.suffix.lower() == ".png":
        path = output_path
    else:
        if output_path.exists() and not output_path.is_dir():
            raise ValueError(f"output path {output_path} is a file without a .png suffix")
        path = output_path / sequence_file_name(digits, seed)
    return write_png(path, sample.image, overwrite=overwrite)


def phone_file_name(index: int, count: int) -> str:
    """``phone-000042.png``: zero-padded so names sort in index order."""
    return f"phone-{index:0{max(6, len(str(count - 1)))}d}.png"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    out_dir: Path
    written: int
    labels_path: Path


# Worker state, set once per process by _init_worker (fork or spawn).
_worker_batch: PhoneNumberBatch | None = None
_worker_dir: Path | None = None


def _set_worker_state(batch: PhoneNumberBatch, out_dir: Path) -> None:
    global _worker_batch, _worker_dir
    _worker_batch, _worker_dir = batch, out_dir


def _init_worker(batch: PhoneNumberBatch, out_dir: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C...
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # ...and ends workers with SIGTERM
    _set_worker_state(batch, out_dir)


def _write_chunk(bounds: tuple[int, int]) -> list[tuple[int, str]]:
    batch, out_dir = _worker_batch, _worker_dir
    assert batch is not None and out_dir is not None
    done = []
    for index, sample in batch.render_range(*bounds):
        atomic_write_bytes(out_dir / phone_file_name(index, batch.count), encode_png(sample.image))
        done.append((index, sample.text))
    return done


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C so the labels of finished work are kept."""

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


def _write_labels(out_dir: Path, batch: PhoneNumberBatch, done: dict[int, str]) -> Path:
    """Write labels.csv for every image that exists, in index order."""
    for stray in out_dir.glob(".phone-*.tmp"):
        stray.unlink(missing_ok=True)
    present = set(os.listdir(out_dir))
    rows = []
    for index in range(batch.count):
        name = phone_file_name(index, batch.count)
        if index in done or name in present:
            rows.append((name, done.get(index) or batch.number(index)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("file_name", "number"))
    writer.writerows(rows)
    path = out_dir / LABELS_FILE
    atomic_write_bytes(path, buffer.getvalue().encode())
    return path


def export_phone_numbers(count: int, spacing_range, image_width: int, out_dir: Path, *, seed: int | None = None,
                         workers: int = 1, separator: str = "-", formats=None, split: str = "train",
                         align: str = "center", strict: bool = False, overwrite: bool = False,
                         progress: bool = False, chunk_size: int = 256, augment=None) -> ExportResult:  # fmt: skip
    """Write ``count`` distinct phone-number PNGs and ``labels.csv`` into ``out_dir``.

    Raises ``FileExistsError`` (before writing anything) when a target file
    exists and ``overwrite`` is false.  On ``KeyboardInterrupt``/SIGTERM the
    finished images are kept, ``labels.csv`` lists exactly them, and the
    exception propagates.
    """
    batch = PhoneNumberBatch(count, spacing_range, image_width, seed=seed, separator=separator,
                             formats=formats, split=split, align=align, strict=strict, augment=augment)  # fmt: skip
    workers = check_int("workers", workers, 1, MAX_WORKERS)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"output path {out_dir} is a file, not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    if not overwrite:
        targets = {phone_file_name(i, batch.count) for i in range(batch.count)} | {LABELS_FILE}
        clashes = sorted(targets.intersection(os.listdir(out_dir)))
        if clashes:
            more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
            raise FileExistsError(f"{out_dir / clashes[0]} exists{more}; use --overwrite to replace")
    chunks = [(start, min(start + chunk_size, batch.count)) for start in range(0, batch.count, chunk_size)]
    done: dict[int, str] = {}

    from tqdm import tqdm

    bar = tqdm(total=batch.count, unit="img", disable=None if progress else True, dynamic_ncols=True)
    try:
        with _sigterm_as_interrupt():
            if workers == 1 or len(chunks) == 1:
                _set_worker_state(batch, out_dir)
                for result in map(_write_chunk, chunks):
                    done.update(result)
                    bar.update(len(result))
            else:
                context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
                with context.Pool(min(workers, len(chunks)), _init_worker, (batch, out_dir)) as pool:
                    for result in pool.imap_unordered(_write_chunk, chunks):
                        done.update(result)
                        bar.update(len(result))
    except BaseException:
        bar.close()
        _write_labels(out_dir, batch, done)
        raise
    bar.close()
    labels = _write_labels(out_dir, batch, done)
    return ExportResult(out_dir=out_dir, written=len(done), labels_path=labels)


def write_demo(out_dir: Path, *, seed: int = 0) -> list[Path]:
    """The README's first command: a sequence, 12 phone numbers with labels, and a page of them."""
    from .sheet import contact_sheet

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sequence = write_png(
        out_dir / "sequence-0123456789.png",
        render_sequence("0123456789", (0, 4), 300, seed=seed).image,
        overwrite=True,
    )
    phones = export_phone_numbers(12, (0, 4), 300, out_dir / "phone-numbers", seed=seed, overwrite=True)
    batch = PhoneNumberBatch(12, (0, 4), 300, seed=seed)
    samples = [batch[i] for i in range(len(batch))]
    page = out_dir / "phone-numbers-page.png"
    buffer = io.BytesIO()
    contact_sheet([s.image for s in samples], [s.text for s in samples], columns=2).save(buffer, format="PNG")
    atomic_write_bytes(page, buffer.getvalue())
    return [sequence, phones.labels_path, page]


MAX_PREVIEW = 1_000


def preview_file_name(augment: object, seed: int) -> str:
    """``preview-<preset or file stem>-seed<seed>.png``."""
    if augment is None:
        name = "none"
    elif isinstance(augment, (str, os.PathLike)):
        name = Path(augment).stem.lower()
    else:
        name = "custom"
    return f"preview-{name}-seed{seed}.png"


def write_preview(output_path: Path, *, augment="medium", count: int = 12, length: int = 10,
                  spacing_range=(0, 4), image_width: int = 300, seed: int = 0, columns: int = 2,
                  split: str = "train", overwrite: bool = False) -> Path:  # fmt: skip
    """Write a contact sheet of ``count`` random digit sequences drawn with ``augment``.

    Sample ``i`` (random digits, then the image) depends only on ``(seed, i)``.
    ``output_path`` ending in ``.png`` is the file; anything else is a directory
    that gets :func:`preview_file_name`.  Shows users what they will train on.
    """
    from .sheet import contact_sheet

    pipeline = resolve_augmentation(augment)  # bad specs fail before any work
    count = check_int("count", count, 1, MAX_PREVIEW)
    length = check_int("length", length, 1, MAX_SEQUENCE_LENGTH)
    columns = check_int("columns", columns, 1, 100)
    output_path = Path(output_path)
    if output_path.suffix.lower() == ".png":
        path = output_path
    else:
        if output_path.exists() and not output_path.is_dir():
            raise ValueError(f"output path {output_path} is a file without a .png suffix")
        path = output_path / preview_file_name(augment, seed)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; use --overwrite to replace")
    images, labels = [], []
    for i in range(count):
        rng = sample_generator(seed, i)
        digits = "".join(map(str, rng.integers(0, 10, size=length).tolist()))
        sample = render_sequence(digits, spacing_range, image_width, seed=rng, split=split, augment=pipeline)
        images.append(sample.image)
        labels.append(sample.text)
    buffer = io.BytesIO()
    contact_sheet(images, labels, columns=columns).save(buffer, format="PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())
    return path
