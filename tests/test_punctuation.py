"""Punctuation as characters (issue 14): synthesised glyph banks and phone numbers written in several styles."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from fastapi.testclient import TestClient

from _cli import run_cli
from number_generator import SyntheticDataset, render_phone_number, render_sequence
from number_generator.api import create_app
from number_generator.api.settings import Settings
from number_generator.data.phone import (
    FORMATS,
    STYLES,
    parse_phone_number,
    random_phone_number,
    write_number,
)
from number_generator.data.phone_batch import PhoneNumberBatch
from number_generator.glyphsets.glyphs import ink_extents
from number_generator.glyphsets.strokes import BANK_SIZE, SYNTHESISED, synthetic_glyphs

PUNCTUATION = "()+./"


@pytest.mark.parametrize("char", PUNCTUATION)
def test_punctuation_banks_are_deterministic_and_cached(char, cache_root):
    images, extents = synthetic_glyphs(char)
    assert images.shape == (BANK_SIZE, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(extents, ink_extents(images))
    # The bank is a pure function of the character's seed: its first entries are the first draws.
    synth = SYNTHESISED[char]
    rng = np.random.default_rng(synth.seed)
    np.testing.assert_array_equal(images[:3], np.stack([synth.draw(rng) for _ in range(3)]))
    assert list(cache_root.rglob(f"synthetic/{synth.name}-v{synth.version}-*.npy"))
    assert images.max() == 255 and (images > 0).any(axis=(1, 2)).all()  # every sample has full ink


def test_punctuation_sits_where_writers_put_it():
    ext = {ch: ink_extents(synthetic_glyphs(ch)[0][:500]).astype(int) for ch in PUNCTUATION}
    height = {ch: e[:, 3] - e[:, 2] + 1 for ch, e in ext.items()}
    width = {ch: e[:, 1] - e[:, 0] + 1 for ch, e in ext.items()}
    # brackets and the slash are about as tall as a digit (MNIST: ~20 rows), narrow; brackets open sideways
    for ch in "()/":
        assert 14 <= np.median(height[ch]) <= 23 and np.median(width[ch]) < np.median(height[ch])
    assert np.median(width["("]) <= 10
    # a dot is a small blob on the baseline (digits end near row 23)
    assert height["."].max() <= 7 and width["."].max() <= 7 and (ext["."][:, 3] >= 21).all()
    # a plus is centred at mid-height
    centre = (ext["+"][:, 2] + ext["+"][:, 3]) / 2
    assert 10 <= centre.min() and centre.max() <= 18
    # "(" bulges left: its middle row's ink is left of its end rows' ink
    left = synthetic_glyphs("(")[0][:200].astype(float)
    mid, top = left[:, 13:16].sum(axis=1), left[:, 4:8].sum(axis=1)
    cols = np.arange(28)
    assert ((mid @ cols) / mid.sum(1) < (top @ cols) / np.maximum(top.sum(1), 1)).mean() > 0.9


def test_punctuation_in_texts_and_specs():
    sample = render_sequence("(03)1234+5.6/7", (0, 3), 400, seed=1)
    assert sample.text == "(03)1234+5.6/7" and len(sample.boxes) == len(sample.text)
    synthetic = [k for k, ch in enumerate(sample.text) if not ch.isdigit()]
    assert (sample.glyph_indices[synthetic] == -1).all() and (np.delete(sample.glyph_indices, synthetic) >= 0).all()
    ds = SyntheticDataset({"length": 4, "draw": {"kind": "fixed", "sequences": ["12/25", "3.14"]}})
    assert ds.spec.alphabet == "0123456789-./"  # the CTC alphabet follows what the spec draws
    assert SyntheticDataset({"length": 4}).spec.alphabet == "0123456789-"  # unchanged without punctuation
    with pytest.raises(ValueError, match=r"cannot draw ','"):
        render_sequence("1,000", (0, 3), 200, seed=1)


EXAMPLES = {
    "hyphen": "03-3456-7890",
    "parens": "03(3456)7890",
    "area-parens": "(03) 3456-7890",
    "dots": "03.3456.7890",
    "international": "+81 3-3456-7890",
}


@pytest.mark.parametrize("style", STYLES)
def test_each_style_writes_what_people_write_and_parses_back(style):
    assert write_number(("03", "3456", "7890"), style) == EXAMPLES[style]
    assert parse_phone_number(EXAMPLES[style]) == ("landline", "0334567890")
    for name, fmt in FORMATS.items():
        for k in (0, fmt.capacity // 3, fmt.capacity - 1):
            groups = fmt.groups_of(k)
            assert parse_phone_number(write_number(groups, style)) == (name, "".join(groups))


def test_styled_numbers_stay_unique_and_labels_hold_exactly_what_is_drawn():
    batch = PhoneNumberBatch(300, (0, 3), 320, seed=4, style={"parens": 1, "international": 1, "dots": 1})
    texts = [batch.number(i) for i in range(300)]
    assert len({parse_phone_number(t)[1] for t in texts}) == 300
    assert {t[0] for t in texts} >= {"+", "0"} and any("(" in t for t in texts) and any("." in t for t in texts)
    for i in (0, 1, 2, 3, 4, 5):
        sample = batch[i]
        assert sample.text == texts[i] and len(sample.boxes) == len(sample.text)
        assert sample.image.shape == (28, 320) and sample.image.dtype == np.float32
    spaced = render_phone_number((0, 3), 320, seed=2, style="international")
    assert spaced.text.startswith("+81 ") and sample.glyph_indices.shape == (len(sample.text),)
    gap = spaced.boxes[3]  # the space: a box spanning the word gap between "1" and the next digit
    assert gap[0] == spaced.boxes[2][2] and gap[2] == spaced.boxes[4][0] and gap[2] - gap[0] >= 10


def test_one_style_draws_nothing_more_so_seeds_keep_their_digits():
    for seed in range(5):
        plain = random_phone_number(seed)
        for style in STYLES:
            assert parse_phone_number(random_phone_number(seed, style=style)) == parse_phone_number(plain)


def test_bad_styles_name_the_value():
    with pytest.raises(ValueError, match="unknown phone style 'slashes'"):
        random_phone_number(1, style="slashes")
    with pytest.raises(ValueError, match="weight of phone style 'dots'"):
        random_phone_number(1, style={"dots": -1})
    with pytest.raises(ValueError, match="separator '' applies to the 'hyphen' style only"):
        render_phone_number((0, 3), 300, seed=1, separator="", style="dots")
    with pytest.raises(ValueError, match=r"spec key 'draw\[0\].style': unknown phone style"):
        SyntheticDataset({"draw": {"kind": "phone", "style": "slashes"}})
    with pytest.raises(ValueError, match="holds characters no style writes"):
        parse_phone_number("03/1234/5678")
    with pytest.raises(ValueError, match="not a number of any phone format"):
        parse_phone_number("03(1234)567")


def test_spec_style_key_alphabet_and_block_path():
    spec = {"seed": 3, "length": 40, "draw": {"kind": "phone", "style": "parens"}}
    ds = SyntheticDataset(spec)
    assert ds.spec.data["draw"][0]["style"] == [["parens", 1.0]]
    assert ds.spec.alphabet == "0123456789-()"
    block = ds.render_block(0, 40)  # the vectorised export path draws the same bytes
    from number_generator.io.png import to_uint8

    for i in (0, 17, 39):
        assert block.texts[i] == ds[i].text and "(" in block.texts[i]
        np.testing.assert_array_equal(block.images[i], to_uint8(ds[i].image))
    spaced = SyntheticDataset({**spec, "draw": {"kind": "phone", "style": ["area-parens", "international"]}})
    assert spaced.spec.alphabet == "0123456789-()+ " and spaced.spec.has_spaces
    # specs without a style keep their canonical form (and hash)
    assert "style" not in SyntheticDataset({**spec, "draw": {"kind": "phone"}}).spec.data["draw"][0]


def test_cli_style_option(tmp_path):
    out = tmp_path / "phones"
    cmd = ["generate-phone-numbers", "--num-images", "6", "--seed", "2", "--output-path", str(out)]
    done = run_cli(*cmd, "--style", "dots", "--style", "area-parens")
    assert done.returncode == 0, done.stderr
    with open(out / "labels.csv", newline="") as fh:
        numbers = [row["number"] for row in csv.DictReader(fh)]
    assert len(numbers) == 6 and all("." in n or n.startswith("(") for n in numbers)
    assert all(parse_phone_number(n) for n in numbers)
    bad = run_cli(*cmd, "--style", "slashes")
    assert bad.returncode == 2 and "unknown phone style 'slashes'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_rest_style_field():
    with TestClient(create_app(Settings())) as client:
        response = client.get("/v1/phone-number.png", params={"seed": 5, "style": "parens"})
        assert response.status_code == 200
        number = response.headers["X-Phone-Number"]
        assert number == render_phone_number((0, 4), 300, seed=5, style=["parens"]).text and "(" in number
        bad = client.get("/v1/phone-number.png", params={"seed": 5, "style": "slashes"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "style"]
        batch = client.post("/v1/batch", json={"kind": "phone", "count": 3, "style": ["dots"], "format": "npz"})
        assert batch.status_code == 200
        assert '"style":["dots"]' in batch.headers["X-Spec"]
        bad = client.post("/v1/batch", json={"kind": "phone", "count": 3, "style": ["x"]})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "style"]
