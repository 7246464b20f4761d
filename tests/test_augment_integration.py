"""augment= on the generating functions, --augment on the CLIs, and the preview command."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from _cli import Result, run_cli
from number_generator import PhoneNumberBatch, generate_numbers_sequence, render_phone_number, render_sequence
from number_generator.augment import PRESETS, Pipeline, resolve_augment
from number_generator.export.files import export_phone_numbers

GEOMETRY_ONLY = {
    "glyph": PRESETS["heavy"]["glyph"],
    "image": [{"type": "Perspective", "skew": [-12, 12], "rotate": [-2, 2], "corner": [0, 2]}],
}


def run(program: str, *args: str, check: bool = True) -> Result:
    """Console script ``program`` run in this process (tests/_cli.py)."""
    result = run_cli(program, *args)
    if check and result.returncode != 0:
        raise AssertionError(f"{result.args} exited {result.returncode}: {result.stderr}")
    return result


def test_no_augmentation_is_unchanged():
    plain = render_sequence("0123456789", (0, 4), 300, seed=5)
    for spec in (None, "none", "NONE"):
        again = render_sequence("0123456789", (0, 4), 300, seed=5, augment=spec)
        assert np.array_equal(again.image, plain.image) and np.array_equal(again.boxes, plain.boxes)


@pytest.mark.parametrize("preset", ["light", "medium", "heavy"])
def test_augmented_samples_keep_contract_labels_and_choices(preset):
    plain = render_sequence("0123456789", (0, 4), 300, seed=5)
    a = render_sequence("0123456789", (0, 4), 300, seed=5, augment=preset)
    b = render_sequence("0123456789", (0, 4), 300, seed=5, augment=resolve_augment(preset).to_dict())
    assert a.image.dtype == np.float32 and a.image.shape == (28, 300)
    assert a.image.min() >= 0.0 and a.image.max() <= 1.0
    assert a.boxes.dtype == np.int32 and a.boxes.shape == (10, 4)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.image, plain.image)
    # augmentation draws its randomness last: same text, glyphs and spacing
    assert a.text == plain.text
    assert np.array_equal(a.glyph_indices, plain.glyph_indices) and np.array_equal(a.spacing, plain.spacing)


@pytest.mark.parametrize("seed", range(12))
def test_boxes_cover_the_ink_after_geometric_augmentation(seed):
    pipe = Pipeline.from_dict(GEOMETRY_ONLY)
    s = render_sequence("0123456789", (0, 3), 300, seed=seed, augment=pipe)
    inside = np.zeros(s.image.shape, bool)
    for x0, y0, x1, y1 in s.boxes:
        inside[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1] = True
    assert not ((s.image < 0.5) & ~inside).any()


def test_phone_numbers_accept_augment_and_stay_index_deterministic():
    one = render_phone_number((0, 4), 300, seed=3, augment="medium")
    assert one.image.shape == (28, 300)
    batch = PhoneNumberBatch(6, (0, 4), 300, seed=3, augment="heavy")
    ranged = dict(batch.render_range(0, 6))
    for i in (5, 0, 3):
        assert np.array_equal(batch[i].image, ranged[i].image)
        assert np.array_equal(batch[i].boxes, ranged[i].boxes)


def test_exports_are_identical_for_any_worker_count(tmp_path):
    export_phone_numbers(8, (0, 4), 200, tmp_path / "w1", seed=4, workers=1, chunk_size=2, augment="heavy")
    export_phone_numbers(8, (0, 4), 200, tmp_path / "w3", seed=4, workers=3, chunk_size=2, augment="heavy")
    names = sorted(p.name for p in (tmp_path / "w1").iterdir() if p.is_file())
    assert len(names) == 11  # 8 images, labels.csv, manifest.json, metadata.jsonl (issue 6)
    for name in names:
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w3" / name).read_bytes()


def test_bad_augment_is_a_value_error_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="'strong'.*none, light, medium, heavy"):
        generate_numbers_sequence("12", (0, 1), 60, augment="strong")
    with pytest.raises(ValueError, match="'rotation'"):
        PhoneNumberBatch(2, (0, 1), 200, augment={"glyph": [{"type": "Affine", "rotation": 3}]})
    with pytest.raises(ValueError, match="'strong'"):
        export_phone_numbers(2, (0, 1), 200, tmp_path / "out", augment="strong")
    assert not (tmp_path / "out").exists()


def test_cli_augment_matches_the_library(tmp_path):
    out = tmp_path / "x.png"
    run(
        "generate-numbers-sequence",
        "0123456789",
        "--seed",
        "2",
        "--augment",
        "medium",
        "--output-path",
        str(out),
    )
    expected = np.rint(generate_numbers_sequence("0123456789", (0, 4), 300, seed=2, augment="medium") * 255)
    with Image.open(out) as im:
        np.testing.assert_array_equal(np.asarray(im), expected.astype(np.uint8))


def test_cli_augment_file_and_errors(tmp_path):
    cfg = tmp_path / "aug.yaml"
    cfg.write_text("image:\n  - type: GaussianNoise\n    sigma: [0.05, 0.1]\n")
    run(
        "generate-phone-numbers",
        "--num-images",
        "3",
        "--seed",
        "1",
        "--augment",
        str(cfg),
        "--output-path",
        str(tmp_path / "phones"),
    )
    assert len(list((tmp_path / "phones").glob("phone-*.png"))) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("image:\n  - type: GaussianNoise\n    sigmaa: 0.1\n")
    for spec, words in ((str(bad), ["'sigmaa'", "valid parameters: sigma, p"]), ("strong", ["'strong'"])):
        result = run(
            "generate-numbers-sequence",
            "12",
            "--augment",
            spec,
            "--output-path",
            str(tmp_path / "y.png"),
            check=False,
        )
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        for w in words:
            assert w in result.stderr
        assert not (tmp_path / "y.png").exists()


def test_preview_writes_a_contact_sheet(tmp_path):
    result = run(
        "number-generator",
        "preview",
        str(tmp_path),
        "--augment",
        "light",
        "--count",
        "4",
        "--columns",
        "2",
        "--seed",
        "3",
    )
    path = tmp_path / "preview-light-seed3.png"
    assert result.stdout.strip() == str(path)
    with Image.open(path) as im:
        assert im.mode == "L" and im.width > 2 * 300 * 2 and im.height > 2 * 28 * 2
        first = np.asarray(im).copy()
    run(
        "number-generator",
        "preview",
        str(tmp_path / "again.png"),
        "--augment",
        "light",
        "--count",
        "4",
        "--columns",
        "2",
        "--seed",
        "3",
    )
    with Image.open(tmp_path / "again.png") as im:
        assert np.array_equal(np.asarray(im), first)
    again = run("number-generator", "preview", str(path), "--augment", "light", check=False)
    assert again.returncode == 2 and "exists" in again.stderr
