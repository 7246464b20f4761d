"""Writing generated images to disk: single PNGs, phone-number sets, the demo.

Every file is written under a temporary name and renamed, so an interrupted
run never leaves a truncated PNG; ``labels.csv`` is written last (also on
interruption) and lists exactly the images that exist.  Sample ``i`` depends
only on ``(seed, i)``, so the files are byte-identical for any worker count.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from number_generator.core.options import DEFAULT_WORD_SPACING, resolve_augment
from number_generator.core.render import draw, render_sequence, render_text
from number_generator.core.validation import MAX_SEQUENCE_LENGTH, check_int, parse_digits
from number_generator.data.dataset import SyntheticDataset
from number_generator.data.phone_batch import PhoneNumberBatch
from number_generator.export.engines import MAX_WORKERS
from number_generator.export.layout import Layout, flat_file_name
from number_generator.export.manifest import read_manifest
from number_generator.export.shards import ExportResult, export_dataset
from number_generator.export.storage import LocalStorage
from number_generator.export.verify import LABELS
from number_generator.io.atomic import atomic_write_bytes
from number_generator.io.formats import IMAGE_FORMATS, encode_pillow, image_format, write_image
from number_generator.io.output import make_output_folder, write_file
from number_generator.io.png import write_png


def sequence_file_name(digits: str, seed: int) -> str:
    """``sequence-<digits>-seed<seed>.png``; long sequences are shortened."""
    shown = digits if len(digits) <= 32 else f"{digits[:32]}-{len(digits)}digits"
    return f"sequence-{shown}-seed{seed}.png"


def _output_file(output_path: str | os.PathLike[str], default_name: str) -> Path:
    """The file to write: ``output_path`` itself when it ends in an image suffix (.png, .jpg, .jpeg, .webp),
    else ``output_path / default_name`` with the folder created (missing parents included).

    Raises ``ValueError`` for another image suffix (``x.bmp``) or an existing file without an image suffix.
    """
    output_path = Path(output_path)
    if image_format(output_path) is not None:
        return output_path
    if output_path.exists() and not output_path.is_dir():
        raise ValueError(f"output path {output_path} is a file without an image suffix ({', '.join(IMAGE_FORMATS)})")
    return make_output_folder(output_path) / default_name


def write_sequence_png(
    digits: str,
    spacing_range,
    image_width: int,
    output_path: Path,
    *,
    seed: int,
    split: str = "train",
    align: str | None = "center",
    strict: bool = False,
    overwrite: bool = False,
    augment=None,
    quality: int | None = None,
    writer: str | None = None,
) -> Path:
    """Render ``digits`` and write one image.

    ``output_path`` ending in ``.png``, ``.jpg``/``.jpeg`` or ``.webp`` is the
    file (JPEG/WebP at ``quality``, 1-100); anything else is a folder (created
    with its parents) that gets the PNG :func:`sequence_file_name`.
    ``None`` for ``spacing_range``, ``align`` or ``writer`` means not given
    (the default, or the augmentation preset's).
    """
    digits = parse_digits(digits)
    sample = draw(
        digits,
        seed=seed,
        spacing_range=spacing_range,
        image_width=image_width,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
        writer=writer,
    )
    path = _output_file(output_path, sequence_file_name(digits, seed))
    return write_image(path, sample.image, quality=quality, overwrite=overwrite)


def text_file_name(text: str, seed: int) -> str:
    """``text-<text>-seed<seed>.png``: characters other than letters and digits become ``_``."""
    shown = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in text[:32])
    return f"text-{shown}{'' if len(text) <= 32 else f'-{len(text)}chars'}-seed{seed}.png"


def write_text_png(
    text: str,
    spacing_range,
    image_width: int,
    output_path: Path,
    *,
    seed: int,
    dataset: str = "emnist-byclass",
    word_spacing=DEFAULT_WORD_SPACING,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    overwrite: bool = False,
    augment=None,
    quality: int | None = None,
) -> Path:
    """Render ``text`` with a glyph dataset and write one image (``output_path`` as in :func:`write_sequence_png`)."""
    sample = render_text(
        text,
        spacing_range,
        image_width,
        dataset=dataset,
        seed=seed,
        split=split,
        align=align,
        word_spacing=word_spacing,
        strict=strict,
        augment=augment,
    )
    path = _output_file(output_path, text_file_name(text, seed))
    return write_image(path, sample.image, quality=quality, overwrite=overwrite)


def phone_file_name(index: int, count: int) -> str:
    """``phone-000042.png``: zero-padded so names sort in index order."""
    return flat_file_name(PHONE_PREFIX, index, count)


PHONE_PREFIX = "phone-"
PHONE_LAYOUT = Layout.flat(PHONE_PREFIX)


def _write_labels(out_dir: Path, batch: PhoneNumberBatch) -> Path:
    """After an interruption: labels.csv for exactly the images that exist, in index order."""
    present = set(os.listdir(out_dir))
    rows = []
    for index in range(batch.count):
        name = phone_file_name(index, batch.count)
        if name in present:
            rows.append((name, batch.number(index)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("file_name", "number"))
    writer.writerows(rows)
    path = out_dir / LABELS
    atomic_write_bytes(path, buffer.getvalue().encode())
    return path


def export_phone_numbers(
    count: int,
    spacing_range,
    image_width: int,
    out_dir: Path,
    *,
    seed: int | None = None,
    workers: int = 1,
    separator: str = "-",
    formats=None,
    split: str = "train",
    align: str | None = "center",
    strict: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    chunk_size: int | None = None,
    augment=None,
    style=None,
    writer: str | None = None,
) -> ExportResult:
    """Write ``count`` distinct phone-number PNGs and ``labels.csv`` into ``out_dir``.

    The same machinery as ``number-generator dataset`` (:func:`~number_generator.export.shards.export_dataset`)
    with a phone-number spec and the flat layout ``phone-<i>.png``: shards of
    ``chunk_size`` images, a ``manifest.json``, ``metadata.jsonl``, and
    resumption (re-running the same command finishes an interrupted export).

    Raises ``FileExistsError`` (before writing anything) when a target file
    exists, it is not the resumption of the same export, and ``overwrite`` is
    false.  On ``KeyboardInterrupt``/SIGTERM the finished images are kept,
    ``labels.csv`` lists exactly them, and the exception propagates.  The
    folder is locked for the run (``OutputLockedError``, a ``ValueError``,
    when another run writes there).  ``result.count`` images are in the
    folder afterwards, listed in ``result.labels_path``.
    """
    batch = PhoneNumberBatch(
        count,
        spacing_range,
        image_width,
        seed=seed,
        separator=separator,
        formats=formats,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
        style=style,
        writer=writer,
    )
    workers = check_int("workers", workers, 1, MAX_WORKERS)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"output path {out_dir} is a file, not a directory")
    if out_dir.suffix.lower() in IMAGE_FORMATS:
        raise ValueError(f"output path {out_dir} ends in an image suffix; phone numbers are written into a folder")
    spec = batch.dataset.spec  # the batch is a view of this spec's dataset
    if chunk_size is None:
        chunk_size = max(250, -(-batch.count // 1000))  # at most ~1000 shards: the manifest stays small
    make_output_folder(out_dir)
    storage = LocalStorage(out_dir)
    with storage.lock():
        try:
            manifest = read_manifest(storage)
        except ValueError:
            manifest = None
        resuming = manifest is not None and manifest.spec_hash == spec.hash and manifest.layout == PHONE_LAYOUT
        if not overwrite and not resuming:
            targets = {phone_file_name(i, batch.count) for i in range(batch.count)} | {LABELS}
            clashes = sorted(targets.intersection(os.listdir(out_dir)))
            if clashes:
                more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
                raise FileExistsError(f"{out_dir / clashes[0]} exists{more}; use --overwrite to replace")
        try:
            return export_dataset(
                spec,
                out_dir,
                format="png",
                shard_size=chunk_size,
                workers=workers,
                progress=progress,
                overwrite=True,
                layout=PHONE_LAYOUT,
            )
        except BaseException:
            _write_labels(out_dir, batch)
            raise


def write_demo(out_dir: Path, *, seed: int = 0, overwrite: bool = False) -> list[Path]:
    """The README's first command: a sequence, 12 phone numbers with labels, and a page of them.

    Raises ``FileExistsError`` before writing anything when one of the files
    exists and ``overwrite`` is false (re-running into the same folder needs
    ``--overwrite``).
    """
    from number_generator.io.sheet import contact_sheet

    out_dir = Path(out_dir)
    sequence_path = out_dir / "sequence-0123456789.png"
    page_path = out_dir / "phone-numbers-page.png"
    for path in (sequence_path, page_path):
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; use --overwrite to replace the demo files")
    make_output_folder(out_dir)
    export_phone_numbers(12, (0, 4), 300, out_dir / "phone-numbers", seed=seed, overwrite=overwrite)
    sequence = write_png(sequence_path, render_sequence("0123456789", (0, 4), 300, seed=seed).image, overwrite=True)
    samples = [sample for _, sample in PhoneNumberBatch(12, (0, 4), 300, seed=seed).render_range(0, 12)]
    sheet = contact_sheet([s.image for s in samples], [s.text for s in samples], columns=2)
    page = write_file(page_path, encode_pillow(sheet, "PNG"), overwrite=True)
    return [sequence, out_dir / "phone-numbers" / LABELS, page]


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


def write_preview(
    output_path: Path,
    *,
    augment="medium",
    count: int = 12,
    length: int = 10,
    spacing_range=(0, 4),
    image_width: int = 300,
    seed: int = 0,
    columns: int = 2,
    split: str = "train",
    overwrite: bool = False,
    quality: int | None = None,
    writer: str | None = None,
) -> Path:
    """Write a contact sheet of ``count`` random digit sequences drawn with ``augment``.

    Sample ``i`` (random digits, then the image) depends only on ``(seed, i)``.
    ``output_path`` ending in ``.png``, ``.jpg``/``.jpeg`` or ``.webp`` is the
    file (JPEG/WebP at ``quality``, 1-100); anything else is a folder that gets
    :func:`preview_file_name`.  Shows users what they will train on.
    """
    from number_generator.io.sheet import contact_sheet

    resolve_augment(augment)  # bad specs fail before any work
    count = check_int("count", count, 1, MAX_PREVIEW)
    length = check_int("length", length, 1, MAX_SEQUENCE_LENGTH)
    columns = check_int("columns", columns, 1, 100)
    path = _output_file(output_path, preview_file_name(augment, seed))
    fmt = image_format(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; use --overwrite to replace")
    spec = {
        "seed": seed,
        "length": count,
        **({"spacing": list(spacing_range)} if spacing_range is not None else {}),
        **({"writer": writer} if writer is not None else {}),
        "width": image_width,
        "split": split,
        "augment": augment,
        "draw": {"kind": "digits", "length": length},
    }
    samples = [sample for _, sample in SyntheticDataset(spec).samples(0, count)]
    sheet = contact_sheet([s.image for s in samples], [s.text for s in samples], columns=columns)
    return write_file(path, encode_pillow(sheet, fmt or "PNG", quality), overwrite=overwrite)
