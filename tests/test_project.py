"""Project-level promises: CI runs the README's commands; the packaging holds together."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

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


def test_readme_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert blocks
    if importlib.util.find_spec("torch") is None:  # torch is installed by .ci/run, not by Poetry (see README)
        blocks = [b for b in blocks if "torch" not in b]
    namespace: dict = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), namespace)
    assert namespace["image"].shape == (28, 300)
    assert namespace["sample"].text == "350"
