"""Options several commands share (one spelling each) and the small helpers around them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

MinSpacing = Annotated[int, typer.Option("--min-spacing", help="Smallest gap between characters' ink, pixels.")]
MaxSpacing = Annotated[int, typer.Option("--max-spacing", help="Largest gap between characters' ink, pixels.")]
MinGap = Annotated[
    int | None,
    typer.Option(
        "--min-spacing",
        help="Smallest gap between characters' ink, pixels; -13 to 1000, negative overlaps "
        "(default 0, or the --augment preset's).",
        show_default=False,
    ),
]
MaxGap = Annotated[
    int | None,
    typer.Option(
        "--max-spacing",
        help="Largest gap between characters' ink, pixels (default 4, or the --augment preset's).",
        show_default=False,
    ),
]
Writer = Annotated[
    str | None,
    typer.Option(
        "--writer",
        help="any: each digit from any writer (default); same: one writer per number (or the --augment preset's).",
        show_default=False,
    ),
]
DrawAlign = Annotated[
    str | None,
    typer.Option(
        "--align",
        help="Where a narrow sequence sits: center (default), left, right or random (or the --augment preset's).",
        show_default=False,
    ),
]


ImageWidth = Annotated[
    int, typer.Option("--image-width", "--width", help="Output width in pixels (height is always 28).")
]
Seed = Annotated[
    int | None,
    typer.Option(
        "--seed",
        "--random-seed",
        help="Seed for reproducible output (default: random, printed on stderr after success).",
        show_default=False,
    ),
]
Split = Annotated[str, typer.Option("--split", help="Draw glyphs from the MNIST 'train' or 'test' split.")]
Align = Annotated[str, typer.Option("--align", help="Where a narrow sequence sits: center, left, right or random.")]
Strict = Annotated[bool, typer.Option("--strict", help="Fail instead of scaling down a sequence that is too wide.")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")]
Verbose = Annotated[
    bool,
    typer.Option("--verbose/--no-verbose", help="Progress bar and the drawn seed on stderr; stdout is the same."),
]
Quality = Annotated[
    int | None,
    typer.Option(
        "--quality", min=1, max=100, help="JPEG/WebP quality 1-100 for .jpg/.jpeg/.webp outputs (default 90)."
    ),
]
ImageOutputPath = Annotated[
    Path,
    typer.Option(
        "--output-path",
        help="A .png, .jpg/.jpeg or .webp file (its folder is created only if that folder's parent exists), "
        "or a folder, created with missing parents, for a descriptively named PNG.",
    ),
]
Augment = Annotated[
    str | None,
    typer.Option(
        "--augment",
        metavar="PRESET|FILE",
        help="Augmentation: none, light, medium, heavy, realistic, or a pipeline .json/.yaml file (default: none).",
    ),
]


def tell_seed(given: int | None, used: int, verbose: bool) -> None:
    """After a success: print a randomly drawn seed on stderr (when ``verbose``) so the output can be remade."""
    if given is None and verbose:
        typer.echo(f"seed {used} (pass --seed {used} to make the same output again)", err=True)
