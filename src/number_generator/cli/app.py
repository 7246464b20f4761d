"""The ``number-generator`` Typer app that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Make images of handwritten digit sequences, phone numbers and text from real MNIST (and EMNIST) glyphs; "
    "export training datasets; serve them over HTTP.",
)


def help_without_subcommand(ctx: typer.Context) -> None:
    """A group run without its subcommand prints its normal help on stderr and exits 2."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help(), err=True)
        raise typer.Exit(2)


app.callback()(help_without_subcommand)
