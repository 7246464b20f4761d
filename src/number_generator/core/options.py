"""The one options object: how a string is drawn, validated once, named the same everywhere.

Field names are the words every front end uses: library keywords
(:func:`number_generator.draw`), dataset spec keys, CLI options and REST
fields.  Older spellings stay accepted as aliases (:data:`ALIASES`); the
homework's positional ``generate_numbers_sequence(digits, spacing_range,
image_width)`` is unchanged.

=============  ==================  =============================================
field          old spellings        meaning
=============  ==================  =============================================
spacing        spacing_range        ``(min, max)`` gap between characters' ink, px
word_spacing                        ``(min, max)`` gap one space stands for, px
width          image_width          output width, px, or a ``(min, max)`` range
align                               ``center``, ``left`` or ``right``
strict                              refuse instead of scaling down a wide strip
dataset                             glyph dataset (``mnist``, ``emnist-byclass``...)
split                               ``train`` or ``test``
augment                             ``None``, a preset, a file, a dict, a Pipeline
writer                              ``"any"``: each glyph from any writer (today's)
=============  ==================  =============================================

A sample count is ``count`` everywhere (``length`` and ``num_images`` are old
spellings); a text length is ``length``.  Phone formats are ``phone_formats``
(``formats``); output file formats are ``format`` (``png``, ``npz``...).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from number_generator.core.validation import (
    MAX_IMAGE_WIDTH,
    check_align,
    check_bool,
    check_image_width,
    check_int,
    check_spacing_range,
)

#: Default gap one space stands for, pixels between ink (about half a glyph).
DEFAULT_WORD_SPACING = (10, 16)
#: Old keyword -> field.
ALIASES = {"spacing_range": "spacing", "image_width": "width"}
#: Writer policies (issue 13 adds ``"same"``).
WRITERS = ("any",)


def resolve_augment(augment: Any) -> Any:
    """``augment=`` value -> a resolved ``Pipeline`` or ``None`` (see :func:`number_generator.augment.resolve_augment`).

    ``None`` answers without importing the augmentation package, which loads
    OpenCV: the core's import path stays light when nothing is augmented.
    """
    if augment is None:
        return None
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


@dataclass(frozen=True)
class Options:
    """How to draw a string; every field validated and normalised on construction.

    Build with keywords, ``Options(spacing=(0, 2), width=200)``, or with old
    spellings through :meth:`create`.  ``augment`` holds the resolved
    ``Pipeline`` (or ``None``) whatever form was given.  Bad values raise
    ``ValueError`` naming the field (:class:`~number_generator.core.validation.InvalidTypeError`
    for a wrong type).
    """

    spacing: tuple[int, int] = (0, 4)
    width: tuple[int, int] = (300, 300)
    word_spacing: tuple[int, int] = DEFAULT_WORD_SPACING
    align: str = "center"
    strict: bool = False
    dataset: str = "mnist"
    split: str = "train"
    augment: Any = None
    writer: str = "any"

    def __post_init__(self) -> None:
        for key, value in _checked({name: getattr(self, name) for name in _FIELDS}, {}).items():
            object.__setattr__(self, key, value)

    @classmethod
    def create(cls, **kwargs: Any) -> Options:
        """Options from keywords, old spellings (:data:`ALIASES`) included, errors naming them as given.

        Unknown keywords raise ``TypeError`` (as a Python call would).
        """
        valid = _FIELDS
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        for key, value in kwargs.items():
            field = ALIASES.get(key, key)
            if field not in valid:
                raise TypeError(f"unknown option {key!r}; valid options: {', '.join(sorted(valid))}")
            if field in values:
                raise TypeError(f"option {field!r} given twice (as {names[field]!r} and {key!r})")
            values[field], names[field] = value, key
        options = cls.__new__(cls)  # fields validated once, here, naming them as the caller did
        defaults = _DEFAULTS
        for name in _FIELDS:
            object.__setattr__(options, name, defaults[name])
        for key, value in _checked(values, names).items():
            object.__setattr__(options, key, value)
        return options


_FIELDS = frozenset(f.name for f in fields(Options))
_DEFAULTS = {f.name: f.default for f in fields(Options)}


def _checked(values: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Validate and normalise the given option ``values``; ``names`` maps a field to the caller's spelling."""
    from number_generator.glyphsets import get_dataset

    out = dict(values)
    if "spacing" in values:
        out["spacing"] = check_spacing_range(values["spacing"], "spacing", names.get("spacing", "spacing_range"))
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
    if "writer" in values and values["writer"] not in WRITERS:
        raise ValueError(f"unknown writer policy {values['writer']!r}; choose one of {', '.join(WRITERS)}")
    if "dataset" in values or "split" in values:
        source = get_dataset(values.get("dataset", "mnist"))
        out["dataset"] = source.name
        out["split"] = source.check_split(values.get("split", "train"))
    return out
