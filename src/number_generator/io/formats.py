"""Image files chosen by suffix.

``.png`` uses the project's own PNG encoder (:mod:`number_generator.io.png`);
``.jpg``/``.jpeg`` and ``.webp`` go through Pillow with a ``quality`` in
1-100 (users train on JPEG-compressed inputs).  A path ending in another
image suffix (``.bmp``, ``.tif``, ...) is refused with a message naming the
supported ones, instead of becoming a folder named ``x.bmp``.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import numpy as np

from number_generator.io.output import write_file
from number_generator.io.png import encode_png, to_uint8

#: Supported file suffixes (lower case) -> Pillow format name.
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
#: JPEG/WebP quality used when none is given (1-100, higher = larger files, fewer artefacts).
DEFAULT_QUALITY = 90
#: Image suffixes Pillow does not need to be asked about.
_OTHER_IMAGE_SUFFIXES = (".bmp", ".gif", ".tif", ".tiff", ".jp2", ".jpe", ".pgm", ".ppm", ".pbm", ".pnm", ".ico")


def image_format(path: str | PathLike[str]) -> str | None:
    """Pillow format name (``PNG``, ``JPEG``, ``WEBP``) of a supported image path, ``None`` for no image suffix.

    Raises
    ------
    ValueError
        If the suffix is an image format other than the supported ones.
    """
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_FORMATS:
        return IMAGE_FORMATS[suffix]
    if suffix and (suffix in _OTHER_IMAGE_SUFFIXES or _pillow_knows(suffix)):
        raise ValueError(
            f"cannot write {suffix} images ({Path(path)}); supported: {', '.join(IMAGE_FORMATS)}"
            " (a path without an image suffix is a folder)"
        )
    return None


def _pillow_knows(suffix: str) -> bool:
    from PIL import Image

    Image.init()
    return suffix in Image.registered_extensions()


def check_quality(quality: object) -> int:
    """A JPEG/WebP quality, an integer in 1-100."""
    from number_generator.core.validation import check_int

    return check_int("quality", quality, 1, 100)


def _save_options(fmt: str, quality: int | None) -> dict[str, int]:
    """Pillow save options: JPEG/WebP take a quality (default :data:`DEFAULT_QUALITY`); PNG takes none."""
    if fmt == "PNG":
        if quality is not None:
            raise ValueError("quality applies to .jpg/.jpeg/.webp outputs, not .png")
        return {}
    return {"quality": check_quality(DEFAULT_QUALITY if quality is None else quality)}


def encode_pillow(image: object, fmt: str, quality: int | None = None) -> bytes:
    """Bytes of a ``PIL.Image`` in ``fmt`` (``PNG``, ``JPEG``, ``WEBP``); JPEG/WebP at ``quality`` (1-100)."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **_save_options(fmt, quality))  # type: ignore[attr-defined]
    return buffer.getvalue()


def encode_image(image: np.ndarray, fmt: str, quality: int | None = None) -> bytes:
    """8-bit grayscale file bytes of a float image in [0, 1] (1.0 = paper -> 255) or a ``uint8`` array.

    ``PNG`` uses :func:`~number_generator.io.png.encode_png` (``quality`` must
    be ``None``); ``JPEG`` and ``WEBP`` use Pillow at ``quality`` (1-100,
    default :data:`DEFAULT_QUALITY`).  The same pixels give the same bytes.
    """
    if fmt == "PNG":
        _save_options(fmt, quality)  # refuses a quality
        return encode_png(image)
    from PIL import Image

    pixels = image if image.dtype == np.uint8 else to_uint8(image)
    return encode_pillow(Image.fromarray(pixels, mode="L"), fmt, quality)


def write_image(
    path: str | PathLike[str], image: np.ndarray, *, quality: int | None = None, overwrite: bool = False
) -> Path:
    """Write ``image`` in the format its suffix names (``.png``, ``.jpg``/``.jpeg``, ``.webp``).

    Raises
    ------
    ValueError
        If the suffix is not a supported image format, or ``quality`` is given for PNG.
    FileExistsError, OutputError
        As :func:`~number_generator.io.output.write_file`.
    """
    fmt = image_format(path)
    if fmt is None:
        raise ValueError(f"{Path(path)} has no image suffix; use one of {', '.join(IMAGE_FORMATS)}")
    return write_file(path, encode_image(image, fmt, quality), overwrite=overwrite)
