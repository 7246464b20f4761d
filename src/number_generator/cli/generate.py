"""Commands that draw images: ``generate-numbers-sequence``, ``generate-phone-numbers``, ``generate-text``,
``demo`` and ``preview``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from number_generator.cli.app import app
from number_generator.cli.options import (
    Align,
    Augment,
    DrawAlign,
    ImageOutputPath,
    ImageWidth,
    MaxGap,
    MaxSpacing,
    MinGap,
    MinSpacing,
    Overwrite,
    Quality,
    Seed,
    Split,
    Strict,
    Verbose,
    Writer,
    tell_seed,
)
from number_generator.core.options import DEFAULT_WORD_SPACING, spacing_from_bounds
from number_generator.core.randomness import base_seed
from number_generator.core.validation import MAX_COUNT
from number_generator.data.phone import FORMATS, STYLES
from number_generator.export import files as exporting


@app.command("generate-numbers-sequence")
def generate_numbers_sequence_command(
    sequence: Annotated[list[str], typer.Argument(help="Digits to draw: 350 or 3 5 0.", show_default=False)],
    min_spacing: MinGap = None,
    max_spacing: MaxGap = None,
    image_width: ImageWidth = 300,
    output_path: ImageOutputPath = Path("."),
    seed: Seed = None,
    split: Split = "train",
    align: DrawAlign = None,
    strict: Strict = False,
    overwrite: Overwrite = False,
    augment: Augment = None,
    quality: Quality = None,
    verbose: Verbose = True,
    writer: Writer = None,
) -> None:
    """Write one image of a digit sequence (8-bit grayscale PNG, JPEG or WebP; white paper, black ink)."""
    digits = "".join(sequence).replace(" ", "")
    used_seed = base_seed(seed)
    path = exporting.write_sequence_png(
        digits,
        spacing_from_bounds(min_spacing, max_spacing),
        image_width,
        output_path,
        seed=used_seed,
        split=split,
        align=align,
        strict=strict,
        overwrite=overwrite,
        augment=augment,
        quality=quality,
        writer=writer,
    )
    typer.echo(str(path))
    tell_seed(seed, used_seed, verbose)


@app.command("generate-phone-numbers")
def generate_phone_numbers_command(
    min_spacing: MinGap = None,
    max_spacing: MaxGap = None,
    image_width: ImageWidth = 300,
    num_images: Annotated[
        int,
        typer.Option(
            "--count", "--num-images", min=1, max=MAX_COUNT, help=f"How many distinct numbers (1-{MAX_COUNT})."
        ),
    ] = 10,
    output_path: Annotated[
        Path,
        typer.Option("--output-path", help="Folder for the PNGs and labels.csv (created with missing parents)."),
    ] = Path("phone-numbers"),
    seed: Seed = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes to use; output is the same for any number.")] = 1,
    separator: Annotated[str, typer.Option("--separator", help="'-' draws hyphens; '' draws digits only.")] = "-",
    formats: Annotated[
        list[str] | None,
        typer.Option("--phone-format", "--format", help=f"Limit to these phone formats: {', '.join(FORMATS)}."),
    ] = None,
    split: Split = "train",
    align: DrawAlign = None,
    strict: Strict = False,
    overwrite: Overwrite = False,
    augment: Augment = None,
    style: Annotated[
        list[str] | None,
        typer.Option("--style", help=f"How numbers are written (repeat to mix): {', '.join(STYLES)}."),
    ] = None,
    verbose: Verbose = True,
    writer: Writer = None,
) -> None:
    """Write N distinct Japanese phone-number PNGs and a labels.csv (file_name,number)."""
    used_seed = base_seed(seed)
    result = exporting.export_phone_numbers(
        num_images,
        spacing_from_bounds(min_spacing, max_spacing),
        image_width,
        output_path,
        seed=used_seed,
        workers=workers,
        separator=separator,
        formats=formats or None,
        split=split,
        align=align,
        strict=strict,
        overwrite=overwrite,
        progress=verbose,
        augment=augment,
        style=style or None,
        writer=writer,
    )
    typer.echo(f"wrote {result.count} images and {result.labels_path}")
    tell_seed(seed, used_seed, verbose)


@app.command("demo")
def demo_command(
    output_path: Annotated[
        Path, typer.Argument(help="Folder for the sample images (created with missing parents).")
    ] = Path("samples"),
    seed: Annotated[int, typer.Option("--seed", "--random-seed", help="Seed (same seed, same images).")] = 0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the demo files of an earlier run.")] = False,
) -> None:
    """Write sample images: a digit sequence, phone numbers with labels.csv, and a page of them."""
    for path in exporting.write_demo(output_path, seed=base_seed(seed), overwrite=overwrite):
        typer.echo(str(path))


@app.command("preview")
def preview_command(
    output_path: Annotated[
        Path,
        typer.Argument(help="A .png, .jpg/.jpeg or .webp file, or a folder for preview-<augment>-seed<seed>.png."),
    ] = Path("."),
    augment: Annotated[
        str,
        typer.Option(
            "--augment",
            metavar="PRESET|FILE",
            help="none, light, medium, heavy, realistic, or a pipeline .json/.yaml file.",
        ),
    ] = "medium",
    count: Annotated[int, typer.Option("--count", help="Number of samples on the sheet (1-1000).")] = 12,
    length: Annotated[int, typer.Option("--length", help="Digits per sample.")] = 10,
    min_spacing: MinGap = None,
    max_spacing: MaxGap = None,
    image_width: ImageWidth = 300,
    columns: Annotated[int, typer.Option("--columns", help="Samples per row of the sheet.")] = 2,
    seed: Annotated[int, typer.Option("--seed", "--random-seed", help="Seed (same seed, same sheet).")] = 0,
    split: Split = "train",
    overwrite: Overwrite = False,
    quality: Quality = None,
    writer: Writer = None,
) -> None:
    """Write a contact sheet PNG of random digit sequences with their labels, augmented as asked."""
    path = exporting.write_preview(
        output_path,
        augment=augment,
        count=count,
        length=length,
        spacing_range=spacing_from_bounds(min_spacing, max_spacing),
        image_width=image_width,
        seed=base_seed(seed),
        columns=columns,
        split=split,
        overwrite=overwrite,
        quality=quality,
        writer=writer,
    )
    typer.echo(str(path))


@app.command("generate-text")
def generate_text_command(
    text: Annotated[str, typer.Argument(help="Text to draw, e.g. 'Hello World' (spaces become word gaps).")],
    dataset: Annotated[str, typer.Option("--dataset", help="Glyph dataset (see 'datasets list').")] = "emnist-byclass",
    min_spacing: MinSpacing = 0,
    max_spacing: MaxSpacing = 4,
    min_word_spacing: Annotated[
        int, typer.Option("--min-word-spacing", help="Smallest gap a space stands for, pixels.")
    ] = DEFAULT_WORD_SPACING[0],
    max_word_spacing: Annotated[
        int, typer.Option("--max-word-spacing", help="Largest gap a space stands for, pixels.")
    ] = DEFAULT_WORD_SPACING[1],
    image_width: ImageWidth = 300,
    output_path: ImageOutputPath = Path("."),
    seed: Seed = None,
    split: Split = "train",
    align: Align = "center",
    strict: Strict = False,
    overwrite: Overwrite = False,
    augment: Augment = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="An EMNIST gzip.zip or extracted folder to convert from.")
    ] = None,
    quality: Quality = None,
    verbose: Verbose = True,
) -> None:
    """Write one image of handwritten text drawn with a glyph dataset (EMNIST letters and digits)."""
    from number_generator.glyphsets import get_dataset

    if data_dir is not None:
        source = get_dataset(dataset)
        if source.downloadable and not source.present():
            source.fetch(progress=False, source=data_dir)
    used_seed = base_seed(seed)
    path = exporting.write_text_png(
        text,
        (min_spacing, max_spacing),
        image_width,
        output_path,
        seed=used_seed,
        dataset=dataset,
        word_spacing=(min_word_spacing, max_word_spacing),
        split=split,
        align=align,
        strict=strict,
        overwrite=overwrite,
        augment=augment,
        quality=quality,
    )
    typer.echo(str(path))
    tell_seed(seed, used_seed, verbose)
