"""Ablation of the ``realistic`` preset: train the recipe with the preset minus one group of transforms at a time.

Each variant is written as a pipeline file (the preset's own configuration with one group removed) and trained
with ``examples/train_recognizer.py``; the table of results is printed at the end and written to
``OUT/ablation.md``.  Run a subset with ``--only NAME ...``.

    poetry run python examples/ablate_realistic.py --out runs/ablation --steps 1200
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_recognizer

from number_generator.augment.presets import PRESETS

#: Groups of the realistic preset's transforms, by the issue that added them (a transform type per entry).
GROUPS = {
    "digit styles": {"CrossedSeven", "FlaggedOne", "OpenFour"},
    "marks": {"GroupSeparators", "EndMarks", "Underline", "StrayMarks"},
    "forms and paper": {
        "InkDarkness",
        "PrintedRule",
        "PrintedBox",
        "CombBoxes",
        "RuledPaper",
        "SecurityPattern",
        "IntensityRange",
    },
    "scans": {"BleedThrough", "LowResolution", "Binarize", "JpegCompression"},
}


def without(group: str) -> dict:
    """The realistic preset's configuration with every transform of ``group`` removed."""
    config = copy.deepcopy(PRESETS["realistic"])
    removed = GROUPS[group]
    for stage, items in config.items():
        config[stage] = [item for item in items if item["type"] not in removed]
    return config


def variants() -> dict[str, str | dict | None]:
    """Variant name -> ``--augment`` value (a preset name, or a pipeline configuration to write to a file)."""
    out: dict[str, str | dict | None] = {"heavy": "heavy", "realistic": "realistic"}
    out.update({f"realistic - {group}": without(group) for group in GROUPS})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/ablation"))
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more train_recognizer arguments")
    args = parser.parse_args(argv)
    rows = []
    for name, augment in variants().items():
        if args.only and name not in args.only:
            continue
        out = args.out / name.replace(" - ", "-without-").replace(" ", "-")
        out.mkdir(parents=True, exist_ok=True)
        if isinstance(augment, dict):
            path = out / "pipeline.json"
            path.write_text(json.dumps(augment, indent=1) + "\n")
            augment = str(path)
        report = train_recognizer.main(
            ["--augment", augment or "none", "--steps", str(args.steps), "--threads", str(args.threads)]
            + ["--out", str(out), "--no-progress", *args.extra]
        )
        rows.append((name, report))
    lines = [
        "| training augmentation | clean: char | clean: whole | heavy: char | heavy: whole | minutes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        c, h = r["test_clean"], r["test_heavy"]
        lines.append(
            f"| {name} | {100 * c['char']:.2f} % | {100 * c['sequence']:.2f} % | {100 * h['char']:.2f} % | "
            f"{100 * h['sequence']:.2f} % | {r['total_seconds'] / 60:.1f} |"
        )
    table = "\n".join(lines)
    (args.out / "ablation.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
