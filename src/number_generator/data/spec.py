"""Dataset specs: plain data (dict, JSON or YAML) validated once into a canonical, hashed form.

A spec::

    seed: 7                   # default 0
    count: 100000             # number of samples (old spelling: length; the CLI's --count overrides it)
    dataset: mnist            # any registered glyph dataset
    split: train
    spacing: [0, 4]           # inclusive gap range between characters' ink, pixels (-13 to 1000; < 0 overlaps)
    word_spacing: [10, 16]    # gap one space stands for (only for texts with spaces)
    width: 300                # or [200, 400]: a width drawn per sample
    align: center             # or left, right, random (a random left margin per sample)
    strict: false
    augment: medium           # null, a preset, a pipeline dict, or a .json/.yaml file (inlined)
    writer: same              # optional: one writer per string (default any)
    fill: [0.55, 0.95]        # optional: share of the 28 rows the ink fills (default: MNIST's framing)
    height_jitter: 0.06       # optional, with fill: per-glyph height deviation
    draw:                     # one source, or a list mixed by weight
      - {kind: phone, weight: 2, phone_formats: {mobile: 1, landline: 1}, separator: "-"}
      - {kind: digits, weight: 1, length: [4, 12]}        # length: characters per text
      - {kind: fixed, sequences: ["0123456789", "42"]}
      - {kind: words, words: ["2026", "11-25"]}   # or file: words.txt (one per line, inlined); spaces allowed

The option keys are the fields of :class:`~number_generator.core.options.Options`.
A pipeline's option defaults (the ``realistic`` preset's ``writer``,
``spacing``, ``fill``, ``height_jitter``, ``align``) fill the keys the spec
does not give, and are stored in the canonical form (so the hash says what is
drawn); ``writer``, ``fill`` and ``height_jitter`` are stored only when given
or so filled, so specs without them keep their hash.
The canonical form keeps the key names specs were first hashed with
(``length`` for the count, ``formats`` for phone formats), so every existing
spec keeps its hash (exports resume by hash) whichever spelling it uses.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from number_generator.core.options import (
    DEFAULT_WORD_SPACING,
    Options,
    check_fill,
    check_pipeline_options,
    pipeline_defaults,
    resolve_augment,
)
from number_generator.core.planner import classes_of
from number_generator.core.validation import (
    ALIGNMENTS,
    MAX_COUNT,
    MAX_IMAGE_WIDTH,
    MAX_SEQUENCE_LENGTH,
    MIN_SPACING,
    check_int,
    check_spacing_range,
    check_text,
)
from number_generator.data.phone import UniquePhoneNumbers, style_characters
from number_generator.glyphsets import get_dataset
from number_generator.glyphsets.glyphs import GlyphSet, get_glyph_set
from number_generator.glyphsets.strokes import SYNTHESISED

__all__ = ["DatasetSpec", "load_spec"]

SPEC_KEYS = (
    "seed",
    "count",
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
    "writer",
    "fill",
    "height_jitter",
)
SOURCE_KEYS = {
    "digits": ("kind", "weight", "length"),
    "fixed": ("kind", "weight", "sequences"),
    "phone": ("kind", "weight", "phone_formats", "formats", "separator", "style"),
    "words": ("kind", "weight", "words", "file"),
}
#: Spec key -> the key its value is stored under in the canonical (hashed) form.
KEY_ALIASES = {"count": "length"}
SOURCE_KEY_ALIASES = {"phone_formats": "formats"}
DEFAULT_COUNT = 1000


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


def _drawable(key: str, text: Any, glyph_set: GlyphSet) -> str:
    """A text the spec will draw: the text rules (:func:`check_text`) and the dataset's characters."""
    try:
        classes_of(check_text(text, "text").replace(" ", ""), glyph_set)
    except ValueError as exc:
        raise _err(key, str(exc)) from None
    return text


def _unalias(where: str, raw: Mapping, aliases: dict[str, str]) -> dict:
    """``raw`` with alias keys renamed to their canonical key; both spellings at once is an error."""
    out = dict(raw)
    for alias, key in aliases.items():
        if alias in out:
            if key in out:
                raise _err(f"{where}{alias}", f"give {alias!r} or its old spelling {key!r}, not both")
            out[key] = out.pop(alias)
    return out


def _source(key: str, raw: Any, glyph_set: GlyphSet, base: Path | None, length: int, seed: int) -> dict:
    if not isinstance(raw, Mapping):
        raise _err(key, f"a source must be a mapping with a 'kind', got {raw!r}")
    kind = raw.get("kind")
    if kind not in SOURCE_KEYS:
        raise _err(f"{key}.kind", f"unknown kind {kind!r}; choose one of {', '.join(SOURCE_KEYS)}")
    unknown = [k for k in raw if k not in SOURCE_KEYS[kind]]
    if unknown:
        raise _err(f"{key}.{unknown[0]}", f"unknown key for kind {kind!r}; valid keys: {', '.join(SOURCE_KEYS[kind])}")
    formats_key = "phone_formats" if "phone_formats" in raw else "formats"
    raw = _unalias(f"{key}.", raw, SOURCE_KEY_ALIASES)
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
            message = str(exc)
            field = "style" if "style" in message else formats_key if "format" in message else "separator"
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
    inlined, aliases under their first names); :attr:`hash` is the SHA-256 of
    its canonical JSON.
    """

    data: dict

    @property
    def seed(self) -> int:
        return self.data["seed"]

    @property
    def count(self) -> int:
        """Number of samples."""
        return self.data["length"]

    @property
    def length(self) -> int:
        """Number of samples (old name of :attr:`count`)."""
        return self.data["length"]

    @cached_property
    def options(self) -> Options:
        """The drawing options of the spec (augmentation resolved)."""
        d = self.data
        return Options(
            spacing=tuple(d["spacing"]),
            width=tuple(d["width"]),
            word_spacing=tuple(d.get("word_spacing", DEFAULT_WORD_SPACING)),
            align=d["align"],
            strict=d["strict"],
            dataset=d["dataset"],
            split=d["split"],
            augment=d["augment"],
            writer=d.get("writer", "any"),
            fill=check_fill(d.get("fill")),
            height_jitter=d.get("height_jitter", 0.0),
        )

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): the bytes that are hashed."""
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def with_count(self, count: int) -> DatasetSpec:
        """The same spec with another number of samples (re-validated: phone capacities)."""
        return load_spec({**self.data, "length": count})

    def with_length(self, length: int) -> DatasetSpec:
        """Old name of :meth:`with_count`."""
        return self.with_count(length)

    @property
    def alphabet(self) -> str:
        """Characters the spec can draw (CTC label ``k+1``).

        The dataset's classes, the hyphen, the other synthesised characters the spec uses (in
        :data:`~number_generator.glyphsets.strokes.SYNTHESISED` order), then the space if it uses one.
        """
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


def load_spec(spec: Any, *, count: int | None = None, length: int | None = None) -> DatasetSpec:
    """Validate ``spec`` and return a :class:`DatasetSpec`.

    Parameters
    ----------
    spec : dict, DatasetSpec, str or os.PathLike
        Plain data, or a ``.json`` / ``.yaml`` / ``.yml`` file (relative
        ``file:`` entries and augmentation files are resolved against it).
    count : int, optional
        Overrides the spec's ``count`` (``length`` is the old spelling of both).

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
        except Exception as exc:  # yaml.YAMLError; its mark gives the 0-based line and column of the problem
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ValueError(f"spec file {str(path)!r} is not valid YAML{where}: {problem}") from None
        base = path.parent
    if not isinstance(spec, Mapping):
        raise ValueError(f"spec must be a mapping of {', '.join(SPEC_KEYS)}; got {type(spec).__name__}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise _err(str(unknown[0]), f"unknown key; valid keys: {', '.join(SPEC_KEYS)}")
    count_key = "count" if "count" in spec or count is not None else "length"
    spec = _unalias("", spec, KEY_ALIASES)
    if count is not None and length is not None and count != length:
        raise ValueError(f"give count or its old spelling length, not both (got {count} and {length})")
    count = count if count is not None else length

    data: dict[str, Any] = {}
    data["seed"] = _int("seed", spec.get("seed", 0), 0, 2**63 - 1)
    data["length"] = _int(count_key, count if count is not None else spec.get("length", DEFAULT_COUNT), 1, MAX_COUNT)
    try:
        source = get_dataset(spec.get("dataset", "mnist"))
        data["dataset"] = source.name
        data["split"] = source.check_split(spec.get("split", "train"))
    except ValueError as exc:
        raise _err("split" if "split" in str(exc) else "dataset", str(exc)) from None
    glyph_set = get_glyph_set(data["dataset"], data["split"])
    try:
        data["spacing"] = list(check_spacing_range(spec.get("spacing", [0, 4]), minimum=MIN_SPACING))
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
        pipeline = resolve_augment(augment)
    except ValueError as exc:
        raise _err("augment", str(exc)) from None
    if pipeline is None:
        data["augment"] = None
    elif isinstance(augment, str) and not isinstance(augment, os.PathLike) and "." not in augment:
        data["augment"] = augment.strip().lower()  # a preset name stays readable
    else:
        data["augment"] = pipeline.to_dict()
    given = {key: spec[key] for key in ("writer", "fill", "height_jitter") if key in spec}
    if given:
        try:
            options = check_pipeline_options(given, "spec")
        except ValueError as exc:
            key = next((k for k in given if f"{k}" in str(exc)), next(iter(given)))
            raise _err(key, str(exc).removeprefix("spec: ")) from None
        data.update(options)
        if data.get("writer") == "same":
            try:
                Options(writer="same", dataset=data["dataset"])
            except ValueError as exc:
                raise _err("writer", str(exc)) from None
    defaults = pipeline_defaults(pipeline, spec, data["dataset"])
    data.update({key: list(value) if isinstance(value, tuple) else value for key, value in defaults.items()})
    draw = spec.get("draw", {"kind": "digits", "length": 10})
    if isinstance(draw, Mapping):
        draw = [draw]
    if not isinstance(draw, list) or not draw:
        raise _err("draw", f"expected a source or a non-empty list of sources, got {draw!r}")
    data["draw"] = [_source(f"draw[{j}]", s, glyph_set, base, data["length"], data["seed"]) for j, s in enumerate(draw)]
    return DatasetSpec(json.loads(json.dumps(data)))  # plain JSON types only
