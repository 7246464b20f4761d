"""The glyph stage run in batches gives exactly what it gives one glyph or one string at a time.

Blocks (exports, the DataLoader) augment the glyphs of many strings in one
``Pipeline.apply_glyph_block`` call; every batched step (warps in chunks, elastic
crops gathered from one array of noise banks, strip morphology, one stroke
rasteriser call for the foreign digit styles, stacked pen widths)
must give the bytes of the step done glyph by glyph.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from number_generator.augment import (
    Affine,
    CrossedSeven,
    ElasticDistortion,
    FlaggedOne,
    OpenFour,
    Pipeline,
    StrokeThickness,
    resolve_augment,
)
from number_generator.augment._random import smooth_noise_bank
from number_generator.augment.glyph import warp_glyphs
from number_generator.augment.marks import estimate_pen_width
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.strokes import stroke_ink, stroke_ink_batch


def _mnist(text: str, seed: int = 0) -> np.ndarray:
    gs = get_glyph_set("mnist", "train")
    classes = np.array([int(ch) for ch in text])
    return np.ascontiguousarray(gs.images[gs.pick(classes, np.random.default_rng(seed))])


def _strings(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 12, count)
    lengths[:3] = (0, 1, 10)  # an empty string, a single glyph, a long one
    return ["".join(rng.choice(list("0123456789774411"), n)) for n in lengths]


@pytest.mark.parametrize("preset", ["realistic", "medium", "heavy"])
def test_a_block_of_strings_equals_one_call_per_string(preset):
    pipe = resolve_augment(preset)
    texts = _strings(40, seed=3)
    text = "".join(texts)
    stack = _mnist(text, seed=1)
    lengths = [len(t) for t in texts]
    block_rngs = [np.random.default_rng((9, k)) for k in range(len(texts))]
    block = pipe.apply_glyph_block(stack, block_rngs, lengths, text)
    assert block.dtype == np.uint8 and block.shape == stack.shape
    start = 0
    for k, t in enumerate(texts):
        rng = np.random.default_rng((9, k))
        one = pipe.apply_glyphs(stack[start : start + len(t)], rng, text=t)
        np.testing.assert_array_equal(block[start : start + len(t)], one, err_msg=f"string {k} {t!r}")
        assert rng.bit_generator.state == block_rngs[k].bit_generator.state  # the same draws, no more
        start += len(t)
    assert not np.array_equal(block, stack)


def test_apply_glyph_block_rejects_lengths_that_do_not_split_the_stack():
    pipe = resolve_augment("realistic")
    stack = _mnist("0123")
    rngs = [np.random.default_rng(0), np.random.default_rng(1)]
    with pytest.raises(ValueError, match=r"apply_glyph_block: 2 generators and lengths \[1, 2\]"):
        pipe.apply_glyph_block(stack, rngs, [1, 2], "0123")
    with pytest.raises(ValueError, match="apply_glyph_block: 1 generators"):
        pipe.apply_glyph_block(stack, rngs[:1], [2, 2], "0123")
    with pytest.raises(ValueError, match="has 3 characters for 4 glyphs"):
        pipe.apply_glyph_block(stack, rngs, [2, 2], "012")
    empty = np.zeros((0, 28, 28), np.uint8)
    assert pipe.apply_glyph_block(empty, [], [], "").shape == (0, 28, 28)  # a block of no strings
    no_glyph_transforms = Pipeline(image=list(pipe.image))
    np.testing.assert_array_equal(no_glyph_transforms.apply_glyph_block(stack, rngs, [2, 2], "0123"), stack)


def test_warping_in_chunks_equals_warping_each_glyph():
    stack = _mnist("0123456789" * 30, seed=2)  # more glyphs than one chunk
    transforms = [Affine(rotate=(-10, 10), shear=(-15, 15), scale=(0.9, 1.1), p=0.8), ElasticDistortion(p=0.7)]
    pipe = Pipeline(glyph=transforms)
    columns = pipe._sample_glyph_columns(np.random.default_rng(4), len(stack))
    chain = list(zip(transforms, columns))
    out = warp_glyphs(stack, chain)
    for i in range(0, len(stack), 37):
        one = [(t, {k: v[i : i + 1] for k, v in cols.items()}) for t, cols in chain]
        np.testing.assert_array_equal(out[i], warp_glyphs(stack[i : i + 1], one)[0])


def test_elastic_fields_are_crops_of_their_sigmas_noise_bank():
    t = ElasticDistortion(alpha=(15, 28), sigma=(0.5, 12), p=0.7)
    cols = t.sample_columns(np.random.default_rng(5), 64)
    kind, field = t.backward(cols, None)
    assert kind == "field" and field.dtype == np.float32 and field.shape == (64, 2, 28, 28)
    h, w = smooth_noise_bank(4.0).shape
    for i in range(64):
        if not cols["applied"][i]:
            assert not field[i].any()  # a skipped glyph does not move
            continue
        seed, bank = int(cols["seed"][i]), smooth_noise_bank(float(cols["sigma"][i]))
        x1, y1 = seed % (w - 28), (seed >> 16) % (h - 28)
        x2, y2 = (seed >> 24) % (w - 28), (seed >> 40) % (h - 28)
        alpha = np.float32(cols["alpha"][i])
        np.testing.assert_array_equal(field[i, 0], bank[y1 : y1 + 28, x1 : x1 + 28] * alpha)
        np.testing.assert_array_equal(field[i, 1], bank[y2 : y2 + 28, x2 : x2 + 28] * alpha)
    with pytest.raises(ValueError, match="'sigma' must be <= 12"):
        t.backward({**cols, "sigma": np.full(64, 13.0)}, None)


def _thicken_alone(glyph: np.ndarray, delta: float) -> np.ndarray:
    """StrokeThickness of one glyph, as it was computed before batching (cv2 on the glyph alone)."""
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)
    op = cv2.dilate if delta > 0 else cv2.erode
    steps, frac = divmod(abs(delta), 1.0)
    g = glyph
    for _ in range(int(steps)):
        g = op(g, cross, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    if frac > 0:
        nxt = op(g, cross, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        g = cv2.addWeighted(g, 1.0 - frac, nxt, frac, 0.0)
    return g


def test_stroke_thickness_of_a_stack_equals_each_glyph_alone():
    stack = _mnist("0123456789" * 4, seed=6)
    stack[3] = 0  # a blank glyph
    stack[5, :3] = 255  # ink on the frame's edge, next to the neighbour in the strip
    stack[6, -3:] = 255
    deltas = np.array([-2, -1.5, -1, -0.3, 0, 0.25, 1, 1.7, 2, -0.99] * 4, np.float64)
    out = StrokeThickness(delta=(-2, 2))._apply_pixels(stack, {"delta": deltas, "applied": deltas != 0})
    for i, d in enumerate(deltas.tolist()):
        expected = _thicken_alone(stack[i], d) if d else stack[i]
        np.testing.assert_array_equal(out[i], expected, err_msg=f"glyph {i}, delta {d}")


@pytest.mark.parametrize("char, cls", [("7", CrossedSeven), ("1", FlaggedOne), ("4", OpenFour)])
def test_digit_styles_of_a_stack_equal_each_glyph_alone(char, cls):
    stack = _mnist(char * 24, seed=7)
    pipe = Pipeline(glyph=[cls()])
    columns = pipe._sample_glyph_columns(np.random.default_rng(8), len(stack), char * 24)
    t, cols = pipe.glyph[0], columns[0]
    out = t._apply_pixels(stack, cols)
    assert (out != stack).any(axis=(1, 2)).sum() >= 12  # most are edited
    for i in range(len(stack)):
        one = t._apply_pixels(stack[i : i + 1], {k: v[i : i + 1] for k, v in cols.items()})
        np.testing.assert_array_equal(out[i], one[0])


@pytest.mark.parametrize("points", [2, 3, 6])
def test_stroke_ink_batch_equals_stroke_ink_bit_for_bit(points):
    rng = np.random.default_rng(points)
    polylines = rng.uniform(-4, 32, (40, points, 2))  # some reach beyond the frame
    polylines[::7, 1] = polylines[::7, 0]  # zero-length segments
    polylines[5] += 60  # entirely outside: no ink
    thickness = rng.uniform(0.8, 6.0, 40)
    for taper in (0.3, 0.0):
        batch = stroke_ink_batch(polylines, thickness, taper=taper)
        assert batch.dtype == np.float32 and batch.shape == (40, 28, 28)
        assert batch.min() >= 0.0 and batch.max() <= 1.0
        assert not batch[5].any()
        for j in range(40):
            np.testing.assert_array_equal(batch[j], stroke_ink([polylines[j]], float(thickness[j]), taper=taper))
    wide = stroke_ink_batch(polylines[:3], thickness[:3], shape=(20, 50))
    assert wide.shape == (3, 20, 50)
    np.testing.assert_array_equal(wide[1], stroke_ink([polylines[1]], float(thickness[1]), shape=(20, 50)))
    assert stroke_ink_batch(np.zeros((0, 2, 2)), np.zeros(0)).shape == (0, 28, 28)
    with pytest.raises(ValueError, match="at least 2 points"):
        stroke_ink_batch(np.zeros((1, 1, 2)), np.ones(1))


def test_stroke_ink_batch_puts_ink_only_within_the_pen_reach():
    polylines = np.array([[[6.0, 14.5], [22.0, 14.5]], [[14.5, 4.0], [14.5, 24.0]]])  # through pixel centres
    ink = stroke_ink_batch(polylines, np.array([3.0, 2.0]))
    yy, xx = np.mgrid[0:28, 0:28] + 0.5
    horizontal_far = np.abs(yy - 14.5) > 3.0 / 2 + 0.8
    vertical_far = np.abs(xx - 14.5) > 2.0 / 2 + 0.8
    assert not ink[0][horizontal_far].any() and not ink[1][vertical_far].any()
    assert ink[0][14, 8:20].min() == 1.0 and ink[1][8:20, 14].min() == 1.0  # full ink along the middle


def test_pen_width_of_a_stack_equals_each_image():
    stack = _mnist("0123456789" * 3, seed=9)
    images = 1.0 - stack.astype(np.float32) / 255
    images[4] = 1.0  # no ink
    widths = estimate_pen_width(images)
    assert widths.dtype == np.float64 and widths.shape == (30,)
    assert widths[4] == 2.5 and np.all((widths[widths != 2.5] > 1) & (widths[widths != 2.5] < 6))
    for i, image in enumerate(images):
        single = estimate_pen_width(image)
        assert isinstance(single, float) and single == widths[i]


def test_the_sampling_plan_follows_changes_to_the_transforms():
    pipe = Pipeline(glyph=[Affine(rotate=(-10, 10), p=1.0)])
    stack = _mnist("0123")
    assert not np.array_equal(pipe.apply_glyphs(stack, np.random.default_rng(0)), stack)
    pipe.glyph[0].p = 0.0  # a changed transform is sampled with its new settings
    np.testing.assert_array_equal(pipe.apply_glyphs(stack, np.random.default_rng(0)), stack)
    pipe.glyph.append(StrokeThickness(delta=(1, 1)))  # and an added one is sampled too
    out = pipe.apply_glyphs(stack, np.random.default_rng(0))
    assert (out >= stack).all() and (out > stack).any()
