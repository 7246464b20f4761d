"""Image transforms: contract, measurable effects, boxes following geometry."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _augment_data import line_image
from number_generator.augment import (
    IMAGE_TRANSFORMS,
    BackgroundGradient,
    BackgroundTexture,
    Binarize,
    BleedThrough,
    Brightness,
    CombBoxes,
    Contrast,
    Gamma,
    GaussianBlur,
    GaussianNoise,
    InkDarkness,
    IntensityRange,
    Invert,
    JpegCompression,
    LowResolution,
    MotionBlur,
    Perspective,
    PrintedBox,
    PrintedRule,
    RandomErasing,
    RuledPaper,
    SaltAndPepper,
    SecurityPattern,
)

ALL_IMAGE = [
    GaussianNoise(sigma=(0.02, 0.1)),
    SaltAndPepper(amount=(0.01, 0.05)),
    Brightness(delta=(-0.2, 0.2)),
    Contrast(factor=(0.5, 1.5)),
    Gamma(gamma=(0.5, 2.0)),
    GaussianBlur(sigma=(0.3, 1.5)),
    MotionBlur(length=(2, 7)),
    BackgroundGradient(strength=(0.1, 0.5)),
    BackgroundTexture(strength=(0.1, 0.5)),
    IntensityRange(ink=(0.0, 0.3), paper=(0.7, 1.0)),
    RandomErasing(count=(1, 3), width=(2, 10), height=(2, 10), fill=(0.0, 1.0)),
    Perspective(skew=(-15, 15), rotate=(-3, 3), corner=(0, 3)),
    Invert(),
    PrintedRule(),
    PrintedBox(),
    CombBoxes(),
    RuledPaper(),
    SecurityPattern(),
    InkDarkness(),
    JpegCompression(),
    LowResolution(),
    Binarize(),
    BleedThrough(),
]


def grey(w=300, v=0.5):
    return np.full((28, w), v, np.float32)


def hf_energy(img):
    """High-frequency energy: mean squared Laplacian."""
    lap = img[1:-1, :-2] + img[1:-1, 2:] + img[:-2, 1:-1] + img[2:, 1:-1] - 4 * img[1:-1, 1:-1]
    return float((lap.astype(np.float64) ** 2).mean())


def test_every_registered_image_transform_is_exercised():
    assert {type(t).__name__ for t in ALL_IMAGE} == set(IMAGE_TRANSFORMS)


@pytest.mark.parametrize("t", ALL_IMAGE, ids=lambda t: type(t).__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), width=st.integers(1, 700))
def test_contract_holds(t, seed, width):
    rng = np.random.default_rng(seed)
    img = rng.random((28, width), dtype=np.float32)
    before = img.copy()
    boxes = np.array([[0, 0, width, 28]], np.int64)
    out, b = t.apply(img, boxes, t.sample(rng, img.shape))
    assert out.dtype == np.float32
    assert out.shape == (28, width)
    assert np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0
    assert b.dtype == np.int64 and b.shape == (1, 4)
    assert np.array_equal(img, before), "input must not be modified"


@pytest.mark.parametrize("t", ALL_IMAGE, ids=lambda t: type(t).__name__)
def test_replay_is_deterministic_and_skip_is_identity(t):
    img, boxes = line_image()
    params = t.sample(np.random.default_rng(5), img.shape)
    a, ba = t.apply(img, boxes, params)
    b, bb = t.apply(img, boxes, params)
    assert np.array_equal(a, b) and np.array_equal(ba, bb)
    same, sb = t.apply(img, boxes, {})
    assert np.array_equal(same, img) and np.array_equal(sb, boxes)


def test_gaussian_noise_raises_variance():
    out, _ = GaussianNoise().apply(grey(), None, {"sigma": 0.05, "offset": 1234})
    assert grey().var() == 0
    assert 0.04 < out.std() < 0.06
    assert abs(out.mean() - 0.5) < 0.01


def test_salt_and_pepper_changes_the_requested_fraction():
    out, _ = SaltAndPepper(salt=0.5).apply(grey(), None, {"amount": 0.1, "offset": 99})
    changed = (out != 0.5).mean()
    assert 0.08 < changed < 0.12
    assert set(np.unique(out[out != 0.5])) <= {0.0, 1.0}


def test_brightness_moves_the_mean():
    out, _ = Brightness().apply(grey(), None, {"delta": 0.2})
    assert out.mean() == pytest.approx(0.7, abs=1e-6)
    out, _ = Brightness().apply(grey(), None, {"delta": -0.7})
    assert out.min() == 0.0  # clipped, not negative


def test_contrast_scales_deviation_from_mean():
    img, _ = line_image()
    out, _ = Contrast().apply(img, None, {"factor": 0.5})
    assert out.std() == pytest.approx(0.5 * img.std(), rel=1e-3)
    assert out.mean() == pytest.approx(img.mean(), abs=1e-4)


def test_gamma_darkens_midtones():
    out, _ = Gamma().apply(grey(), None, {"gamma": 2.0})
    assert out.mean() == pytest.approx(0.25, abs=1e-4)
    img, _ = line_image()
    out, _ = Gamma().apply(img, None, {"gamma": 2.0})
    assert out.max() == 1.0 and out.min() == 0.0  # paper and full ink are fixed points


def test_gaussian_blur_lowers_high_frequency_energy():
    img, _ = line_image()
    out, _ = GaussianBlur().apply(img, None, {"sigma": 1.0})
    assert hf_energy(out) < 0.5 * hf_energy(img)


def test_motion_blur_acts_along_its_direction():
    stripes_v = np.tile(np.array([0.0, 1.0], np.float32), (28, 60))  # vertical stripes
    stripes_h = np.ascontiguousarray(np.tile(np.array([[0.0], [1.0]], np.float32), (14, 120)))
    horizontal = {"length": 5.0, "angle": 0.0}
    out_v, _ = MotionBlur().apply(stripes_v, None, horizontal)
    out_h, _ = MotionBlur().apply(stripes_h, None, horizontal)
    assert out_v[:, 5:-5].std() < 0.3 * stripes_v.std()  # blurred across the stripes
    assert np.allclose(out_h, stripes_h, atol=1e-6)  # untouched along them


def test_background_gradient_darkens_one_side_only_paper():
    img, boxes = line_image(300)
    out, b = BackgroundGradient().apply(img, boxes, {"strength": 0.4, "angle": 0.0})
    assert np.allclose(out[:, 0], 1.0)  # left edge: paper unchanged
    assert np.allclose(out[:, -1], 0.6)  # right edge: darkened by strength
    assert out[img == 0].max() == 0.0  # black ink stays black
    assert np.array_equal(b, boxes)


def test_background_texture_is_paper_like():
    out, _ = BackgroundTexture().apply(grey(v=1.0), None, {"strength": 0.3, "texture": 2, "x": 900, "y": 3})
    assert 0.7 - 1e-6 <= out.min() and out.max() <= 1.0
    assert out.std() > 0.02
    wide, _ = BackgroundTexture().apply(grey(2500, 1.0), None, {"strength": 0.3, "texture": 0, "x": 0, "y": 0})
    assert wide.shape == (28, 2500) and wide.dtype == np.float32


def test_intensity_range_maps_ink_and_paper():
    img, _ = line_image()
    out, _ = IntensityRange().apply(img, None, {"ink": 0.2, "paper": 0.9})
    assert out.min() == pytest.approx(0.2, abs=1e-6)
    assert out.max() == pytest.approx(0.9, abs=1e-6)


def test_random_erasing_fills_rectangles_and_keeps_boxes():
    img, boxes = line_image()
    out, b = RandomErasing().apply(img, boxes, {"rects": [[10, 5, 6, 4, 0.25]]})
    assert np.all(out[5:9, 10:16] == 0.25)
    out[5:9, 10:16] = img[5:9, 10:16]
    assert np.array_equal(out, img)
    assert np.array_equal(b, boxes)


def test_invert_swaps_ink_and_paper():
    img, _ = line_image()
    out, _ = Invert().apply(img, None, {"invert": True})
    assert np.allclose(out, 1.0 - img)


def test_perspective_identity_parameters_keep_image_and_boxes():
    img, boxes = line_image()
    params = {"skew": 0.0, "rotate": 0.0, "dx": [0.0] * 4, "dy": [0.0] * 4}
    out, b = Perspective().apply(img, boxes, params)
    assert np.allclose(out, img, atol=1e-6)
    assert np.array_equal(b, boxes)


def test_perspective_skew_moves_ink_and_boxes():
    img, boxes = line_image()
    params = {"skew": 20.0, "rotate": 0.0, "dx": [0.0] * 4, "dy": [0.0] * 4}
    out, b = Perspective().apply(img, boxes, params)
    assert not np.allclose(out, img)
    assert (b[:, 2] - b[:, 0] > boxes[:, 2] - boxes[:, 0]).all()  # slanted boxes widen


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), width=st.integers(60, 400), n=st.integers(1, 8))
def test_perspective_boxes_cover_the_ink(seed, width, n):
    """Every ink pixel of a character lies inside its transformed box (1 px tolerance)."""
    n = min(n, (width - 6) // 17)
    if n < 1:
        return
    img, boxes = line_image(width, n)
    t = Perspective(skew=(-20, 20), rotate=(-3, 3), corner=(0, 4))
    params = t.sample(np.random.default_rng(seed), img.shape)
    _, new_boxes = t.apply(img, boxes, params)
    assert new_boxes.dtype == boxes.dtype and new_boxes.shape == boxes.shape
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        alone = np.ones_like(img)
        alone[y0:y1, x0:x1] = img[y0:y1, x0:x1]  # this character only
        moved, _ = t.apply(alone, None, params)
        ys, xs = np.nonzero(moved < 0.9)
        bx0, by0, bx1, by1 = new_boxes[k]
        assert 0 <= bx0 <= bx1 <= width and 0 <= by0 <= by1 <= 28
        if xs.size:
            assert xs.min() >= bx0 - 1 and xs.max() <= bx1 and ys.min() >= by0 - 1 and ys.max() <= by1


def test_non_geometric_transforms_keep_boxes():
    img, boxes = line_image()
    for t in ALL_IMAGE:
        if not t.geometric:
            _, b = t.apply(img, boxes, t.sample(np.random.default_rng(0), img.shape))
            assert np.array_equal(b, boxes), type(t).__name__


def test_apply_rejects_wrong_image():
    with pytest.raises(ValueError, match="float32"):
        Brightness().apply(np.ones((28, 10)), None, {"delta": 0.1})
