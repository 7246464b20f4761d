"""The optional torch adapter with a real DataLoader and 2 worker processes."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from types import ModuleType

import numpy as np
import pytest

# CI installs torch (.ci/run): a missing torch must fail there, not skip
if not os.environ.get("CI") and importlib.util.find_spec("torch") is None:
    pytest.skip("could not import 'torch': torch is installed by .ci/run, not by Poetry", allow_module_level=True)

from number_generator.data.dataset import SyntheticDataset


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    """PyTorch, imported when a test here runs, not when pytest collects this file (~1.4 s of CPU per process)."""
    import torch

    return torch


SPEC = {
    "seed": 21,
    "length": 96,
    "width": [150, 300],
    "augment": "medium",
    "draw": [{"kind": "phone"}, {"kind": "digits", "length": [2, 8]}],
}


def test_core_does_not_import_torch():
    code = (
        "import sys, number_generator, number_generator.data.dataset, number_generator.export.shards; "
        "ds = number_generator.data.dataset.SyntheticDataset({'length': 3}); ds[0]; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dataloader_with_two_workers_matches_the_dataset(torch):
    from torch.utils.data import DataLoader

    from number_generator.data.torch_adapter import TorchSyntheticDataset, ctc_collate, decode

    reference = SyntheticDataset(SPEC)
    ds = TorchSyntheticDataset(SPEC)
    assert ds.alphabet == "0123456789-"
    loader = DataLoader(ds, batch_size=16, num_workers=2, collate_fn=ctc_collate, shuffle=False)
    seen = 0
    for batch in loader:
        b = batch["images"].shape[0]
        assert batch["images"].dtype == torch.float32 and batch["images"].shape[:3] == (b, 1, 28)
        assert batch["images"].shape[3] == int(batch["widths"].max())
        assert batch["targets"].dtype == torch.int64 and batch["targets"].shape == (
            b,
            int(batch["target_lengths"].max()),
        )
        for k in range(b):
            i = int(batch["indices"][k])
            sample = reference[i]
            w = int(batch["widths"][k])
            np.testing.assert_array_equal(batch["images"][k, 0, :, :w].numpy(), sample.image)
            assert torch.all(batch["images"][k, 0, :, w:] == 1.0)  # padded with paper
            n = int(batch["target_lengths"][k])
            assert n == len(sample.text) and decode(batch["targets"][k], ds.alphabet) == sample.text
            assert torch.all(batch["targets"][k, n:] == 0)
            assert batch["texts"][k] == sample.text
            np.testing.assert_array_equal(batch["boxes"][k].numpy(), sample.boxes)
        seen += b
    assert seen == len(reference)


def test_iterable_dataset_splits_work_between_two_workers_without_overlap(torch):
    from torch.utils.data import DataLoader

    from number_generator.data.torch_adapter import TorchIterableDataset, ctc_collate

    ds = TorchIterableDataset(SPEC, rank=1, world_size=2)
    loader = DataLoader(ds, batch_size=None, num_workers=2)
    items = list(loader)
    indices = sorted(item["index"] for item in items)
    # rank 1 of 2 owns the odd indices whatever its worker count; its two workers share them
    assert indices == list(range(1, 96, 2)) and len(ds) == len(indices) == len(loader)
    reference = SyntheticDataset(SPEC)
    for item in items[:10]:
        assert item["text"] == reference.text(item["index"])
    # CTC loss runs on a collated batch: the targets are in the expected form.
    batch = ctc_collate(items[:8])
    t = batch["images"].shape[-1] // 4
    log_probs = torch.randn(t, 8, len(ds.alphabet) + 1).log_softmax(2)
    loss = torch.nn.functional.ctc_loss(log_probs, batch["targets"], torch.full((8,), t), batch["target_lengths"])
    assert torch.isfinite(loss)
