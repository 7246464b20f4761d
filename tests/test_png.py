"""The PNG encoder: any reader gets exactly our pixels back."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from number_generator.io.png import encode_png, to_uint8, write_png


@pytest.mark.parametrize("shape", [(28, 300), (1, 1), (28, 1), (5, 4096)])
def test_pillow_decodes_exactly_our_pixels(shape):
    pixels = np.random.default_rng(sum(shape)).integers(0, 256, size=shape, dtype=np.uint8)
    with Image.open(io.BytesIO(encode_png(pixels))) as image:
        image.load()
        assert image.format == "PNG" and image.mode == "L" and image.size == (shape[1], shape[0])
        np.testing.assert_array_equal(np.asarray(image), pixels)


def test_float_images_map_paper_to_255_and_ink_to_0():
    image = np.ones((28, 10), np.float32)
    image[3, 4] = 0.0
    image[5, 6] = 0.5
    out = to_uint8(image)
    assert out.dtype == np.uint8 and out[0, 0] == 255 and out[3, 4] == 0 and out[5, 6] == 128
    with Image.open(io.BytesIO(encode_png(image))) as decoded:
        np.testing.assert_array_equal(np.asarray(decoded), out)


def test_same_pixels_same_bytes_and_atomic_write(tmp_path):
    image = np.linspace(0, 1, 28 * 50, dtype=np.float32).reshape(28, 50)
    assert encode_png(image) == encode_png(image.copy())
    path = write_png(tmp_path / "a.png", image)
    assert path.read_bytes() == encode_png(image)
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]
    with pytest.raises(FileExistsError, match="a.png exists"):
        write_png(path, image)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"expected a non-empty 2-D image, got shape \(2, 3, 4\)"):
        encode_png(np.zeros((2, 3, 4), np.uint8))
