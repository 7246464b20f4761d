"""Project-level promises: CI runs the README's commands; the packaging holds together."""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _cli import ENTRY_POINTS, run_cli

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return [block.strip() for block in blocks if block.strip().startswith("pip install")]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    setup, tests = readme_commands()
    assert "number-generator demo" in setup
    assert tests.endswith("poetry run pytest")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines


def test_notice_credits_mnist():
    notice = (ROOT / "NOTICE").read_text()
    assert "Yann LeCun, Corinna Cortes and Christopher J. C. Burges" in notice
    assert "CC BY-SA 3.0" in notice


#: A fenced block, optionally preceded by ``<!-- readme-test: MARK -->``.
README_BLOCK = re.compile(r"(?:<!-- readme-test: (?P<mark>[^\n]*?) -->\n)?```(?P<lang>\w+)\n(?P<code>.*?)```", re.S)
#: Runs ``poetry run CMD`` as ``CMD`` from this environment: the blocks run in a scratch folder, not the checkout.
POETRY_RUN = 'poetry() { if [ "$1" = run ]; then shift; "$@"; else command poetry "$@"; fi; }\n'
#: What makes a word mean more to bash than itself: expansions, globs, operators (quoted ones too: being cautious).
SHELL_SYNTAX = re.compile(r"[$`*?\[\]{}~();<>|&]")


def console_script_lines(code: str) -> list[list[str]] | None:
    """A bash block's commands as argument lists, if every line is ``poetry run SCRIPT ARGS`` of this project.

    Such a line means the same run in this process (tests/_cli.py calls the function the console script calls)
    as in a shell, without a Python start-up and import per line (about 0.8 s of CPU each; tests/test_cli.py and
    others run the installed scripts as processes). None if any line needs the shell: a line continuation,
    something other than a console script, or any character bash would interpret.
    """
    commands = []
    for line in code.splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # a trailing backslash (a continued line) or an open quote
            return None
        if not words:
            continue
        if words[:2] != ["poetry", "run"] or len(words) < 3 or words[2] not in ENTRY_POINTS:
            return None
        if any(SHELL_SYNTAX.search(word) for word in words):
            return None
        commands.append(words[2:])
    return commands


def readme_blocks() -> list:
    text = (ROOT / "README.md").read_text()
    blocks = []
    for match in README_BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code")) + 1
        blocks.append(pytest.param(match["lang"], match["code"], match["mark"] or "", id=f"{match['lang']}-line{line}"))
    return blocks


def write_kmnist_shaped_files(folder: Path) -> None:
    """IDX files named as KMNIST's, of random strokes with labels 0-9 (the real files need the network)."""
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 60), ("t10k", 20)):
        images = (rng.random((count, 28, 28)) > 0.8).astype(np.uint8) * 255
        images[:, :4], images[:, -4:], images[:, :, :4], images[:, :, -4:] = 0, 0, 0, 0
        labels = np.arange(count, dtype=np.uint8) % 10
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as fh:
            fh.write(struct.pack(">IIII", 0x803, count, 28, 28) + images.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as fh:
            fh.write(struct.pack(">II", 0x801, count) + labels.tobytes())


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory, request):
    """One scratch folder and one Python namespace shared by the README's blocks, run in order.

    The folder (thousands of images) is removed afterwards unless a block failed, here in the worker rather than
    by the pytest controller after the run (see pyproject's ``tmp_path_retention_policy``).
    """
    from number_generator.glyphsets import registry
    from number_generator.glyphsets.glyphs import get_glyph_set

    folder = tmp_path_factory.mktemp("readme")
    failed_before = request.session.testsfailed
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setattr(registry, "_SOURCES", dict(registry._SOURCES))  # datasets a block registers stay here
        yield folder, {}
    get_glyph_set.cache_clear()  # and so do their loaded glyph sets
    if request.session.testsfailed == failed_before:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(("lang", "code", "mark"), readme_blocks())
def test_readme_block_runs_as_written(readme_run, lang, code, mark):
    """Every code block of the README runs as written, in order, after the set-up command.

    A block that cannot run here says why in a ``<!-- readme-test: skip: REASON -->`` line above it
    (network, a server, minutes of training); ``needs torch`` runs when torch is installed (always in CI).
    """
    folder, namespace = readme_run
    if mark.startswith("skip:"):
        pytest.skip(mark.removeprefix("skip:").strip())
    if mark == "needs torch" and importlib.util.find_spec("torch") is None and not os.environ.get("CI"):
        pytest.skip("needs torch (installed by .ci/run, not by Poetry; see the README)")
    if mark.startswith("with-files:"):
        write_kmnist_shaped_files(folder)
    if mark.startswith("file:"):
        (folder / mark.removeprefix("file:").strip()).write_text(code)
        return
    if lang == "python":
        exec(compile(code, "README.md", "exec"), namespace)
    elif lang == "bash" and (commands := console_script_lines(code)) is not None:
        for program, *args in commands:
            result = run_cli(program, *args, cwd=folder)
            assert result.returncode == 0, (
                f"{program} {' '.join(args)}: exit {result.returncode}: {result.stderr[-2000:]}"
            )
    elif lang == "bash":
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", POETRY_RUN + code], cwd=folder, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    else:
        pytest.fail(f"a {lang} block needs a readme-test mark saying how it is checked or why it is skipped")
