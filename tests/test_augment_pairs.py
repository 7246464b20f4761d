"""Every ordered pair of registered transforms runs through the library and keeps the image contract.

Geometric glyph transforms are composed into one resampling; chaining them once crashed in
``cv2.remap`` (float64 maps after an elastic field).  The transform lists are the ones the
per-transform tests keep complete (they assert every registered transform is in them).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from number_generator import render_text
from number_generator.augment import Pipeline
from test_augment_glyph import ALL_GLYPH
from test_augment_image import ALL_IMAGE

TEXT, WIDTH = "8031", 120


def _name(pair) -> str:
    return "+".join(type(t).__name__ for t in pair)


def _check_contract(pipeline: Pipeline, seed: int) -> None:
    sample = render_text(TEXT, (0, 3), WIDTH, dataset="mnist", seed=seed, augment=pipeline)
    assert sample.image.dtype == np.float32 and sample.image.shape == (28, WIDTH)
    assert np.isfinite(sample.image).all()
    assert 0.0 <= sample.image.min() and sample.image.max() <= 1.0
    assert sample.text == TEXT and sample.boxes.shape == (len(TEXT), 4)
    again = render_text(TEXT, (0, 3), WIDTH, dataset="mnist", seed=seed, augment=pipeline)
    np.testing.assert_array_equal(sample.image, again.image)


@pytest.mark.parametrize("pair", list(itertools.product(ALL_GLYPH, repeat=2)), ids=_name)
def test_every_ordered_pair_of_glyph_transforms(pair):
    _check_contract(Pipeline(glyph=list(pair)), seed=3)


@pytest.mark.parametrize("pair", list(itertools.product(ALL_IMAGE, repeat=2)), ids=_name)
def test_every_ordered_pair_of_image_transforms(pair):
    _check_contract(Pipeline(image=list(pair)), seed=5)
