"""Write docs/augment/paper.png: the README's contact sheet of issue 14 (marks, punctuation, forms, scans, styles).

Usage::

    poetry run python scripts/paper_contact_sheet.py [OUTPUT.png]

Every tile is ``render_sequence`` / ``render_phone_number`` with a fixed seed and a
one-transform pipeline at probability 1 (the label under it is the sample's text
and what was applied), so the sheet is reproducible byte for byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

from number_generator import render_phone_number, render_sequence
from number_generator.io.sheet import contact_sheet

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 300

TILES = [
    # (what, text or phone style, pipeline, seed)
    ("marks: GroupSeparators", "5206300", {"marks": [{"type": "GroupSeparators", "marks": ["dot"]}]}, 1),
    ("marks: GroupSeparators", "1250000", {"marks": [{"type": "GroupSeparators", "marks": ["comma"]}]}, 2),
    ("marks: GroupSeparators", "98765432", {"marks": [{"type": "GroupSeparators", "marks": ["apostrophe"]}]}, 3),
    ("marks: EndMarks", "12500", {"marks": [{"type": "EndMarks", "both": 1.0}]}, 4),
    ("marks: Underline + StrayMarks", "30450", {"marks": [{"type": "Underline"}, {"type": "StrayMarks"}]}, 5),
    ("marks: all four", "4417800", {"marks": [{"type": t} for t in ("GroupSeparators", "EndMarks", "Underline")]}, 6),
    ("phone style: parens", "parens", None, 1),
    ("phone style: area-parens", "area-parens", None, 2),
    ("phone style: dots", "dots", None, 3),
    ("phone style: international", "international", None, 4),
    ("forms: PrintedRule", "0123456789", {"image": [{"type": "PrintedRule"}]}, 1),
    ("forms: PrintedBox", "20261130", {"image": [{"type": "PrintedBox"}]}, 2),
    ("forms: CombBoxes", "1500042", {"image": [{"type": "CombBoxes", "closed": 1.0, "wall": 1.0}]}, 3),
    ("forms: CombBoxes (open comb)", "0312345678", {"image": [{"type": "CombBoxes", "closed": 0.0}]}, 4),
    ("paper: RuledPaper", "7412", {"image": [{"type": "RuledPaper", "grid": 0.0}]}, 5),
    ("paper: RuledPaper (grid)", "88123", {"image": [{"type": "RuledPaper", "grid": 1.0}]}, 6),
    ("paper: SecurityPattern", "5500000", {"image": [{"type": "SecurityPattern", "cross": 1.0}]}, 7),
    (
        "paper: InkDarkness + tint",
        "369258",
        {"image": [{"type": "InkDarkness"}, {"type": "IntensityRange", "paper": [0.8, 0.85]}]},
        8,
    ),
    ("scan: JpegCompression q 15-25", "0123456789", {"image": [{"type": "JpegCompression", "quality": [15, 25]}]}, 9),
    ("scan: LowResolution", "0123456789", {"image": [{"type": "LowResolution"}]}, 10),
    ("scan: Binarize", "0123456789", {"image": [{"type": "Binarize", "fax": 0.0}]}, 11),
    ("scan: Binarize (fax)", "0123456789", {"image": [{"type": "Binarize", "fax": 1.0}]}, 12),
    ("scan: BleedThrough", "0123456789", {"image": [{"type": "BleedThrough", "strength": [0.3, 0.3]}]}, 13),
    ("scan: GaussianBlur 0.8", "0123456789", {"image": [{"type": "GaussianBlur", "sigma": [0.8, 0.8]}]}, 14),
    ("style: none", "7141747", None, 15),
    (
        "style: CrossedSeven FlaggedOne OpenFour",
        "7141747",
        {"glyph": [{"type": t} for t in ("CrossedSeven", "FlaggedOne", "OpenFour")]},
        15,
    ),
    ("realistic", "26031950", "realistic", 21),
    ("realistic", "1250000", "realistic", 22),
]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "augment" / "paper.png"
    images, labels = [], []
    for what, text, augment, seed in TILES:
        if what.startswith("phone style"):
            sample = render_phone_number((0, 3), WIDTH, seed=seed, style=text)
        else:
            sample = render_sequence(text, (0, 3), WIDTH, seed=seed, augment=augment)
        images.append(sample.image)
        labels.append(f"{what}   label: {sample.text}")
    out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(images, labels, columns=2, scale=2).save(out, optimize=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
