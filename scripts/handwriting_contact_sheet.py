"""Write docs/augment/handwriting.png: the README's contact sheet of issue 13 (one hand, touching digits, framing).

Usage::

    poetry run python scripts/handwriting_contact_sheet.py [OUTPUT.png]

Each pair of tiles draws the same text with the same seed, once with MNIST's
defaults and once with one option (or the ``realistic`` preset) turned on; the
label under a tile says which and, for ``writer="same"``, who wrote it.  Every
tile is :func:`number_generator.draw` with a fixed seed, so the sheet is
reproducible byte for byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

from number_generator import draw
from number_generator.io.sheet import contact_sheet

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 300
STRING_STYLE = {
    "glyph": [
        {"type": "StringStyle", "slant": [-14, 14], "slant_spread": 3, "scale": [0.94, 1.04], "drift": [1.5, 2.5]},
        {"type": "StringStroke", "delta": [-0.5, 0.8], "spread": 0.15},
    ]
}

TILES = [
    # (what, text, options, seed)
    ("writer='any' (default)", "4011223377", {}, 1),
    ("writer='same'", "4011223377", {"writer": "same"}, 1),
    ("writer='any' (default)", "090-8765-4321", {}, 2),
    ("writer='same' (hyphens in its pen width)", "090-8765-4321", {"writer": "same"}, 2),
    ("spacing (0, 4) (default)", "1100077", {}, 3),
    ("spacing (-4, 0): touching and crossing", "1100077", {"spacing": (-4, 0), "writer": "same"}, 3),
    ("no string style", "26031950", {"writer": "same"}, 4),
    ("StringStyle + StringStroke", "26031950", {"writer": "same", "augment": STRING_STYLE}, 4),
    ("MNIST framing (default)", "583", {"width": 120}, 5),
    (
        "fill (0.9, 1), height_jitter 0.08, align random",
        "583",
        {"width": 120, "fill": (0.9, 1.0), "height_jitter": 0.08, "align": "random"},
        5,
    ),
    ("realistic", "0312345678", {"augment": "realistic"}, 6),
    ("realistic", "1250000", {"augment": "realistic"}, 7),
    ("realistic", "8080", {"augment": "realistic"}, 8),
    ("realistic", "20261124", {"augment": "realistic"}, 9),
]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "augment" / "handwriting.png"
    images, labels = [], []
    for what, text, options, seed in TILES:
        sample = draw(text, seed=seed, **{"width": WIDTH, **options})
        who = f"   writer {sample.writer}" if sample.writer >= 0 else ""
        images.append(sample.image)
        labels.append(f"{what}{who}")
    out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(images, labels, columns=2, scale=2).save(out, optimize=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
