"""Property tests of the image contract (DESIGN.md) on the real bundled data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from number_generator import generate_numbers_sequence, render_sequence
from number_generator.glyphsets.glyphs import get_glyph_set

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=14)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def spacing_ranges(draw):
    low = draw(st.integers(0, 12))
    return low, draw(st.integers(low, low + 12))


def as_float(glyph: np.ndarray) -> np.ndarray:
    """The contract's mapping, written out independently: (255 - v) / 255 in float32."""
    return (255.0 - glyph.astype(np.float32)) / np.float32(255.0)


def assert_boxes_cover_ink(image: np.ndarray, boxes: np.ndarray) -> None:
    covered = np.zeros(image.shape, bool)
    for x0, y0, x1, y1 in boxes.tolist():
        assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
        covered[y0:y1, x0:x1] = True
    assert not np.any((image < 1.0) & ~covered), "ink outside every box"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digits=digit_strings, spacing=spacing_ranges(), seed=seeds, split=st.sampled_from(["train", "test"]))
def test_unscaled_images_are_exact_compositions_of_their_source_glyphs(digits, spacing, seed, split):
    glyphs = get_glyph_set("mnist", split)
    sample = render_sequence(digits, spacing, 16_384, seed=seed, split=split)
    image = sample.image
    assert image.dtype == np.float32 and image.shape == (28, 16_384)
    assert image.min() >= 0.0 and image.max() == 1.0
    assert sample.scale == 1.0 and sample.text == digits
    # Each character comes from its own class, in the chosen split.
    assert glyphs.labels[sample.glyph_indices].tolist() == [int(d) for d in digits]
    ink_columns = np.flatnonzero((image < 1.0).any(axis=0))
    expected_columns = []
    for k, (x0, y0, x1, y1) in enumerate(sample.boxes.tolist()):
        source = np.asarray(glyphs.images[sample.glyph_indices[k]])
        left, right, top, bottom = glyphs.extents[sample.glyph_indices[k]].tolist()
        # The crop in the image is the inverted source sample between its ink extents.
        np.testing.assert_array_equal(image[:, x0:x1], as_float(source[:, left : right + 1]))
        assert (x1 - x0, y0, y1) == (right - left + 1, top, bottom + 1)
        expected_columns.extend(range(x0, x1))
    # Ink appears only inside the glyphs' columns, and each glyph's first and last column hold ink.
    assert set(ink_columns.tolist()) <= set(expected_columns)
    for x0, _, x1, _ in sample.boxes.tolist():
        assert (image[:, x0] < 1.0).any() and (image[:, x1 - 1] < 1.0).any()
    # ...and the spacing measured back from the image lies in the requested range.
    gaps = sample.boxes[1:, 0] - sample.boxes[:-1, 2]
    assert gaps.tolist() == sample.spacing.tolist()
    assert all(spacing[0] <= g <= spacing[1] for g in gaps.tolist())
    for (_, _, prev_end, _), (start, _, _, _) in zip(sample.boxes[:-1].tolist(), sample.boxes[1:].tolist()):
        assert not (image[:, prev_end:start] < 1.0).any(), "ink inside a gap"
    assert_boxes_cover_ink(image, sample.boxes)


@settings(max_examples=150, deadline=None)
@given(
    digits=digit_strings,
    spacing=spacing_ranges(),
    width=st.integers(1, 400),
    seed=seeds,
    align=st.sampled_from(["center", "left", "right"]),
)
def test_any_width_keeps_the_contract(digits, spacing, width, seed, align):
    sample = render_sequence(digits, spacing, width, seed=seed, align=align)
    image = sample.image
    assert image.dtype == np.float32 and image.shape == (28, width)
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert sample.boxes.shape == (len(digits), 4) and sample.boxes.dtype == np.int32
    assert_boxes_cover_ink(image, sample.boxes)
    again = generate_numbers_sequence(digits, spacing, width, seed=seed, align=align)
    np.testing.assert_array_equal(image, again)


def test_padding_follows_alignment():
    left = render_sequence("12", (3, 3), 200, seed=1, align="left")
    right = render_sequence("12", (3, 3), 200, seed=1, align="right")
    center = render_sequence("12", (3, 3), 200, seed=1)
    strip = left.boxes[-1, 2]
    assert left.boxes[0, 0] == 0
    assert right.boxes[-1, 2] == 200
    assert center.boxes[0, 0] == (200 - strip) // 2
    np.testing.assert_array_equal(left.image[:, :strip], right.image[:, 200 - strip :])


def test_a_too_wide_strip_is_scaled_down_without_stretching():
    natural = render_sequence("0123456789" * 3, (4, 4), 16_384, seed=3)
    strip_width = int(natural.boxes[-1, 2] - natural.boxes[0, 0])
    sample = render_sequence("0123456789" * 3, (4, 4), 200, seed=3)
    assert sample.scale == pytest.approx(200 / strip_width)
    ink_rows = np.flatnonzero((sample.image < 1.0).any(axis=1))
    # Height shrinks by the same factor as the width (aspect ratio kept), centred vertically.
    natural_rows = np.flatnonzero((natural.image < 1.0).any(axis=1))
    expected_height = (natural_rows[-1] - natural_rows[0] + 1) * sample.scale
    assert abs((ink_rows[-1] - ink_rows[0] + 1) - expected_height) <= 3
    assert abs((ink_rows[0] + ink_rows[-1]) / 2 - 13.5) <= 3
    # The scaled strip spans the full width.
    ink_columns = np.flatnonzero((sample.image < 1.0).any(axis=0))
    assert ink_columns[0] <= 1 and ink_columns[-1] >= 198


def test_strict_mode_refuses_to_scale():
    with pytest.raises(ValueError, match=r"the sequence needs \d+ px but image_width is 50"):
        generate_numbers_sequence("0123456789", (0, 0), 50, seed=0, strict=True)


def test_same_seed_same_image_and_generator_seeds_advance():
    a = generate_numbers_sequence("4242", (1, 5), 120, seed=7)
    b = generate_numbers_sequence([4, 2, 4, 2], (1, 5), 120, seed=7)
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(7)
    first = generate_numbers_sequence("4242", (1, 5), 120, seed=rng)
    second = generate_numbers_sequence("4242", (1, 5), 120, seed=rng)
    assert not np.array_equal(first, second)
    assert not np.array_equal(
        generate_numbers_sequence("4242", (1, 5), 120), generate_numbers_sequence("4242", (1, 5), 120)
    )


def test_glyphs_are_drawn_uniformly_over_a_class():
    glyphs = get_glyph_set("mnist", "train")
    rng = np.random.default_rng(0)
    picks = np.concatenate([render_sequence("1" * 100, (0, 0), 16_384, seed=rng).glyph_indices for _ in range(300)])
    ones = glyphs.order[glyphs.starts[1] : glyphs.starts[1] + glyphs.counts[1]]
    assert set(picks.tolist()) <= set(ones.tolist())
    # 30,000 draws over 6,742 samples: a uniform draw covers ~98.8% of them; a biased one far fewer.
    assert len(set(picks.tolist())) / len(ones) > 0.97
    # Early and late samples of the class are equally likely.
    position = np.searchsorted(np.sort(ones), picks) / len(ones)
    assert abs(position.mean() - 0.5) < 0.01
