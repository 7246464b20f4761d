"""The training recipe (examples/train_recognizer.py): decoding, metrics, and a short run whose loss falls.

The full run is not part of CI (5-8 minutes on two cores); see QUALITY.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

if not os.environ.get("CI"):
    pytest.importorskip("torch")
import torch

RECIPE = Path(__file__).resolve().parents[1] / "examples" / "train_recognizer.py"


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("train_recognizer", RECIPE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_recognizer"] = module
    spec.loader.exec_module(module)
    return module


def one_hot_log_probs(paths: list[list[int]], classes: int = 12) -> torch.Tensor:
    """``(T, B, C)`` log-probs whose argmax per frame is the given class path."""
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


def test_model_output_shape(recipe):
    model = recipe.CRNN()
    out = model(torch.ones(3, 1, 28, recipe.WIDTH))
    assert out.shape == (recipe.WIDTH // 4, 3, len(recipe.ALPHABET) + 1)
    assert torch.allclose(out.exp().sum(-1), torch.ones(recipe.WIDTH // 4, 3), atol=1e-5)


def test_a_few_steps_reduce_the_loss_on_a_handful_of_images(recipe):
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
        ]
    )
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["test_clean"] == report["test_clean"]
    for key in ("char", "sequence"):
        assert 0.0 <= saved["test_clean"][key] <= 1.0 and 0.0 <= saved["test_heavy"][key] <= 1.0
    assert [c["step"] for c in saved["curve"]] == [2, 4]
    from PIL import Image

    for name in ("curves.png", "predictions-clean.png", "predictions-heavy.png"):
        with Image.open(tmp_path / name) as image:
            assert image.width > 200 and image.height > 50
    assert (tmp_path / "model.pt").stat().st_size > 10_000
    assert not list(tmp_path.glob("*.tmp.png"))
