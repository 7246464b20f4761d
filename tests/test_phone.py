"""Japanese phone numbers: formats, uniqueness, the permutation, and their images."""

from __future__ import annotations

import re
from itertools import combinations

import numpy as np
import pytest

from number_generator import PhoneNumberBatch, generate_phone_number, generate_phone_numbers, random_phone_number
from number_generator.core.permutation import KeyedPermutation
from number_generator.data.phone import FORMATS, render_phone_number

PATTERNS = {
    "mobile": r"0[789]0-[1-9]\d{3}-\d{4}",
    "ip": r"050-[1-9]\d{3}-\d{4}",
    "toll-free": r"0120-[1-9]\d{2}-\d{3}",
    "landline": r"(0\d-[2-9]\d{3}|0\d\d-[2-9]\d\d|0\d{3}-[2-9]\d|0\d{4}-[2-9])-\d{4}",
}


def test_numbers_follow_the_japanese_formats():
    seen = set()
    for seed in range(600):
        number = random_phone_number(seed)
        matches = [name for name, pattern in PATTERNS.items() if re.fullmatch(pattern, number)]
        assert len(matches) == 1, number
        seen.add(matches[0])
        digits = number.replace("-", "")
        assert len(digits) == (11 if matches[0] in ("mobile", "ip") else 10)
    assert seen == set(PATTERNS)


def test_landlines_use_real_area_codes_of_every_length():
    numbers = [random_phone_number(seed, formats="landline") for seed in range(3000)]
    area_lengths = {len(n.split("-")[0]) for n in numbers}
    assert area_lengths == {2, 3, 4, 5}
    assert {"03", "06", "011", "0466"} <= {n.split("-")[0] for n in numbers}


def test_number_spaces_of_all_plans_are_disjoint():
    plans = [plan for fmt in FORMATS.values() for plan in fmt.plans]
    for a, b in combinations(plans, 2):
        short, long_ = sorted((a, b), key=lambda p: len(p.prefix))
        if long_.prefix.startswith(short.prefix):
            # Same start: the longer prefix must continue with a digit the shorter plan never uses there.
            assert long_.prefix[len(short.prefix)] not in short.first_digits, (a.prefix, b.prefix)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100, 257, 1000])
def test_keyed_permutation_is_a_bijection(size):
    for key in (0, 1, 12345):
        image = KeyedPermutation(size, key)(np.arange(size))
        assert sorted(image.tolist()) == list(range(size))
    if size >= 64:
        assert (
            KeyedPermutation(size, 1)(np.arange(size)).tolist() != KeyedPermutation(size, 2)(np.arange(size)).tolist()
        )


def test_batch_numbers_are_distinct_and_index_deterministic():
    batch = PhoneNumberBatch(20_000, (0, 2), 300, seed=11)
    numbers = [batch.number(i) for i in range(len(batch))]
    assert len(set(numbers)) == len(numbers)
    # Independently made shards (other order, other object) agree sample by sample.
    again = PhoneNumberBatch(20_000, (0, 2), 300, seed=11)
    for i in (19_999, 0, 7_777):
        assert again.number(i) == numbers[i]
        np.testing.assert_array_equal(again[i].image, batch[i].image)
    # A format can be used up exactly: its whole number space is permuted onto itself.
    capacity = FORMATS["toll-free"].capacity
    assert capacity == 900_000
    drawn = KeyedPermutation(capacity, key=3)(np.arange(capacity))
    assert np.unique(drawn).size == capacity and drawn.max() == capacity - 1


def test_asking_for_more_numbers_than_a_format_holds_is_an_error():
    with pytest.raises(ValueError, match="cannot make 900001 distinct numbers: format 'toll-free' holds only 900000"):
        PhoneNumberBatch(900_001, (0, 0), 300, formats=["toll-free", "mobile"])


def test_generate_phone_numbers_matches_the_batch():
    images = generate_phone_numbers(25, (1, 3), 320, seed=5)
    batch = PhoneNumberBatch(25, (1, 3), 320, seed=5)
    assert len({x.number for x in images}) == 25
    for i, item in enumerate(images):
        assert item.number == batch.number(i)
        assert item.image.shape == (28, 320) and item.image.dtype == np.float32


def test_phone_number_image_and_hyphens():
    result = generate_phone_number((2, 4), 400, seed=21)
    assert result.image.shape == (28, 400) and result.image.dtype == np.float32
    sample = render_phone_number((2, 4), 400, seed=21)
    assert sample.text == result.number
    np.testing.assert_array_equal(sample.image, result.image)
    hyphens = [k for k, ch in enumerate(sample.text) if ch == "-"]
    assert len(hyphens) == 2 and (sample.glyph_indices[hyphens] == -1).all()
    assert (sample.glyph_indices[[k for k in range(len(sample.text)) if k not in hyphens]] >= 0).all()
    for k in hyphens:
        x0, y0, x1, y1 = sample.boxes[k].tolist()
        # A hyphen is a short, flat stroke near mid-height.
        assert 8 <= x1 - x0 <= 19 and y1 - y0 <= 9 and 9 <= (y0 + y1) / 2 <= 19


def test_separator_can_be_left_out():
    result = generate_phone_number((0, 2), 300, seed=4, separator="")
    assert re.fullmatch(r"0\d{9,10}", result.number)
    sample = render_phone_number((0, 2), 300, seed=4, separator="")
    assert (sample.glyph_indices >= 0).all()


def test_hyphens_vary_like_handwriting():
    from number_generator.glyphsets.glyphs import ink_extents
    from number_generator.glyphsets.strokes import draw_hyphen

    rng = np.random.default_rng(0)
    stack = np.stack([draw_hyphen(rng) for _ in range(200)])
    extents = ink_extents(stack).astype(int)
    lengths = extents[:, 1] - extents[:, 0] + 1
    assert stack.dtype == np.uint8 and stack.max() == 255
    assert lengths.min() >= 8 and lengths.max() <= 19 and len(set(lengths.tolist())) >= 6
    assert len({tuple(x) for x in extents[:, 2:].tolist()}) >= 5


def test_render_range_equals_indexing_one_by_one():
    batch = PhoneNumberBatch(300, (0, 3), 280, seed=8)
    for index, sample in batch.render_range(40, 300):
        single = batch[index]
        assert sample.text == single.text == batch.number(index)
        np.testing.assert_array_equal(sample.image, single.image)
        np.testing.assert_array_equal(sample.boxes, single.boxes)
    with pytest.raises(IndexError):
        list(batch.render_range(0, 301))


def test_hyphen_bank_is_fixed_and_cached(cache_root):
    from number_generator.glyphsets.strokes import BANK_SIZE, draw_hyphen, synthetic_glyphs

    images, extents = synthetic_glyphs("-")
    assert images.shape == (BANK_SIZE, 28, 28) and images.dtype == np.uint8
    assert extents.shape == (BANK_SIZE, 4)
    # The bank is a pure function of its seed: its first entries are the first draws.
    from number_generator.glyphsets.strokes import BANK_SEED

    rng = np.random.default_rng(BANK_SEED)
    np.testing.assert_array_equal(images[:3], np.stack([draw_hyphen(rng) for _ in range(3)]))
    assert list(cache_root.rglob("hyphen-*.npy"))
