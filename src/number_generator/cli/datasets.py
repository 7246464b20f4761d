"""``number-generator datasets``: list, download, check and remove glyph datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from number_generator.cli.app import app, help_without_subcommand

datasets_app = typer.Typer(
    invoke_without_command=True, rich_markup_mode=None, help="List, download, check and remove glyph datasets."
)
app.add_typer(datasets_app, name="datasets")
datasets_app.callback()(help_without_subcommand)


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
            "bundled" if not (dataset.downloadable or dataset.removable) else ("yes" if dataset.present() else "no")
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
    if not dataset.downloadable:
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
        freed = get_dataset(name).remove()  # a bundled source refuses with a ValueError naming it
    if freed:
        typer.echo(f"removed {name} ({_size(freed)} freed)")
    else:
        typer.echo(f"{name} was not there: nothing to remove in {dataset_cache_hint()}")


@datasets_app.command("path")
def datasets_path_command() -> None:
    """Print the cache directory (set NUMBER_GENERATOR_CACHE to move it)."""
    typer.echo(dataset_cache_hint())
