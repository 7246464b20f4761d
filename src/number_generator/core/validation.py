"""Checks of user input shared by every front end, and the documented limits.

Each check returns the normalised value or raises ``ValueError`` with a
message that names the bad value; the CLI and the REST API turn that message
into their own error answer, so the rules live only here.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Mapping, Set
from typing import Any

import numpy as np

#: Largest accepted output width, in pixels.
MAX_IMAGE_WIDTH = 16_384
#: Longest accepted character sequence.
MAX_SEQUENCE_LENGTH = 1_024
#: Largest accepted spacing between two characters, in pixels.
MAX_SPACING = 1_000
#: Most negative accepted spacing between two characters' ink (overlapping ink), pixels.  Each gap is
#: further bounded per pair of glyphs (:func:`number_generator.core.layout.overlap_limit`): a neighbour
#: may cover at most ``(w - 1) // 2`` of a glyph's ``w`` ink columns, and no glyph is wider than its
#: 28-px frame, so a gap below ``-(28 - 1) // 2 = -13`` could never be honoured.
MIN_SPACING = -13
#: Largest number of images one batch call or CLI run may make.
MAX_COUNT = 10_000_000
#: Most bytes of images an eager call may return in a list (lazy views have no such limit).
MAX_LIST_BYTES = 256 * 2**20

#: Where a strip narrower than its width goes; ``random`` draws the left margin per sample.
ALIGNMENTS = ("center", "left", "right", "random")


class InvalidTypeError(ValueError, TypeError):
    """An argument of the wrong type (a float width, a string spacing, a set of digits).

    Both a ``ValueError`` (the library's documented promise for bad input)
    and a ``TypeError`` (what Python code usually expects for a wrong type),
    so ``except ValueError`` and ``except TypeError`` both catch it.
    """


_DIGIT_TABLE = bytes.maketrans(bytes(range(10)), b"0123456789")


def check_int(name: str, value: object, minimum: int, maximum: int) -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]``; bools and floats are refused."""
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidTypeError(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    if number > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {number}")
    return number


def check_spacing_range(
    spacing_range: object, what: str = "spacing", name: str = "spacing_range", minimum: int = 0
) -> tuple[int, int]:
    """``(min, max)`` spacing in pixels, ``minimum <= min <= max <= MAX_SPACING``.

    ``what`` names the quantity in errors (``"minimum word spacing 9 is ..."``),
    ``name`` the argument as the caller spelled it (``"word_spacing must be a pair"``).
    ``minimum`` is 0 (word gaps) or :data:`MIN_SPACING` (gaps between characters may overlap).
    """
    if isinstance(spacing_range, (str, bytes)):
        raise InvalidTypeError(f"{name} must be a pair (min, max), got {spacing_range!r}")
    pair: Any = spacing_range  # any pair: its items are checked just below
    try:
        given_low, given_high = pair
    except (TypeError, ValueError):
        raise InvalidTypeError(f"{name} must be a pair (min, max), got {spacing_range!r}") from None
    low = check_int(f"minimum {what}", given_low, minimum, MAX_SPACING)
    high = check_int(f"maximum {what}", given_high, minimum, MAX_SPACING)
    if low > high:
        raise ValueError(f"minimum {what} {low} is greater than maximum {what} {high}")
    return low, high


def check_image_width(image_width: object) -> int:
    """Output width in pixels, ``1 <= image_width <= MAX_IMAGE_WIDTH``."""
    return check_int("image_width", image_width, 1, MAX_IMAGE_WIDTH)


def check_count(name: str, count: object) -> int:
    """A number of images, ``1 <= count <= MAX_COUNT``."""
    return check_int(name, count, 1, MAX_COUNT)


def check_bool(name: str, value: object) -> bool:
    """``True`` or ``False`` (numpy bools too); anything else is an :class:`InvalidTypeError`."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_text(text: object, name: str = "text") -> str:
    """A string to draw: 1 to :data:`MAX_SEQUENCE_LENGTH` characters, not starting or ending with a space.

    The one home of the text rules, for every front end (library, spec, CLI,
    REST); which characters a dataset can draw is checked by the planner.
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"{name} must be a string, got {type(text).__name__} {text!r}")
    if not text.strip(" "):
        if not text:
            raise ValueError(f"{name} must not be empty")
        raise ValueError(f"{name} must contain at least one character that is not a space, got {text!r}")
    if len(text) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"{name} length {len(text)} is above the limit of {MAX_SEQUENCE_LENGTH}")
    if text[0] == " " or text[-1] == " ":
        raise ValueError(f"{name} must not start or end with a space, got {text!r}")
    return text


def check_align(align: object) -> str:
    """One of :data:`ALIGNMENTS`."""
    if not isinstance(align, str) or align not in ALIGNMENTS:
        raise ValueError(f"unknown align {align!r}; choose one of {', '.join(ALIGNMENTS)}")
    return align


def parse_digits(digits: str | Iterable[int]) -> str:
    """Normalise a digit sequence to a string of ``'0'``-``'9'``.

    Accepts a string of digits (``"350"``) or an iterable of ints 0-9
    (``[3, 5, 0]``, ``range(10)``, a numpy array).  Rejects empty sequences,
    other characters, ints outside 0-9, non-integers and sequences longer
    than :data:`MAX_SEQUENCE_LENGTH`, and unordered collections (a ``set`` or
    ``dict`` would silently drop repeated digits and reorder the rest).  An
    iterable is read no further than one item past the length limit (an
    endless iterator is refused, not read forever).
    """
    if isinstance(digits, (Set, Mapping)):
        raise InvalidTypeError(
            f"digits must be an ordered sequence (a string, list, tuple or array), got a {type(digits).__name__}: "
            "a set or dict loses repeated digits and their order"
        )
    if isinstance(digits, str):
        text = digits
        if len(text) > MAX_SEQUENCE_LENGTH:
            raise ValueError(f"sequence length {len(text)} is above the limit of {MAX_SEQUENCE_LENGTH}")
        bad = [] if text.isascii() and text.isdigit() else [ch for ch in text if ch not in "0123456789"]
        if bad:
            raise ValueError(f"digits must be 0-9, got {bad[0]!r} in {text!r}")
    else:
        try:
            items = list(itertools.islice(digits, MAX_SEQUENCE_LENGTH + 1))
        except TypeError:
            raise InvalidTypeError(f"digits must be a string or an iterable of ints 0-9, got {digits!r}") from None
        if len(items) > MAX_SEQUENCE_LENGTH:
            raise ValueError(
                f"sequence length is above the limit of {MAX_SEQUENCE_LENGTH} "
                f"(stopped reading after {MAX_SEQUENCE_LENGTH + 1} items)"
            )
        if not items or ({*map(type, items)} == {int} and min(items) >= 0 and max(items) <= 9):  # plain ints
            items_text = bytes(items).translate(_DIGIT_TABLE).decode("ascii")
            if not items_text:
                raise ValueError("digits must not be empty")
            return items_text
        chars = []
        for item in items:
            if isinstance(item, bool):
                raise InvalidTypeError(f"digits must be integers 0-9, got {item!r}")
            try:
                value = operator.index(item)
            except TypeError:
                raise InvalidTypeError(f"digits must be integers 0-9, got {item!r}") from None
            if not 0 <= value <= 9:
                raise ValueError(f"digits must be 0-9, got {value}")
            chars.append(chr(48 + value))
        text = "".join(chars)
    if not text:
        raise ValueError("digits must not be empty")
    return text
