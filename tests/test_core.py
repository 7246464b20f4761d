"""The one data path: planner, compositor, options, the draw verb, and the drop-in keywords."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import numpy as np
import pytest

from number_generator import (
    InvalidTypeError,
    Options,
    PhoneNumberBatch,
    SyntheticDataset,
    draw,
    generate_numbers_sequence,
    generate_phone_number,
    generate_phone_numbers,
    load_spec,
    render_sequence,
    render_text,
)
from number_generator.core.compositor import compose, to_uint8
from number_generator.core.planner import Plan, plan_block
from number_generator.core.render import draw_with, gather_glyphs, render_block, samples_of
from number_generator.glyphsets.glyphs import get_glyph_set

MIXED = {
    "seed": 5,
    "count": 60,
    "spacing": [0, 6],
    "width": [60, 260],  # some samples are scaled down
    "draw": [
        {"kind": "phone", "weight": 2},
        {"kind": "digits", "length": [1, 12]},
        {"kind": "words", "words": ["12  34", "5-6 7"]},
    ],
}


@pytest.mark.parametrize("augment", [None, "heavy"])
def test_block_path_and_per_sample_path_give_the_same_bytes(augment):
    ds = SyntheticDataset({**MIXED, "augment": augment})
    block = ds.render_block(3, 60)
    scaled = 0
    for k, i in enumerate(block.indices):
        sample = ds[i]
        assert block.texts[k] == sample.text
        np.testing.assert_array_equal(block.images[k], to_uint8(sample.image))
        np.testing.assert_array_equal(block.boxes[k], sample.boxes)
        scaled += sample.scale < 1.0
    assert scaled > 0  # the down-scaling branch was exercised
    for i, sample in ds.samples(10, 14):  # the iterator is the block path too
        np.testing.assert_array_equal(sample.image, ds[i].image)


def test_draw_is_the_one_verb_behind_the_wrappers():
    a = draw("0123456789", spacing=(0, 4), width=300, seed=0)
    assert np.array_equal(a.image, generate_numbers_sequence("0123456789", (0, 4), 300, seed=0))
    assert np.array_equal(a.image, render_sequence("0123456789", (0, 4), 300, seed=0).image)
    b = draw("12 34", spacing=(1, 1), width=300, word_spacing=(20, 20), seed=0)
    assert np.array_equal(
        b.image, render_text("12 34", (1, 1), 300, dataset="mnist", word_spacing=(20, 20), seed=0).image
    )
    assert b.text == "12 34" and b.boxes.shape == (5, 4) and b.glyph_indices[2] == -1
    # old spellings are aliases, and the error names the keyword as typed
    assert np.array_equal(
        draw("42", spacing_range=(0, 1), image_width=80, seed=3).image,
        draw("42", spacing=(0, 1), width=80, seed=3).image,
    )
    with pytest.raises(ValueError, match="width must be <= 16384"):
        draw("42", width=20_000)
    with pytest.raises(TypeError, match="unknown option 'colour'"):
        draw("42", colour="red")


def test_a_width_range_is_drawn_per_call_from_the_seed():
    widths = {draw("42", width=(100, 140), seed=s).image.shape[1] for s in range(20)}
    assert len(widths) > 3 and min(widths) >= 100 and max(widths) <= 140


def _plan(gaps: list[int], dy: list[int] | None = None) -> tuple[Plan, np.ndarray, np.ndarray]:
    glyph_set = get_glyph_set("mnist", "train")
    plan = plan_block(["000"], [np.random.default_rng(1)], Options(spacing=(3, 3), width=(120, 120)), glyph_set)
    n = len(gaps) + 1
    plan = Plan(
        texts=plan.texts,
        widths=plan.widths,
        lengths=plan.lengths,
        starts=plan.starts,
        chars=plan.chars,
        classes=plan.classes,
        glyph_ids=plan.glyph_ids,
        bank_ids=plan.bank_ids,
        gaps=np.array([*gaps, 0], dtype=np.int64)[:n],
        spaces=plan.spaces,
        align="left",
        strict=False,
        dy=None if dy is None else np.array(dy, dtype=np.int64),
    )
    glyphs, extents = gather_glyphs(plan, glyph_set)
    return plan, glyphs, extents


def test_overlapping_ink_merges_darkest_wins():
    plan, glyphs, extents = _plan([-5, -5])
    composed = compose(plan, glyphs.transpose(0, 2, 1), np.arange(3), extents)
    image = composed.images[0]
    boxes = composed.boxes[0]
    assert boxes[1, 0] == boxes[0, 2] - 5 and boxes[2, 0] == boxes[1, 2] - 5  # boxes overlap by the gap
    # each glyph alone, at its place: the composed ink is their pixelwise maximum
    expected = np.zeros((28, 120), dtype=np.uint8)
    for k in range(3):
        left, right = int(extents[k, 0]), int(extents[k, 1])
        x = int(boxes[k, 0])
        np.maximum(
            expected[:, x : x + right - left + 1],
            glyphs[k][:, left : right + 1],
            out=expected[:, x : x + right - left + 1],
        )
    np.testing.assert_array_equal(to_uint8(image), 255 - expected)


def test_non_negative_gaps_place_ink_exactly_as_copies():
    plan, glyphs, extents = _plan([0, 2])
    image = compose(plan, glyphs.transpose(0, 2, 1), np.arange(3), extents).images[0]
    boxes = compose(plan, glyphs.transpose(0, 2, 1), np.arange(3), extents).boxes[0]
    for k in range(3):
        x0, y0, x1, y1 = boxes[k]
        left = int(extents[k, 0])
        np.testing.assert_array_equal(to_uint8(image)[:, x0:x1], 255 - glyphs[k][:, left : left + x1 - x0])


def test_vertical_offsets_move_ink_and_boxes():
    plan, glyphs, extents = _plan([2, 2])
    flat = compose(plan, glyphs.transpose(0, 2, 1), np.arange(3), extents)
    moved_plan, _, _ = _plan([2, 2], dy=[3, 0, -2])
    moved = compose(moved_plan, glyphs.transpose(0, 2, 1), np.arange(3), extents)
    x0, _, x1, _ = flat.boxes[0][0]
    np.testing.assert_array_equal(moved.images[0][3:, x0:x1], flat.images[0][:-3, x0:x1])
    assert moved.boxes[0][0, 1] == flat.boxes[0][0, 1] + 3 and moved.boxes[0][2, 3] == flat.boxes[0][2, 3] - 2


def test_options_validate_once_and_name_fields():
    options = Options(spacing=(1, 2), width=200, augment="light")
    assert options.width == (200, 200) and options.augment is Options(augment="light").augment
    with pytest.raises(ValueError, match=r"word_spacing must be a pair \(min, max\), got 5"):
        Options(word_spacing=5)
    with pytest.raises(ValueError, match=r"word_spacing must be a pair \(min, max\), got 5"):
        render_text("1 2", (0, 1), 100, dataset="mnist", word_spacing=5)
    with pytest.raises(ValueError, match="unknown writer policy 'sometimes'"):
        Options(writer="sometimes")
    with pytest.raises(ValueError, match="unknown dataset 'kmnist'"):
        Options.create(dataset="kmnist")


def test_repeated_draw_keywords_are_validated_once_and_never_served_stale(tmp_path):
    from number_generator.core.options import Options as Opts

    first = Opts.create(spacing=(0, 4), width=300, augment="realistic", strict=True)
    assert Opts.create(spacing=(0, 4), width=300, augment="realistic", strict=True) is first
    assert first.writer == "same" and first.augment is Opts.create(augment="REALISTIC").augment
    assert Opts.create(spacing=[0, 4]) is not Opts.create(spacing=[0, 4])  # unhashable: validated every time
    # equal but differently typed values are separate entries: the bad one still raises, with its message
    with pytest.raises(ValueError, match="strict must be True or False, got 1"):
        Opts.create(spacing=(0, 4), width=300, augment="realistic", strict=1)
    Opts.create(spacing_range=(0, 4))
    with pytest.raises(ValueError, match="maximum spacing must be an integer, got 4.5"):
        Opts.create(spacing_range=(0, 4.5))
    with pytest.raises(TypeError, match="unknown option 'colour'"):
        draw("42", colour="red")
    with pytest.raises(TypeError, match="unknown option 'colour'"):
        draw("42", colour="red")
    # an augment file is read again when it changes on disk (paths are not cached)
    path = tmp_path / "aug.json"
    path.write_text('{"image": [{"type": "Brightness", "delta": [-0.2, -0.2]}]}')
    dark = draw("42", width=80, augment=str(path), seed=1).image
    path.write_text('{"image": [{"type": "Brightness", "delta": [0.0, 0.0]}], "options": {"spacing": [3, 3]}}')
    os.utime(path, (time.time() + 5, time.time() + 5))
    plain = draw("42", width=80, augment=str(path), seed=1)
    assert not np.array_equal(dark, plain.image) and plain.spacing.tolist() == [3]


def test_spec_aliases_keep_the_hashes_of_existing_specs():
    # hashes recorded from main before the canonical names changed (exports resume by hash)
    assert load_spec({}).hash == "a5f636fcae2678452da2dcc1a9cc3d3ddb46590ab1ff03fd873b528a1ed2fe0b"
    old = {
        "seed": 3,
        "length": 50,
        "width": [100, 200],
        "augment": "medium",
        "word_spacing": [5, 9],
        "draw": [
            {"kind": "phone", "formats": {"mobile": 1, "ip": 2}, "separator": ""},
            {"kind": "words", "words": ["1 1", "2"]},
        ],
    }
    new = {
        **{k: v for k, v in old.items() if k != "length"},
        "count": 50,
        "draw": [{"kind": "phone", "phone_formats": {"mobile": 1, "ip": 2}, "separator": ""}, old["draw"][1]],
    }
    expected = "1cba8434dfcda10ed7645c0a4a32c5413e556614660c6986a2265b0bdd609bbf"
    assert load_spec(old).hash == load_spec(new).hash == expected
    assert load_spec(new).count == 50
    with pytest.raises(ValueError, match="spec key 'count': give 'count' or its old spelling 'length', not both"):
        load_spec({"count": 5, "length": 5})
    with pytest.raises(ValueError, match="spec key 'draw\\[0\\].phone_formats'"):
        load_spec({"draw": {"kind": "phone", "phone_formats": ["fax"]}})


def test_phone_batch_and_generate_phone_numbers_are_views_of_the_dataset():
    batch = PhoneNumberBatch(8, (0, 3), 280, seed=4, phone_formats=["mobile", "ip"])
    ds = batch.dataset
    images = generate_phone_numbers(8, (0, 3), 280, random_seed=4, formats=["mobile", "ip"])
    for i in range(8):
        assert batch.number(i) == ds.text(i) == images[i].number
        np.testing.assert_array_equal(batch[i].image, ds[i].image)
        np.testing.assert_array_equal(images[i].image, ds[i].image)


def test_random_seed_is_an_alias_of_seed_and_verbose_reports(capsys):
    a = generate_numbers_sequence("123", (0, 2), 100, random_seed=7)
    assert np.array_equal(a, generate_numbers_sequence("123", (0, 2), 100, seed=7))
    image, number = generate_phone_number((0, 2), 300, random_seed=7, verbose=True)
    assert (image == generate_phone_number((0, 2), 300, seed=7).image).all()
    assert f"drew phone number {number!r}" in capsys.readouterr().err
    generate_numbers_sequence("123", (0, 2), 100, seed=7, verbose=True)
    assert capsys.readouterr().err == "number_generator: drew '123' (100x28 px, seed 7)\n"
    generate_numbers_sequence("123", (0, 2), 100, seed=7)
    assert capsys.readouterr().err == ""  # quiet by default
    with pytest.raises(ValueError, match="give seed or random_seed, not both"):
        generate_numbers_sequence("123", (0, 2), 100, seed=1, random_seed=2)


@pytest.mark.parametrize("digits", [{2, 4, 5}, {2: "a", 4: "b"}, frozenset({1}), {1: 2}.keys()])
def test_unordered_collections_of_digits_are_refused(digits):
    with pytest.raises(InvalidTypeError, match="digits must be an ordered sequence"):
        generate_numbers_sequence(digits, (0, 2), 100)


@pytest.mark.parametrize(
    "call",
    [
        lambda: generate_numbers_sequence("12", (0, 2), 100.0),
        lambda: generate_numbers_sequence("12", "02", 100),
        lambda: generate_numbers_sequence("12", (0, "2"), 100),
        lambda: generate_numbers_sequence(12, (0, 2), 100),
        lambda: generate_numbers_sequence([1, 2.5], (0, 2), 100),
        lambda: generate_numbers_sequence("12", (0, 2), 100, seed="abc"),
        lambda: render_text(12, (0, 2), 100, dataset="mnist"),
        lambda: draw("12", strict="yes"),
    ],
)
def test_wrong_types_raise_one_class_that_is_both_value_and_type_error(call):
    with pytest.raises(InvalidTypeError) as info:
        call()
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


def test_presets_are_resolved_once_and_files_cached_by_mtime(tmp_path):
    from number_generator.augment import preset, resolve_augment

    assert resolve_augment("medium") is resolve_augment(" Medium ")  # one shared, immutable object
    assert isinstance(resolve_augment("medium").glyph, tuple)
    assert preset("medium") is not preset("medium")  # preset() still gives a private copy
    path = tmp_path / "p.json"
    path.write_text('{"glyph": [{"type": "Affine", "rotate": [-3, 3]}]}')
    first = resolve_augment(path)
    assert resolve_augment(str(path)) is first
    path.write_text('{"glyph": [{"type": "Affine", "rotate": [-9, 9]}]}')
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # a new version of the file
    second = resolve_augment(path)
    assert second is not first and second.to_dict()["glyph"][0]["rotate"] == [-9, 9]


def test_a_preset_name_gives_the_same_images_as_the_resolved_pipeline():
    from number_generator.augment import resolve_augment

    by_name = draw("0123456789", augment="medium", seed=2)
    by_object = draw("0123456789", augment=resolve_augment("medium"), seed=2)
    np.testing.assert_array_equal(by_name.image, by_object.image)


def test_samples_of_a_plan_carry_labels_and_gaps():
    glyph_set = get_glyph_set("mnist", "train")
    rngs = [np.random.default_rng(i) for i in range(3)]
    texts = ["12", "3 45", "6-7"]
    plan = plan_block(texts, rngs, Options(spacing=(2, 2), word_spacing=(9, 9)), glyph_set)
    assert plan.lengths.tolist() == [2, 3, 3] and plan.chars == "123456-7"
    assert plan.gaps.tolist() == [2, 0, 9, 2, 0, 2, 2, 0] and plan.spaces.tolist() == [0, 0, 1, 0, 0, 0, 0, 0]
    glyphs, extents = gather_glyphs(plan, glyph_set)
    samples = samples_of(plan, compose(plan, glyphs.transpose(0, 2, 1), np.arange(len(glyphs)), extents))
    assert [s.text for s in samples] == texts
    assert samples[1].spacing.tolist() == [9, 2] and samples[2].glyph_indices[1] == -1


@pytest.mark.parametrize(("gaps", "dy"), [([1, 3, 0, 2, 4], None), ([-4, 2, 0, -6, -1], [2, -3, 0, 1, 5, -28, 0])])
def test_one_sample_composes_as_it_does_inside_a_block(gaps, dy):
    # a block places glyph columns all at once, a single sample (or a scaled-down one) glyph by glyph:
    # the pixels, boxes and scales must be the same, overlapping ink and vertical offsets included
    glyph_set = get_glyph_set("mnist", "train")
    rngs = [np.random.default_rng(i) for i in range(2)]
    plan = plan_block(["123", "4567"], rngs, Options(spacing=(0, 0)), glyph_set)
    gap_array = np.zeros(7, dtype=np.int64)
    gap_array[[0, 1, 3, 4, 5]] = gaps
    block = replace(
        plan,
        widths=np.array([120, 40]),  # the first fits, the second is scaled down
        gaps=gap_array,
        dy=None if dy is None else np.array(dy),
    )
    glyphs, extents = gather_glyphs(block, glyph_set)
    columns = glyphs.transpose(0, 2, 1)
    together = compose(block, columns, np.arange(7), extents)
    together_uint8 = compose(block, columns, np.arange(7), extents, as_uint8=True)
    assert together.scales[0] == 1.0 and together.scales[1] < 1.0
    for k, (a, b) in enumerate([(0, 3), (3, 7)]):
        alone_plan = replace(
            block,
            texts=[block.texts[k]],
            widths=block.widths[k : k + 1],
            lengths=block.lengths[k : k + 1],
            starts=np.zeros(1, dtype=np.int64),
            gaps=block.gaps[a:b],
            dy=None if block.dy is None else block.dy[a:b],
        )
        alone = compose(alone_plan, columns, np.arange(a, b), extents[a:b])
        np.testing.assert_array_equal(alone.images[0], together.images[k])
        np.testing.assert_array_equal(alone.boxes[0], together.boxes[k])
        assert alone.scales[0] == together.scales[k]
        uint8 = compose(alone_plan, columns, np.arange(a, b), extents[a:b], as_uint8=True).images[0]
        np.testing.assert_array_equal(uint8, together_uint8.images[k])
        assert uint8.dtype == np.uint8 and uint8.shape == (28, int(block.widths[k]))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"spacing": (-6, 0), "align": "right"},  # touching and overlapping ink
        {"spacing": (0, 12), "width": (60, 140), "align": "random"},  # some scaled down
        {"fill": (0.5, 0.9), "height_jitter": 0.1, "align": "left"},  # framing
        {"writer": "same", "spacing": (-3, 3)},
        {"strict": True, "width": (280, 320)},
    ],
)
def test_one_image_equals_the_same_text_inside_a_block(options):
    # one image takes the single-sample fast paths (layout on Python ints, pasting from the split);
    # a block of several the vectorised ones: every field of the sample must agree, over many seeds
    opts = Options.create(**options)
    glyph_set = get_glyph_set("mnist", "train")
    for seed in range(40):
        text = ["0123456789", "3-14 159", "7", "90-12"][seed % 4]
        alone = draw_with(text, opts, np.random.default_rng(seed))
        rngs = [np.random.default_rng(seed), np.random.default_rng(1000 + seed)]
        plan = plan_block([text, "86-420"], rngs, opts, glyph_set)
        inside = samples_of(plan, render_block(plan, glyph_set, rngs))[0]
        assert alone.image.dtype == inside.image.dtype == np.float32
        np.testing.assert_array_equal(alone.image, inside.image)
        np.testing.assert_array_equal(alone.boxes, inside.boxes)
        np.testing.assert_array_equal(alone.glyph_indices, inside.glyph_indices)
        np.testing.assert_array_equal(alone.spacing, inside.spacing)
        np.testing.assert_array_equal(alone.writers, inside.writers)
        assert (alone.scale, alone.writer, alone.text) == (inside.scale, inside.writer, inside.text)
