"""The training recipe (examples/train_recognizer.py): decoding, metrics, and a short run whose loss falls.

The full run is not part of CI (5-8 minutes on two cores); see QUALITY.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pytest

if not os.environ.get("CI") and importlib.util.find_spec("torch") is None:
    pytest.skip("could not import 'torch': torch is installed by .ci/run, not by Poetry", allow_module_level=True)

from number_generator.data.dataset import SyntheticDataset

if TYPE_CHECKING:
    from torch import Tensor

RECIPE = Path(__file__).resolve().parents[1] / "examples" / "train_recognizer.py"


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    """PyTorch, imported when a test here runs, not when pytest collects this file (~1.4 s of CPU per process)."""
    import torch

    return torch


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("train_recognizer", RECIPE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_recognizer"] = module
    spec.loader.exec_module(module)
    return module


def one_hot_log_probs(paths: list[list[int]], classes: int = 12) -> Tensor:
    """``(T, B, C)`` log-probs whose argmax per frame is the given class path."""
    import torch

    t = len(paths[0])
    out = torch.full((t, len(paths), classes), -10.0)
    for b, path in enumerate(paths):
        for frame, k in enumerate(path):
            out[frame, b, k] = 0.0
    return out.log_softmax(-1)


def test_greedy_decode_merges_repeats_and_drops_blanks(recipe):
    # classes: 0 blank, k -> ALPHABET[k - 1]; "0" is class 1, "-" is class 11
    paths = [
        [0, 1, 1, 0, 2, 2, 2, 0, 0, 11, 0, 10],  # "01-9"
        [3, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0],  # repeated digit needs a blank between: "22"
        [0] * 12,  # nothing
    ]
    assert recipe.greedy_decode(one_hot_log_probs(paths)) == ["01-9", "22", ""]


def test_edit_distance_hand_cases(recipe):
    assert recipe.edit_distance("090-1234-5678", "090-1234-5678") == 0
    assert recipe.edit_distance("0901234", "090-1234") == 1  # one deletion
    assert recipe.edit_distance("123", "456") == 3
    assert recipe.edit_distance("", "12") == 2
    assert recipe.edit_distance("kitten", "sitting") == 3


def test_accuracy_is_100_for_correct_and_0_for_wrong(recipe):
    targets = ["090-1234-5678", "03-1111-2222"]
    assert recipe.accuracy(targets, targets) == {"char": 1.0, "sequence": 1.0}
    wrong = ["181", "777777777777777777"]  # every character wrong, and of the wrong length
    assert recipe.accuracy(wrong, targets) == {"char": 0.0, "sequence": 0.0}
    half = recipe.accuracy(["090-1234-5678", "03-1111-2223"], targets)
    assert half["sequence"] == 0.5
    assert half["char"] == pytest.approx(1 - 1 / 25)
    with pytest.raises(ValueError, match="equally many"):
        recipe.accuracy(["1"], targets)


def test_training_data_and_evaluation_data_use_disjoint_splits(recipe):
    from number_generator.data.dataset import SyntheticDataset

    train, test = SyntheticDataset(recipe.train_spec("medium", 8)), SyntheticDataset(recipe.eval_spec(None, 8))
    assert train.spec.data["split"] == "train" and test.spec.data["split"] == "test"
    assert test.spec.data["augment"] is None and train.spec.data["augment"] == "medium"
    image = test[0].image
    assert image.shape == (28, recipe.WIDTH) and image.dtype == np.float32


def test_model_output_shape(torch, recipe):
    model = recipe.CRNN()
    out = model(torch.ones(3, 1, 28, recipe.WIDTH))
    assert out.shape == (recipe.WIDTH // 4, 3, len(recipe.ALPHABET) + 1)
    assert torch.allclose(out.exp().sum(-1), torch.ones(recipe.WIDTH // 4, 3), atol=1e-5)


def test_a_few_steps_reduce_the_loss_on_a_handful_of_images(torch, recipe):
    torch.manual_seed(0)
    batch = next(iter(recipe.loader(recipe.train_spec(None, 8), 8, 0)))
    model = recipe.CRNN()
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)

    def loss():
        log_probs = model(batch["images"])
        t = log_probs.shape[0]
        return ctc(log_probs, batch["targets"], torch.full((8,), t, dtype=torch.int64), batch["target_lengths"])

    model.eval()
    with torch.no_grad():
        before = loss().item()
    model.train()
    history = recipe.train(model, [batch] * 40, 40, lr=3e-3, log_every=40, progress=False)
    model.eval()
    with torch.no_grad():
        after = loss().item()
    assert history[-1][0] == 40
    assert after < 0.7 * before, (before, after)


def test_main_writes_results_curves_and_sheets(recipe, tmp_path):
    report = recipe.main(
        [
            "--steps",
            "4",
            "--batch-size",
            "4",
            "--eval-count",
            "8",
            "--curve-count",
            "8",
            "--curve-every",
            "2",
            "--loader-workers",
            "0",
            "--out",
            str(tmp_path),
            "--no-progress",
            "--threads",
            "1",  # the suite runs one test process per core (see tests/conftest.py)
        ]
    )
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["test_clean"] == report["test_clean"]
    for key in ("char", "sequence"):
        for test_set in ("test_clean", "test_heavy", "test_realistic"):
            assert 0.0 <= saved[test_set][key] <= 1.0
    assert [c["step"] for c in saved["curve"]] == [2, 4]
    from PIL import Image

    for name in ("curves.png", "predictions-clean.png", "predictions-heavy.png", "predictions-realistic.png"):
        with Image.open(tmp_path / name) as image:
            assert image.width > 200 and image.height > 50
    assert (tmp_path / "model.pt").stat().st_size > 10_000
    assert not list(tmp_path.glob("*.tmp.png"))


# --------------------------------------------------------------------------- real crops (--eval-dir)


def _generated(text: str, seed: int) -> np.ndarray:
    from number_generator import render_sequence

    return render_sequence(text, (1, 3), 28 * len(text), seed=seed).image  # ink fills the width: no padding


def _write_crops(folder: Path) -> dict[str, np.ndarray]:
    """Generated numbers written as real crops would come: odd sizes, both polarities, RGB JPEG; labels.csv."""
    from PIL import Image

    folder.mkdir()
    sources = {"0123": _generated("0123", 1), "9876": _generated("9876", 2), "505": _generated("505", 3)}
    written = [
        ("dark-on-light.png", "0123", 3.3, lambda g: Image.fromarray(g, "L")),
        ("light-on-dark.png", "0123", 2.7, lambda g: Image.fromarray(255 - g, "L")),
        (
            "blue-on-cream.jpg",
            "9876",
            1.9,
            lambda g: Image.merge(
                "RGB",
                [
                    Image.fromarray(((g.astype(np.float32) / 255) * c + i).astype(np.uint8))
                    for c, i in ((200, 40), (190, 45), (60, 170))
                ],
            ),
        ),
        ("small.png", "505", 0.61, lambda g: Image.fromarray(g, "L")),
    ]
    for name, label, scale, make in written:
        grey = np.round(sources[label] * 255).astype(np.uint8)
        image = make(grey)
        size = (round(image.width * scale) + 1, round(image.height * scale))  # odd sizes, aspect nearly kept
        image.resize(size, Image.Resampling.BICUBIC).save(folder / name, quality=90)
    (folder / "labels.csv").write_text("file_name,label\n" + "".join(f"{n},{label}\n" for n, label, *_ in written))
    return {name: sources[label] for name, label, *_ in written}


def test_eval_dir_crops_of_any_size_polarity_and_colour_become_the_models_input(recipe, tmp_path):
    sources = _write_crops(tmp_path / "crops")
    images, labels = recipe.load_eval_dir(tmp_path / "crops")
    assert labels == ["0123", "0123", "9876", "505"]  # leading zeros kept
    assert images.shape == (4, 1, 28, recipe.WIDTH) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    for image, source in zip(images[:, 0], sources.values()):
        left = (recipe.WIDTH - source.shape[1]) // 2
        assert np.all(image[:, : left - 1] == 1.0) and np.all(image[:, left + source.shape[1] + 1 :] == 1.0)
        # back at its own size and place, each crop is the generated image again (dark ink on white paper)
        window = image[:, left : left + source.shape[1]]
        assert np.abs(window - source).mean() < 0.07, np.abs(window - source).mean()
        assert (window < 0.5).mean() == pytest.approx((source < 0.5).mean(), abs=0.04)


def test_prepare_crop_inverts_light_ink_and_scales_wide_crops_down(recipe):
    crop = np.zeros((40, 1000), np.uint16)  # 16-bit, light ink on black, 25 x wider than tall
    crop[10:30] = (np.arange(1000) % 50 < 10) * 4000  # 20 strokes, 10 px wide
    prepared = recipe.prepare_crop(crop, width=200)
    assert prepared.shape == (28, 200)
    rows = np.flatnonzero((prepared < 0.5).any(axis=1))
    assert rows.tolist() == [12, 13, 14, 15]  # 40 rows scaled to 8 (ink: rows 2-5), placed at rows 10-17
    columns = (prepared < 0.5).any(axis=0)
    assert np.count_nonzero(np.diff(columns.astype(int)) == 1) + columns[0] == 20  # every stroke, dark
    assert recipe.prepare_crop(np.full((30, 30), 7.0)).min() == 1.0  # one grey level: all paper
    with pytest.raises(ValueError, match="non-empty 2-D grey image"):
        recipe.prepare_crop(np.zeros((0, 5)))


@pytest.mark.parametrize("invert", [False, True])
def test_prepare_crop_keeps_sparse_ink_black_on_white(recipe, invert):
    crop = np.full((28, 100), 200.0) + np.random.default_rng(0).normal(0, 3, (28, 100))  # paper with noise
    crop[12:15, 40:43] = 30.0  # 9 ink pixels: 0.3 % of the crop
    prepared = recipe.prepare_crop(255 - crop if invert else crop, width=100)
    assert prepared[12:15, 40:43].max() == 0.0
    assert (prepared == 1.0).mean() >= 0.1 and prepared.mean() > 0.95  # paper: white, bar the noise


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            "file_name,label\na.png,12a4\n",
            r"'a.png' has characters 'a' the model cannot read \(alphabet '0123456789-'\)",
        ),
        ("file_name,label\na.png,\n", "'a.png' has an empty label"),
        ("file_name,label\nmissing.png,12\n", "cannot read image 'missing.png'"),
        ("name,digits\na.png,12\n", "header must name file_name and label"),
        ("file_name,label\n", "no crops listed"),
    ],
)
def test_eval_dir_errors_name_the_file_and_the_problem(recipe, tmp_path, labels, message):
    from PIL import Image

    Image.new("L", (40, 20), 255).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text(labels)
    with pytest.raises(ValueError, match=message):
        recipe.load_eval_dir(tmp_path)


def test_eval_dir_reads_the_clis_phone_labels(recipe, tmp_path):
    from PIL import Image

    Image.fromarray(np.round(_generated("090", 5) * 255).astype(np.uint8)).save(tmp_path / "p.png")
    (tmp_path / "labels.csv").write_text("file_name,number\np.png,090\n")
    assert recipe.load_eval_dir(tmp_path)[1] == ["090"]


def test_main_scores_a_saved_model_on_an_eval_dir_without_training(torch, recipe, tmp_path):
    _write_crops(tmp_path / "crops")
    torch.manual_seed(0)
    torch.save(recipe.CRNN().state_dict(), tmp_path / "model.pt")
    args = [
        "--eval-count",
        "8",
        "--loader-workers",
        "0",
        "--no-progress",
        "--threads",
        "1",
        "--out",
        str(tmp_path / "run"),
    ]
    report = recipe.main([*args, "--model", str(tmp_path / "model.pt"), "--eval-dir", str(tmp_path / "crops")])
    assert report["eval_dir"]["count"] == 4 and 0.0 <= report["eval_dir"]["char"] <= 1.0
    assert report["curve"] == [] and report["final_loss"] is None
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["eval_dir"] == report["eval_dir"]
    assert (tmp_path / "run" / "predictions-eval-dir.png").is_file()
    assert not (tmp_path / "run" / "model.pt").exists()  # nothing trained, nothing saved


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--spacing", "3", "1"], "minimum spacing 3 is greater than maximum spacing 1"),
        (["--augment", "nonsense"], "unknown augment preset 'nonsense'"),
        (["--eval-dir", "no/such/dir"], "no labels.csv"),
    ],
)
def test_bad_arguments_stop_before_training_with_exit_2(recipe, tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exit_info:
        recipe.main(["--steps", "2", "--out", str(tmp_path / "run"), *extra])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_spacing_reaches_the_training_spec_only(recipe):
    assert recipe.train_spec(None, 8, spacing=(2, 9))["spacing"] == [2, 9]
    assert recipe.train_spec(None, 8)["spacing"] == list(recipe.SPACING) == recipe.eval_spec(None, 8)["spacing"]


def test_writer_and_the_realistic_option_defaults_reach_the_training_spec(recipe):
    assert recipe.train_spec(None, 8, writer="same")["writer"] == "same"
    realistic = SyntheticDataset(recipe.train_spec("realistic", 8)).spec
    # --augment realistic without --spacing/--writer trains with the preset's touching digits and one writer
    assert realistic.data["spacing"] == [-2, 4] and realistic.data["writer"] == "same"
    assert SyntheticDataset(recipe.train_spec("realistic", 8, spacing=(0, 6))).spec.data["spacing"] == [0, 6]
    assert SyntheticDataset(recipe.train_spec("realistic", 8))[3].writer >= 0
