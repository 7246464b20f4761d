"""``number-generator export``: resumable sharded exports of a dataset spec, and ``export verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from number_generator.cli.app import app
from number_generator.cli.options import Overwrite

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
