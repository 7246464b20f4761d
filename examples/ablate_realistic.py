"""Ablation of the ``realistic`` preset: train the recipe with the preset minus one part at a time.

Each variant is the preset's own configuration with one part removed, written as a pipeline file and trained with
``examples/train_recognizer.py`` (which scores every model on clean, ``heavy`` and ``realistic`` test-split
phone numbers).  The table is printed at the end and written to ``OUT/ablation.md``; ``--only NAME ...`` runs a
subset, and results already in ``OUT`` are reused.

    poetry run python examples/ablate_realistic.py --out runs/ablation --steps 1200
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_recognizer

from number_generator.augment.presets import PRESETS

#: Transform types of each part of the realistic preset that the paper issue added.
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
#: The string-scoped glyph transforms, and the per-glyph ``medium`` transforms they replace when ablated.
STRING_STYLE = {"StringStyle", "StringStroke"}
PER_GLYPH = ("SizeVariation", "Affine", "BaselineJitter", "StrokeThickness")


def _without_types(types: set[str]) -> Callable[[dict], dict]:
    def edit(config: dict) -> dict:
        for stage in ("glyph", "marks", "image"):
            config[stage] = [item for item in config.get(stage, []) if item["type"] not in types]
        return config

    return edit


def _without_options(config: dict) -> dict:
    """One hand per number, touching digits and framing off: the recipe's spacing, any writer, centred."""
    config.pop("options", None)
    return config


def _per_glyph_style(config: dict) -> dict:
    """Slant, size, baseline and stroke drawn per glyph (``medium``'s transforms) instead of once per string."""
    medium = [item for item in PRESETS["medium"]["glyph"] if item["type"] in PER_GLYPH]
    config["glyph"] = medium + [item for item in config["glyph"] if item["type"] not in STRING_STYLE | {"Affine"}]
    return config


def _heavy_photometry(config: dict) -> dict:
    """``heavy``'s image transforms (stronger perspective, lighting, blur, noise, erasing) beside the paper parts."""
    paper = set().union(*GROUPS.values()) - {"IntensityRange"}
    config["image"] = [item for item in config["image"] if item["type"] in paper] + copy.deepcopy(
        PRESETS["heavy"]["image"]
    )
    return config


VARIANTS: dict[str, Callable[[dict], dict] | None] = {
    "realistic": None,
    "realistic - one hand, overlap, framing": _without_options,
    "realistic - string-level style": _per_glyph_style,
    "realistic - all paper parts": _without_types(set().union(*GROUPS.values())),
    **{f"realistic - {group}": _without_types(types) for group, types in GROUPS.items()},
    "realistic + heavy photometry": _heavy_photometry,
}


def augment_argument(name: str, out: Path) -> str:
    """The ``--augment`` value of a variant: a preset name, or a pipeline file written into ``out``."""
    edit = VARIANTS.get(name)
    if edit is None:
        return "heavy" if name == "heavy" else "realistic"
    path = out / "pipeline.json"
    path.write_text(json.dumps(edit(copy.deepcopy(PRESETS["realistic"])), indent=1) + "\n")
    return str(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/ablation"))
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="variant names to run (default: heavy, then every variant)")
    args, extra = parser.parse_known_args(argv)
    names = args.only or ["heavy", *VARIANTS]
    rows = []
    for name in names:
        out = args.out / name.replace(" - ", "-without-").replace(", ", "-").replace(" ", "-")
        results = out / "results.json"
        if not results.exists():
            out.mkdir(parents=True, exist_ok=True)
            train_recognizer.main(
                ["--augment", augment_argument(name, out), "--steps", str(args.steps), "--threads", str(args.threads)]
                + ["--out", str(out), "--no-progress", *extra]
            )
        rows.append((name, json.loads(results.read_text())))
    header = "| training augmentation | clean: char / whole | heavy: char / whole | realistic: char / whole | minutes |"
    lines = [header, "|---|---:|---:|---:|---:|"]
    for name, r in rows:
        cells = [
            f"{100 * r[k]['char']:.1f} / {100 * r[k]['sequence']:.1f} %"
            for k in ("test_clean", "test_heavy", "test_realistic")
        ]
        lines.append(f"| {name} | {' | '.join(cells)} | {r['total_seconds'] / 60:.1f} |")
    table = "\n".join(lines)
    (args.out / "ablation.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
