"""Numbers as they appear on paper (issue 14): marks, forms and paper, scans, foreign digit styles, ``realistic``."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from _augment_data import line_image
from number_generator import SyntheticDataset, render_sequence
from number_generator.augment import (
    GLYPH_TRANSFORMS,
    IMAGE_TRANSFORMS,
    MARK_TRANSFORMS,
    Binarize,
    BleedThrough,
    CombBoxes,
    CrossedSeven,
    EndMarks,
    FlaggedOne,
    GroupSeparators,
    InkDarkness,
    JpegCompression,
    LowResolution,
    OpenFour,
    Pipeline,
    PrintedBox,
    PrintedRule,
    RuledPaper,
    SecurityPattern,
    StrayMarks,
    Underline,
    resolve_augment,
)
from number_generator.augment.marks import FIGURES, MARK_BANK_SIZE, MARK_WIDTHS, estimate_pen_width, mark_bank
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.strokes import stroke_ink

NEW_IMAGE = [PrintedRule, PrintedBox, CombBoxes, RuledPaper, SecurityPattern, InkDarkness]
NEW_IMAGE += [JpegCompression, LowResolution, Binarize, BleedThrough]
NEW_GLYPH = {"7": CrossedSeven, "1": FlaggedOne, "4": OpenFour}
TEXTS = ["5206300", "1250000", "98765", "0123456789", "12500", "3141592653589"]
NO_SHIFT_MARKS = [EndMarks(), StrayMarks(count=(2, 3)), Underline()]


def _render(text: str, seed: int, marks=(), width: int = 260):
    return render_sequence(text, (0, 3), width, seed=seed, augment=Pipeline(marks=list(marks)))


# --------------------------------------------------------------------------- marks


@pytest.mark.parametrize("seed", range(8))
def test_marks_never_touch_digit_ink_and_keep_the_label(seed):
    """Marks that move nothing: every pixel within one pixel of a digit's ink is exactly as without marks."""
    text = TEXTS[seed % len(TEXTS)]
    plain = _render(text, seed)
    marked = _render(text, seed, NO_SHIFT_MARKS)
    assert marked.text == plain.text == text
    np.testing.assert_array_equal(marked.boxes, plain.boxes)
    np.testing.assert_array_equal(marked.glyph_indices, plain.glyph_indices)
    near_ink = cv2.dilate((plain.image < 1.0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    np.testing.assert_array_equal(marked.image[near_ink], plain.image[near_ink])
    assert (marked.image <= plain.image).all()  # marks only add ink
    assert (marked.image < plain.image).any()  # and they are there
    assert marked.image.dtype == np.float32 and marked.image.shape == (28, 260)


@pytest.mark.parametrize("seed", range(8))
def test_separators_open_gaps_between_digits_and_leave_every_glyph_intact(seed):
    text = TEXTS[seed % len(TEXTS)]
    plain = _render(text, seed, width=320)
    pipe = Pipeline(marks=[GroupSeparators(marks=["dot", "comma", "apostrophe"])])
    marked = render_sequence(text, (0, 3), 320, seed=seed, augment=pipe)
    assert marked.text == text
    widths = lambda b: b[:, 2] - b[:, 0]  # noqa: E731
    np.testing.assert_array_equal(widths(marked.boxes), widths(plain.boxes))
    np.testing.assert_array_equal(marked.boxes[:, 1::2], plain.boxes[:, 1::2])
    for (x0, _, x1, _), (m0, _, m1, _) in zip(plain.boxes.tolist(), marked.boxes.tolist()):
        # each character's box holds exactly the same pixels: no separator ink inside any glyph's box
        np.testing.assert_array_equal(marked.image[:, m0:m1], plain.image[:, x0:x1])
    moved = np.diff(marked.boxes[:, 0]) - np.diff(plain.boxes[:, 0])
    expected = {k for k in range(len(text) - 1) if (len(text) - 1 - k) % 3 == 0} if len(text) >= 4 else set()
    assert set(np.flatnonzero(moved).tolist()) == expected  # thousands: gaps open only there
    if expected:
        assert (moved[sorted(expected)] >= 3).all()
        assert (marked.image < 1.0).sum() > (plain.image < 1.0).sum()  # separator ink was drawn


def test_a_separator_that_does_not_fit_is_left_out():
    tight = render_sequence("1234567", (0, 0), 60, seed=1, augment=Pipeline(marks=[GroupSeparators()]))
    plain = render_sequence("1234567", (0, 0), 60, seed=1)
    np.testing.assert_array_equal(tight.image, plain.image)  # scaled to the width: no paper at the ends
    np.testing.assert_array_equal(tight.boxes, plain.boxes)


def test_marks_are_recorded_and_replayed_exactly():
    pipe = Pipeline(marks=[GroupSeparators(), EndMarks(both=1.0), Underline(), StrayMarks(count=(1, 3))])
    plain = _render("1250000", 4, width=300)
    image, boxes, params = pipe.apply_marks(plain.image, plain.boxes, "1250000", np.random.default_rng(5), True)
    params = json.loads(json.dumps(params))  # plain data
    assert all(params) and params[0]["mark"] in GroupSeparators.KINDS
    again, again_boxes = pipe.replay_marks(plain.image, plain.boxes, "1250000", params)
    np.testing.assert_array_equal(again, image)
    np.testing.assert_array_equal(again_boxes, boxes)
    same, _ = pipe.apply_marks(plain.image, plain.boxes, "1250000", np.random.default_rng(5))
    np.testing.assert_array_equal(same, image)
    other, _ = pipe.apply_marks(plain.image, plain.boxes, "1250000", np.random.default_rng(6))
    assert not np.array_equal(other, image)
    with pytest.raises(ValueError, match="replay_marks: expected 4 dicts"):
        pipe.replay_marks(plain.image, plain.boxes, "1250000", params[:2])
    with pytest.raises(ValueError, match="one box per character"):
        pipe.apply_marks(plain.image, plain.boxes, "12", np.random.default_rng(5))


def test_marks_are_off_by_default_and_on_in_realistic():
    for name in ("light", "medium", "heavy"):
        assert resolve_augment(name).marks == [] and "marks" not in resolve_augment(name).to_dict()
    realistic = resolve_augment("realistic")
    assert {type(t).__name__ for t in realistic.marks} == set(MARK_TRANSFORMS)
    assert Pipeline.from_dict(realistic.to_dict()) == realistic
    with pytest.raises(ValueError, match=r"unknown marks transform 'Blur'"):
        Pipeline.from_dict({"marks": [{"type": "Blur"}]})
    with pytest.raises(ValueError, match=r"'Underline' is a marks transform"):
        Pipeline.from_dict({"image": [{"type": "Underline"}]})


def test_mark_strokes_follow_the_pen_width():
    for thickness in (1.5, 2.5, 3.5):
        rng = np.random.default_rng(int(thickness * 10))
        widths = [estimate_pen_width(1.0 - stroke_ink([rng.uniform(4, 24, (4, 2))], thickness)) for _ in range(20)]
        assert abs(np.median(widths) - thickness) < 0.35 * thickness
    images, extents = mark_bank("dot")
    assert images.shape == (len(MARK_WIDTHS), MARK_BANK_SIZE, 28, 28) and images.dtype == np.uint8
    ink = (images.astype(np.float64) / 255).sum(axis=(2, 3)).mean(axis=1)
    assert (np.diff(ink) > 0).all()  # wider pens, bigger dots


def test_mark_banks_are_deterministic_and_cached(cache_root):
    for name in (*FIGURES, "underline"):
        images, extents = mark_bank(name)
        assert (images.reshape(-1, *images.shape[2:]) > 0).any(axis=(1, 2)).all(), name  # no empty sample
    assert len(list(cache_root.rglob("marks/*.npy"))) == 2 * (len(FIGURES) + 1)
    from number_generator.augment.marks import _draw_bank

    np.testing.assert_array_equal(_draw_bank("comma"), mark_bank("comma")[0])
    with pytest.raises(ValueError, match="unknown mark figure 'star'"):
        mark_bank("star")


# --------------------------------------------------------------------------- image transforms


@pytest.mark.parametrize("cls", NEW_IMAGE, ids=lambda c: c.__name__)
@pytest.mark.parametrize("width", [1, 37, 300])
def test_image_transforms_keep_the_contract_and_are_deterministic(cls, width):
    image, boxes = line_image(max(width, 1), 4 if width >= 120 else 0)
    if not len(boxes):
        boxes = np.zeros((0, 4), np.int64)
    pipe = Pipeline(image=[cls()])
    out, out_boxes, params = pipe.apply_image(image, boxes, np.random.default_rng(2), return_params=True)
    assert out.dtype == np.float32 and out.shape == (28, width)
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(out_boxes, boxes)  # nothing moves
    again, _ = pipe.apply_image(image, boxes, np.random.default_rng(2))
    np.testing.assert_array_equal(again, out)
    replayed, _ = pipe.replay_image(image, boxes, json.loads(json.dumps(params)))
    np.testing.assert_array_equal(replayed, out)


@pytest.mark.parametrize("cls", NEW_IMAGE, ids=lambda c: c.__name__)
def test_default_image_parameters_do_something_visible(cls):
    sample = render_sequence("0123456789", (0, 4), 300, seed=3)
    changed = [
        np.abs(
            cls().apply(sample.image, sample.boxes, cls().sample(np.random.default_rng(s), (28, 300)))[0] - sample.image
        ).max()
        for s in range(5)
    ]
    assert min(changed) > 0.05, changed


def test_printed_forms_sit_where_forms_put_them():
    sample = render_sequence("1500042", (2, 4), 260, seed=2)
    bottom = int(sample.boxes[:, 3].max())
    params = {"offset": 1.5, "thickness": 1.0, "darkness": 0.5}  # centre 1.5 px below the ink: covers row bottom + 1
    rule, _ = PrintedRule().apply(sample.image, sample.boxes, params)
    assert bottom + 1 <= 27
    np.testing.assert_array_equal(rule[bottom + 1], np.minimum(sample.image[bottom + 1], 0.5))
    np.testing.assert_array_equal(np.delete(rule, bottom + 1, axis=0), np.delete(sample.image, bottom + 1, axis=0))
    comb = CombBoxes(closed=1.0, wall=1.0)
    out, _ = comb.apply(sample.image, sample.boxes, comb.sample(np.random.default_rng(0), (28, 260)))
    printed = (out < sample.image - 0.2).any(axis=0)
    x0, x1 = int(sample.boxes[0, 0]), int(sample.boxes[-1, 2])
    assert printed[x0 - 12 : x1 + 12].sum() >= 8  # the cell walls and top and bottom lines
    assert not printed[: max(x0 - 20, 0)].any() and not printed[x1 + 20 :].any()  # only around the field
    grid = RuledPaper(grid=1.0, spacing=10.0)
    out, _ = grid.apply(sample.image, sample.boxes, grid.sample(np.random.default_rng(0), (28, 260)))
    paper = sample.image == 1.0
    assert (out[paper] < 1.0).mean() > 0.1 and (out <= sample.image).all()


def test_binarize_gives_paper_or_ink_only():
    sample = render_sequence("0123456789", (0, 4), 300, seed=1)
    out, _ = Pipeline(image=[Binarize(fax=1.0)]).apply_image(sample.image, sample.boxes, np.random.default_rng(0))
    assert set(np.unique(out).tolist()) == {0.0, 1.0}


# --------------------------------------------------------------------------- foreign digit styles


def _glyphs_of(char: str, n: int, seed: int = 0) -> np.ndarray:
    gs = get_glyph_set("mnist", "train")
    return np.ascontiguousarray(gs.images[gs.pick(np.full(n, int(char)), np.random.default_rng(seed))])


@pytest.mark.parametrize("char", NEW_GLYPH)
def test_digit_styles_edit_only_their_class(char):
    cls = NEW_GLYPH[char]
    pipe = Pipeline(glyph=[cls()])
    stack = np.concatenate([_glyphs_of(char, 12), _glyphs_of("8", 4)])
    text = char * 12 + "8" * 4
    out, params = pipe.apply_glyphs(stack, np.random.default_rng(1), return_params=True, text=text)
    assert out.dtype == np.uint8 and out.shape == stack.shape
    np.testing.assert_array_equal(out[12:], stack[12:])  # other classes untouched
    assert [bool(p[0]) for p in params] == [True] * 12 + [False] * 4
    changed = (out[:12] != stack[:12]).any(axis=(1, 2))
    assert changed.mean() >= 0.75, changed  # visible on most glyphs of its class
    np.testing.assert_array_equal(pipe.replay_glyphs(stack, json.loads(json.dumps(params))), out)
    np.testing.assert_array_equal(pipe.apply_glyphs(stack, np.random.default_rng(1), text=text), out)
    # without the text, a class-conditional transform cannot know the class: nothing changes
    np.testing.assert_array_equal(pipe.apply_glyphs(stack, np.random.default_rng(1)), stack)
    with pytest.raises(ValueError, match="has 3 characters for 16 glyphs"):
        pipe.apply_glyphs(stack, np.random.default_rng(1), text="123")


def test_styles_draw_in_the_glyphs_pen_width_and_keep_the_label():
    sevens = _glyphs_of("7", 40, seed=3)
    out = Pipeline(glyph=[CrossedSeven()]).apply_glyphs(sevens, np.random.default_rng(0), text="7" * 40)
    added = (out.astype(int) - sevens).clip(0).sum(axis=(1, 2)) / 255  # ink area of the bar
    widths = np.array([estimate_pen_width(1.0 - g.astype(np.float32) / 255) for g in sevens])
    lengths = added / widths
    assert np.median(lengths) > 3  # a bar several pen widths long, not a blot
    sample = render_sequence("7147", (0, 4), 200, seed=2, augment=Pipeline(glyph=[CrossedSeven(), FlaggedOne()]))
    assert sample.text == "7147"


# --------------------------------------------------------------------------- parameters, preset, recipe


BAD = [
    (GroupSeparators, {"marks": ["dot", "star"]}, "marks"),
    (GroupSeparators, {"group": [1, 3]}, "group"),
    (EndMarks, {"leading": []}, "leading"),
    (EndMarks, {"both": 2}, "both"),
    (StrayMarks, {"count": [3, 1]}, "count"),
    (Underline, {"offset": [0, 99]}, "offset"),
    (PrintedRule, {"darkness": [0.5, 1.5]}, "darkness"),
    (PrintedBox, {"thickness": 0}, "thickness"),
    (CombBoxes, {"closed": -0.1}, "closed"),
    (RuledPaper, {"spacing": [1, 2]}, "spacing"),
    (SecurityPattern, {"period": "fine"}, "period"),
    (InkDarkness, {"fade": [0.5, 0.2]}, "fade"),
    (JpegCompression, {"quality": [0, 50]}, "quality"),
    (LowResolution, {"scale": [0.5, 2]}, "scale"),
    (Binarize, {"threshold": [0.0, 0.5]}, "threshold"),
    (BleedThrough, {"blur": -1}, "blur"),
    (CrossedSeven, {"length": [0.1, 0.5]}, "length"),
    (FlaggedOne, {"angle": [0, 90]}, "angle"),
    (OpenFour, {"drop": [0, 1]}, "drop"),
]


@pytest.mark.parametrize(("cls", "kwargs", "name"), BAD, ids=[f"{c.__name__}-{n}" for c, _, n in BAD])
def test_bad_parameters_are_value_errors_naming_them(cls, kwargs, name):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: parameter '{name}'"):
        cls(**kwargs)
    with pytest.raises(ValueError, match=rf"parameter '{name}'"):
        Pipeline.from_dict({cls.kind if cls.kind != "glyph" else "glyph": [{"type": cls.__name__, **kwargs}]})


def test_every_new_transform_is_registered_and_documented():
    for cls in [*NEW_IMAGE, *NEW_GLYPH.values()]:
        assert (IMAGE_TRANSFORMS if cls in NEW_IMAGE else GLYPH_TRANSFORMS)[cls.__name__] is cls
    for cls in [*NEW_IMAGE, *NEW_GLYPH.values(), *MARK_TRANSFORMS.values()]:
        for name in cls.parameter_names():
            assert f"{name} :" in (cls.__doc__ or ""), (cls.__name__, name)


def test_realistic_preset_keeps_labels_and_is_deterministic():
    pipe = resolve_augment("realistic")
    from number_generator.augment.presets import REALISTIC_REASONS

    config = pipe.to_dict()
    named = {d["type"] for stage in ("glyph", "marks", "image") for d in config[stage]} | set(config["options"])
    assert set(REALISTIC_REASONS) <= named  # every setting has its reason written down
    for seed in range(12):
        a = render_sequence("0123456789", (0, 4), 300, seed=seed, augment="realistic")
        b = render_sequence("0123456789", (0, 4), 300, seed=seed, augment=pipe)
        assert a.text == "0123456789" and len(a.boxes) == 10
        np.testing.assert_array_equal(a.image, b.image)
        assert a.image.dtype == np.float32 and a.image.shape == (28, 300)
        assert 0.0 <= a.image.min() and a.image.max() <= 1.0
    spec = SyntheticDataset({"length": 8, "augment": "realistic", "draw": {"kind": "phone"}}).spec
    assert spec.data["augment"] == "realistic" and spec.alphabet == "0123456789-"  # marks are never labels


def test_separators_leave_numbers_with_their_own_punctuation_alone_unless_asked():
    """A phone number or date keeps its hyphens only; ``digits_only=False`` separates its long digit runs too."""
    text = "090-12345-678"
    plain = render_sequence(text, (0, 3), 320, seed=4)
    default = render_sequence(text, (0, 3), 320, seed=4, augment=Pipeline(marks=[GroupSeparators()]))
    np.testing.assert_array_equal(default.image, plain.image)
    forced = Pipeline(marks=[GroupSeparators(marks=["dot"], digits_only=False)])
    marked, _, params = forced.apply_marks(plain.image, plain.boxes, text, np.random.default_rng(4), return_params=True)
    assert params[0]["splits"] and [split[0] for split in params[0]["splits"]] == [5]  # 12'345: after the "2"
    assert not np.array_equal(marked, plain.image)
    with pytest.raises(ValueError, match="digits_only"):
        GroupSeparators(digits_only="yes")
