"""The command-line front end: parse, call the library, write files.

One module per command group, each registering on the Typer ``app`` of
:mod:`.app`: :mod:`.generate` (images), :mod:`.datasets` (glyph datasets),
:mod:`.export` (sharded exports), :mod:`.serve` (the REST API); shared
options live in :mod:`.options`.  This module turns every expected failure
into one line and an exit status.

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

import typer

from number_generator.cli import datasets, export, generate, serve  # noqa: F401  (each registers its commands)
from number_generator.cli.app import app
from number_generator.io.atomic import TEMP_PREFIX
from number_generator.io.output import OutputError

__all__ = ["EXIT_CANNOT_WRITE", "app", "main", "phone_main", "sequence_main"]

#: Exit status for "the output cannot be written" (sysexits.h EX_CANTCREAT), the same for every command.
EXIT_CANNOT_WRITE = 73

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
