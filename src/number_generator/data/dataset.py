"""Index-deterministic datasets described by a spec (plain data: dict, JSON or YAML).

Sample ``i`` of a dataset is a pure function of ``(spec, i)``: its generator
is ``randomness.sample_generator(spec.seed, i)``, so the same image, text and
boxes come out whatever order, process, worker count or machine makes it.

A spec::

    seed: 7                   # default 0
    length: 100000            # number of samples (the CLI's --count overrides it)
    dataset: mnist            # any registered glyph dataset
    split: train
    spacing: [0, 4]           # inclusive gap range between characters' ink, pixels
    width: 300                # or [200, 400]: a width drawn per sample
    align: center
    strict: false
    augment: medium           # null, a preset, a pipeline dict, or a .json/.yaml file (inlined)
    draw:                     # one source, or a list mixed by weight
      - {kind: phone, weight: 2, formats: {mobile: 1, landline: 1}, separator: "-"}
      - {kind: digits, weight: 1, length: [4, 12]}
      - {kind: fixed, sequences: ["0123456789", "42"]}
      - {kind: words, words: ["2026", "11-25"]}   # or file: words.txt (one per line, inlined); spaces allowed

Phone numbers are unique across the whole dataset without coordination:
sample ``i`` takes number ``P_f(i)`` of a keyed permutation of its format's
number space (:class:`~number_generator.data.phone.UniquePhoneNumbers`).

The core never imports torch; :class:`SyntheticDataset` is a map-style
dataset (``len``, ``ds[i]``) that ``torch.utils.data.DataLoader`` accepts as
is, and :class:`IterableSyntheticDataset` shards itself by DataLoader worker
and distributed rank.  :mod:`number_generator.data.torch_adapter` adds tensors.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from number_generator.core.randomness import sample_generator
from number_generator.core.render import DEFAULT_WORD_SPACING, Sample, _classes_of, _render_text, resolve_augmentation
from number_generator.core.validation import (
    ALIGNMENTS,
    MAX_COUNT,
    MAX_IMAGE_WIDTH,
    MAX_SEQUENCE_LENGTH,
    check_int,
    check_spacing_range,
)
from number_generator.data.phone import UniquePhoneNumbers, style_characters
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.strokes import SYNTHESISED

__all__ = [
    "DatasetSpec",
    "IterableSyntheticDataset",
    "SyntheticDataset",
    "load_spec",
]

SPEC_KEYS = (
    "seed",
    "length",
    "dataset",
    "split",
    "spacing",
    "width",
    "align",
    "strict",
    "augment",
    "draw",
    "word_spacing",
)
SOURCE_KEYS = {
    "digits": ("kind", "weight", "length"),
    "fixed": ("kind", "weight", "sequences"),
    "phone": ("kind", "weight", "formats", "separator", "style"),
    "words": ("kind", "weight", "words", "file"),
}
DEFAULT_LENGTH = 1000
#: Largest glyph set rendered by the vectorised block path, whose tables hold two copies of the
#: split per process (MNIST train: 2 x 47 MB). Larger sets (EMNIST byclass: 2 x 547 MB) render
#: sample by sample from the shared memory map instead.
BLOCK_TABLE_MAX_GLYPHS = 250_000


def _err(key: str, message: str) -> ValueError:
    return ValueError(f"spec key {key!r}: {message}")


def _int(key: str, value: Any, lo: int, hi: int) -> int:
    try:
        return check_int(key, value, lo, hi)
    except ValueError as exc:
        raise _err(key, str(exc)) from None


def _range(key: str, value: Any, lo: int, hi: int) -> list[int]:
    """An int ``n`` (meaning ``[n, n]``) or a pair ``[a, b]`` with ``lo <= a <= b <= hi``."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise _err(key, f"expected an integer or a pair [min, max], got {value!r}")
        a, b = (_int(key, v, lo, hi) for v in value)
        if a > b:
            raise _err(key, f"min {a} is greater than max {b}")
        return [a, b]
    n = _int(key, value, lo, hi)
    return [n, n]


def _drawable(key: str, text: Any, glyph_set) -> str:
    if not isinstance(text, str) or not text:
        raise _err(key, f"expected a non-empty string, got {text!r}")
    if text != text.strip(" ") or not text.strip(" "):
        raise _err(key, f"{text!r} starts or ends with a space (spaces go between words)")
    if len(text) > MAX_SEQUENCE_LENGTH:
        raise _err(key, f"{len(text)} characters is above the limit of {MAX_SEQUENCE_LENGTH}")
    try:
        _classes_of(text.replace(" ", ""), glyph_set)
    except ValueError as exc:
        raise _err(key, str(exc)) from None
    return text


def _source(key: str, raw: Any, glyph_set, base: Path | None, length: int, seed: int) -> dict:
    if not isinstance(raw, Mapping):
        raise _err(key, f"a source must be a mapping with a 'kind', got {raw!r}")
    kind = raw.get("kind")
    if kind not in SOURCE_KEYS:
        raise _err(f"{key}.kind", f"unknown kind {kind!r}; choose one of {', '.join(SOURCE_KEYS)}")
    unknown = [k for k in raw if k not in SOURCE_KEYS[kind]]
    if unknown:
        raise _err(f"{key}.{unknown[0]}", f"unknown key for kind {kind!r}; valid keys: {', '.join(SOURCE_KEYS[kind])}")
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not np.isfinite(weight) or weight <= 0:
        raise _err(f"{key}.weight", f"must be a positive number, got {weight!r}")
    out: dict[str, Any] = {"kind": kind, "weight": weight}
    if kind == "digits":
        out["length"] = _range(f"{key}.length", raw.get("length", 10), 1, MAX_SEQUENCE_LENGTH)
        _drawable(f"{key}", "0123456789", glyph_set)
    elif kind == "fixed":
        seqs = raw.get("sequences")
        if isinstance(seqs, str):
            seqs = [seqs]
        if not isinstance(seqs, list) or not seqs:
            raise _err(f"{key}.sequences", f"expected a non-empty list of strings, got {seqs!r}")
        out["sequences"] = [_drawable(f"{key}.sequences[{j}]", s, glyph_set) for j, s in enumerate(seqs)]
    elif kind == "words":
        words, file = raw.get("words"), raw.get("file")
        if (words is None) == (file is None):
            raise _err(f"{key}.words", "give exactly one of 'words' (a list) or 'file' (one word per line)")
        if file is not None:
            path = Path(file)
            if base is not None and not path.is_absolute():
                path = base / path
            try:
                words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
            except OSError as exc:
                raise _err(f"{key}.file", f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
            where = f"{key}.file"
        else:
            where = f"{key}.words"
        if not isinstance(words, list) or not words:
            raise _err(where, f"expected a non-empty list of words, got {words!r}")
        out["words"] = [_drawable(f"{where}[{j}]", w, glyph_set) for j, w in enumerate(words)]
    else:  # phone
        _drawable(key, "0123456789-", glyph_set)
        formats = raw.get("formats")
        if isinstance(formats, list) and all(isinstance(f, list) and len(f) == 2 for f in formats):
            formats = dict(formats)  # the canonical form read back
        separator = raw.get("separator", "-")
        style = raw.get("style")
        if isinstance(style, list) and all(isinstance(f, list) and len(f) == 2 for f in style):
            style = dict(style)
        try:
            numbers = UniquePhoneNumbers(length, seed=seed, formats=formats, separator=separator, style=style)
        except ValueError as exc:
            field = next((f for f in ("style", "formats") if f.rstrip("s") in str(exc)), "separator")
            raise _err(f"{key}.{field}", str(exc)) from None
        # A list of pairs, not a mapping: the order decides which format a draw picks, and
        # canonical JSON sorts mapping keys.
        out["formats"] = [[name, float(w)] for name, w in numbers.weights.items()]
        out["separator"] = numbers.separator
        if "style" in raw:  # only when given, so specs without it keep their hash
            out["style"] = [[name, float(w)] for name, w in numbers.styles.items()]
            _drawable(f"{key}.style", "0123456789" + style_characters(numbers.styles).replace(" ", ""), glyph_set)
    return out


@dataclass(frozen=True)
class DatasetSpec:
    """A validated, normalised spec.  Build with :func:`load_spec`.

    ``data`` is the canonical plain-data form (all defaults filled in, files
    inlined); :attr:`hash` is the SHA-256 of its canonical JSON.
    """

    data: dict

    @property
    def seed(self) -> int:
        return self.data["seed"]

    @property
    def length(self) -> int:
        return self.data["length"]

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): the bytes that are hashed."""
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def with_length(self, length: int) -> DatasetSpec:
        """The same spec with another number of samples (re-validated: phone capacities)."""
        return load_spec({**self.data, "length": length})

    @property
    def alphabet(self) -> str:
        """Characters the spec can draw (CTC label ``k+1``): the dataset's classes, the hyphen, the other
        synthesised characters the spec uses (in :data:`~number_generator.glyphsets.strokes.SYNTHESISED` order),
        then the space if it uses one."""
        from number_generator.glyphsets import get_dataset

        chars = dict.fromkeys(get_dataset(self.data["dataset"]).classes)
        chars.update(dict.fromkeys(ch for ch in SYNTHESISED if ch == "-" or ch in self.punctuation))
        if self.has_spaces:
            chars[" "] = None
        return "".join(chars)

    @cached_property  # render_block asks once per block; a word list can be long
    def punctuation(self) -> str:
        """Characters other than the dataset's that some source may draw (sorted; a space is a word gap)."""
        used: set[str] = set()
        for source in self.data["draw"]:
            for item in source.get("words", []) + source.get("sequences", []):
                used.update(item)
            if source["kind"] == "phone":
                used.update("-" if source["separator"] else "")
                used.update(style_characters(dict(source["style"])) if "style" in source else "")
        classes = get_glyph_set(self.data["dataset"], self.data["split"]).class_of_char
        return "".join(sorted(ch for ch in used if ch not in classes))

    @property
    def has_spaces(self) -> bool:
        """Whether some text of the spec holds a space (drawn as a word gap)."""
        return " " in self.punctuation


def load_spec(spec: Any, *, length: int | None = None) -> DatasetSpec:
    """Validate ``spec`` and return a :class:`DatasetSpec`.

    Parameters
    ----------
    spec : dict, DatasetSpec, str or os.PathLike
        Plain data, or a ``.json`` / ``.yaml`` / ``.yml`` file (relative
        ``file:`` entries and augmentation files are resolved against it).
    length : int, optional
        Overrides the spec's ``length``.

    Raises
    ------
    ValueError
        Malformed spec; the message names the offending key, e.g.
        ``spec key 'draw[1].length': ...``.
    """
    base = None
    if isinstance(spec, DatasetSpec):
        spec = spec.data
    elif isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if path.suffix.lower() not in (".json", ".yaml", ".yml"):
            raise ValueError(f"spec file {str(path)!r} must end in .json, .yaml or .yml")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read spec file {str(path)!r}: {exc.strerror or exc}") from None
        try:
            if path.suffix.lower() == ".json":
                spec = json.loads(text)
            else:
                import yaml

                spec = yaml.safe_load(text)
        except ValueError as exc:  # json.JSONDecodeError and yaml.YAMLError (not a ValueError) below
            raise ValueError(f"spec file {str(path)!r} is not valid JSON: {exc}") from None
        except Exception as exc:  # yaml.YAMLError
            raise ValueError(f"spec file {str(path)!r} is not valid YAML: {str(exc).splitlines()[0]}") from None
        base = path.parent
    if not isinstance(spec, Mapping):
        raise ValueError(f"spec must be a mapping of {', '.join(SPEC_KEYS)}; got {type(spec).__name__}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise _err(str(unknown[0]), f"unknown key; valid keys: {', '.join(SPEC_KEYS)}")
    from number_generator.glyphsets import get_dataset

    data: dict[str, Any] = {}
    data["seed"] = _int("seed", spec.get("seed", 0), 0, 2**63 - 1)
    data["length"] = _int("length", length if length is not None else spec.get("length", DEFAULT_LENGTH), 1, MAX_COUNT)
    try:
        source = get_dataset(spec.get("dataset", "mnist"))
        data["dataset"] = source.name
        data["split"] = source.check_split(spec.get("split", "train"))
    except ValueError as exc:
        raise _err("split" if "split" in str(exc) else "dataset", str(exc)) from None
    glyph_set = get_glyph_set(data["dataset"], data["split"])
    try:
        data["spacing"] = list(check_spacing_range(spec.get("spacing", [0, 4])))
    except ValueError as exc:
        raise _err("spacing", str(exc)) from None
    data["width"] = _range("width", spec.get("width", 300), 1, MAX_IMAGE_WIDTH)
    if "word_spacing" in spec:  # only when given, so specs without it keep their hash
        try:
            data["word_spacing"] = list(check_spacing_range(spec["word_spacing"], "word spacing"))
        except ValueError as exc:
            raise _err("word_spacing", str(exc)) from None
    align = spec.get("align", "center")
    if align not in ALIGNMENTS:
        raise _err("align", f"unknown align {align!r}; choose one of {', '.join(ALIGNMENTS)}")
    data["align"] = align
    strict = spec.get("strict", False)
    if not isinstance(strict, bool):
        raise _err("strict", f"must be true or false, got {strict!r}")
    data["strict"] = strict
    augment = spec.get("augment")
    if isinstance(augment, str) and augment.lower().endswith((".json", ".yaml", ".yml")):
        path = Path(augment)
        augment = base / path if base is not None and not path.is_absolute() else path
    try:
        pipeline = resolve_augmentation(augment)
    except ValueError as exc:
        raise _err("augment", str(exc)) from None
    if pipeline is None:
        data["augment"] = None
    elif isinstance(augment, str) and not isinstance(augment, os.PathLike) and "." not in augment:
        data["augment"] = augment.strip().lower()  # a preset name stays readable
    else:
        data["augment"] = pipeline.to_dict()
    draw = spec.get("draw", {"kind": "digits", "length": 10})
    if isinstance(draw, Mapping):
        draw = [draw]
    if not isinstance(draw, list) or not draw:
        raise _err("draw", f"expected a source or a non-empty list of sources, got {draw!r}")
    data["draw"] = [_source(f"draw[{j}]", s, glyph_set, base, data["length"], data["seed"]) for j, s in enumerate(draw)]
    return DatasetSpec(json.loads(json.dumps(data)))  # plain JSON types only


class SyntheticDataset:
    """Map-style dataset: ``len(ds)`` samples, ``ds[i]`` a :class:`~number_generator.core.render.Sample`.

    Sample ``i`` depends only on ``(spec, i)``.  Picklable and cheap to copy
    (glyphs are memory-mapped and loaded lazily per process), so it works
    with ``torch.utils.data.DataLoader(num_workers=N)`` without torch here.

    For a single phone source at a fixed width on MNIST, sample ``i`` equals
    ``PhoneNumberBatch(length, spacing, width, seed=seed, ...)[i]``.
    """

    def __init__(self, spec: Any, *, length: int | None = None):
        self.spec = load_spec(spec, length=length)
        d = self.spec.data
        self.seed = d["seed"]
        self.length = d["length"]
        self.spacing = tuple(d["spacing"])
        self.width = tuple(d["width"])
        self._sources = d["draw"]
        w = np.array([s["weight"] for s in self._sources], dtype=np.float64)
        self._cumulative = np.cumsum(w / w.sum())
        self._state: dict | None = None

    def __getstate__(self):
        return {"spec": self.spec}

    def __setstate__(self, state):
        self.__init__(state["spec"])

    def _lazy(self) -> dict:
        """Per-process state: glyph set, augmentation pipeline, phone numbering."""
        if self._state is None:
            d = self.spec.data
            self._state = {
                "glyphs": get_glyph_set(d["dataset"], d["split"]),
                "augment": resolve_augmentation(d["augment"]),
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

    def _render(self, text: str, rng: np.random.Generator) -> Sample:
        state = self._lazy()
        lo, hi = self.width
        width = lo if lo == hi else int(rng.integers(lo, hi + 1))
        glyph_set = state["glyphs"]
        d = self.spec.data
        return _render_text(
            text,
            glyph_set,
            self.spacing,
            width,
            rng,
            d["align"],
            d["strict"],
            state["augment"],
            tuple(d.get("word_spacing", DEFAULT_WORD_SPACING)),
        )

    def text(self, index: int) -> str:
        """The text of sample ``index`` without drawing the image (cheap)."""
        index = self._check(index)
        rng = sample_generator(self.seed, index)
        return self._text(self._pick_source(rng), index, rng)

    def __getitem__(self, index: int) -> Sample:
        index = self._check(index)
        rng = sample_generator(self.seed, index)
        return self._render(self._text(self._pick_source(rng), index, rng), rng)

    def samples(self, start: int, stop: int) -> Iterator[tuple[int, Sample]]:
        """``(i, self[i])`` for ``start <= i < stop``; phone permutations run once per range (faster)."""
        if not 0 <= start <= stop <= self.length:
            raise IndexError(f"range {start}..{stop} out of range for a dataset of {self.length} samples")
        rngs = [sample_generator(self.seed, i) for i in range(start, stop)]
        picks = [self._pick_source(rng) for rng in rngs]
        texts: list[str | None] = [None] * len(rngs)
        for j, numbers in self._lazy()["phones"].items():
            mine = [k for k, p in enumerate(picks) if p == j]
            if mine:
                for k, number in zip(mine, numbers.numbers([start + k for k in mine], [rngs[k] for k in mine])):
                    texts[k] = number
        for k, rng in enumerate(rngs):
            text = texts[k] if texts[k] is not None else self._text(picks[k], start + k, rng)
            yield start + k, self._render(text, rng)

    def __iter__(self) -> Iterator[Sample]:
        for _, sample in self.samples(0, self.length):
            yield sample

    def render_block(self, start: int, stop: int) -> Block:
        """Samples ``start <= i < stop`` as 8-bit images (what exports store), composed in one vectorised step.

        Byte-for-byte the same as ``to_uint8(self[i].image)`` with the same text
        and boxes (the tests check it), but several times faster: the
        per-sample work is only drawing from the sample's generator; glyph
        columns of the whole block are gathered and scattered at once.
        Samples that need down-scaling, specs with augmentation, and glyph
        sets larger than :data:`BLOCK_TABLE_MAX_GLYPHS` (whose tables would
        copy the whole split into each process) go through the per-sample path.
        """
        if not 0 <= start <= stop <= self.length:
            raise IndexError(f"range {start}..{stop} out of range for a dataset of {self.length} samples")
        state = self._lazy()
        if state["augment"] is not None or len(state["glyphs"].images) > BLOCK_TABLE_MAX_GLYPHS or self.spec.has_spaces:
            from number_generator.io.png import to_uint8

            texts, boxes, images = [], [], []
            for _, sample in self.samples(start, stop):
                texts.append(sample.text)
                boxes.append(sample.boxes)
                images.append(to_uint8(sample.image))
            return Block(range(start, stop), texts, boxes, images)
        return _render_block(self, state, start, stop)

    def __repr__(self) -> str:
        return f"SyntheticDataset(length={self.length}, seed={self.seed}, spec_hash={self.spec.hash[:12]})"


@dataclass(frozen=True)
class Block:
    """Consecutive samples as stored by exports.

    ``images[k]`` is ``uint8 (28, W_k)``, 255 = paper, 0 = ink (``to_uint8`` of
    the float image); ``texts[k]`` and ``boxes[k]`` as in :class:`Sample`.
    """

    indices: range
    texts: list
    boxes: list
    images: list


@lru_cache(maxsize=8)
def _glyph_tables(glyph_set, synthesised: str = "-") -> dict:
    """Per process: glyphs of the split followed by the ``synthesised`` banks, and a char -> class table.

    Cached per glyph set (~100 MB for MNIST train), so datasets made one after another (a server's
    batch requests) share one copy instead of building their own.  Only the banks a spec draws
    are copied in (the hyphen's always, first).
    """
    from number_generator.glyphsets.strokes import synthetic_glyphs

    images, extents, bank_start = [glyph_set.images], [glyph_set.extents], {}
    offset = len(glyph_set.images)
    for ch in synthesised:
        bank, bank_extents = synthetic_glyphs(ch)
        images.append(bank)
        extents.append(bank_extents.astype(glyph_set.extents.dtype))
        bank_start[ch] = (offset, len(bank))
        offset += len(bank)
    table = np.full(65536, -2, dtype=np.int64)  # drawable characters are validated with the spec
    for ch, c in glyph_set.class_of_char.items():
        if ord(ch) < 65536:
            table[ord(ch)] = c
    for ch in synthesised:
        table[ord(ch)] = -1
    images = np.concatenate(images)
    return {
        "images": images,
        "columns": np.ascontiguousarray(images.transpose(0, 2, 1)),
        "extents": np.concatenate(extents).astype(np.int64),
        "banks": bank_start,
        "table": table,
    }


def _render_block(ds: SyntheticDataset, state: dict, start: int, stop: int) -> Block:
    from number_generator.core.render import _compose
    from number_generator.io.png import to_uint8

    gs = state["glyphs"]
    if "tables" not in state:
        state["tables"] = _glyph_tables(gs, "".join(ch for ch in SYNTHESISED if ch in ds.spec.alphabet))
    t = state["tables"]
    d = ds.spec.data
    align, strict = d["align"], d["strict"]
    lo_w, hi_w = ds.width
    lo_s, hi_s = ds.spacing
    n = stop - start
    rngs = [sample_generator(ds.seed, i) for i in range(start, stop)]
    picks = [ds._pick_source(rng) for rng in rngs]
    texts: list = [None] * n
    for j, numbers in state["phones"].items():
        mine = [k for k, p in enumerate(picks) if p == j]
        if mine:
            for k, number in zip(mine, numbers.numbers([start + k for k in mine], [rngs[k] for k in mine])):
                texts[k] = number
    for k, rng in enumerate(rngs):
        if texts[k] is None:
            texts[k] = ds._text(picks[k], start + k, rng)
    # Classes of every character of the block at once; then per sample only the generator draws,
    # in the same order as SyntheticDataset._render -> render._render: width, glyph picks, hyphens, gaps.
    table, order, starts, counts, banks = t["table"], gs.order, gs.starts, gs.counts, t["banks"]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    classes = table[codes]
    synthesised = classes < 0
    real_classes = classes[~synthesised]
    highs = counts[real_classes]
    real_per_sample = np.add.reduceat(~synthesised, np.concatenate(([0], np.cumsum(lengths)[:-1]))) if n else lengths
    real_bounds = np.concatenate(([0], np.cumsum(real_per_sample))).tolist()
    synth_chars = list(map(chr, codes[synthesised].tolist()))
    synth_sizes = [banks[c][1] for c in synth_chars]
    synth_bounds = np.concatenate(([0], np.cumsum(lengths - real_per_sample))).tolist()
    widths_out = np.empty(n, dtype=np.int64)
    draws_parts, synth_draws, gaps_parts = [], [], []
    lo_s1 = hi_s + 1
    for k, rng in enumerate(rngs):
        widths_out[k] = lo_w if lo_w == hi_w else int(rng.integers(lo_w, hi_w + 1))
        draws_parts.append(rng.integers(0, highs[real_bounds[k] : real_bounds[k + 1]]))
        for size in synth_sizes[synth_bounds[k] : synth_bounds[k + 1]]:
            synth_draws.append(int(rng.integers(size)))
        gaps_parts.append(rng.integers(lo_s, lo_s1, size=int(lengths[k]) - 1))
    ids = np.empty(len(classes), dtype=np.int64)
    ids[~synthesised] = order[starts[real_classes] + np.concatenate(draws_parts)]
    ids[synthesised] = np.array([banks[c][0] for c in synth_chars], dtype=np.int64) + np.array(
        synth_draws, dtype=np.int64
    )
    ext = t["extents"][ids]
    left = ext[:, 0]
    gw = ext[:, 1] - left + 1
    sample_of = np.repeat(np.arange(n), lengths)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    gap_after = np.zeros(len(ids), dtype=np.int64)
    not_last = np.ones(len(ids), dtype=bool)
    not_last[first + lengths - 1] = False
    gap_after[not_last] = np.concatenate(gaps_parts) if len(ids) > n else np.zeros(0, dtype=np.int64)
    step = gw + gap_after
    excl = np.cumsum(step) - step
    offsets = excl - excl[first][sample_of]
    last = first + lengths - 1
    strip = offsets[last] + gw[last]
    spare = widths_out - strip
    fits = spare >= 0
    shift = {"left": np.zeros(n, dtype=np.int64), "center": spare // 2, "right": spare}[align]
    x0 = offsets + shift[sample_of]
    canvas_w = int(widths_out.max())
    # Column-major scratch (sample, x, y): each glyph column is 28 contiguous bytes to copy.
    ink_t = np.zeros((n, canvas_w, 28), dtype=np.uint8)
    col_chars = np.flatnonzero(fits[sample_of])
    cw = gw[col_chars]
    kc = np.repeat(col_chars, cw)
    within = np.arange(kc.size) - np.repeat(np.cumsum(cw) - cw, cw)
    ink_t[sample_of[kc], x0[kc] + within] = t["columns"][ids[kc], left[kc] + within]
    paper = np.subtract(255, ink_t.transpose(0, 2, 1))  # to_uint8(ink_to_image(ink)) == 255 - ink exactly
    boxes_all = np.empty((len(ids), 4), dtype=np.int32)
    boxes_all[:, 0] = x0
    boxes_all[:, 1] = ext[:, 2]
    boxes_all[:, 2] = x0 + gw
    boxes_all[:, 3] = ext[:, 3] + 1
    images, boxes = [], []
    for k in range(n):
        a, b = first[k], first[k] + lengths[k]
        if fits[k]:
            images.append(paper[k, :, : widths_out[k]])
            boxes.append(boxes_all[a:b])
        else:  # down-scaling: the per-sample path
            glyphs = t["images"][ids[a:b]]
            extents = ext[a:b].astype(np.int16)
            gaps = gap_after[a : b - 1]
            image, bx, _ = _compose(glyphs, extents, gaps, int(widths_out[k]), align, strict)
            images.append(to_uint8(image))
            boxes.append(bx)
    return Block(range(start, stop), texts, boxes, images)


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

    With ``R`` ranks of ``W`` workers each, consumer ``c = rank * W + worker``
    yields samples ``c, c + R*W, c + 2*R*W, ...`` of the map-style dataset,
    so together they cover every index exactly once and nobody coordinates.
    ``rank``/``world_size`` default to ``torch.distributed`` (if initialised)
    or the ``RANK``/``WORLD_SIZE`` environment variables.  Sample ``i`` is
    always ``SyntheticDataset(spec)[i]``; iteration yields ``(i, sample)``
    pairs when ``with_index`` is true.
    """

    def __init__(
        self,
        spec: Any,
        *,
        length: int | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        with_index: bool = False,
    ):
        self.dataset = (
            spec
            if isinstance(spec, SyntheticDataset) and length is None
            else SyntheticDataset(spec.spec if isinstance(spec, SyntheticDataset) else spec, length=length)
        )
        if (rank is None) != (world_size is None):
            raise ValueError("give both rank and world_size, or neither")
        if world_size is not None:
            world_size = check_int("world_size", world_size, 1, 1 << 20)
            rank = check_int("rank", rank, 0, world_size - 1)
        self.rank, self.world_size, self.with_index = rank, world_size, with_index

    def __len__(self) -> int:
        return len(self.dataset)

    def indices(self) -> range:
        """The indices this process (and DataLoader worker) yields."""
        rank, world = (self.rank, self.world_size) if self.world_size is not None else _distributed()
        worker, workers = _worker_info()
        consumer, consumers = rank * workers + worker, world * workers
        return range(consumer, len(self.dataset), consumers)

    def __iter__(self):
        for i in self.indices():
            sample = self.dataset[i]
            yield (i, sample) if self.with_index else sample
