"""Request bodies of the REST API and the checks every generating endpoint shares.

Each check raises :class:`~number_generator.api.errors.LimitError` naming the
request field (``loc``), so a bad value or a value past a limit is a 422
answer, never a 500; the library's own validation does the checking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, Field

from number_generator.api.errors import LimitError
from number_generator.api.limits import request_cost
from number_generator.api.settings import Settings
from number_generator.core.options import spacing_from_bounds
from number_generator.core.randomness import base_seed
from number_generator.core.validation import (
    MAX_SEQUENCE_LENGTH,
    MAX_SPACING,
    MIN_SPACING,
    check_image_width,
    check_int,
    check_spacing_range,
)

#: Characters of the longest phone number drawn (``090-1234-5678`` has 13), for the work budget.
PHONE_CHARACTERS = 16


class SequenceRequest(BaseModel):
    """The seed project's body for ``POST /generate-numbers-sequence``."""

    sequence: str | list[int] = Field(
        ..., description="Digits to draw: '0123' or [0, 1, 2, 3].", examples=["0123456789"]
    )
    min_spacing: int = Field(0, description="Smallest gap between digits' ink, pixels.")
    max_spacing: int = Field(4, description="Largest gap between digits' ink, pixels.")
    image_width: int = Field(300, description="Output width in pixels (height is 28).")
    random_seed: int | None = Field(
        None, description="Same seed, same image; omit for a random one (returned in X-Seed)."
    )


class PhoneRequest(BaseModel):
    """The seed project's body for ``POST /generate-phone-number``."""

    min_spacing: int = 0
    max_spacing: int = 4
    image_width: int = 300
    random_seed: int | None = None


class BatchRequest(BaseModel):
    """``POST /v1/batch``: ``count`` samples as a ZIP of PNGs (plus labels) or one NPZ."""

    kind: Literal["digits", "phone", "text"] = Field(
        "digits", description="Random digit strings, phone numbers, or the given texts."
    )
    count: int = Field(10, description="How many images.")
    format: Literal["zip", "npz"] = "zip"
    min_spacing: int | None = Field(
        None, description="Smallest gap between characters' ink, pixels; -13 to 1000 (default 0 or the preset's)."
    )
    max_spacing: int | None = Field(None, description="Largest gap, pixels (default 4 or the preset's).")
    image_width: int = 300
    seed: int | None = None
    augment: str | None = Field(
        None, description="Preset (none, light, medium, heavy, realistic) or an inline JSON pipeline."
    )
    dataset: str = "mnist"
    split: str = "train"
    writer: Literal["any", "same"] | None = Field(
        None, description="any: each glyph from any writer; same: one writer per string (default any or the preset's)."
    )
    align: Literal["center", "left", "right", "random"] | None = Field(
        None, description="Where a narrow string sits (default center or the preset's)."
    )
    fill: list[float] | None = Field(
        None, description="[min, max] share of the 28 rows the ink fills, 0.3-1.0 (default: MNIST's framing)."
    )
    min_length: int = Field(4, description="kind=digits: fewest digits.")
    max_length: int = Field(12, description="kind=digits: most digits.")
    texts: list[str] | None = Field(
        None,
        description="kind=text: the texts to draw from; each image draws one at random (sample i depends only on "
        "seed and i). Spaces are word gaps.",
    )
    formats: list[str] | None = Field(None, description="kind=phone: limit to these formats.")
    style: list[str] | None = Field(
        None, description="kind=phone: how numbers are written (hyphen, parens, area-parens, dots, international)."
    )


# --------------------------------------------------------------------------- checks shared by endpoints


def checked_styles(style: list[str], loc: list[str]) -> list[str]:
    """Phone styles checked up front, so a bad one is a 422 naming the field."""
    from number_generator.data.phone import check_styles

    try:
        return list(check_styles(style))
    except ValueError as exc:
        raise LimitError(loc, str(exc)) from None


def check_limits(
    settings: Settings,
    where: str,
    *,
    image_width: int | None = None,
    length: int | None = None,
    length_field: str = "sequence",
    count: int | None = None,
) -> None:
    if image_width is not None and image_width > settings.max_width:
        raise LimitError(
            [where, "image_width"],
            f"image_width {image_width} is above the limit of {settings.max_width}",
            settings.max_width,
        )
    if length is not None and length > settings.max_length:
        raise LimitError(
            [where, length_field],
            f"{length_field} has {length} characters, above the limit of {settings.max_length}",
            settings.max_length,
        )
    if count is not None and count > settings.max_batch:
        raise LimitError(
            [where, "count"], f"count {count} is above the limit of {settings.max_batch}", settings.max_batch
        )


@contextmanager
def field_errors(where: str, name: str) -> Iterator[None]:
    """A library ``ValueError`` raised inside answers 422 with ``loc`` ``[where, name]``, the request field."""
    try:
        yield
    except LimitError:
        raise
    except ValueError as exc:
        raise LimitError([where, name], str(exc)) from None


def check_fields(
    where: str,
    *,
    image_width: int,
    min_spacing: int | None,
    max_spacing: int | None,
    dataset: str = "mnist",
    split: str = "train",
    seed: tuple[str, int | None] = ("seed", None),
) -> int:
    """Check the fields every generating endpoint shares, each under its own name; returns the seed to use."""
    from number_generator.glyphsets import get_dataset

    with field_errors(where, "image_width"):
        check_image_width(image_width)
    with field_errors(where, "min_spacing"):  # None: not given (the default, or the augmentation preset's)
        if min_spacing is not None:
            check_int("minimum spacing", min_spacing, MIN_SPACING, MAX_SPACING)
    with field_errors(where, "max_spacing"):
        if max_spacing is not None:
            check_int("maximum spacing", max_spacing, MIN_SPACING, MAX_SPACING)
        spacing = spacing_from_bounds(min_spacing, max_spacing)
        if spacing is not None:
            check_spacing_range(spacing, minimum=MIN_SPACING)
    with field_errors(where, "dataset"):
        source = get_dataset(dataset)
    with field_errors(where, "split"):
        source.check_split(split)
    seed_name, seed_value = seed
    with field_errors(where, seed_name):
        return base_seed(seed_value)


def check_seed_project_body(body: SequenceRequest | PhoneRequest) -> int:
    """The seed project's bodies: width, spacing and ``random_seed`` checked by name; returns the seed to use."""
    return check_fields(
        "body",
        image_width=body.image_width,
        min_spacing=body.min_spacing,
        max_spacing=body.max_spacing,
        seed=("random_seed", body.random_seed),
    )


def budgeted_augment(
    settings: Settings,
    loc: list[str],
    augment: str | None,
    *,
    images: int,
    image_width: int,
    characters: int,
) -> str | dict | None:
    """The request's augmentation spec (see :func:`augment_spec`), once its work is known to fit the budget.

    422 naming ``loc`` when :func:`request_cost` is past ``settings.max_cost``.
    """
    spec, transforms = augment_spec(augment, loc[0])
    cost = request_cost(images, max(image_width, 0), max(characters, 0), transforms)
    if cost > settings.max_cost:
        raise LimitError(
            loc,
            f"this request would cost {cost:,} pixel-passes ({images:,} image(s) x (28 x {image_width} px + "
            f"784 x {characters} characters) x (1 + {transforms} transforms)), above the budget of "
            f"{settings.max_cost:,}; ask for fewer or narrower images or a lighter augmentation",
            settings.max_cost,
        )
    return spec


def augment_spec(value: str | None, where: str) -> tuple[str | dict | None, int]:
    """A preset name or an inline JSON pipeline; never a path (no server files chosen by clients).

    Returns the spec to pass on and its number of transforms (for the work budget);
    a bad pipeline is a 422 naming the ``augment`` field.
    """
    if value is None or value == "":
        return None, 0
    # imported (with OpenCV) only when augmentation is asked for
    from number_generator.augment import PRESET_NAMES, resolve_augment
    from number_generator.augment.config import pipeline_data_from_json

    spec: str | dict
    if value.strip().lower() in PRESET_NAMES:
        spec = value.strip().lower()
    elif value.lstrip().startswith("{"):
        try:
            spec = pipeline_data_from_json(value, "augment")
        except ValueError as exc:
            raise LimitError([where, "augment"], str(exc)) from None
    else:
        raise LimitError(
            [where, "augment"],
            f"augment must be one of {', '.join(PRESET_NAMES)} or an inline JSON pipeline, got {value[:80]!r}",
        )
    try:
        pipeline = resolve_augment(spec)
    except ValueError as exc:
        raise LimitError([where, "augment"], str(exc)) from None
    return spec, 0 if pipeline is None else len(pipeline.glyph) + len(pipeline.image)


def batch_spec(body: BatchRequest, settings: Settings) -> dict:
    check_limits(settings, "body", image_width=body.image_width, count=body.count)
    if body.count < 1:
        raise LimitError(["body", "count"], f"count must be at least 1, got {body.count}")
    seed = check_fields(
        "body",
        image_width=body.image_width,
        min_spacing=body.min_spacing,
        max_spacing=body.max_spacing,
        dataset=body.dataset,
        split=body.split,
        seed=("seed", body.seed),
    )
    if body.kind == "digits":
        with field_errors("body", "min_length"):
            check_int("min_length", body.min_length, 1, MAX_SEQUENCE_LENGTH)
        with field_errors("body", "max_length"):
            check_int("max_length", body.max_length, body.min_length, MAX_SEQUENCE_LENGTH)
        draw = {"kind": "digits", "length": [body.min_length, body.max_length]}
        if body.max_length > settings.max_length:
            raise LimitError(
                ["body", "max_length"],
                f"max_length {body.max_length} is above the limit of {settings.max_length}",
                settings.max_length,
            )
        characters = body.max_length
    elif body.kind == "phone":
        draw = {
            "kind": "phone",
            **({"formats": body.formats} if body.formats else {}),
            **({"style": checked_styles(body.style, ["body", "style"])} if body.style else {}),
        }
        characters = PHONE_CHARACTERS
    else:
        if not body.texts:
            raise LimitError(["body", "texts"], "kind 'text' needs a non-empty list 'texts'")
        characters = max(len(t) for t in body.texts)
        check_limits(settings, "body", length=characters, length_field="texts")
        draw = {"kind": "fixed", "sequences": body.texts}
    augment = budgeted_augment(
        settings,
        ["body", "count"],
        body.augment,
        images=body.count,
        image_width=body.image_width,
        characters=characters,
    )
    spacing = spacing_from_bounds(body.min_spacing, body.max_spacing)
    given = {"spacing": spacing, "writer": body.writer, "align": body.align, "fill": body.fill}
    return {
        "seed": seed,
        "length": body.count,
        "dataset": body.dataset,
        "split": body.split,
        "width": body.image_width,
        "augment": augment,
        "draw": draw,
        **{key: value for key, value in given.items() if value is not None},
    }
