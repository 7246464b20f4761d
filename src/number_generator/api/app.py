"""The REST API: a thin FastAPI layer over the library.

Generation is CPU work, so every generating endpoint is a plain ``def``:
FastAPI runs it in its thread pool and the event loop stays free.  Input is
checked by the library's own validation; a request past a limit or with a bad
value gets HTTP 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
naming the field (and the limit).  No endpoint reads or writes a file a client
names: augmentation is a preset name or an inline JSON pipeline, never a path.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from number_generator import __version__
from number_generator.api.limits import (
    RETRY_AFTER_SECONDS,
    SlotStreamingResponse,
    StreamSlots,
    redact_access_log,
    request_cost,
)
from number_generator.api.settings import Settings, unusable_key_characters
from number_generator.api.streams import stream_npz, stream_zip
from number_generator.core.options import check_fill
from number_generator.core.randomness import base_seed
from number_generator.core.validation import (
    MAX_SEQUENCE_LENGTH,
    MAX_SPACING,
    MIN_SPACING,
    check_image_width,
    check_int,
    check_spacing_range,
)
from number_generator.io.png import encode_png

PNG = "image/png"
EXPOSED_HEADERS = ["X-Label", "X-Boxes", "X-Seed", "X-Phone-Number"]
#: Characters of the longest phone number drawn (``090-1234-5678`` has 13), for the work budget.
PHONE_CHARACTERS = 16


class LimitError(ValueError):
    """A value past a configured limit; carries the field and the limit for the 422 answer."""

    def __init__(self, loc: list[str], message: str, limit: int | None = None):
        super().__init__(message)
        self.loc, self.limit = loc, limit


def _problem(loc: list, message: str, kind: str, limit: int | None = None) -> JSONResponse:
    item: dict[str, object] = {"loc": loc, "msg": message, "type": kind}
    if limit is not None:
        item["limit"] = limit
    return JSONResponse({"detail": [item]}, status_code=422)


# --------------------------------------------------------------------------- request models


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


def _styles(style: list[str], loc: list[str]) -> list[str]:
    """Phone styles checked up front, so a bad one is a 422 naming the field."""
    from number_generator.data.phone import check_styles

    try:
        return list(check_styles(style))
    except ValueError as exc:
        raise LimitError(loc, str(exc)) from None


def _check_limits(
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
def _field(where: str, name: str) -> Iterator[None]:
    """A library ``ValueError`` raised inside answers 422 with ``loc`` ``[where, name]``, the request field."""
    try:
        yield
    except LimitError:
        raise
    except ValueError as exc:
        raise LimitError([where, name], str(exc)) from None


def _check_fields(
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

    with _field(where, "image_width"):
        check_image_width(image_width)
    with _field(where, "min_spacing"):  # None: not given (the default, or the augmentation preset's)
        if min_spacing is not None:
            check_int("minimum spacing", min_spacing, MIN_SPACING, MAX_SPACING)
    with _field(where, "max_spacing"):
        if max_spacing is not None:
            check_int("maximum spacing", max_spacing, MIN_SPACING, MAX_SPACING)
        spacing = _spacing(min_spacing, max_spacing)
        if spacing is not None:
            check_spacing_range(spacing, minimum=MIN_SPACING)
    with _field(where, "dataset"):
        source = get_dataset(dataset)
    with _field(where, "split"):
        source.check_split(split)
    seed_name, seed_value = seed
    with _field(where, seed_name):
        return base_seed(seed_value)


def _check_seed_project_body(body: SequenceRequest | PhoneRequest) -> int:
    """The seed project's bodies: width, spacing and ``random_seed`` checked by name; returns the seed to use."""
    return _check_fields(
        "body",
        image_width=body.image_width,
        min_spacing=body.min_spacing,
        max_spacing=body.max_spacing,
        seed=("random_seed", body.random_seed),
    )


def _budgeted_augment(
    settings: Settings,
    loc: list[str],
    augment: str | None,
    *,
    images: int,
    image_width: int,
    characters: int,
) -> str | dict | None:
    """The request's augmentation spec (see :func:`_augment`), once its work is known to fit the budget.

    422 naming ``loc`` when :func:`request_cost` is past ``settings.max_cost``.
    """
    spec, transforms = _augment(augment, loc[0])
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


def _augment(value: str | None, where: str) -> tuple[str | dict | None, int]:
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


def _png(sample, seed: int, extra: dict | None = None) -> Response:
    headers = {
        "X-Label": sample.text,
        "X-Boxes": json.dumps(sample.boxes.tolist(), separators=(",", ":")),
        "X-Seed": str(seed),
        "Cache-Control": "no-store",
        **(extra or {}),
    }
    return Response(encode_png(sample.image), media_type=PNG, headers=headers)


def _batch_spec(body: BatchRequest, settings: Settings) -> dict:
    _check_limits(settings, "body", image_width=body.image_width, count=body.count)
    if body.count < 1:
        raise LimitError(["body", "count"], f"count must be at least 1, got {body.count}")
    seed = _check_fields(
        "body",
        image_width=body.image_width,
        min_spacing=body.min_spacing,
        max_spacing=body.max_spacing,
        dataset=body.dataset,
        split=body.split,
        seed=("seed", body.seed),
    )
    if body.kind == "digits":
        with _field("body", "min_length"):
            check_int("min_length", body.min_length, 1, MAX_SEQUENCE_LENGTH)
        with _field("body", "max_length"):
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
            **({"style": _styles(body.style, ["body", "style"])} if body.style else {}),
        }
        characters = PHONE_CHARACTERS
    else:
        if not body.texts:
            raise LimitError(["body", "texts"], "kind 'text' needs a non-empty list 'texts'")
        characters = max(len(t) for t in body.texts)
        _check_limits(settings, "body", length=characters, length_field="texts")
        draw = {"kind": "fixed", "sequences": body.texts}
    augment = _budgeted_augment(
        settings,
        ["body", "count"],
        body.augment,
        images=body.count,
        image_width=body.image_width,
        characters=characters,
    )
    spacing = _spacing(body.min_spacing, body.max_spacing)
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


def _spacing(low: int | None, high: int | None) -> list[int] | None:
    """The spacing pair of two optional fields; ``None`` when neither is given (the default or the preset's)."""
    if low is None and high is None:
        return None
    return [0 if low is None else low, 4 if high is None else high]


# --------------------------------------------------------------------------- middleware


KEY_COOKIE = "number_generator_api_key"


def _cookie(header: str, name: str) -> str:
    from http.cookies import SimpleCookie

    try:
        morsel = SimpleCookie(header).get(name)
    except Exception:  # a malformed Cookie header is no key
        return ""
    return morsel.value if morsel is not None else ""


def _given_key(headers: dict[str, str]) -> str:
    """The key a request offers: ``X-API-Key``, ``Authorization: Bearer KEY`` or the cookie.

    The ``Bearer`` scheme name is case-insensitive (RFC 6750); a bare ``Authorization: KEY`` is no key.
    """
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else ""
    return headers.get("x-api-key") or bearer or _cookie(headers.get("cookie", ""), KEY_COOKIE)


def _is_https(scope, headers: dict[str, str]) -> bool:
    """Served over HTTPS, directly or behind a proxy that says so (``X-Forwarded-Proto: https``)."""
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return scope.get("scheme") == "https" or forwarded == "https"


class _Guard:
    """Pure ASGI middleware: API key (all but /healthz) and request body size."""

    def __init__(self, app, settings: Settings):
        self.app, self.settings = app, settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = self.settings.api_key
        if key and scope["path"] != "/healthz":
            given = _given_key(headers)
            if scope["path"] == "/" and not given:  # a browser opens /?api_key=KEY once, then holds a cookie
                from urllib.parse import parse_qs

                offered = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("api_key", [""])[0]
                response: Response
                if unusable_key_characters(offered):
                    response = _problem(
                        ["query", "api_key"],
                        "api_key must be printable ASCII without spaces, quotes, commas, semicolons or backslashes",
                        "value_error",
                    )
                    return await response(scope, receive, send)
                if offered and hmac.compare_digest(offered.encode(), key.encode()):
                    secure = "; Secure" if _is_https(scope, headers) else ""
                    response = Response(
                        status_code=303,
                        headers={
                            "Location": "/",
                            "Set-Cookie": f"{KEY_COOKIE}={offered}; Path=/; HttpOnly; SameSite=Strict{secure}",
                        },
                    )
                    return await response(scope, receive, send)
            if not hmac.compare_digest(given.encode(), key.encode()):
                response = JSONResponse(
                    {
                        "detail": "missing or wrong API key: send it in the X-API-Key header "
                        "(browsers: open /?api_key=KEY once)"
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                return await response(scope, receive, send)
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._too_big(int(declared), scope, receive, send)
        if scope["method"] in ("POST", "PUT", "PATCH"):
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
                if size > limit:
                    return await self._too_big(size, scope, receive, send)
            body = b"".join(chunks)
            sent = False

            async def replay():
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return await self.app(scope, replay, send)
        return await self.app(scope, receive, send)

    async def _too_big(self, size, scope, receive, send):
        limit = self.settings.max_body_bytes
        response = _problem(
            ["body"], f"request body of {size} bytes is above the limit of {limit} bytes", "limit", limit
        )
        await response(scope, receive, send)


# --------------------------------------------------------------------------- the app


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API (``uvicorn --factory number_generator.api:create_app`` reads settings from the environment)."""
    settings = settings or Settings.from_env()
    from number_generator.core.render import draw, render_text
    from number_generator.data.phone import render_phone_number
    from number_generator.glyphsets import dataset_names, get_dataset
    from number_generator.glyphsets.glyphs import get_glyph_set

    @asynccontextmanager
    async def lifespan(app):
        for name in settings.preload:
            for split in get_dataset(name).splits:
                get_glyph_set(name, split)
        yield

    app = FastAPI(
        title="MNIST Digit Generator",
        version=__version__,
        description="Images of handwritten digit sequences, phone numbers and text made from real MNIST/EMNIST glyphs. "
        "Images are 8-bit grayscale PNGs, 28 px high, white paper, black ink.",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: the CDN default is blank offline
        redoc_url=None,  # ReDoc has no offline bundle here; /docs is the one documentation page
    )
    app.state.settings = settings
    slots = app.state.stream_slots = StreamSlots(settings.max_streams)
    redact_access_log()

    @app.exception_handler(LimitError)
    async def limit_error(request: Request, exc: LimitError):
        return _problem(exc.loc, str(exc), "limit" if exc.limit is not None else "value_error", exc.limit)

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError):
        return _problem(["request"], str(exc), "value_error")

    # --- the seed project's endpoints, kept compatible

    @app.post(
        "/generate-numbers-sequence",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG."}, 422: {"description": "Bad input."}},
    )
    def generate_numbers_sequence(body: SequenceRequest) -> Response:
        """The seed's endpoint: a digit sequence as PNG (label, boxes and seed in headers)."""
        from number_generator.core.validation import parse_digits

        with _field("body", "sequence"):
            digits = parse_digits(body.sequence)
        _check_limits(settings, "body", image_width=body.image_width, length=len(digits))
        _budgeted_augment(
            settings, ["body", "image_width"], None, images=1, image_width=body.image_width, characters=len(digits)
        )
        seed = _check_seed_project_body(body)
        sample = render_text(digits, (body.min_spacing, body.max_spacing), body.image_width, dataset="mnist", seed=seed)
        return _png(sample, seed)

    @app.post(
        "/generate-phone-number",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG; the number in X-Phone-Number."}},
    )
    def generate_phone_number(body: PhoneRequest) -> Response:
        """The seed's endpoint: a random Japanese phone number as PNG (the number in ``X-Phone-Number``)."""
        _check_limits(settings, "body", image_width=body.image_width)
        _budgeted_augment(
            settings, ["body", "image_width"], None, images=1, image_width=body.image_width, characters=PHONE_CHARACTERS
        )
        seed = _check_seed_project_body(body)
        sample = render_phone_number((body.min_spacing, body.max_spacing), body.image_width, seed=seed)
        return _png(sample, seed, {"X-Phone-Number": sample.text})

    # --- v1: usable as <img src>

    @app.get(
        "/v1/sequence.png",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG; X-Label, X-Boxes, X-Seed headers."}},
    )
    def sequence_png(
        digits: Annotated[str | None, Query(description="Characters to draw (digits for mnist).")] = None,
        text: Annotated[str | None, Query(description="Same as digits; spaces become word gaps.")] = None,
        min_spacing: Annotated[
            int | None, Query(description="Smallest gap, px; -13 to 1000, negative overlaps (default 0).")
        ] = None,
        max_spacing: Annotated[int | None, Query(description="Largest gap, px (default 4).")] = None,
        image_width: int = 300,
        seed: int | None = None,
        augment: Annotated[
            str | None, Query(description="none, light, medium, heavy, realistic, or inline JSON.")
        ] = None,
        dataset: str = "mnist",
        split: str = "train",
        align: Annotated[
            Literal["center", "left", "right", "random"] | None, Query(description="Default center.")
        ] = None,
        writer: Annotated[
            Literal["any", "same"] | None, Query(description="same: one writer per string (mnist).")
        ] = None,
        min_fill: Annotated[float | None, Query(description="Share of the height the ink fills, 0.3-1.0.")] = None,
        max_fill: Annotated[float | None, Query(description="Largest share (default min_fill).")] = None,
    ) -> Response:
        """A sequence (digits, or text with an EMNIST dataset) as PNG; the label and one box per character
        (``[x0, y0, x1, y1]``, half-open pixels) come back in ``X-Label`` and ``X-Boxes``."""
        if (digits is None) == (text is None):
            raise LimitError(["query", "digits"], "give exactly one of 'digits' or 'text'")
        chars = digits if digits is not None else text
        assert chars is not None  # exactly one was given
        _check_limits(
            settings,
            "query",
            image_width=image_width,
            length=len(chars),
            length_field="digits" if digits is not None else "text",
        )
        pipeline = _budgeted_augment(
            settings, ["query", "image_width"], augment, images=1, image_width=image_width, characters=len(chars)
        )
        seed = _check_fields(
            "query",
            image_width=image_width,
            min_spacing=min_spacing,
            max_spacing=max_spacing,
            dataset=dataset,
            split=split,
            seed=("seed", seed),
        )
        with _field("query", "min_fill"):
            if min_fill is None and max_fill is not None:
                raise ValueError("give min_fill with max_fill")
            fill = check_fill(None if min_fill is None else (min_fill, min_fill if max_fill is None else max_fill))
        framing: dict[str, Any] = {"fill": fill} if fill is not None else {}  # None keeps the preset's fill
        with _field("query", "digits" if digits is not None else "text"):  # what is left: the characters
            sample = draw(
                chars,
                seed=seed,
                spacing_range=_spacing(min_spacing, max_spacing),
                image_width=image_width,
                dataset=dataset,
                split=split,
                align=align,
                augment=pipeline,
                writer=writer,
                **framing,
            )
        return _png(sample, seed)

    @app.get(
        "/v1/phone-number.png",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG; the number in X-Phone-Number."}},
    )
    def phone_number_png(
        min_spacing: int = 0,
        max_spacing: int = 4,
        image_width: int = 300,
        seed: int | None = None,
        augment: Annotated[str | None, Query(description="none, light, medium, heavy, or inline JSON.")] = None,
        separator: Annotated[Literal["-", ""], Query(description="'-' draws hyphens, '' digits only.")] = "-",
        format: Annotated[list[str] | None, Query(description="Limit to these formats (repeatable).")] = None,
        split: str = "train",
        style: Annotated[
            list[str] | None,
            Query(
                description="How the number is written (repeatable: a mix): hyphen, parens, area-parens, dots, "
                "international."
            ),
        ] = None,
    ) -> Response:
        """A random Japanese phone number as PNG; the number in ``X-Phone-Number`` (and ``X-Label``)."""
        _check_limits(settings, "query", image_width=image_width)
        pipeline = _budgeted_augment(
            settings, ["query", "image_width"], augment, images=1, image_width=image_width, characters=PHONE_CHARACTERS
        )
        seed = _check_fields(
            "query", image_width=image_width, min_spacing=min_spacing, max_spacing=max_spacing, split=split,
            seed=("seed", seed),
        )  # fmt: skip
        styles = _styles(style, ["query", "style"]) if style else None
        with _field("query", "format"):  # what is left: the formats
            sample = render_phone_number(
                (min_spacing, max_spacing),
                image_width,
                seed=seed,
                separator=separator,
                formats=format or None,
                split=split,
                augment=pipeline,
                style=styles,
            )
        return _png(sample, seed, {"X-Phone-Number": sample.text})

    @app.post(
        "/v1/batch",
        response_class=StreamingResponse,
        responses={
            503: {"description": "Every batch stream of the server is busy; retry after Retry-After seconds."},
            200: {
                "content": {"application/zip": {}, "application/octet-stream": {}},
                "description": "A ZIP of PNGs + labels.csv + metadata.jsonl, or an NPZ.",
            },
        },
    )
    def batch(body: BatchRequest) -> Response:
        """Many samples in one streamed download.

        ``format=zip``: ``000000.png``... plus ``labels.csv`` (file_name,text) and
        ``metadata.jsonl`` (file_name, text, boxes, index).  ``format=npz``:
        ``images`` uint8 ``(count, 28, image_width)`` (255 = paper), ``labels``,
        ``boxes`` with ``box_offsets``, ``indices``.  Sample ``i`` is the same
        as ``SyntheticDataset(spec)[i]`` for the spec echoed in ``X-Spec``.
        """
        from number_generator.data.dataset import SyntheticDataset

        spec = _batch_spec(body, settings)
        with _field("body", {"digits": "max_length", "phone": "formats", "text": "texts"}[body.kind]):
            dataset = SyntheticDataset(spec)  # validates the rest of the spec before streaming starts
        if not slots.try_take():
            return JSONResponse(
                {"detail": f"all {slots.size} batch streams of this server process are busy; retry later"},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        headers = {"X-Spec": json.dumps(spec, separators=(",", ":")), "X-Seed": str(spec["seed"])}
        if body.format == "zip":
            headers["Content-Disposition"] = 'attachment; filename="batch.zip"'
            return SlotStreamingResponse(stream_zip(dataset), slots, media_type="application/zip", headers=headers)
        headers["Content-Disposition"] = 'attachment; filename="batch.npz"'
        return SlotStreamingResponse(stream_npz(dataset), slots, media_type="application/octet-stream", headers=headers)

    @app.get("/v1/datasets")
    def datasets() -> list[dict]:
        """Glyph datasets: name, characters drawable, whether present on this server."""
        out = []
        for name in dataset_names():
            ds = get_dataset(name)
            out.append(
                {
                    "name": name,
                    "description": ds.description,
                    "present": bool(ds.present()),
                    "characters": "".join(ds.char_labels()),
                }
            )
        return out

    @app.get("/healthz")
    async def healthz() -> dict:
        """Liveness: always open (no API key needed)."""
        return {"status": "ok", "version": __version__}

    static = resources.files("number_generator.api") / "static"

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def playground() -> HTMLResponse:
        return HTMLResponse((static / "index.html").read_text(encoding="utf-8"))

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    docs_assets: dict[str, Any] = {}
    try:  # Swagger UI's files from the swagger-ui-bundle package (the 'api' extra), so /docs works offline
        import swagger_ui_bundle

        app.mount("/docs-static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-static")
        docs_assets = {
            "swagger_js_url": "/docs-static/swagger-ui-bundle.js",
            "swagger_css_url": "/docs-static/swagger-ui.css",
            "swagger_favicon_url": "/docs-static/favicon-32x32.png",
        }
    except ImportError:  # pragma: no cover - without it FastAPI's CDN defaults are used
        pass

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API docs", **docs_assets
        )

    app.add_middleware(_Guard, settings=settings)
    if settings.cors_origins:  # outermost, so preflight requests are answered before the key check
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type", "Authorization"],
            expose_headers=EXPOSED_HEADERS,
        )
    return app
