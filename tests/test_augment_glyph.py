"""Glyph transforms: contract, measurable effects, batch/single agreement."""

import numpy as np
import pytest

from _augment_data import bar_glyph, glyph_stack, ink_cols, ink_orientation, ink_rows, ring_glyph
from number_generator.augment import (
    GLYPH_TRANSFORMS,
    Affine,
    BaselineJitter,
    CrossedSeven,
    ElasticDistortion,
    FlaggedOne,
    OpenFour,
    Pipeline,
    SizeVariation,
    StringStroke,
    StringStyle,
    StrokeThickness,
)

ALL_GLYPH = [
    Affine(rotate=(-15, 15), shear=(-20, 20), scale=(0.9, 1.1), translate=(-1, 1)),
    SizeVariation(scale=(0.8, 1.1), aspect=(0.9, 1.1)),
    BaselineJitter(shift=(-3, 3)),
    ElasticDistortion(alpha=(20, 34), sigma=(4, 5)),
    StrokeThickness(delta=(-1, 1.5)),
    # string-scoped (tests/test_handwriting.py checks the per-string draws)
    StringStyle(slant=(-14, 14), slant_spread=3, scale=(0.9, 1.1), scale_spread=0.05, drift=(0.5, 2)),
    StringStroke(delta=(-0.5, 1.0), spread=0.2),
    # class-conditional (tests/test_augment_paper.py checks them on their own class; here on any glyph)
    CrossedSeven(),
    FlaggedOne(),
    OpenFour(),
]


def test_every_registered_glyph_transform_is_exercised():
    assert {type(t).__name__ for t in ALL_GLYPH} == set(GLYPH_TRANSFORMS)


@pytest.mark.parametrize("t", ALL_GLYPH, ids=lambda t: type(t).__name__)
def test_contract_single_and_batch(t):
    rng = np.random.default_rng(1)
    g = ring_glyph()
    before = g.copy()
    out = t.apply(g, t.sample(rng))
    assert out.dtype == np.uint8 and out.shape == (28, 28)
    assert np.array_equal(g, before), "input must not be modified"
    stack = glyph_stack()
    cols = t.sample_columns(rng, len(stack))
    res = t.apply_batch(stack, cols)
    assert res.dtype == np.uint8 and res.shape == stack.shape


@pytest.mark.parametrize("t", ALL_GLYPH, ids=lambda t: type(t).__name__)
def test_batch_equals_per_glyph_application(t):
    """Glyphs of a batch do not influence each other (no bleeding between strip tiles)."""
    rng = np.random.default_rng(2)
    stack = np.concatenate([glyph_stack()] * 3)
    params = t.sample_batch(rng, len(stack))
    batch = t.apply_batch(stack, t.dicts_to_columns(params))
    single = np.stack([t.apply(g, p) for g, p in zip(stack, params)])
    assert np.array_equal(batch, single)


@pytest.mark.parametrize("t", ALL_GLYPH, ids=lambda t: type(t).__name__)
def test_skipped_is_identity(t):
    g = ring_glyph()
    assert np.array_equal(t.apply(g, {}), g)
    skipped = type(t)(**{**{k: v for k, v in t.to_dict().items() if k != "type"}, "p": 0.0})
    rng = np.random.default_rng(3)
    assert skipped.sample(rng) == {}


def test_rotation_turns_principal_axis():
    g = bar_glyph()
    base = ink_orientation(g)
    assert abs(abs(base) - 90) < 1
    out = Affine().apply(g, {"angle": 20.0, "shear": 0.0, "scale": 1.0, "tx": 0.0, "ty": 0.0})
    turned = ink_orientation(out)
    # counter-clockwise on screen: 90 deg -> 110 deg, i.e. -70 in (-90, 90]
    assert abs(((turned - base) + 90) % 180 - 90 - 20) < 2


def test_shear_leans_top_to_the_right():
    out = Affine().apply(bar_glyph(), {"angle": 0.0, "shear": 20.0, "scale": 1.0, "tx": 0.0, "ty": 0.0})
    xs = np.arange(28)
    top = (out[5:10] * xs).sum() / out[5:10].sum()
    bottom = (out[18:23] * xs).sum() / out[18:23].sum()
    assert top - bottom > 3


def test_affine_scale_and_translation():
    g = bar_glyph()
    t0, b0 = ink_rows(g)
    big = Affine().apply(g, {"angle": 0.0, "shear": 0.0, "scale": 1.3, "tx": 0.0, "ty": 0.0})
    t1, b1 = ink_rows(big)
    assert (b1 - t1) > 1.2 * (b0 - t0)
    moved = Affine().apply(g, {"angle": 0.0, "shear": 0.0, "scale": 1.0, "tx": 3.0, "ty": -2.0})
    assert np.array_equal(moved[3:-3, 6:-6], np.roll(np.roll(g, 3, axis=1), -2, axis=0)[3:-3, 6:-6])


def test_size_variation_keeps_baseline():
    g = bar_glyph()
    top, bottom = ink_rows(g)
    small = SizeVariation().apply(g, {"scale": 0.6, "aspect": 1.0})
    t2, b2 = ink_rows(small)
    assert abs(b2 - bottom) <= 1
    assert (b2 - t2) < 0.7 * (bottom - top)
    wide = SizeVariation().apply(g, {"scale": 1.0, "aspect": 2.0})
    l0, r0 = ink_cols(g)
    l1, r1 = ink_cols(wide)
    assert (r1 - l1) > (r0 - l0) + 2


def test_baseline_jitter_shifts_and_keeps_ink_inside():
    g = bar_glyph()
    top, bottom = ink_rows(g)
    down = BaselineJitter().apply(g, {"dy": 3.0})
    assert ink_rows(down) == (top + 3, bottom + 3)
    # cannot push the ink out of the frame: clamp at the bottom row
    far = BaselineJitter().apply(g, {"dy": 20.0})
    assert ink_rows(far)[1] == 27
    assert abs(int(far.sum()) - int(g.sum())) < 0.02 * g.sum()


def test_elastic_distorts_with_simard_magnitude():
    t = ElasticDistortion(alpha=34, sigma=4)
    rng = np.random.default_rng(4)
    cols = t.sample_columns(rng, 64)
    kind, field = t.backward(cols, None)
    assert kind == "field" and field.dtype == np.float32 and field.shape == (64, 2, 28, 28)
    std = float(field.std())
    assert 0.8 < std < 2.5, std  # ~1.4 px for alpha=34, sigma=4
    g = ring_glyph()
    out = t.apply(g, t.sample(rng))
    assert not np.array_equal(out, g)
    # a warp moves ink, it neither creates nor destroys much of it (on average)
    stack = np.repeat(g[None], 50, axis=0)
    warped = t.apply_batch(stack, t.sample_columns(rng, 50))
    ratio = warped.reshape(50, -1).sum(axis=1) / float(g.sum())
    assert abs(ratio.mean() - 1.0) < 0.1, ratio.mean()
    assert np.array_equal(t.apply(g, {"alpha": 0.0, "sigma": 4.0, "seed": 7}), g)


def test_elastic_field_depends_only_on_recorded_seed():
    t = ElasticDistortion(alpha=30, sigma=4)
    p = {"alpha": 30.0, "sigma": 4.0, "seed": 123456789}
    a = t.apply(ring_glyph(), p)
    t.apply(bar_glyph(), {"alpha": 30.0, "sigma": 4.0, "seed": 42})
    assert np.array_equal(t.apply(ring_glyph(), p), a)


@pytest.mark.parametrize("delta,sign", [(1.0, 1), (0.5, 1), (-1.0, -1), (-0.5, -1)])
def test_stroke_thickness_changes_ink_area(delta, sign):
    g = bar_glyph(4)
    area = lambda x: int((x > 127).sum())  # noqa: E731
    ink = lambda x: int(x.astype(np.int64).sum())  # noqa: E731
    out = StrokeThickness().apply(g, {"delta": delta})
    assert np.sign(ink(out) - ink(g)) == sign
    if abs(delta) == 1.0:
        assert np.sign(area(out) - area(g)) == sign


def test_pipeline_fuses_geometric_transforms_into_one_resampling():
    """Fused affine+affine equals the composed affine (one interpolation, not two)."""
    a = Affine(rotate=10)
    b = Affine(rotate=-10)
    pipe = Pipeline(glyph=[a, b])
    g = ring_glyph()
    out = pipe.apply_glyph(g, np.random.default_rng(0))
    assert np.array_equal(out, g)  # +10 then -10 deg is exactly the identity map


def test_apply_rejects_wrong_arrays():
    t = Affine()
    with pytest.raises(ValueError, match="uint8"):
        t.apply(np.zeros((28, 28), np.float32), {})
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        t.apply(np.zeros((28, 20), np.uint8), {})
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        Pipeline(glyph=[t]).apply_glyphs(np.zeros((28, 28), np.uint8), np.random.default_rng(0))
