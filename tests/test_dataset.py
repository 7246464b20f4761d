"""Index-deterministic datasets from a spec: parsing, validation, determinism, uniqueness."""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pytest

from number_generator import PhoneNumberBatch
from number_generator.data.dataset import IterableSyntheticDataset, SyntheticDataset, load_spec
from number_generator.io.png import to_uint8

MIXED = {
    "seed": 11,
    "length": 120,
    "width": [120, 320],
    "spacing": [0, 6],
    "augment": "light",
    "draw": [
        {"kind": "phone", "weight": 2},
        {"kind": "digits", "length": [3, 7]},
        {"kind": "fixed", "sequences": ["0123456789", "42"]},
        {"kind": "words", "words": ["2026", "11-25"]},
    ],
}


def same(a, b):
    return (
        a.text == b.text
        and np.array_equal(a.image, b.image)
        and np.array_equal(a.boxes, b.boxes)
        and np.array_equal(a.glyph_indices, b.glyph_indices)
    )


def test_sample_i_is_a_pure_function_of_spec_and_index():
    ds = SyntheticDataset(MIXED)
    forward = [ds[i] for i in range(len(ds))]
    backward = {i: SyntheticDataset(MIXED)[i] for i in reversed(range(len(ds)))}
    assert all(same(forward[i], backward[i]) for i in range(len(ds)))
    assert all(same(forward[i], s) for i, s in ds.samples(0, len(ds)))
    assert all(same(forward[i], s) for i, s in ds.samples(37, 80))
    copy = pickle.loads(pickle.dumps(ds))
    assert same(copy[99], forward[99])
    assert ds[-1].text == forward[-1].text


def test_samples_follow_the_spec():
    ds = SyntheticDataset(MIXED)
    kinds = set()
    for i in range(len(ds)):
        s = ds[i]
        assert s.image.dtype == np.float32 and s.image.shape[0] == 28 and 120 <= s.image.shape[1] <= 320
        assert 0.0 <= s.image.min() and s.image.max() <= 1.0
        assert s.boxes.shape == (len(s.text), 4) and s.boxes.dtype == np.int32
        assert ds.text(i) == s.text
        if s.text in ("0123456789", "42", "2026", "11-25"):
            kinds.add("fixed/words")
        elif "-" in s.text:
            kinds.add("phone")
        else:
            assert s.text.isdigit() and 3 <= len(s.text) <= 7
            kinds.add("digits")
    assert kinds == {"fixed/words", "phone", "digits"}
    assert len({ds[i].image.shape[1] for i in range(len(ds))}) > 10  # widths drawn from the range


def test_one_phone_source_equals_phone_number_batch():
    ds = SyntheticDataset({"seed": 3, "length": 40, "width": 260, "draw": {"kind": "phone", "separator": ""}})
    batch = PhoneNumberBatch(40, (0, 4), 260, seed=3, separator="")
    for i in range(40):
        assert same(ds[i], batch[i])


def test_phone_numbers_are_unique_across_independently_made_shards():
    spec = {
        "seed": 5,
        "length": 3000,
        "draw": [{"kind": "phone", "formats": ["mobile", "toll-free"]}, {"kind": "digits"}],
    }
    # Three "machines" each build the dataset from the spec and make their own shard.
    shards = [[SyntheticDataset(spec).text(i) for i in range(k, 3000, 3)] for k in range(3)]
    phones = [t for shard in shards for t in shard if "-" in t]
    assert len(phones) > 1500
    assert len(set(phones)) == len(phones)


def test_spec_round_trips_through_json_and_yaml_files(tmp_path):
    spec = load_spec(MIXED)
    (tmp_path / "spec.json").write_text(spec.to_json())
    assert load_spec(tmp_path / "spec.json").hash == spec.hash
    (tmp_path / "words.txt").write_text("12\n\n345\n")
    (tmp_path / "spec.yaml").write_text("seed: 2\nlength: 10\ndraw:\n  - kind: words\n    file: words.txt\n")
    loaded = load_spec(tmp_path / "spec.yaml")
    assert loaded.data["draw"][0]["words"] == ["12", "345"]  # inlined, so the hash covers the words
    assert {SyntheticDataset(loaded)[i].text for i in range(10)} == {"12", "345"}
    assert load_spec(MIXED, length=7).length == 7 and load_spec(MIXED, length=7).hash != spec.hash
    assert json.loads(spec.to_json())["draw"][0]["formats"][0] == ["mobile", 0.5]


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"sed": 1}, "'sed'"),
        ({"seed": -1}, "'seed'"),
        ({"length": 0}, "'length'"),
        ({"dataset": "nope"}, "'dataset'"),
        ({"split": "validation"}, "'split'"),
        ({"spacing": [5, 1]}, "'spacing'"),
        ({"width": [300, 100]}, "'width'"),
        ({"width": 0}, "'width'"),
        ({"align": "middle"}, "'align'"),
        ({"strict": "yes"}, "'strict'"),
        ({"augment": "extreme"}, "'augment'"),
        ({"augment": {"glyph": [{"type": "nope"}]}}, "'augment'"),
        ({"draw": []}, "'draw'"),
        ({"draw": [{"kind": "digits"}, {"kind": "emoji"}]}, "'draw[1].kind'"),
        ({"draw": {"kind": "digits", "length": [0, 3]}}, "'draw[0].length'"),
        ({"draw": {"kind": "digits", "lenght": 3}}, "'draw[0].lenght'"),
        ({"draw": {"kind": "digits", "weight": 0}}, "'draw[0].weight'"),
        ({"draw": {"kind": "fixed", "sequences": ["12", "1x"]}}, "'draw[0].sequences[1]'"),
        ({"draw": {"kind": "words", "words": [" 12"]}}, "'draw[0].words[0]'"),
        ({"draw": {"kind": "words", "words": ["1 a"]}}, "'draw[0].words[0]'"),
        ({"word_spacing": [9, 2], "draw": {"kind": "words", "words": ["1 2"]}}, "'word_spacing'"),
        ({"draw": {"kind": "words", "file": "/nonexistent/words.txt"}}, "'draw[0].file'"),
        ({"draw": {"kind": "phone", "formats": ["satellite"]}}, "'draw[0].formats'"),
        ({"length": 1_000_000, "draw": {"kind": "phone", "formats": "toll-free"}}, "'draw[0].formats'"),
        ({"draw": {"kind": "phone", "separator": "/"}}, "'draw[0].separator'"),
    ],
)
def test_bad_specs_name_the_offending_key(spec, key):
    with pytest.raises(ValueError, match=re.escape(f"spec key {key}")):
        load_spec(spec)


def test_bad_spec_files(tmp_path):
    (tmp_path / "bad.yaml").write_text("seed: [1\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_spec(tmp_path / "bad.yaml")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_spec(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="must end in"):
        load_spec(tmp_path / "spec.txt")
    with pytest.raises(ValueError, match="must be a mapping"):
        load_spec([1, 2])


def test_index_errors():
    ds = SyntheticDataset({"length": 5})
    with pytest.raises(IndexError):
        ds[5]
    with pytest.raises(TypeError):
        ds["0"]


def test_iterable_form_shards_by_rank_and_covers_every_index_once(monkeypatch):
    spec = {"seed": 1, "length": 23, "draw": {"kind": "digits", "length": 4}}
    seen = []
    for rank in range(3):
        part = list(IterableSyntheticDataset(spec, rank=rank, world_size=3, with_index=True))
        seen += [i for i, _ in part]
        assert all(i % 3 == rank for i, _ in part)
        assert all(s.text == SyntheticDataset(spec).text(i) for i, s in part)
    assert sorted(seen) == list(range(23))
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert list(IterableSyntheticDataset(spec).indices()) == list(range(1, 23, 2))
    with pytest.raises(ValueError, match="rank"):
        IterableSyntheticDataset(spec, rank=2, world_size=2)


@pytest.mark.parametrize(
    "spec",
    [
        {"seed": 1, "length": 700, "draw": {"kind": "phone"}},
        # width range, right alignment, wide spacing: many strips are scaled down (per-sample path)
        {
            "seed": 2,
            "length": 700,
            "width": [60, 320],
            "align": "right",
            "spacing": [0, 12],
            "draw": [
                {"kind": "phone"},
                {"kind": "digits", "length": [1, 14]},
                {"kind": "words", "words": ["7", "1-2-3", "-", "--"]},
            ],
        },
        {"seed": 3, "length": 60, "augment": "light", "align": "left", "draw": {"kind": "digits"}},
    ],
)
def test_vectorised_blocks_equal_the_per_sample_path(spec):
    from number_generator.io.png import to_uint8

    ds = SyntheticDataset(spec)
    block = ds.render_block(5, len(ds))
    assert list(block.indices) == list(range(5, len(ds)))
    for k, i in enumerate(block.indices):
        sample = ds[i]
        assert block.texts[k] == sample.text
        assert block.images[k].dtype == np.uint8
        np.testing.assert_array_equal(block.images[k], to_uint8(sample.image))
        np.testing.assert_array_equal(block.boxes[k], sample.boxes)
        assert block.boxes[k].dtype == np.int32


def test_words_with_spaces_draw_word_gaps_and_keep_older_spec_hashes():
    from number_generator import render_text

    spec = {
        "seed": 3,
        "length": 20,
        "spacing": [1, 1],
        "word_spacing": [20, 20],
        "width": 300,
        "draw": {"kind": "fixed", "sequences": ["12 34", "5  6"]},
    }
    ds = SyntheticDataset(spec)
    assert ds.spec.alphabet.endswith(" ") and ds.spec.has_spaces
    block = ds.render_block(0, 20)
    for i in range(20):
        sample = ds[i]
        assert sample.text in ("12 34", "5  6") and len(sample.boxes) == len(sample.text)
        np.testing.assert_array_equal(block.images[i], to_uint8(sample.image))
        for k, ch in enumerate(sample.text):
            if ch == " ":
                x0, _, x1, _ = sample.boxes[k]
                assert sample.glyph_indices[k] == -1 and (sample.image[:, x0:x1] == 1.0).all()
        drawn = [box for box, ch in zip(sample.boxes, sample.text) if ch != " "]
        gaps = [int(b[0] - a[2]) for a, b in zip(drawn, drawn[1:])]
        assert sum(gaps) == {"12 34": 1 + 20 + 1, "5  6": 40}[sample.text]  # two spaces: two word gaps
    # the same text through the library function gives the same kind of image
    assert render_text("12 34", (1, 1), 300, dataset="mnist", word_spacing=(20, 20), seed=0).text == "12 34"
    # a spec without spaces keeps its canonical form (and hash): no word_spacing key appears
    plain = load_spec({"draw": {"kind": "words", "words": ["12"]}})
    assert "word_spacing" not in plain.data and " " not in plain.alphabet
