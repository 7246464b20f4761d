"""Issue 13 items 2-6: one writer per string, touching digits, string-level style, framing, the realistic preset."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from _cli import run_cli
from number_generator import Options, draw
from number_generator.api import create_app
from number_generator.api.settings import Settings
from number_generator.augment import Pipeline, StringStroke, StringStyle, resolve_augment
from number_generator.core.layout import overlap_limit
from number_generator.core.planner import hands, pen_widths
from number_generator.data.dataset import SyntheticDataset
from number_generator.data.spec import load_spec
from number_generator.export.shards import export_dataset
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.writers import get_writer_table, glyph_style

STYLE_ONLY = {
    "glyph": [
        {"type": "StringStyle", "slant": [-14, 14], "slant_spread": 3, "scale": [0.94, 1.04], "drift": [0.5, 2]},
        {"type": "StringStroke", "delta": [-0.5, 0.8], "spread": 0.15},
    ]
}


def _ink(image: np.ndarray) -> np.ndarray:
    return image < 0.5


# ----------------------------------------------------------------------------- writer="same"


@pytest.mark.parametrize("split", ["train", "test"])
def test_same_writer_strings_have_one_writer_unless_the_recorded_fallback_applied(split):
    table = get_writer_table("mnist", split)
    glyphs = get_glyph_set("mnist", split)
    borrowed = 0
    for seed in range(60):
        sample = draw("0123456789", seed=seed, writer="same", split=split)
        row = table.rows(sample.writer)
        classes = np.arange(10)
        wrote = table.counts[row, classes] > 0
        # the writer's own glyphs where it wrote the class; else its recorded nearest neighbour's
        assert (sample.writers[wrote] == sample.writer).all()
        expected_suppliers = table.ids[table.supplier[row, classes]]
        np.testing.assert_array_equal(sample.writers, expected_suppliers)
        # the recorded writer ids are those of the glyphs drawn
        np.testing.assert_array_equal(glyphs.writers[sample.glyph_indices], sample.writers)
        borrowed += int((~wrote).sum())
    if split == "test":
        assert borrowed > 0  # most test writers lack some class: the fallback was exercised


def test_test_split_draws_only_unseen_writers():
    train_ids = set(get_writer_table("mnist", "train").ids.tolist())
    test_ids = set(get_writer_table("mnist", "test").ids.tolist())
    drawn = set()
    for seed in range(40):
        sample = draw("0123456789", seed=seed, writer="same", split="test")
        drawn.update(sample.writers.tolist())
    assert drawn <= test_ids and not drawn & train_ids


def test_any_writer_records_the_writers_and_keeps_metadata_free_of_them():
    sample = draw("4711", seed=3)
    assert sample.writer == -1
    np.testing.assert_array_equal(sample.writers, get_glyph_set("mnist", "train").writers[sample.glyph_indices])
    assert len(set(draw("0123456789", seed=1).writers.tolist())) > 5  # a new hand per digit, as before


def test_synthesised_characters_follow_the_writer_pen_width():
    hand = hands("mnist", "train")
    order, widths = pen_widths("-")
    thin, thick = np.argsort(hand.table.style[:, 0])[[0, -1]]
    rng = np.random.default_rng(0)
    thin_widths = [widths[np.flatnonzero(order == hand.pen_entry("-", thin, rng))[0]] for _ in range(50)]
    thick_widths = [widths[np.flatnonzero(order == hand.pen_entry("-", thick, rng))[0]] for _ in range(50)]
    assert max(thin_widths) < min(thick_widths)
    # and the hyphens of a same-writer string come from that window, measured on the pixels drawn
    sample = draw("12-34", seed=5, writer="same")
    assert sample.writers[2] == -1 and sample.glyph_indices[2] == -1
    hyphen = (sample.image[:, sample.boxes[2, 0] : sample.boxes[2, 2]] < 1.0).any()
    assert hyphen


# ----------------------------------------------------------------------------- touching and overlapping digits


def test_negative_spacing_is_measured_back_from_the_image():
    glyphs = get_glyph_set("mnist", "train")
    for seed in range(20):
        sample = draw("0000", seed=seed, spacing=(-4, -1), width=200, align="left")
        extents = glyphs.extents[sample.glyph_indices].astype(int)
        ink_widths = extents[:, 1] - extents[:, 0] + 1
        assert (sample.spacing <= -1).all() and (sample.spacing >= -4).all()
        # box gaps are the gaps drawn: overlapping boxes by exactly -gap columns
        np.testing.assert_array_equal(sample.boxes[1:, 0] - sample.boxes[:-1, 2], sample.spacing)
        # the ink spans the glyphs' ink widths plus the (negative) gaps
        columns = np.flatnonzero((sample.image < 1.0).any(axis=0))
        assert columns[0] == 0 and columns[-1] + 1 == ink_widths.sum() + sample.spacing.sum()


def test_overlapping_ink_merges_darkest_wins():
    glyphs = get_glyph_set("mnist", "train")
    sample = draw("08", seed=2, spacing=(-3, -3), width=60, align="left")
    assert sample.spacing.tolist() == [-3]
    canvas = np.zeros((2, 28, 60), np.uint8)
    for k, (index, box) in enumerate(zip(sample.glyph_indices, sample.boxes)):
        left, right = glyphs.extents[index][:2]
        canvas[k, :, box[0] : box[2]] = glyphs.images[index][:, left : right + 1]
    expected = (255 - canvas.max(axis=0)) / np.float32(255)
    np.testing.assert_array_equal(sample.image, expected.astype(np.float32))


def test_overlap_limit_leaves_every_glyph_an_ink_column_of_its_own():
    ink_widths = np.array([3, 2, 20, 5, 1])
    gaps = np.array([-13, -13, -13, -13, 0])
    limited = overlap_limit(ink_widths, gaps)
    assert limited.tolist() == [0, 0, -2, 0, 0]
    for seed in range(20):
        sample = draw("1111111", seed=seed, spacing=(-13, -13), width=300)
        x0, x1 = sample.boxes[:, 0], sample.boxes[:, 2]
        assert (np.diff(x0) > 0).all() and (np.diff(x1) > 0).all()
        for i in range(len(x0)):
            others = np.zeros(300, bool)
            for j in range(len(x0)):
                if j != i:
                    others[x0[j] : x1[j]] = True
            assert not others[x0[i] : x1[i]].all(), f"glyph {i} covered whole (seed {seed})"


# ----------------------------------------------------------------------------- boxes and determinism with every option

ALL_OPTIONS = {
    "writer": "same",
    "spacing": (-3, 2),
    "fill": (0.55, 1.0),
    "height_jitter": 0.1,
    "align": "random",
    "augment": STYLE_ONLY,
}


@pytest.mark.parametrize("text", ["0123456789", "090-1234 5678", "4711"])
def test_boxes_cover_their_glyph_ink_with_every_new_option(text):
    for seed in range(15):
        sample = draw(text, seed=seed, width=320, **ALL_OPTIONS)
        assert sample.image.dtype == np.float32 and sample.image.shape == (28, 320)
        assert 0.0 <= sample.image.min() and sample.image.max() <= 1.0
        ink = _ink(sample.image)
        covered = np.zeros_like(ink)
        for ch, (x0, y0, x1, y1) in zip(sample.text, sample.boxes):
            if ch != " ":
                assert ink[y0:y1, x0:x1].any(), f"empty box for {ch!r}"
                covered[y0:y1, x0:x1] = True
        assert not (ink & ~covered).any()


@pytest.mark.parametrize(
    "options",
    [
        {"writer": "same"},
        {"spacing": (-4, 0)},
        {"fill": (0.55, 1.0), "height_jitter": 0.06},
        {"align": "random"},
        {"augment": STYLE_ONLY},
        {"augment": "realistic"},
        ALL_OPTIONS,
    ],
)
def test_every_new_option_is_deterministic(options):
    first = draw("03-1234-5678", seed=11, **options)
    again = draw("03-1234-5678", seed=11, **options)
    np.testing.assert_array_equal(first.image, again.image)
    np.testing.assert_array_equal(first.boxes, again.boxes)
    np.testing.assert_array_equal(first.writers, again.writers)
    other = draw("03-1234-5678", seed=12, **options)
    assert not np.array_equal(first.image, other.image)


def test_block_path_equals_single_samples_with_the_realistic_options():
    spec = {"seed": 4, "count": 40, "augment": "realistic", "draw": {"kind": "phone"}}
    ds = SyntheticDataset(spec)
    block = ds.render_block(0, 40)
    for k in range(0, 40, 7):
        sample = ds[k]
        np.testing.assert_array_equal(block.images[k], np.rint(sample.image * 255).astype(np.uint8))
        np.testing.assert_array_equal(block.boxes[k], sample.boxes)
        np.testing.assert_array_equal(block.writers[k], sample.writers)


# ----------------------------------------------------------------------------- string-level style


def test_string_style_is_drawn_once_per_string_and_replays():
    pipeline = Pipeline(glyph=[StringStyle(slant=(-14, 14), slant_spread=2, scale=(0.9, 1.1), drift=(1, 3))])
    stack = np.zeros((8, 28, 28), np.uint8)
    stack[:, 6:22, 11:16] = 255
    out, records = pipeline.apply_glyphs(stack, np.random.default_rng(3), return_params=True)
    style = [r[0] for r in records]
    for key in ("drift", "waves", "phase"):
        assert len({s[key] for s in style}) == 1  # one draw per string
    slants = np.array([s["shear"] for s in style])
    assert np.ptp(slants) <= 4.0 + 1e-9  # one slant, +- slant_spread per glyph
    t = np.arange(8) / 7
    curve = style[0]["drift"] * np.sin(2 * np.pi * style[0]["waves"] * t + style[0]["phase"])
    np.testing.assert_allclose([s["dy"] for s in style], curve)  # a smooth curve, not per-glyph jitter
    np.testing.assert_array_equal(pipeline.replay_glyphs(stack, records), out)
    # skipped or applied for the whole string
    skip = Pipeline(glyph=[StringStroke(delta=(1, 1), p=0.5)])
    for seed in range(20):
        _, recs = skip.apply_glyphs(stack, np.random.default_rng(seed), return_params=True)
        assert len({bool(r[0]) for r in recs}) == 1


def test_string_stroke_gives_one_pen_per_string():
    pipeline = Pipeline(glyph=[StringStroke(delta=(-1, 1), spread=0.1)])
    stack = np.zeros((6, 28, 28), np.uint8)
    stack[:, 6:22, 12:15] = 255
    for seed in range(10):
        _, records = pipeline.apply_glyphs(stack, np.random.default_rng(seed), return_params=True)
        deltas = np.array([r[0]["delta"] for r in records])
        assert np.ptp(deltas) <= 0.2 + 1e-9


def test_string_transforms_reject_bad_parameters_naming_them():
    with pytest.raises(ValueError, match="StringStyle: parameter 'drift' must be <= 6"):
        StringStyle(drift=(0, 7))
    with pytest.raises(ValueError, match="StringStroke: parameter 'spread' must be <= 1"):
        StringStroke(spread=2)


# ----------------------------------------------------------------------------- framing


@pytest.mark.parametrize("fill", [0.55, 0.8, 1.0])
def test_fill_sets_the_ink_height(fill):
    heights = []
    for seed in range(15):
        sample = draw("0238", seed=seed, fill=(fill, fill), width=200)
        heights.extend((sample.boxes[:, 3] - sample.boxes[:, 1]).tolist())
        assert sample.boxes[:, 3].max() <= 28 and sample.boxes[:, 1].min() >= 0
    # MNIST digits are 20 px tall (a few shorter), scaled by fill * 28 / 20; boxes count faint ink, which
    # bilinear resampling spreads by up to a pixel at each end
    assert abs(np.median(heights) - fill * 28) <= 2.0


def test_height_jitter_varies_glyph_heights_within_a_string():
    ratios = []
    for seed in range(20):
        # the same glyphs and string height (jitter draws nothing extra), with and without jitter
        steady = draw("0000000000", seed=seed, fill=(0.7, 0.7), width=300)
        jittered = draw("0000000000", seed=seed, fill=(0.7, 0.7), height_jitter=0.1, width=300)
        np.testing.assert_array_equal(steady.glyph_indices, jittered.glyph_indices)
        ratios.extend((jittered.boxes[:, 3] - jittered.boxes[:, 1]) / (steady.boxes[:, 3] - steady.boxes[:, 1]))
    ratios = np.array(ratios)
    assert ratios.min() >= 0.8 and ratios.max() <= 1.2  # +-10 %, a pixel of rounding either way
    assert (np.abs(ratios - 1) > 0.04).mean() > 0.3  # and most glyphs did change


def test_random_margins_place_the_number_anywhere_in_the_width():
    lefts = []
    for seed in range(30):
        sample = draw("123", seed=seed, align="random", width=300)
        assert sample.boxes[:, 0].min() >= 0 and sample.boxes[:, 2].max() <= 300
        lefts.append(int(sample.boxes[0, 0]))
    assert min(lefts) < 60 and max(lefts) > 180


# ----------------------------------------------------------------------------- realistic and its option defaults


def test_realistic_preset_turns_the_options_on_unless_given():
    sample = draw("0123456789", seed=1, augment="realistic")
    assert sample.writer >= 0
    options = Options.create(augment="realistic")
    assert (options.writer, options.spacing, options.align) == ("same", (-2, 4), "random")
    assert options.fill == (0.55, 0.95) and options.height_jitter == 0.06
    given = Options.create(augment="realistic", writer="any", spacing=(0, 4), align="center")
    assert (given.writer, given.spacing, given.align, given.fill) == ("any", (0, 4), "center", (0.55, 0.95))
    pipeline = resolve_augment("realistic")
    assert len(pipeline.glyph) + len(pipeline.marks) + len(pipeline.image) <= 32
    assert Pipeline.from_dict(pipeline.to_dict()) == pipeline  # options survive the round trip


def test_spec_keys_and_preset_defaults_are_stored_in_the_canonical_spec():
    assert "writer" not in load_spec({}).data  # old specs keep their hash
    spec = load_spec({"augment": "realistic", "spacing": [0, 2]})
    assert spec.data["writer"] == "same" and spec.data["spacing"] == [0, 2] and spec.data["align"] == "random"
    explicit = load_spec({"writer": "same", "fill": [0.6, 0.9], "height_jitter": 0.05, "spacing": [-3, 1]})
    assert explicit.options.writer == "same" and explicit.options.fill == (0.6, 0.9)


def test_exports_record_writers_when_drawing_with_one_writer(tmp_path):
    spec = {"seed": 1, "count": 6, "writer": "same", "draw": {"kind": "phone"}}
    export_dataset(spec, tmp_path / "png", format="png", shard_size=3)
    export_dataset(spec, tmp_path / "npz", format="npz", shard_size=6)
    lines = [json.loads(line) for line in (tmp_path / "png" / "metadata.jsonl").read_text().splitlines()]
    ds = SyntheticDataset(spec)
    for record in lines:
        assert record["writers"] == ds[record["index"]].writers.tolist()
        assert len(record["writers"]) == len(record["text"])
    with zipfile.ZipFile(tmp_path / "npz" / "shard-00000.npz") as zf:
        names = zf.namelist()
    assert "writers.npy" in names
    plain = {"seed": 1, "count": 2, "draw": {"kind": "phone"}}
    export_dataset(plain, tmp_path / "plain", format="png", shard_size=2)
    assert "writers" not in (tmp_path / "plain" / "metadata.jsonl").read_text()


# ----------------------------------------------------------------------------- bad values in every front end


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"writer": "sometimes"}, "unknown writer policy 'sometimes'"),
        ({"spacing": (-14, 0)}, "minimum spacing must be >= -13, got -14"),
        ({"fill": (0.1, 0.5)}, "fill must be within 0.3-1.0, got 0.1"),
        ({"fill": (0.9, 0.5)}, "minimum fill 0.9 is greater than maximum fill 0.5"),
        ({"fill": "tall"}, "fill must be a pair"),
        ({"height_jitter": 0.5}, "height_jitter must be within 0.0-0.3, got 0.5"),
        ({"align": "middle"}, "unknown align 'middle'"),
        ({"augment": {"glyph": [], "options": {"writer": "both"}}}, "unknown writer policy 'both'"),
        ({"augment": {"glyph": [], "options": {"width": 3}}}, "unknown option 'width'"),
    ],
)
def test_bad_values_raise_value_errors_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        draw("12", seed=0, **options)


def test_cli_takes_writer_and_negative_spacing_and_refuses_bad_values(tmp_path):
    out = tmp_path / "same.png"
    ok = run_cli(  # in this process (tests/_cli.py): the options are the point; tests/test_cli.py runs the script
        "generate-numbers-sequence",
        "4711",
        "--writer",
        "same",
        "--min-spacing",
        "-3",
        "--max-spacing",
        "-1",
        "--align",
        "random",
        "--seed",
        "3",
        "--output-path",
        str(out),
    )
    assert ok.returncode == 0, ok.stderr
    with Image.open(out) as image:
        pixels = np.asarray(image)
    expected = draw("4711", seed=3, writer="same", spacing=(-3, -1), align="random").image
    np.testing.assert_array_equal(pixels, np.rint(expected * 255).astype(np.uint8))
    for args, message in [
        (["--writer", "both"], "unknown writer policy 'both'"),
        (["--min-spacing", "-14"], "minimum spacing must be >= -13, got -14"),
    ]:
        bad = run_cli("generate-numbers-sequence", "12", *args, "--output-path", str(tmp_path))
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def api():
    """The app in this process: the REST fields are the point here (tests/test_api.py runs real servers)."""
    with TestClient(create_app(Settings())) as client:
        yield client


def test_rest_takes_writer_overlap_and_framing(api):
    query = {"digits": "4711", "writer": "same", "min_spacing": -3, "max_spacing": 0, "min_fill": 0.9, "seed": 4}
    response = api.get("/v1/sequence.png", params=query)
    assert response.status_code == 200, response.text
    expected = draw("4711", seed=4, writer="same", spacing=(-3, 0), fill=(0.9, 0.9)).image
    with Image.open(__import__("io").BytesIO(response.content)) as image:
        np.testing.assert_array_equal(np.asarray(image), np.rint(expected * 255).astype(np.uint8))
    batch = api.post("/v1/batch", json={"kind": "phone", "count": 3, "writer": "same", "min_spacing": -2, "seed": 1})
    assert batch.status_code == 200
    with zipfile.ZipFile(__import__("io").BytesIO(batch.content)) as zf:
        records = [json.loads(line) for line in zf.read("metadata.jsonl").decode().splitlines()]
    assert all("writers" in r for r in records)


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"writer": "both"}, "writer"),
        ({"min_spacing": -14}, "minimum spacing must be >= -13, got -14"),
        ({"min_fill": 0.1}, "fill must be within 0.3-1.0, got 0.1"),
        ({"align": "middle"}, "align"),
    ],
)
def test_rest_refuses_bad_values_with_422_naming_them(api, params, text):
    response = api.get("/v1/sequence.png", params={"digits": "12", **params})
    assert response.status_code == 422
    assert text in json.dumps(response.json())


def test_glyph_style_of_bank_entries_is_what_pen_widths_sorts():
    order, widths = pen_widths("-")
    assert (np.diff(widths) >= 0).all()
    from number_generator.glyphsets.strokes import synthetic_glyphs

    bank = synthetic_glyphs("-")[0]
    np.testing.assert_allclose(glyph_style(bank[order[:5]])[:, 0], widths[:5])
