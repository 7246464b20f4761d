"""Japanese phone numbers: formats, random and unique sampling, and their images.

Formats follow the Japanese numbering plan (all numbers start with the trunk
prefix 0):

* ``mobile``: 070/080/090-XXXX-XXXX (11 digits)
* ``ip``: 050-XXXX-XXXX (11 digits)
* ``toll-free``: 0120-XXX-XXX (10 digits)
* ``landline``: geographic, 10 digits with real area codes of every length:
  03-XXXX-XXXX (Tokyo), 011-XXX-XXXX (Sapporo), 0466-XX-XXXX (Fujisawa),
  04992-X-XXXX (Izu Oshima), ...

The first digit after the prefix is never 0 (never 0 or 1 for landlines, as
in the real plan).  The area codes listed are prefix-free, so no digit string
belongs to two formats.

A *style* says how a number is written down (:data:`STYLES`): ``hyphen``
``03-1234-5678`` (the default; ``separator=""`` writes digits only),
``parens`` ``03(1234)5678``, ``area-parens`` ``(03) 1234-5678``, ``dots``
``03.1234.5678`` and ``international`` ``+81 3-1234-5678``.  The label is
exactly what is drawn; :func:`parse_phone_number` reads any style back.
"""

from __future__ import annotations

import bisect
import sys
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from number_generator.core.options import Options
from number_generator.core.permutation import KeyedPermutation
from number_generator.core.randomness import as_generator, seed_argument
from number_generator.core.render import draw_with
from number_generator.core.sample import Sample
from number_generator.core.validation import check_count

SEPARATORS = ("-", "")


#: How people write a number down: style name -> text of its digit groups ``(prefix, group, ...)``.
#: A space is a word gap in the image (and a character of the label).
STYLES = {
    "hyphen": lambda g: "-".join(g),
    "parens": lambda g: f"{g[0]}({g[1]}){''.join(g[2:])}",
    "area-parens": lambda g: f"({g[0]}) {'-'.join(g[1:])}",
    "dots": lambda g: ".".join(g),
    "international": lambda g: f"+81 {g[0][1:]}-{'-'.join(g[1:])}",
}
DEFAULT_STYLE = "hyphen"


@dataclass(frozen=True)
class NumberPlan:
    """Numbers sharing one prefix and grouping, e.g. ``090-XXXX-XXXX``.

    ``groups`` are the lengths of the digit groups after the prefix;
    ``first_digits`` the digits allowed to start the first group.
    """

    prefix: str
    groups: tuple[int, ...]
    first_digits: str = "123456789"

    @property
    def capacity(self) -> int:
        """How many distinct numbers the plan holds."""
        return len(self.first_digits) * 10 ** (sum(self.groups) - 1)

    def groups_of(self, k: int) -> tuple[str, ...]:
        """The ``k``-th number of the plan (``0 <= k < capacity``) as digit groups."""
        rest_len = sum(self.groups) - 1
        first, rest = divmod(k, 10**rest_len)
        digits = self.first_digits[first] + str(rest).zfill(rest_len) if rest_len else self.first_digits[first]
        out, pos = [self.prefix], 0
        for size in self.groups:
            out.append(digits[pos : pos + size])
            pos += size
        return tuple(out)


@dataclass(frozen=True)
class PhoneFormat:
    """A named family of numbers: one or more :class:`NumberPlan`."""

    name: str
    description: str
    plans: tuple[NumberPlan, ...]

    @cached_property
    def _bounds(self) -> np.ndarray:
        return np.cumsum([plan.capacity for plan in self.plans])

    @property
    def capacity(self) -> int:
        """How many distinct numbers the format holds."""
        return int(self._bounds[-1])

    def groups_of(self, k: int) -> tuple[str, ...]:
        """The ``k``-th number of the format (``0 <= k < capacity``) as digit groups."""
        plan = int(np.searchsorted(self._bounds, k, side="right"))
        start = int(self._bounds[plan - 1]) if plan else 0
        return self.plans[plan].groups_of(k - start)


def _landline(area: str) -> NumberPlan:
    exchange = 10 - len(area) - 4
    return NumberPlan(area, (exchange, 4), first_digits="23456789")


#: Real area codes (prefix-free): 2 to 5 digits including the leading 0.
AREA_CODES = (
    "03",
    "06",
    "011",
    "022",
    "025",
    "045",
    "048",
    "052",
    "075",
    "078",
    "082",
    "092",
    "098",
    "0422",
    "0466",
    "0476",
    "0263",
    "0742",
    "0154",
    "01267",
    "04992",
    "09802",
)

FORMATS: dict[str, PhoneFormat] = {
    "mobile": PhoneFormat(
        "mobile",
        "mobile 070/080/090-XXXX-XXXX",
        tuple(NumberPlan(p, (4, 4)) for p in ("070", "080", "090")),
    ),
    "ip": PhoneFormat("ip", "IP phone 050-XXXX-XXXX", (NumberPlan("050", (4, 4)),)),
    "toll-free": PhoneFormat("toll-free", "toll-free 0120-XXX-XXX", (NumberPlan("0120", (3, 3)),)),
    "landline": PhoneFormat(
        "landline", "geographic 0A-XXXX-XXXX .. 0ABCD-X-XXXX", tuple(_landline(a) for a in AREA_CODES)
    ),
}

#: Share of each format when the caller does not choose.
DEFAULT_WEIGHTS = {"mobile": 0.5, "landline": 0.3, "ip": 0.1, "toll-free": 0.1}


class PhoneNumberImage(NamedTuple):
    """An image and the phone number it shows (with its separators)."""

    image: np.ndarray
    number: str


def _check_weights(what: str, value, names, default: str | None) -> dict[str, float]:
    """``value`` (None, a name, names, or name -> weight) as ``{name: weight}`` summing to 1; ``what`` names it."""
    if value is None:
        weights: dict[str, float] = {default: 1.0} if default else dict(DEFAULT_WEIGHTS)
    elif isinstance(value, str):
        weights = {value: 1.0}
    elif isinstance(value, Mapping):
        weights = {str(k): v for k, v in value.items()}
    else:
        weights = {str(name): 1.0 for name in value}
    unknown = [name for name in weights if name not in names]
    if unknown:
        raise ValueError(f"unknown phone {what} {unknown[0]!r}; choose from {', '.join(names)}")
    for name, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not np.isfinite(w) or w < 0:
            raise ValueError(f"weight of phone {what} {name!r} must be a non-negative number, got {w!r}")
    total = float(sum(weights.values()))
    if total <= 0:
        raise ValueError(f"phone {what}s: at least one {what} needs a positive weight")
    return {name: w / total for name, w in weights.items() if w > 0}


def check_formats(formats: str | Iterable[str] | Mapping[str, float] | None) -> dict[str, float]:
    """Normalise ``formats`` to ``{name: weight}`` with weights summing to 1.

    Accepts ``None`` (:data:`DEFAULT_WEIGHTS`), one name, names (equal
    weights), or a mapping name -> non-negative weight.
    """
    return _check_weights("format", formats, FORMATS, None)


def check_styles(style: str | Iterable[str] | Mapping[str, float] | None) -> dict[str, float]:
    """Normalise ``style`` to ``{name: weight}`` with weights summing to 1.

    Accepts ``None`` (``hyphen``), one name of :data:`STYLES`, names (equal
    weights), or a mapping name -> non-negative weight.  ``ValueError`` names
    an unknown style or a bad weight.
    """
    return _check_weights("style", style, STYLES, DEFAULT_STYLE)


def write_number(groups: tuple[str, ...], style: str = DEFAULT_STYLE, separator: str = "-") -> str:
    """The text of a number's digit groups in ``style`` (``separator`` is the ``hyphen`` style's)."""
    return separator.join(groups) if style == DEFAULT_STYLE else STYLES[style](groups)


def style_characters(styles) -> str:
    """Characters other than digits that numbers written in ``styles`` contain (sorted)."""
    sample = ("03", "1234", "5678")
    return "".join(
        sorted({ch for name in check_styles(styles) for ch in write_number(sample, name)} - set("0123456789"))
    )


def parse_phone_number(text: str) -> tuple[str, str]:
    """Read a number written in any style back: ``(format name, national digits)``.

    ``"+81 90-1234-5678"``, ``"090(1234)5678"`` and ``"090.1234.5678"`` all give
    ``("mobile", "09012345678")``.  ``ValueError`` if the text holds anything
    but digits and the characters of :data:`STYLES`, or no format has the number.
    """
    if not isinstance(text, str):
        raise ValueError(f"phone number must be a string, got {type(text).__name__}")
    allowed = set("0123456789") | set(style_characters(list(STYLES)))
    stray = sorted(set(text) - allowed)
    if stray:
        raise ValueError(f"phone number {text!r} holds characters no style writes: {''.join(stray)!r}")
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+81"):
        digits = "0" + digits[2:]
    for fmt in FORMATS.values():
        for plan in fmt.plans:
            rest = digits[len(plan.prefix) :]
            if digits.startswith(plan.prefix) and len(rest) == sum(plan.groups) and rest[:1] in plan.first_digits:
                return fmt.name, digits
    raise ValueError(f"{text!r} is not a number of any phone format ({', '.join(FORMATS)})")


def check_separator(separator: object) -> str:
    """``"-"`` or ``""``."""
    if not isinstance(separator, str) or separator not in SEPARATORS:
        raise ValueError(f"separator must be '-' or '' (digits only), got {separator!r}")
    return separator


def _pick_name(weights: dict[str, float], rng: np.random.Generator, _cache: dict = {}) -> str:  # noqa: B006
    """One name drawn by weight (one ``rng.random()``)."""
    key = tuple(weights.items())
    table = _cache.get(key)
    if table is None:  # the cumulative weights as Python floats: bisect gives np.searchsorted's answer, faster
        cumulative = np.cumsum(list(weights.values()))
        table = _cache[key] = (cumulative.tolist(), list(weights))
    cumulative, names = table
    return names[min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(names) - 1)]


def _pick_format(weights: dict[str, float], rng: np.random.Generator) -> PhoneFormat:
    return FORMATS[_pick_name(weights, rng)]


def _check_style_separator(styles: dict[str, float], separator: str) -> None:
    if separator != "-" and set(styles) != {DEFAULT_STYLE}:
        raise ValueError(f"separator {separator!r} applies to the 'hyphen' style only, got styles {', '.join(styles)}")


def _pick_style(styles: dict[str, float], rng: np.random.Generator) -> str:
    """The style of one number: no draw when there is only one (streams stay as without styles)."""
    return next(iter(styles)) if len(styles) == 1 else _pick_name(styles, rng)


def random_phone_number(seed=None, *, formats=None, separator: str = "-", style=None) -> str:
    """A random number as text, e.g. ``"090-1234-5678"`` (no image); ``style`` as in :func:`check_styles`."""
    rng = as_generator(seed)
    styles = check_styles(style)
    _check_style_separator(styles, check_separator(separator))
    fmt = _pick_format(check_formats(formats), rng)
    groups = fmt.groups_of(int(rng.integers(fmt.capacity)))
    return write_number(groups, _pick_style(styles, rng), separator)


def render_phone_number(
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    separator: str = "-",
    formats: str | Iterable[str] | Mapping[str, float] | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment: object = None,
    phone_formats: str | Iterable[str] | Mapping[str, float] | None = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
    style: str | Iterable[str] | Mapping[str, float] | None = None,
) -> Sample:
    """A random Japanese phone number as a :class:`~number_generator.core.sample.Sample`.

    The number is drawn from the generator, then the image from the same
    generator (:func:`~number_generator.draw`).  ``sample.text`` is the number
    as drawn (``"090-1234-5678"``, or digits only with ``separator=""``, or
    in another ``style``: ``"03(1234)5678"``, see :func:`check_styles`).
    Hyphens and other punctuation are synthesised strokes; every digit is a
    real MNIST sample.
    ``phone_formats`` (old spelling ``formats``) as in :func:`check_formats`;
    other parameters as in :func:`~number_generator.render_sequence`.
    """
    chosen = seed_argument(seed, random_seed)
    options = Options.create(
        spacing_range=spacing_range, image_width=image_width, split=split, align=align, strict=strict, augment=augment
    )
    rng = as_generator(chosen)
    number = random_phone_number(
        rng, formats=phone_formats_argument(phone_formats, formats), separator=separator, style=style
    )
    sample = draw_with(number, options, rng)
    if verbose:
        print(f"number_generator: drew phone number {number!r} ({sample.image.shape[1]}x28 px)", file=sys.stderr)
    return sample


def phone_formats_argument(
    phone_formats: str | Iterable[str] | Mapping[str, float] | None,
    formats: str | Iterable[str] | Mapping[str, float] | None,
) -> str | Iterable[str] | Mapping[str, float] | None:
    """``phone_formats=`` or its old spelling ``formats=`` (``ValueError`` when both are given)."""
    if phone_formats is not None and formats is not None:
        raise ValueError("give phone_formats or its old spelling formats, not both")
    return phone_formats if phone_formats is not None else formats


def generate_phone_number(
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    separator: str = "-",
    formats: str | Iterable[str] | Mapping[str, float] | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment: object = None,
    phone_formats: str | Iterable[str] | Mapping[str, float] | None = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
    style: str | Iterable[str] | Mapping[str, float] | None = None,
) -> PhoneNumberImage:
    """Image of a random Japanese phone number, and the number (arguments as in :func:`render_phone_number`).

    Returns
    -------
    PhoneNumberImage
        ``image``: float32 ``(28, image_width)``, 1.0 = paper, 0.0 = ink;
        ``number``: the text drawn, e.g. ``"03-1234-5678"``.
    """
    sample = render_phone_number(
        spacing_range,
        image_width,
        seed=seed,
        separator=separator,
        formats=formats,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
        phone_formats=phone_formats,
        random_seed=random_seed,
        verbose=verbose,
        style=style,
    )
    return PhoneNumberImage(sample.image, sample.text)


class UniquePhoneNumbers:
    """Distinct numbers by index, without coordination: number ``i`` is ``P_f(i)``.

    The caller's per-sample generator picks the format ``f`` (one draw);
    ``P_f`` is a keyed permutation of ``f``'s number space, keyed by ``seed``
    and the format name.  Two indices never share a number, however the
    indices are split across processes or machines.  ``count`` is limited by
    the smallest capacity among the chosen formats.
    """

    def __init__(self, count, *, seed: int, formats=None, separator: str = "-", style=None):
        self.count = check_count("count", count)
        self.separator = check_separator(separator)
        self.weights = check_formats(formats)
        self.styles = check_styles(style)
        _check_style_separator(self.styles, self.separator)
        for name in self.weights:
            capacity = FORMATS[name].capacity
            if self.count > capacity:
                raise ValueError(
                    f"cannot make {self.count} distinct numbers: format {name!r} holds only {capacity}; "
                    "ask for fewer or leave that format out"
                )
        self.seed = int(seed)
        self._permutations = {
            name: KeyedPermutation(FORMATS[name].capacity, key=(self.seed << 32) | zlib.crc32(name.encode()))
            for name in self.weights
        }

    def number(self, index: int, rng: np.random.Generator) -> str:
        """The number of sample ``index``; draws the format from ``rng``."""
        if not 0 <= index < self.count:
            raise IndexError(f"index {index} out of range for {self.count} phone numbers")
        fmt = _pick_format(self.weights, rng)
        groups = fmt.groups_of(self._permutations[fmt.name](index))
        return write_number(groups, _pick_style(self.styles, rng), self.separator)

    def numbers(self, indices, rngs: list[np.random.Generator]) -> list[str]:
        """``[number(indices[k], rngs[k]) ...]`` with each permutation run once (vectorised)."""
        positions = np.asarray(indices, dtype=np.int64).reshape(-1)
        if len(positions) != len(rngs):
            raise ValueError(f"got {len(positions)} indices but {len(rngs)} generators")
        if positions.size and not (0 <= int(positions.min()) and int(positions.max()) < self.count):
            raise IndexError(f"indices out of range for {self.count} phone numbers")
        formats = [_pick_format(self.weights, rng) for rng in rngs]
        drawn = np.empty(len(rngs), dtype=np.int64)
        for name, permutation in self._permutations.items():
            mine = np.array([f.name == name for f in formats], dtype=bool)
            if mine.any():
                drawn[mine] = permutation(positions[mine])
        return [
            write_number(fmt.groups_of(int(k)), _pick_style(self.styles, rng), self.separator)
            for fmt, k, rng in zip(formats, drawn, rngs)
        ]
