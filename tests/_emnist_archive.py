"""Small EMNIST archives in the official layout, for tests and benchmarks.

``gzip.zip`` holds ``gzip/emnist-<split>-<train|test>-<images-idx3|labels-idx1>-ubyte.gz``
and ``gzip/emnist-<split>-mapping.txt``, exactly like the NIST archive; images
are stored transposed, as EMNIST stores them.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zipfile
from pathlib import Path

import numpy as np

from number_generator.glyphsets import emnist


def upright_glyph(label: int) -> np.ndarray:
    """A glyph that is not symmetric: a bar of label-dependent width, a flag at the top left.

    Ink width ``3 + label % 7`` columns (so tests can tell classes apart by width);
    the flag occupies rows 2-3, columns 2-9 (top left).
    """
    glyph = np.zeros((28, 28), dtype=np.uint8)
    glyph[4:24, 10 : 13 + label % 7] = 255
    glyph[2:4, 2:10] = 200
    return glyph


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def split_arrays(split: str, per_class: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Upright images and labels for the train and test parts (every used label ``per_class`` times)."""
    labels = [label for label, ch in enumerate(emnist.SPLITS[split].classes) if ch]
    out = {}
    for part, repeat in (("train", per_class), ("test", max(1, per_class // 2))):
        lab = np.repeat(np.array(labels, dtype=np.uint8), repeat)
        out[part] = (np.stack([upright_glyph(int(v)) for v in lab]), lab)
    return out


def mapping_text(split: str) -> str:
    spec = emnist.SPLITS[split]
    lines = []
    for label, ch in enumerate(spec.classes):
        if not ch:
            continue
        codes = [ord(ch)] + [ord(a) for a, lab in spec.aliases.items() if lab == label and split == "letters"]
        lines.append(" ".join(str(v) for v in [label, *codes]))
    return "\n".join(lines) + "\n"


def make_archive(path: Path, splits=("byclass", "letters", "balanced"), per_class: int = 4) -> str:
    """Write a small official-layout ``gzip.zip`` at ``path``; return its md5."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for split in splits:
            for part, (images, labels) in split_arrays(split, per_class).items():
                stored = np.ascontiguousarray(images.transpose(0, 2, 1))  # EMNIST's transposed storage
                archive.writestr(
                    f"gzip/{emnist.member_name(split, part, 'images')}", gzip.compress(idx_bytes(stored), 1)
                )
                archive.writestr(
                    f"gzip/{emnist.member_name(split, part, 'labels')}", gzip.compress(idx_bytes(labels), 1)
                )
            archive.writestr(f"gzip/{emnist.mapping_name(split)}", mapping_text(split))
    return hashlib.md5(path.read_bytes()).hexdigest()
