"""Run the command-line tools in this process, as their console scripts would run them.

The installed scripts call ``number_generator.cli.main`` / ``sequence_main`` / ``phone_main`` with
``sys.argv``; :func:`run_cli` calls the same functions with the given arguments and returns what a
subprocess would have: the exit status, stdout and stderr (warnings and unhandled log records
included, as Python prints them in a process of its own).  Starting a process per command costs
about a second of CPU; a few real-process smoke tests (tests/test_cli.py and others) keep the
scripts themselves covered.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from number_generator import cli

#: Console script name -> the function it calls (pyproject's ``[project.scripts]``).
ENTRY_POINTS: dict[str, Callable[[list[str] | None], None]] = {
    "number-generator": cli.main,
    "generate-numbers-sequence": cli.sequence_main,
    "generate-phone-numbers": cli.phone_main,
}


@dataclass
class Result:
    """What a finished command left: like ``subprocess.CompletedProcess`` with text output."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


@contextmanager
def _working_directory(path: Path | None) -> Iterator[None]:
    before = os.getcwd()
    if path is not None:
        os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


class _StderrHandler(logging.StreamHandler):
    """Like ``logging.lastResort``: WARNING and above to whatever ``sys.stderr`` is at the time."""

    def __init__(self) -> None:
        super().__init__()
        self.setLevel(logging.WARNING)

    @property
    def stream(self):  # type: ignore[override]
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _fresh_process_filters() -> None:
    """The warning filters a new Python process starts with (none from -W or PYTHONWARNINGS)."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=category)


def run_cli(program: str, *args: str, cwd: Path | None = None) -> Result:
    """Run console script ``program`` with ``args`` in this process; never raises for a failing command."""
    out, err = io.StringIO(), io.StringIO()
    formatwarning = warnings.formatwarning  # the CLI sets its own "PROG: warning: ..." format
    handler = _StderrHandler()
    root = logging.getLogger()
    root.addHandler(handler)

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        err.write(warnings.formatwarning(message, category, filename, lineno, line))

    try:
        with warnings.catch_warnings(), _working_directory(cwd), redirect_stdout(out), redirect_stderr(err):
            _fresh_process_filters()  # not pytest's recording filters
            warnings.showwarning = show
            try:
                ENTRY_POINTS[program](list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        root.removeHandler(handler)
        warnings.formatwarning = formatwarning
    return Result([program, *args], code, out.getvalue(), err.getvalue())


#: ``python -c GATED GATE FIRST_HELD ARGS...``: ``number-generator ARGS...`` in a process of its own whose
#: rendering of samples FIRST_HELD and later waits until the file GATE/go exists (forever, if it never
#: appears), after touching GATE/parked-PID-START.  Pool workers are forked and inherit the gate.  Tests
#: use it to stop an export at a known point instead of racing it: kill it there, or start a second run.
GATED = """
import os, sys, time
from pathlib import Path
from number_generator import cli
from number_generator.data.dataset import SyntheticDataset

gate, first_held = Path(sys.argv[1]), int(sys.argv[2])
render_block = SyntheticDataset.render_block

def gated(self, start, stop):
    if start >= first_held:
        (gate / f"parked-{os.getpid()}-{start}").touch()
        while not (gate / "go").exists():
            time.sleep(0.01)
    return render_block(self, start, stop)

SyntheticDataset.render_block = gated
cli.main(sys.argv[3:])
"""


def gated_command(gate: Path, first_held: int, *args: str) -> list[str]:
    """The command line of ``number-generator ARGS`` held at sample ``first_held`` (see :data:`GATED`)."""
    gate.mkdir(parents=True, exist_ok=True)
    return [sys.executable, "-c", GATED, str(gate), str(first_held), *args]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Poll ``condition`` until it holds (a bound on a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)
