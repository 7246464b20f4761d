"""Reading IDX files, the format of MNIST and EMNIST.

An IDX file is a 4-byte magic number -- two zero bytes, a type code, the
number of dimensions -- then one big-endian ``uint32`` per dimension, then the
data in C order, big-endian.  Files may be gzip-compressed (detected by their
content, not their name).
"""

from __future__ import annotations

import gzip
import struct
import zlib
from os import PathLike
from pathlib import Path

import numpy as np

#: IDX type code -> numpy dtype (big-endian as stored).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """An IDX file is malformed: bad magic, unknown type, truncated or too long."""


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        Native-endian array with the file's dimensions and element type.

    Raises
    ------
    IDXError
        If the header is malformed or the data length does not match it.
    """
    if len(data) < 4:
        raise IDXError(f"{source}: truncated IDX header ({len(data)} bytes, need at least 4)")
    zero, type_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise IDXError(f"{source}: not an IDX file (magic starts with {data[:2].hex()}, expected 0000)")
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise IDXError(f"{source}: unknown IDX element type 0x{type_code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{source}: IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(f"{source}: truncated IDX header ({len(data)} bytes, need {header_size} for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header_size
    if actual < expected:
        raise IDXError(f"{source}: truncated IDX data: {actual} bytes, header {shape} needs {expected}")
    if actual > expected:
        raise IDXError(f"{source}: {actual - expected} unexpected bytes after the IDX data of shape {shape}")
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def decode_idx(raw: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes, gzip-compressed or not (detected by content, not by name).

    Raises
    ------
    IDXError
        If the data is malformed (including a corrupt or truncated gzip stream).
    """
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise IDXError(f"{source}: corrupt gzip stream ({exc})") from None
    return parse_idx(raw, source=source)


def read_idx(path: str | PathLike[str]) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not.

    Raises
    ------
    IDXError
        If the file is malformed (including a corrupt or truncated gzip stream).
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    return decode_idx(path.read_bytes(), source=str(path))


def check_glyph_arrays(
    images: np.ndarray, labels: np.ndarray, images_source: str, labels_source: str, error: type[ValueError] = IDXError
) -> None:
    """Raise ``error`` unless ``images`` are ``uint8 (N, 28, 28)`` with one label each."""
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise error(f"{images_source}: expected uint8 images of 28x28, got {images.dtype} {images.shape}")
    if labels.shape != (images.shape[0],):
        raise error(f"{labels_source}: {labels.shape[0]} labels for {images.shape[0]} images")
