"""Fixed-seed outputs whose bytes must never change by accident (see tests/test_golden.py).

``python tests/_golden.py --write`` records the current digests into ``tests/golden/digests.json``;
do that only when an issue says fixed-seed output may change, and say so in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).parent / "golden" / "digests.json"

SPEC = {
    "seed": 11,
    "length": 40,
    "spacing": [0, 5],
    "width": [120, 200],
    "draw": [
        {"kind": "phone", "weight": 2},
        {"kind": "digits", "weight": 1, "length": [3, 9]},
        {"kind": "words", "words": ["12 34", "5-6"]},
    ],
}


def _digest_array(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha256(f"{a.dtype}{a.shape}".encode() + a.tobytes()).hexdigest()


def _digest_sample(s) -> str:
    parts = [
        _digest_array(s.image),
        s.text,
        _digest_array(s.boxes),
        _digest_array(s.glyph_indices),
        _digest_array(np.asarray(s.spacing)),
        repr(float(s.scale)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _digest_tree(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "manifest.json"):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def compute() -> dict[str, str]:
    from number_generator import (
        SyntheticDataset,
        export_dataset,
        generate_numbers_sequence,
        generate_phone_number,
        render_phone_number,
        render_sequence,
    )

    out: dict[str, str] = {}
    out["sequence/plain"] = _digest_array(generate_numbers_sequence("0123456789", (0, 4), 300, seed=0))
    out["sequence/narrow-scaled"] = _digest_sample(render_sequence("31415926535", (2, 9), 100, seed=3))
    out["sequence/test-left"] = _digest_sample(render_sequence("8080", (1, 3), 140, seed=5, split="test", align="left"))
    for preset in ("light", "medium", "heavy"):
        out[f"sequence/{preset}"] = _digest_sample(render_sequence("0123456789", (0, 4), 300, seed=9, augment=preset))
    out["phone/default"] = _digest_sample(render_phone_number((0, 4), 300, seed=7))
    out["phone/heavy"] = _digest_sample(render_phone_number((0, 4), 300, seed=8, augment="heavy"))
    image, number = generate_phone_number((0, 4), 300, seed=7, separator="")
    out["phone/no-separator"] = _digest_array(image) + ":" + number
    ds = SyntheticDataset(SPEC)
    out["dataset/samples"] = hashlib.sha256("".join(_digest_sample(ds[i]) for i in range(len(ds))).encode()).hexdigest()
    heavy = SyntheticDataset({**SPEC, "augment": "heavy"})
    out["dataset/heavy-samples"] = hashlib.sha256(
        "".join(_digest_sample(heavy[i]) for i in range(0, len(heavy), 3)).encode()
    ).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("png", "npz", "webdataset"):
            root = Path(tmp) / fmt
            export_dataset(SPEC, root, format=fmt, shard_size=16)
            out[f"export/{fmt}"] = _digest_tree(root)
    return out


if __name__ == "__main__":
    if "--write" in sys.argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(compute(), indent=2, sort_keys=True) + "\n")
    else:
        print(json.dumps(compute(), indent=2, sort_keys=True))
