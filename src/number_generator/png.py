"""Encoding images as 8-bit grayscale PNG, written atomically.

Float images follow the contract (1.0 = paper, 0.0 = ink) and map linearly
to 0-255: ``round(value * 255)``.  PNG bytes depend only on the pixels (no
timestamps), so the same image always gives byte-identical files.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import numpy as np

from .datasets.cache import atomic_write_bytes

#: zlib level for PNGs: 6 is Pillow's default; files are tiny either way.
PNG_COMPRESS_LEVEL = 6


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] -> ``uint8`` (0.0 -> 0, 1.0 -> 255, rounded)."""
    return np.rint(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a float image (grayscale, 8 bit) or of a ``uint8`` array."""
    from PIL import Image

    pixels = image if image.dtype == np.uint8 else to_uint8(image)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def write_png(path: str | PathLike[str], image: np.ndarray, *, overwrite: bool = False) -> Path:
    """Write ``image`` as PNG at ``path`` through a temporary file and a rename.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it")
    atomic_write_bytes(path, encode_png(image))
    return path
