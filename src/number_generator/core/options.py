"""The one options object: how a string is drawn, validated once, named the same everywhere.

Field names are the words every front end uses: library keywords
(:func:`number_generator.draw`), dataset spec keys, CLI options and REST
fields.  Older spellings stay accepted as aliases (:data:`ALIASES`); the
homework's positional ``generate_numbers_sequence(digits, spacing_range,
image_width)`` is unchanged.

=============  ==================  =============================================
field          old spellings        meaning
=============  ==================  =============================================
spacing        spacing_range        ``(min, max)`` gap between characters' ink, px;
                                    -13 to 1,000 (negative: the ink overlaps)
word_spacing                        ``(min, max)`` gap one space stands for, px
width          image_width          output width, px, or a ``(min, max)`` range
align                               ``center``, ``left``, ``right`` or ``random``
strict                              refuse instead of scaling down a wide strip
dataset                             glyph dataset (``mnist``, ``emnist-byclass``...)
split                               ``train`` or ``test``
augment                             ``None``, a preset, a file, a dict, a Pipeline
writer                              ``"any"``: each glyph from any writer (the
                                    default); ``"same"``: one writer per string
fill                                ``None`` or ``(min, max)``: fraction of the
                                    28 rows the string's ink fills, 0.3-1.0
height_jitter                       with ``fill``: each glyph's height deviates
                                    by up to this fraction, 0-0.3
=============  ==================  =============================================

A pipeline may carry option defaults (``Pipeline.options``; the ``realistic``
preset does: one writer, touching digits, framing): they apply to the options
the caller did not give (:meth:`Options.create`, dataset specs), never over
a given one.

A sample count is ``count`` everywhere (``length`` and ``num_images`` are old
spellings); a text length is ``length``.  Phone formats are ``phone_formats``
(``formats``); output file formats are ``format`` (``png``, ``npz``...).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from number_generator.core.validation import (
    MAX_IMAGE_WIDTH,
    MIN_SPACING,
    InvalidTypeError,
    check_align,
    check_bool,
    check_image_width,
    check_int,
    check_spacing_range,
)
from number_generator.glyphsets.registry import get_dataset, on_replace

#: Default gap between characters' ink, pixels.
DEFAULT_SPACING = (0, 4)
#: Default gap one space stands for, pixels between ink (about half a glyph).
DEFAULT_WORD_SPACING = (10, 16)
#: Old keyword -> field.
ALIASES = {"spacing_range": "spacing", "image_width": "width"}
#: Writer policies: each glyph from any writer, or every glyph of a string from one writer.
WRITERS = ("any", "same")
#: Accepted ``fill`` fractions (below 0.3 a digit is under 9 px tall) and largest ``height_jitter``.
FILL_RANGE = (0.3, 1.0)
MAX_HEIGHT_JITTER = 0.3


def spacing_from_bounds(low: int | None, high: int | None) -> tuple[int, int] | None:
    """The ``spacing`` of a front end's two optional bounds (``--min-spacing``/``min_spacing``...).

    ``None`` when neither is given (the default, or the augment preset's); a
    bound not given takes the default's (:data:`DEFAULT_SPACING`).  Values are
    checked later, with the other options.
    """
    if low is None and high is None:
        return None
    return (DEFAULT_SPACING[0] if low is None else low, DEFAULT_SPACING[1] if high is None else high)


def resolve_augment(augment: Any) -> Any:
    """``augment=`` value -> a resolved ``Pipeline`` or ``None`` (see :func:`number_generator.augment.resolve_augment`).

    ``None`` answers without importing the augmentation package, which loads
    OpenCV: the core's import path stays light when nothing is augmented.
    """
    if augment is None:
        return None
    # augment is imported on first use only: it loads OpenCV, which a plain draw never needs
    from number_generator.augment.config import resolve_augment as resolve

    return resolve(augment)


def check_width(width: object, name: str = "image_width") -> tuple[int, int]:
    """Output width: an int, or an inclusive ``(min, max)`` range drawn per sample; 1 to 16,384 px."""
    if isinstance(width, (tuple, list)):
        if len(width) != 2:
            raise ValueError(f"{name} must be an integer or a pair (min, max), got {width!r}")
        low, high = (check_int(name, w, 1, MAX_IMAGE_WIDTH) for w in width)
        if low > high:
            raise ValueError(f"minimum {name} {low} is greater than maximum {name} {high}")
        return low, high
    value = check_image_width(width) if name == "image_width" else check_int(name, width, 1, MAX_IMAGE_WIDTH)
    return value, value


def _fraction(name: str, value: object, low: float, high: float) -> float:
    """A finite real number in ``[low, high]`` (bools and strings refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InvalidTypeError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be within {low}-{high}, got {value!r}")
    return float(value)


def check_fill(fill: object, name: str = "fill") -> tuple[float, float] | None:
    """``None`` (no framing) or ``(min, max)`` fractions of the height the ink fills, within :data:`FILL_RANGE`."""
    if fill is None:
        return None
    if isinstance(fill, (int, float)) and not isinstance(fill, bool):
        fill = (fill, fill)
    if not isinstance(fill, (tuple, list)) or len(fill) != 2:
        raise InvalidTypeError(f"{name} must be a pair (min, max) of fractions, got {fill!r}")
    low, high = (_fraction(f"{name}", v, *FILL_RANGE) for v in fill)
    if low > high:
        raise ValueError(f"minimum {name} {low} is greater than maximum {name} {high}")
    return low, high


def check_writer(writer: object, dataset: str) -> str:
    """One of :data:`WRITERS`; ``"same"`` only for a dataset that knows who wrote each glyph."""
    if not isinstance(writer, str) or writer not in WRITERS:
        raise ValueError(f"unknown writer policy {writer!r}; choose one of {', '.join(WRITERS)}")
    if writer == "same":
        if not get_dataset(dataset).has_writers:
            raise ValueError(f"writer 'same' needs a dataset that records its writers ('mnist'), not {dataset!r}")
    return writer


@dataclass(frozen=True)
class Options:
    """How to draw a string; every field validated and normalised on construction.

    Build with keywords, ``Options(spacing=(0, 2), width=200)``, or with old
    spellings through :meth:`create`.  ``augment`` holds the resolved
    ``Pipeline`` (or ``None``) whatever form was given.  Bad values raise
    ``ValueError`` naming the field (:class:`~number_generator.core.validation.InvalidTypeError`
    for a wrong type).
    """

    spacing: tuple[int, int] = DEFAULT_SPACING
    width: tuple[int, int] = (300, 300)
    word_spacing: tuple[int, int] = DEFAULT_WORD_SPACING
    align: str = "center"
    strict: bool = False
    dataset: str = "mnist"
    split: str = "train"
    augment: Any = None
    writer: str = "any"
    fill: tuple[float, float] | None = None
    height_jitter: float = 0.0

    def __post_init__(self) -> None:
        for key, value in _checked({name: getattr(self, name) for name in _FIELDS}, {}).items():
            object.__setattr__(self, key, value)

    @classmethod
    def create(cls, **kwargs: Any) -> Options:
        """Options from keywords, old spellings (:data:`ALIASES`) included, errors naming them as given.

        Unknown keywords raise ``TypeError`` (as a Python call would).  ``None``
        for an option whose default is not ``None`` (``spacing``, ``align``,
        ``writer``...) means "not given": the default, or the pipeline's.

        Repeated identical keywords (a loop of ``draw`` calls) are validated
        once: see :func:`_cache_key` for what is remembered.
        """
        key = _cache_key(kwargs)
        if key is not None:
            cached = _CREATED.get(key)
            if cached is not None:
                return cached
        options = cls._create(kwargs)
        if key is not None:
            if len(_CREATED) >= _CREATED_MAX:
                _CREATED.clear()
            _CREATED[key] = options
        return options

    @classmethod
    def _create(cls, kwargs: dict[str, Any]) -> Options:
        """:meth:`create` without the cache."""
        valid = _FIELDS
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        for key, value in kwargs.items():
            field = ALIASES.get(key, key)
            if field not in valid:
                raise TypeError(f"unknown option {key!r}; valid options: {', '.join(sorted(valid))}")
            if value is None and _DEFAULTS[field] is not None:
                continue
            if field in values:
                raise TypeError(f"option {field!r} given twice (as {names[field]!r} and {key!r})")
            values[field], names[field] = value, key
        options = cls.__new__(cls)  # fields validated once, here, naming them as the caller did
        defaults = _DEFAULTS
        for name in _FIELDS:
            object.__setattr__(options, name, defaults[name])
        checked = _checked(values, names)
        checked.update(pipeline_defaults(checked.get("augment"), values, checked.get("dataset", _DEFAULTS["dataset"])))
        for key, value in checked.items():
            object.__setattr__(options, key, value)
        return options


_FIELDS = frozenset(f.name for f in fields(Options))
_DEFAULTS = {f.name: f.default for f in fields(Options)}

#: Options built by :meth:`Options.create`, by :func:`_cache_key` of their keywords; cleared when full and
#: whenever a dataset name gets a new source (they were validated against the old one).
_CREATED: dict[tuple, Options] = {}
_CREATED_MAX = 64
on_replace(_CREATED.clear)


def _is_preset_name(value: object) -> bool:
    """Whether an ``augment`` value names a built-in preset (or ``"none"``), as resolving it would read it."""
    if not isinstance(value, str):
        return False
    from number_generator.augment.presets import PRESET_NAMES  # on first use: the augment package loads OpenCV

    return value.strip().lower() in PRESET_NAMES


def _cache_key(kwargs: dict[str, Any]) -> tuple | None:
    """Key of :meth:`Options.create`'s cache for these keywords, or ``None``: not cached.

    Values are remembered with their exact types (element by element in a
    tuple), so ``strict=1`` does not hit the entry of ``strict=True`` and
    still raises; unhashable values (lists, dicts, Pipelines) are not
    remembered.  ``augment`` is remembered only as ``None`` or a preset name
    (presets are constants); a file path (which may change on disk) is
    resolved every time.  Errors are never cached: bad keywords raise the
    same message every call.
    """
    key = []
    for name, value in kwargs.items():
        if name == "augment" and value is not None and not _is_preset_name(value):
            return None
        key.append((name, tuple(map(type, value)) if type(value) is tuple else type(value), value))
    try:
        hash(tuple(key))
    except TypeError:
        return None
    return tuple(key)


#: Options a pipeline may carry defaults for (``Pipeline.options``).
PIPELINE_OPTIONS = ("spacing", "align", "writer", "fill", "height_jitter")


def check_pipeline_options(options: object, where: str = "augment config 'options'") -> dict[str, Any]:
    """Option defaults carried by a pipeline, validated: a mapping of :data:`PIPELINE_OPTIONS` to plain values.

    Returns the normalised values as plain data (lists for pairs), ready for
    JSON; ``ValueError`` names the bad key.
    """
    if not isinstance(options, dict):
        raise ValueError(f"{where} must be a mapping of options, got {options!r}")
    unknown = [key for key in options if key not in PIPELINE_OPTIONS]
    if unknown:
        raise ValueError(f"{where}: unknown option {unknown[0]!r}; valid: {', '.join(PIPELINE_OPTIONS)}")
    try:
        checked = _checked(dict(options), {})
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return {key: list(value) if isinstance(value, tuple) else value for key, value in checked.items()}


def pipeline_defaults(pipeline: Any, given: Any, dataset: str) -> dict[str, Any]:
    """The option defaults ``pipeline`` carries (``Pipeline.options``) for the options not in ``given``, validated.

    ``writer="same"`` is left out for a ``dataset`` that does not record its
    writers (a preset stays usable with EMNIST).
    """
    defaults = getattr(pipeline, "options", None)
    if not defaults:
        return {}
    missing = {key: value for key, value in defaults.items() if key not in given}
    if missing.get("writer") == "same":
        if not get_dataset(dataset).has_writers:
            del missing["writer"]
    return _checked(missing, {}, dataset)


def _checked(values: dict[str, Any], names: dict[str, str], dataset: str = "mnist") -> dict[str, Any]:
    """Validate and normalise the given option ``values``; ``names`` maps a field to the caller's spelling.

    ``dataset`` is the one drawn from when ``values`` does not name it (for the writer check).
    """
    out = dict(values)
    if "spacing" in values:
        out["spacing"] = check_spacing_range(
            values["spacing"], "spacing", names.get("spacing", "spacing_range"), MIN_SPACING
        )
    if "width" in values:
        out["width"] = check_width(values["width"], names.get("width", "image_width"))
    if "word_spacing" in values:
        out["word_spacing"] = check_spacing_range(values["word_spacing"], "word spacing", "word_spacing")
    if "align" in values:
        out["align"] = check_align(values["align"])
    if "strict" in values:
        out["strict"] = check_bool("strict", values["strict"])
    if "augment" in values:
        out["augment"] = resolve_augment(values["augment"])
    if "fill" in values:
        out["fill"] = check_fill(values["fill"])
    if "height_jitter" in values:
        out["height_jitter"] = _fraction("height_jitter", values["height_jitter"], 0.0, MAX_HEIGHT_JITTER)
    if "dataset" in values or "split" in values:
        source = get_dataset(values.get("dataset", "mnist"))
        out["dataset"] = source.name
        out["split"] = source.check_split(values.get("split", "train"))
    if "writer" in values:
        out["writer"] = check_writer(values["writer"], out.get("dataset", dataset))
    return out
