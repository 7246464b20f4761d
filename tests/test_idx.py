"""IDX reading: real bundled files, synthetic files of every type, and corrupted copies."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from number_generator.glyphsets import IDXError, read_idx
from number_generator.glyphsets.idx import parse_idx
from number_generator.glyphsets.mnist import data_dir


def idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    header = struct.pack(">HBB", 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize(
    "dtype, code",
    [(np.uint8, 0x08), (np.int8, 0x09), (np.int16, 0x0B), (np.int32, 0x0C), (np.float32, 0x0D), (np.float64, 0x0E)],
)
def test_every_element_type_round_trips(tmp_path, dtype, code):
    array = (np.arange(2 * 3 * 4) - 7).astype(dtype).reshape(2, 3, 4)
    if dtype == np.uint8:
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw = tmp_path / "a.idx"
    raw.write_bytes(idx_bytes(array, code))
    packed = tmp_path / "a.idx.gz"
    packed.write_bytes(gzip.compress(idx_bytes(array, code)))
    for path in (raw, packed):
        out = read_idx(path)
        assert out.dtype == np.dtype(dtype).newbyteorder("=")
        assert out.shape == (2, 3, 4)
        np.testing.assert_array_equal(out, array)


def test_reads_the_bundled_official_files():
    images = read_idx(data_dir() / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(data_dir() / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    # The first test digit of MNIST is a 7, the second a 2.
    assert labels[:3].tolist() == [7, 2, 1]


@pytest.fixture
def good_bytes() -> bytes:
    return idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5), 0x08)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b[:3], "truncated IDX header"),
        (lambda b: b[:10], "truncated IDX header"),
        (lambda b: b"\x01\x00" + b[2:], "not an IDX file"),
        (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX element type 0x07"),
        (lambda b: b[:3] + b"\x00" + b[4:], "0 dimensions"),
        (lambda b: b[:-1], "truncated IDX data: 59 bytes"),
        (lambda b: b + b"\x00\x00", "2 unexpected bytes"),
    ],
)
def test_corrupted_files_fail_with_a_clear_error(tmp_path, good_bytes, mutate, message):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(mutate(good_bytes))
    with pytest.raises(IDXError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_gzip_of_a_real_file_is_reported(tmp_path):
    original = (data_dir() / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(original[: len(original) // 2])
    with pytest.raises(IDXError, match="corrupt gzip stream"):
        read_idx(path)


def test_parse_idx_rejects_empty_input():
    with pytest.raises(IDXError, match="truncated IDX header"):
        parse_idx(b"")
