"""Optional PyTorch adapter: tensors, CTC-ready padded targets and a collate function.

Importing this module imports torch (install it yourself, e.g. ``pip install
torch``); nothing else in ``number_generator`` does.

>>> from torch.utils.data import DataLoader                       # doctest: +SKIP
>>> from number_generator.data.torch_adapter import TorchSyntheticDataset, ctc_collate
>>> ds = TorchSyntheticDataset({"seed": 0, "length": 10_000, "draw": {"kind": "phone"}})
>>> loader = DataLoader(ds, batch_size=64, num_workers=2, collate_fn=ctc_collate)
>>> batch = next(iter(loader))
>>> batch["images"].shape, batch["targets"].shape                  # (64, 1, 28, W), (64, L_max)

Labels: character ``alphabet[k]`` is class ``k + 1``; ``0`` is the CTC blank
(and the padding of ``targets``).  ``alphabet`` is the spec's dataset classes
followed by the synthesised characters (``"0123456789-"`` for MNIST).
"""

from __future__ import annotations

from typing import Any

try:
    import torch
    from torch.utils.data import Dataset, IterableDataset
except ImportError as exc:  # pragma: no cover - exercised only without torch
    raise ImportError("number_generator.data.torch_adapter needs PyTorch: pip install torch") from exc

from number_generator.core.sample import Sample
from number_generator.data.dataset import IterableSyntheticDataset, SyntheticDataset

__all__ = ["TorchIterableDataset", "TorchSyntheticDataset", "ctc_collate", "decode", "encode_text", "sample_to_tensors"]


def encode_text(text: str, alphabet: str) -> torch.Tensor:
    """Class indices (``int64``) of ``text``: ``alphabet.index(ch) + 1``; ``ValueError`` names unknown characters."""
    lookup = {ch: k + 1 for k, ch in enumerate(alphabet)}
    try:
        return torch.tensor([lookup[ch] for ch in text], dtype=torch.int64)
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the alphabet {alphabet!r}") from None


def decode(labels, alphabet: str) -> str:
    """Inverse of :func:`encode_text`, ignoring blanks/padding (0)."""
    return "".join(alphabet[int(k) - 1] for k in labels if int(k) > 0)


def sample_to_tensors(sample: Sample, alphabet: str, index: int | None = None) -> dict[str, Any]:
    """Tensors of one sample.

    ``image`` float32 ``(1, 28, W)`` (1.0 = paper), ``target`` int64 ``(n,)``, ``boxes`` int64 ``(n, 4)``, ``text``.
    """
    out = {
        "image": torch.from_numpy(sample.image).unsqueeze(0),
        "target": encode_text(sample.text, alphabet),
        "boxes": torch.from_numpy(sample.boxes.astype("int64")),
        "text": sample.text,
    }
    if index is not None:
        out["index"] = index
    return out


class TorchSyntheticDataset(Dataset):
    """Map-style ``torch`` dataset over :class:`~number_generator.data.dataset.SyntheticDataset`.

    ``transform``, if given, is applied to the item dict.  Item ``i`` depends
    only on ``(spec, i)``, whatever the number of DataLoader workers.
    """

    def __init__(self, spec: Any, *, length: int | None = None, transform=None):
        self.dataset = (
            spec
            if isinstance(spec, SyntheticDataset) and length is None
            else SyntheticDataset(spec.spec if isinstance(spec, SyntheticDataset) else spec, length=length)
        )
        self.alphabet = self.dataset.spec.alphabet
        self.transform = transform

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> dict[str, Any]:
        item = sample_to_tensors(self.dataset[index], self.alphabet, int(index))
        return self.transform(item) if self.transform is not None else item


class TorchIterableDataset(IterableDataset):
    """Iterable ``torch`` dataset: each rank and DataLoader worker yields its own share of the indices.

    See :class:`~number_generator.data.dataset.IterableSyntheticDataset` for the
    split (``rank * workers + worker``, strided); with ``torch.distributed``
    initialised the rank and world size come from it.
    """

    def __init__(
        self,
        spec: Any,
        *,
        length: int | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        transform=None,
    ):
        self.source = IterableSyntheticDataset(spec, length=length, rank=rank, world_size=world_size, with_index=True)
        self.alphabet = self.source.dataset.spec.alphabet
        self.transform = transform

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self):
        for i, sample in self.source:
            item = sample_to_tensors(sample, self.alphabet, i)
            yield self.transform(item) if self.transform is not None else item


def ctc_collate(batch: list[dict[str, Any]], pad_value: float = 1.0) -> dict[str, Any]:
    """Stack items for CTC training.

    Returns
    -------
    dict
        ``images`` float32 ``(B, 1, 28, W_max)``, padded on the right with
        paper (``pad_value``); ``widths`` int64 ``(B,)``; ``targets`` int64
        ``(B, L_max)`` padded with 0 (blank); ``target_lengths`` int64 ``(B,)``;
        ``texts`` and ``boxes`` as lists; ``indices`` int64 ``(B,)`` when known.
    """
    if not batch:
        raise ValueError("cannot collate an empty batch")
    widths = torch.tensor([item["image"].shape[-1] for item in batch], dtype=torch.int64)
    images = torch.full(
        (len(batch), 1, batch[0]["image"].shape[-2], int(widths.max())), pad_value, dtype=batch[0]["image"].dtype
    )
    lengths = torch.tensor([len(item["target"]) for item in batch], dtype=torch.int64)
    targets = torch.zeros((len(batch), int(lengths.max())), dtype=torch.int64)
    for b, item in enumerate(batch):
        images[b, :, :, : item["image"].shape[-1]] = item["image"]
        targets[b, : len(item["target"])] = item["target"]
    out = {
        "images": images,
        "widths": widths,
        "targets": targets,
        "target_lengths": lengths,
        "texts": [item["text"] for item in batch],
        "boxes": [item["boxes"] for item in batch],
    }
    if all("index" in item for item in batch):
        out["indices"] = torch.tensor([item["index"] for item in batch], dtype=torch.int64)
    return out
