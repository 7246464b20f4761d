"""Where output may be written, and one error for "cannot write the output".

Output rules (the CLI's ``--help`` states them):

* an output **folder** is created, missing parents included;
* an output **file**'s folder is created only when that folder's own parent
  exists, so ``out/x.png`` works in a fresh directory but a typo such as
  ``/nonexistent/dir/x.png`` fails instead of scattering folders;
* anything that stops the output from being written (a missing or read-only
  folder, a full disk) raises :class:`OutputError` naming the path the user
  gave, never the temporary file behind the atomic write.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from number_generator.io.atomic import atomic_write_bytes


class OutputError(OSError):
    """The output cannot be written; the message names the path the user gave (CLI exit status 73)."""


def _folder_for_file(path: Path) -> None:
    """Create ``path``'s folder if its own parent exists; otherwise raise :class:`OutputError`."""
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise OutputError(f"cannot write {path}: {folder} is not a folder")
    if not folder.parent.is_dir():
        missing = next(p for p in reversed(folder.parents) if not p.is_dir())
        raise OutputError(f"cannot write {path}: folder {missing} does not exist (only the last folder is created)")
    make_output_folder(folder)


def make_output_folder(folder: str | PathLike[str]) -> Path:
    """Create an output folder, missing parents included; :class:`OutputError` if that is impossible."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    return folder


def write_file(path: str | PathLike[str], data: bytes | memoryview, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary name, then rename), by the output rules above.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    OutputError
        If the file cannot be written; the message names ``path``.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it")
    _folder_for_file(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
