"""The command-line front end: parse, call the library, write files.

Entry points (see ``[project.scripts]``): ``number-generator`` (all commands,
also ``python -m number_generator``), ``generate-numbers-sequence`` and
``generate-phone-numbers``.  Exit status: 0 done; 1 a check found a problem
(``verify``) or another failure; 2 bad input (one line on stderr, never a
traceback); 73 the output cannot be written (:data:`EXIT_CANNOT_WRITE`);
130 interrupted.
"""

from __future__ import annotations

import errno
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from number_generator.core.options import DEFAULT_WORD_SPACING
from number_generator.core.randomness import base_seed
from number_generator.core.validation import MAX_COUNT
from number_generator.data.phone import FORMATS, STYLES
from number_generator.export import files as exporting
from number_generator.io.atomic import TEMP_PREFIX
from number_generator.io.output import OutputError

#: Exit status for "the output cannot be written" (sysexits.h EX_CANTCREAT), the same for every command.
EXIT_CANNOT_WRITE = 73

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Make images of handwritten digit sequences, phone numbers and text from real MNIST (and EMNIST) glyphs; "
    "export training datasets; serve them over HTTP.",
)
datasets_app = typer.Typer(
    invoke_without_command=True, rich_markup_mode=None, help="List, download, check and remove glyph datasets."
)
app.add_typer(datasets_app, name="datasets")


@app.callback()
@datasets_app.callback()
def help_without_subcommand(ctx: typer.Context) -> None:
    """A group run without its subcommand prints its normal help on stderr and exits 2."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help(), err=True)
        raise typer.Exit(2)


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


def _gaps(low: int | None, high: int | None) -> tuple[int, int] | None:
    """The spacing pair from the two options; ``None`` when neither is given (the default, or the preset's)."""
    if low is None and high is None:
        return None
    return (0 if low is None else low, 4 if high is None else high)


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
        help="Augmentation: none, light, medium, heavy, or a pipeline .json/.yaml file (default: none).",
    ),
]


def _tell_seed(given: int | None, used: int, verbose: bool) -> None:
    """After a success: print a randomly drawn seed on stderr (when ``verbose``) so the output can be remade."""
    if given is None and verbose:
        typer.echo(f"seed {used} (pass --seed {used} to make the same output again)", err=True)


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
        _gaps(min_spacing, max_spacing),
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
    _tell_seed(seed, used_seed, verbose)


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
        _gaps(min_spacing, max_spacing),
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
    _tell_seed(seed, used_seed, verbose)


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
            "--augment", metavar="PRESET|FILE", help="none, light, medium, heavy, or a pipeline .json/.yaml file."
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
        spacing_range=_gaps(min_spacing, max_spacing),
        image_width=image_width,
        seed=base_seed(seed),
        columns=columns,
        split=split,
        overwrite=overwrite,
        quality=quality,
        writer=writer,
    )
    typer.echo(str(path))


@datasets_app.command("verify")
def datasets_verify_command() -> None:
    """Check bundled files, cached arrays and converted downloads against their sha256 (exit 1 on a problem)."""
    import time

    from number_generator.glyphsets import emnist, get_dataset, mnist
    from number_generator.glyphsets.cache import verify_cache

    failed = 0
    for check in mnist.verify():
        status = "ok" if check.ok else f"MISMATCH (got {check.actual_sha256 or 'missing file'})"
        typer.echo(f"mnist  {check.name:30s} sha256 {check.expected_sha256[:16]}…  {status}")
        failed += not check.ok
    for split in emnist.SPLITS:
        dataset = get_dataset(f"emnist-{split}")
        if not dataset.present():
            continue
        try:
            counts = [len(dataset.load(part)[1]) for part in dataset.splits]
            typer.echo(f"{dataset.name}  arrays readable, train {counts[0]:,} / test {counts[1]:,} glyphs  ok")
        except (ValueError, OSError) as exc:
            typer.echo(f"{dataset.name}  DAMAGED ({exc}); run 'number-generator datasets remove {dataset.name}'")
            failed += 1
    start, checked, size = time.perf_counter(), 0, 0
    for cached in verify_cache():
        checked += 1
        size += cached.path.stat().st_size
        if not cached.ok:
            typer.echo(f"cache  {cached.path}  DAMAGED ({cached.problem}); it is rebuilt at its next use")
            failed += 1
    typer.echo(
        f"cache  {checked} cached arrays, {size / 1e6:,.1f} MB, sha256 checked in {time.perf_counter() - start:.2f} s"
    )
    if failed:
        typer.echo(
            f"{failed} problem(s) found; reinstall the package or remove and download the dataset again", err=True
        )
        raise typer.Exit(1)


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n else "-"


@datasets_app.command("list")
def datasets_list_command() -> None:
    """List the glyph datasets: classes, splits, whether present, size on disk."""
    from number_generator.glyphsets import dataset_names, get_dataset

    typer.echo(f"{'name':16s} {'classes':>7s}  {'present':10s} {'on disk':>10s}  description")
    for name in dataset_names():
        dataset = get_dataset(name)
        present = (
            "bundled" if dataset.fetch is None and dataset.remove is None else ("yes" if dataset.present() else "no")
        )
        n_classes = sum(1 for ch in dataset.classes if ch)
        typer.echo(
            f"{name:16s} {n_classes:7d}  {present:10s} {_size(dataset.disk_usage()):>10s}  {dataset.description}"
        )


@datasets_app.command("download")
def datasets_download_command(
    name: Annotated[str, typer.Argument(help="Dataset to fetch, e.g. emnist-byclass.")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Use this EMNIST gzip.zip or extracted folder; no download.")
    ] = None,
) -> None:
    """Download (md5-checked, with progress) and convert a dataset once; later runs memory-map it."""
    from number_generator.glyphsets import get_dataset

    dataset = get_dataset(name)
    if dataset.fetch is None:
        typer.echo(f"{name} needs no download (it is bundled or registered from local files)")
        return
    dataset.fetch(progress=True, source=data_dir)
    typer.echo(f"{name}: ready ({_size(dataset.disk_usage())} in {dataset_cache_hint()})")


def dataset_cache_hint() -> str:
    from number_generator.glyphsets.cache import cache_dir

    return str(cache_dir())


@datasets_app.command("remove")
def datasets_remove_command(
    name: Annotated[
        str,
        typer.Argument(help="Dataset whose cached files to delete, or 'emnist' for all EMNIST files and the archive."),
    ],
) -> None:
    """Delete a downloaded dataset's cached files (the bundled MNIST cannot be removed)."""
    from number_generator.glyphsets import emnist, get_dataset

    if name == "emnist":
        freed = emnist.remove()
    else:
        dataset = get_dataset(name)
        if dataset.remove is None:
            raise ValueError(f"{name} is bundled with the package and cannot be removed")
        freed = dataset.remove()
    if freed:
        typer.echo(f"removed {name} ({_size(freed)} freed)")
    else:
        typer.echo(f"{name} was not there: nothing to remove in {dataset_cache_hint()}")


@datasets_app.command("path")
def datasets_path_command() -> None:
    """Print the cache directory (set NUMBER_GENERATOR_CACHE to move it)."""
    typer.echo(dataset_cache_hint())


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
        if source.fetch is not None and not source.present():
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
    _tell_seed(seed, used_seed, verbose)


# ---- training-data exports (number_generator.data.dataset / number_generator.export) ----
EXIT_EXPORT_DAMAGED = 1  # `export verify`: a shard or metadata file fails its check
# A missing or damaged manifest.json is a ValueError (ManifestError): exit 2, like any input that cannot be used.
export_app = typer.Typer(
    rich_markup_mode=None,
    invoke_without_command=True,
    help="Export a dataset described by a spec (YAML/JSON) in resumable shards; 'export verify DIR' checks one.",
)
app.add_typer(export_app, name="export")
app.add_typer(export_app, name="dataset", hidden=True)  # the 0.1 name, kept as an alias


@export_app.callback()
def export_command(
    ctx: typer.Context,
    spec: Annotated[Path | None, typer.Option("--spec", help="Dataset spec, .yaml/.yml/.json.")] = None,
    count: Annotated[
        int | None, typer.Option("--count", help="Number of samples (default: the spec's length).")
    ] = None,
    out: Annotated[str | None, typer.Option("--out", help="Output directory or fsspec URL.")] = None,
    format: Annotated[
        str, typer.Option("--format", help="png (+labels.csv, metadata.jsonl), npz or webdataset.")
    ] = "png",
    shard_size: Annotated[
        int, typer.Option("--shard-size", help="Samples per shard (unit of atomic writes and resume).")
    ] = 10_000,
    workers: Annotated[int, typer.Option("--workers", help="Processes; output is the same for any number.")] = 1,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or dask (pip install 'number-generator[dask]').")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, tcp://HOST:PORT.")
    ] = None,
    no_lock: Annotated[
        bool,
        typer.Option(
            "--no-lock",
            help="Do not lock the output (needed for object stores such as s3://, which cannot be locked): "
            "only when no other run writes there.",
        ),
    ] = False,
    overwrite: Overwrite = False,
) -> None:
    """Write COUNT samples of SPEC to OUT; re-running the same command resumes (and repairs) an export."""
    if ctx.invoked_subcommand is not None:
        return
    if spec is None or out is None:
        raise typer.BadParameter("--spec and --out are required (or use: export verify DIR)")
    from number_generator.export.shards import export_dataset

    result = export_dataset(
        spec,
        out,
        count=count,
        format=format,
        shard_size=shard_size,
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        progress=True,
        overwrite=overwrite,
        lock=not no_lock,
    )
    resumed = f" ({result.skipped} already done)" if result.skipped else ""
    redone = f", {result.redone} damaged shards redone" if result.redone else ""
    typer.echo(
        f"wrote {result.written} of {result.shards} shards{resumed}{redone}: {result.count} samples in {result.out}"
    )


@export_app.command("verify")
def export_verify_command(
    out: Annotated[str, typer.Argument(help="Export directory or fsspec URL.")],
) -> None:
    """Check an export against its manifest: exit 1 on a damaged shard or metadata file, 2 when
    manifest.json is missing or damaged."""
    from number_generator.export.verify import verify_export

    report = verify_export(out)
    for problem in report.problems:
        typer.echo(f"{report.out}: {problem}", err=True)
    if not report.ok:
        raise typer.Exit(EXIT_EXPORT_DAMAGED)
    typer.echo(f"ok: {report.shards} shards, {report.count} samples in {report.out}")


# ---- REST API (number_generator.api; optional extra "api") ----
@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8085,
    workers: Annotated[int, typer.Option("--workers", help="Server processes (1 = one process).")] = 1,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Require this key in X-API-Key (env NUMBER_GENERATOR_API_KEY).")
    ] = None,
    max_length: Annotated[
        int | None, typer.Option("--max-length", help="Most characters per sequence (default 256).")
    ] = None,
    max_width: Annotated[int | None, typer.Option("--max-width", help="Widest image, px (default 4096).")] = None,
    max_batch: Annotated[
        int | None, typer.Option("--max-batch", help="Most images per /v1/batch (default 10000).")
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option("--max-body-bytes", help="Largest request body (default 65536).")
    ] = None,
    max_cost: Annotated[
        int | None,
        typer.Option("--max-cost", help="Work budget per request, pixel-passes (default 2,000,000,000; see README)."),
    ] = None,
    max_streams: Annotated[
        int | None, typer.Option("--max-streams", help="Batch downloads generated at once per process (default 2).")
    ] = None,
    cors_origins: Annotated[
        str | None, typer.Option("--cors-origins", help="Comma-separated origins allowed from browsers.")
    ] = None,
    preload: Annotated[
        str | None, typer.Option("--preload", help="Comma-separated datasets loaded at start (default mnist).")
    ] = None,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
) -> None:
    """Serve the REST API and the playground page (http://HOST:PORT/, docs at /docs)."""
    import os

    try:
        import uvicorn
    except ImportError:
        raise ValueError("the REST API needs the 'api' extra: pip install 'number-generator[api]'") from None
    from number_generator.api.settings import ENV_PREFIX, Settings

    options = {
        "KEY": api_key,
        "MAX_LENGTH": max_length,
        "MAX_WIDTH": max_width,
        "MAX_BATCH": max_batch,
        "MAX_BODY_BYTES": max_body_bytes,
        "MAX_COST": max_cost,
        "MAX_STREAMS": max_streams,
        "CORS_ORIGINS": cors_origins,
        "PRELOAD": preload,
    }
    for name, value in options.items():
        if value is not None:
            os.environ[ENV_PREFIX + name] = str(value)
    settings = Settings.from_env()  # bad settings fail here, once, with one line
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be 1-65535, got {port}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    uvicorn.run(
        "number_generator.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=settings.shutdown_grace,  # then open streams are cancelled
    )


#: errno values that mean "this output cannot be written" whatever wrote it.
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR}
#: The temporary name behind an atomic write (number_generator.io.atomic): ``.tmp-<tag>-NAME``.
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-zA-Z]+-(?=[^/]*$)")


def _cannot_write(exc: OSError) -> str:
    """One line naming the path the user gave, not the temporary file behind it."""
    if isinstance(exc, OutputError):
        return str(exc)
    target = _TEMP_NAME.sub("", str(exc.filename)) if exc.filename else None
    return f"cannot write {target}: {exc.strerror}" if target else f"cannot write the output: {exc}"


def _run(command, prog_name: str, args: list[str] | None = None) -> int:
    """Run a Typer-built command; turn every expected failure into one line and its exit status."""
    import warnings

    warnings.formatwarning = lambda message, *_, **__: f"{prog_name}: warning: {message}\n"
    try:
        result = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        if result == 130:  # Typer turns KeyboardInterrupt into exit code 130
            print(f"{prog_name}: interrupted", file=sys.stderr)
        return result if isinstance(result, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors, bad option values
        message = exc.format_message().replace("\n", " ")
        print(f"{prog_name}: error: {message}", file=sys.stderr)
        return exc.exit_code if exc.exit_code else 2
    except (ValueError, FileExistsError) as exc:
        print(f"{prog_name}: error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, typer.Abort):
        print(f"{prog_name}: interrupted", file=sys.stderr)
        return 130
    except ImportError as exc:  # an optional package (s3fs, gcsfs, dask, ...) is missing
        print(f"{prog_name}: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except OSError as exc:
        if isinstance(exc, OutputError) or exc.errno in _WRITE_ERRNOS:
            print(f"{prog_name}: error: {_cannot_write(exc)}", file=sys.stderr)
            return EXIT_CANNOT_WRITE
        print(f"{prog_name}: error: {exc}", file=sys.stderr)
        return 1


def main(args: list[str] | None = None) -> None:
    """``number-generator``."""
    sys.exit(_run(typer.main.get_command(app), "number-generator", args))


def _single(command_name: str):
    group = typer.main.get_command(app)
    return group.commands[command_name]  # type: ignore[attr-defined]


def sequence_main(args: list[str] | None = None) -> None:
    """``generate-numbers-sequence``."""
    sys.exit(_run(_single("generate-numbers-sequence"), "generate-numbers-sequence", args))


def phone_main(args: list[str] | None = None) -> None:
    """``generate-phone-numbers``."""
    sys.exit(_run(_single("generate-phone-numbers"), "generate-phone-numbers", args))
