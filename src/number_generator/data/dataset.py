"""Index-deterministic synthetic datasets described by a spec (see :mod:`number_generator.data.spec`).

Sample ``i`` of a dataset is a pure function of ``(spec, i)``: its generator
is ``randomness.sample_generator(spec.seed, i)``, so the same image, text and
boxes come out whatever order, process, worker count or machine makes it.
The generator first picks the source (when the spec mixes several) and the
text, then the core draws the layout from it (:mod:`number_generator.core.planner`).

Phone numbers are unique across the whole dataset without coordination:
sample ``i`` takes number ``P_f(i)`` of a keyed permutation of its format's
number space (:class:`~number_generator.data.phone.UniquePhoneNumbers`).

The core never imports torch; :class:`SyntheticDataset` is a map-style
dataset (``len``, ``ds[i]``) that ``torch.utils.data.DataLoader`` accepts as
is, and :class:`IterableSyntheticDataset` shards itself by DataLoader worker
and distributed rank.  :mod:`number_generator.data.torch_adapter` adds tensors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from number_generator.core.planner import plan_block
from number_generator.core.randomness import sample_generator
from number_generator.core.render import glyph_table, label_boxes, render_block, samples_of, writers_of
from number_generator.core.sample import Sample
from number_generator.core.validation import check_int
from number_generator.data.phone import UniquePhoneNumbers
from number_generator.data.spec import DatasetSpec, load_spec
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.strokes import SYNTHESISED

__all__ = [
    "Block",
    "DatasetSpec",
    "IterableSyntheticDataset",
    "SyntheticDataset",
    "load_spec",
]

#: Largest glyph set whose glyphs a process copies into one column-major table for composing
#: blocks (MNIST train: 47 MB).  Larger sets (EMNIST byclass: 547 MB) gather each block's glyphs
#: from the shared memory map instead; the pixels are the same.
BLOCK_TABLE_MAX_GLYPHS = 250_000
#: Samples composed at once by :meth:`SyntheticDataset.samples`.
BLOCK = 1_000
#: Smallest block worth building the glyph table for (single samples gather their few glyphs).
TABLE_MIN_BLOCK = 32


@dataclass(frozen=True)
class Block:
    """Consecutive samples as stored by exports.

    ``images[k]`` is ``uint8 (28, W_k)``, 255 = paper, 0 = ink (``to_uint8`` of
    the float image); ``texts[k]``, ``boxes[k]`` and ``writers[k]`` as in
    :class:`Sample` (``writers`` is ``None`` unless the spec draws with
    ``writer: same``, so exports of other specs keep their bytes).
    """

    indices: range
    texts: list
    boxes: list
    images: list
    writers: list | None = None


class SyntheticDataset:
    """Map-style dataset: ``len(ds)`` samples, ``ds[i]`` a :class:`~number_generator.core.sample.Sample`.

    Sample ``i`` depends only on ``(spec, i)``.  Picklable and cheap to copy
    (glyphs are memory-mapped and loaded lazily per process), so it works
    with ``torch.utils.data.DataLoader(num_workers=N)`` without torch here.
    ``ds[i]``, :meth:`samples` and :meth:`render_block` run the same code
    (plan, glyphs, augment, compose) on one sample or a block of them.

    Parameters
    ----------
    spec : dict, DatasetSpec, str or os.PathLike
        See :func:`~number_generator.data.spec.load_spec`.
    count : int, optional
        Overrides the spec's count (``length`` is the old spelling).
    """

    def __init__(self, spec: Any, *, count: int | None = None, length: int | None = None):
        self.spec = load_spec(spec, count=count, length=length)
        d = self.spec.data
        self.seed = d["seed"]
        self.length = d["length"]
        self.spacing = tuple(d["spacing"])
        self.width = tuple(d["width"])
        self._sources = d["draw"]
        w = np.array([s["weight"] for s in self._sources], dtype=np.float64)
        self._cumulative = np.cumsum(w / w.sum())
        self._state: dict | None = None

    @property
    def count(self) -> int:
        """Number of samples (``len(ds)``)."""
        return self.length

    def __getstate__(self) -> dict:
        return {"spec": self.spec}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(SyntheticDataset(state["spec"]).__dict__)

    def _lazy(self) -> dict:
        """Per-process state: options (augmentation resolved), glyph set, phone numbering."""
        if self._state is None:
            options = self.spec.options
            self._state = {
                "options": options,
                "glyphs": get_glyph_set(options.dataset, options.split),
                "phones": {
                    j: UniquePhoneNumbers(
                        self.length,
                        seed=self.seed,
                        formats=dict(s["formats"]),
                        separator=s["separator"],
                        style=dict(s["style"]) if "style" in s else None,
                    )
                    for j, s in enumerate(self._sources)
                    if s["kind"] == "phone"
                },
            }
        return self._state

    def __len__(self) -> int:
        return self.length

    def _check(self, index: Any) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"dataset indices must be integers, got {type(index).__name__}")
        index = int(index)
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} out of range for a dataset of {self.length} samples")
        return index

    def _check_range(self, start: int, stop: int) -> None:
        if not 0 <= start <= stop <= self.length:
            raise IndexError(f"range {start}..{stop} out of range for a dataset of {self.length} samples")

    def _pick_source(self, rng: np.random.Generator) -> int:
        if len(self._sources) == 1:
            return 0  # no draw: a one-source spec consumes the stream exactly like the direct API
        return min(int(np.searchsorted(self._cumulative, rng.random(), side="right")), len(self._sources) - 1)

    def _text(self, j: int, index: int, rng: np.random.Generator) -> str:
        source = self._sources[j]
        kind = source["kind"]
        if kind == "phone":
            return self._lazy()["phones"][j].number(index, rng)
        if kind == "digits":
            lo, hi = source["length"]
            n = lo if lo == hi else int(rng.integers(lo, hi + 1))
            return "".join(map(str, rng.integers(0, 10, size=n).tolist()))
        items = source["sequences"] if kind == "fixed" else source["words"]
        return items[0] if len(items) == 1 else items[int(rng.integers(len(items)))]

    def _texts(self, start: int, stop: int) -> tuple[list[str], list[np.random.Generator]]:
        """Texts of samples ``start <= i < stop`` and their generators; phone permutations run once."""
        rngs = [sample_generator(self.seed, i) for i in range(start, stop)]
        picks = [self._pick_source(rng) for rng in rngs]
        texts: list[str | None] = [None] * len(rngs)
        for j, numbers in self._lazy()["phones"].items():
            mine = [k for k, p in enumerate(picks) if p == j]
            if mine:
                for k, number in zip(mine, numbers.numbers([start + k for k in mine], [rngs[k] for k in mine])):
                    texts[k] = number
        done = [text if text is not None else self._text(picks[k], start + k, rngs[k]) for k, text in enumerate(texts)]
        return done, rngs

    def _render(self, start: int, stop: int, *, as_uint8: bool) -> tuple[Any, Any]:
        """Plan and compose samples ``start <= i < stop`` in one block: ``(plan, composed)``."""
        state = self._lazy()
        texts, rngs = self._texts(start, stop)
        options, glyph_set = state["options"], state["glyphs"]
        table = None
        augmented_glyphs = options.augment is not None and bool(options.augment.glyph)
        if stop - start >= TABLE_MIN_BLOCK and len(glyph_set.images) <= BLOCK_TABLE_MAX_GLYPHS and not augmented_glyphs:
            banks = "".join(ch for ch in SYNTHESISED if ch in self.spec.alphabet)  # only the banks it draws
            table = state["tables"] = glyph_table(glyph_set, banks)
        plan = plan_block(texts, rngs, options, glyph_set)
        return plan, render_block(plan, glyph_set, rngs, options.augment, table=table, as_uint8=as_uint8)

    def text(self, index: int) -> str:
        """The text of sample ``index`` without drawing the image (cheap)."""
        index = self._check(index)
        rng = sample_generator(self.seed, index)
        return self._text(self._pick_source(rng), index, rng)

    def __getitem__(self, index: int) -> Sample:
        index = self._check(index)
        plan, composed = self._render(index, index + 1, as_uint8=False)
        return samples_of(plan, composed)[0]

    def samples(self, start: int, stop: int) -> Iterator[tuple[int, Sample]]:
        """``(i, self[i])`` for ``start <= i < stop``, composed :data:`BLOCK` at a time (faster)."""
        self._check_range(start, stop)
        for lo in range(start, stop, BLOCK):
            plan, composed = self._render(lo, min(lo + BLOCK, stop), as_uint8=False)
            yield from zip(range(lo, lo + len(plan)), samples_of(plan, composed))

    def __iter__(self) -> Iterator[Sample]:
        for _, sample in self.samples(0, self.length):
            yield sample

    def render_block(self, start: int, stop: int) -> Block:
        """Samples ``start <= i < stop`` as 8-bit images (what exports store), composed in one step.

        The same code as ``self[i]`` (plan, glyphs, augment, compose) at another
        batch size, so ``images[k] == to_uint8(self[start + k].image)`` with the
        same text and boxes by construction; samples that fit their width skip
        the float image.
        """
        self._check_range(start, stop)
        plan, composed = self._render(start, stop, as_uint8=True)
        boxes = composed.boxes
        if plan.has_spaces:
            boxes = [label_boxes(plan, k, composed.boxes[k])[0] for k in range(len(plan))]
        writers = [writers_of(plan, k)[0] for k in range(len(plan))] if plan.writers is not None else None
        return Block(range(start, stop), plan.texts, boxes, composed.images, writers)

    def __repr__(self) -> str:
        return f"SyntheticDataset(length={self.length}, seed={self.seed}, spec_hash={self.spec.hash[:12]})"


def _worker_info() -> tuple[int, int]:
    """(worker id, worker count) inside a torch DataLoader worker, else (0, 1); never imports torch."""
    data = sys.modules.get("torch.utils.data")
    info = data.get_worker_info() if data is not None else None
    return (info.id, info.num_workers) if info is not None else (0, 1)


def _distributed() -> tuple[int, int]:
    """(rank, world size) from torch.distributed when initialised, else env RANK/WORLD_SIZE, else (0, 1)."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


class IterableSyntheticDataset:
    """Iterable form: each (rank, DataLoader worker) yields its own strided share of the indices.

    With ``R`` ranks, rank ``r`` owns indices ``r, r + R, r + 2R, ...``; its
    ``W`` DataLoader workers take every ``W``-th of those (worker ``w``:
    ``r + w*R, r + w*R + R*W, ...``).  Together they cover every index exactly
    once, nobody coordinates, and a rank's samples (and ``len``) do not depend
    on its worker count.
    ``rank``/``world_size`` default to ``torch.distributed`` (if initialised)
    or the ``RANK``/``WORLD_SIZE`` environment variables.  Sample ``i`` is
    always ``SyntheticDataset(spec)[i]``; iteration yields ``(i, sample)``
    pairs when ``with_index`` is true.
    """

    def __init__(
        self,
        spec: Any,
        *,
        count: int | None = None,
        length: int | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        with_index: bool = False,
    ):
        self.dataset = (
            spec
            if isinstance(spec, SyntheticDataset) and count is None and length is None
            else SyntheticDataset(spec.spec if isinstance(spec, SyntheticDataset) else spec, count=count, length=length)
        )
        if (rank is None) != (world_size is None):
            raise ValueError("give both rank and world_size, or neither")
        if world_size is not None:
            world_size = check_int("world_size", world_size, 1, 1 << 20)
            rank = check_int("rank", rank, 0, world_size - 1)
        self.rank, self.world_size, self.with_index = rank, world_size, with_index

    def __len__(self) -> int:
        """Samples this rank yields, all its DataLoader workers together (what ``DataLoader`` expects)."""
        rank, world = self._rank()
        return len(range(rank, len(self.dataset), world))

    def _rank(self) -> tuple[int, int]:
        return (self.rank or 0, self.world_size) if self.world_size is not None else _distributed()

    def indices(self) -> range:
        """The indices this process (and DataLoader worker) yields."""
        rank, world = self._rank()
        worker, workers = _worker_info()
        return range(rank + worker * world, len(self.dataset), world * workers)

    def __iter__(self):
        for i in self.indices():
            sample = self.dataset[i]
            yield (i, sample) if self.with_index else sample
