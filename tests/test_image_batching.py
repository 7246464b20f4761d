"""The image stage run over a block gives exactly what it gives one line at a time.

Blocks (exports, the DataLoader) augment their composed lines in one
``Pipeline.apply_image_block`` call: each line's parameters come from its own
generator as in ``apply_image``, and the pixel-wise transforms (noise, ink
level, textures, brightness) run once over a stack of the lines they apply
to.  Every byte and box must equal the line-by-line path.
"""

from __future__ import annotations

import numpy as np
import pytest

from number_generator.augment import Pipeline, resolve_augment
from number_generator.augment.base import IMAGE_TRANSFORMS
from number_generator.data.dataset import SyntheticDataset


def _lines(count: int, seed: int, widths=(300,)) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Composed, unaugmented lines of 10 digits (float32, 1.0 = paper) and their boxes."""
    images, boxes = [], []
    for width in widths:
        spec = {"seed": seed, "count": count, "width": width, "draw": {"kind": "digits", "length": 10}}
        for _, sample in SyntheticDataset(spec).samples(0, count):
            images.append(sample.image)
            boxes.append(sample.boxes)
    return images, boxes


def _one_by_one(pipe: Pipeline, images, boxes, seeds) -> tuple[list, list, list]:
    rngs = [np.random.default_rng(s) for s in seeds]
    out = [pipe.apply_image(image, box, rng) for image, box, rng in zip(images, boxes, rngs)]
    return [o[0] for o in out], [o[1] for o in out], rngs


@pytest.mark.parametrize("preset", ["realistic", "medium", "heavy", "light"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_block_of_lines_equals_one_call_per_line(preset, seed):
    pipe = resolve_augment(preset)
    images, boxes = _lines(24, seed, widths=(300, 300, 180))  # two widths: grouped by shape
    originals = [image.copy() for image in images]
    seeds = [(seed, k) for k in range(len(images))]
    block_rngs = [np.random.default_rng(s) for s in seeds]
    got, got_boxes = pipe.apply_image_block(images, boxes, block_rngs)
    want, want_boxes, rngs = _one_by_one(pipe, images, boxes, seeds)
    for k in range(len(images)):
        assert got[k].dtype == np.float32 and got[k].shape == images[k].shape
        np.testing.assert_array_equal(got[k], want[k], err_msg=f"{preset} line {k}")
        np.testing.assert_array_equal(got_boxes[k], want_boxes[k])
        assert got_boxes[k].dtype == want_boxes[k].dtype
        assert block_rngs[k].bit_generator.state == rngs[k].bit_generator.state  # the same draws, no more
        np.testing.assert_array_equal(images[k], originals[k])  # inputs not modified
    assert any(not np.array_equal(g, i) for g, i in zip(got, images))


def test_a_block_where_no_transform_applies_and_a_block_of_one_line():
    pipe = Pipeline.from_dict(
        {"image": [{"type": "GaussianNoise", "p": 0.0}, {"type": "Perspective", "p": 0.0}, {"type": "Gamma", "p": 0}]}
    )
    images, boxes = _lines(5, seed=4)
    got, got_boxes = pipe.apply_image_block(images, boxes, [np.random.default_rng(k) for k in range(5)])
    for k in range(5):
        np.testing.assert_array_equal(got[k], images[k])
        np.testing.assert_array_equal(got_boxes[k], boxes[k])
        assert got_boxes[k] is not boxes[k]
    realistic = resolve_augment("realistic")
    (one,), (one_boxes,) = realistic.apply_image_block(images[:1], boxes[:1], [np.random.default_rng(7)])
    want, want_boxes = realistic.apply_image(images[0], boxes[0], np.random.default_rng(7))
    np.testing.assert_array_equal(one, want)
    np.testing.assert_array_equal(one_boxes, want_boxes)
    assert realistic.apply_image_block([], [], []) == ([], [])


@pytest.mark.parametrize("name", sorted(n for n, cls in IMAGE_TRANSFORMS.items() if cls.stacked))
def test_every_stacked_transform_equals_its_one_image_form(name):
    transform = IMAGE_TRANSFORMS[name](p=1.0)
    images, _ = _lines(12, seed=5)
    stack = np.stack(images)
    params = [transform.sample(np.random.default_rng((5, k)), stack.shape[1:]) for k in range(len(images))]
    got = transform._apply_stack(stack, params)
    assert got.dtype == np.float32 and got.shape == stack.shape
    for k, image in enumerate(images):
        np.testing.assert_array_equal(got[k], transform._apply(image, None, params[k])[0], err_msg=f"{name} {k}")
    np.testing.assert_array_equal(stack, np.stack(images))  # not modified


@pytest.mark.parametrize("preset", ["realistic", "medium", "heavy"])
@pytest.mark.parametrize("seed", [3, 8])
def test_a_dataset_block_equals_its_single_samples_with_marks_and_image_transforms(preset, seed):
    spec = {"seed": seed, "count": 30, "width": [200, 320], "augment": preset, "draw": {"kind": "digits", "length": 10}}
    ds = SyntheticDataset(spec)
    block = ds.render_block(0, 30)
    for k in range(30):
        sample = ds[k]
        np.testing.assert_array_equal(block.images[k], np.rint(sample.image * 255).astype(np.uint8))
        np.testing.assert_array_equal(block.boxes[k], sample.boxes)
    floats = dict(ds.samples(0, 30))
    for k in (0, 13, 29):
        np.testing.assert_array_equal(floats[k].image, ds[k].image)


def test_apply_image_block_rejects_lists_of_different_lengths():
    images, boxes = _lines(2, seed=0)
    with pytest.raises(ValueError, match="apply_image_block: 2 images, 2 box arrays and 1 generators"):
        resolve_augment("realistic").apply_image_block(images, boxes, [np.random.default_rng(0)])
