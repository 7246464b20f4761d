"""The REST API: a thin FastAPI layer over the library.

Generation is CPU work, so every generating endpoint is a plain ``def``:
FastAPI runs it in its thread pool and the event loop stays free.  Input is
checked by the library's own validation; a request past a limit or with a bad
value gets HTTP 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
naming the field (and the limit).  No endpoint reads or writes a file a client
names: augmentation is a preset name or an inline JSON pipeline, never a path.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from number_generator import __version__
from number_generator.api.errors import LimitError, problem
from number_generator.api.guard import KeyAndSizeGuard
from number_generator.api.limits import (
    RETRY_AFTER_SECONDS,
    SlotStreamingResponse,
    StreamSlots,
    redact_access_log,
)
from number_generator.api.requests import (
    PHONE_CHARACTERS,
    BatchRequest,
    PhoneRequest,
    SequenceRequest,
    batch_spec,
    budgeted_augment,
    check_fields,
    check_limits,
    check_seed_project_body,
    checked_styles,
    field_errors,
)
from number_generator.api.settings import Settings
from number_generator.api.streams import stream_npz, stream_zip
from number_generator.core.options import check_fill, spacing_from_bounds
from number_generator.io.png import encode_png

PNG = "image/png"
EXPOSED_HEADERS = ["X-Label", "X-Boxes", "X-Seed", "X-Phone-Number"]


def _png(sample, seed: int, extra: dict | None = None) -> Response:
    headers = {
        "X-Label": sample.text,
        "X-Boxes": json.dumps(sample.boxes.tolist(), separators=(",", ":")),
        "X-Seed": str(seed),
        "Cache-Control": "no-store",
        **(extra or {}),
    }
    return Response(encode_png(sample.image), media_type=PNG, headers=headers)


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
        return problem(exc.loc, str(exc), "limit" if exc.limit is not None else "value_error", exc.limit)

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError):
        return problem(["request"], str(exc), "value_error")

    # --- the seed project's endpoints, kept compatible

    @app.post(
        "/generate-numbers-sequence",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG."}, 422: {"description": "Bad input."}},
    )
    def generate_numbers_sequence(body: SequenceRequest) -> Response:
        """The seed's endpoint: a digit sequence as PNG (label, boxes and seed in headers)."""
        from number_generator.core.validation import parse_digits

        with field_errors("body", "sequence"):
            digits = parse_digits(body.sequence)
        check_limits(settings, "body", image_width=body.image_width, length=len(digits))
        budgeted_augment(
            settings, ["body", "image_width"], None, images=1, image_width=body.image_width, characters=len(digits)
        )
        seed = check_seed_project_body(body)
        sample = render_text(digits, (body.min_spacing, body.max_spacing), body.image_width, dataset="mnist", seed=seed)
        return _png(sample, seed)

    @app.post(
        "/generate-phone-number",
        response_class=Response,
        responses={200: {"content": {PNG: {}}, "description": "The PNG; the number in X-Phone-Number."}},
    )
    def generate_phone_number(body: PhoneRequest) -> Response:
        """The seed's endpoint: a random Japanese phone number as PNG (the number in ``X-Phone-Number``)."""
        check_limits(settings, "body", image_width=body.image_width)
        budgeted_augment(
            settings, ["body", "image_width"], None, images=1, image_width=body.image_width, characters=PHONE_CHARACTERS
        )
        seed = check_seed_project_body(body)
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
        check_limits(
            settings,
            "query",
            image_width=image_width,
            length=len(chars),
            length_field="digits" if digits is not None else "text",
        )
        pipeline = budgeted_augment(
            settings, ["query", "image_width"], augment, images=1, image_width=image_width, characters=len(chars)
        )
        seed = check_fields(
            "query",
            image_width=image_width,
            min_spacing=min_spacing,
            max_spacing=max_spacing,
            dataset=dataset,
            split=split,
            seed=("seed", seed),
        )
        with field_errors("query", "min_fill"):
            if min_fill is None and max_fill is not None:
                raise ValueError("give min_fill with max_fill")
            fill = check_fill(None if min_fill is None else (min_fill, min_fill if max_fill is None else max_fill))
        framing: dict[str, Any] = {"fill": fill} if fill is not None else {}  # None keeps the preset's fill
        with field_errors("query", "digits" if digits is not None else "text"):  # what is left: the characters
            sample = draw(
                chars,
                seed=seed,
                spacing_range=spacing_from_bounds(min_spacing, max_spacing),
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
        augment: Annotated[
            str | None, Query(description="none, light, medium, heavy, realistic, or inline JSON.")
        ] = None,
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
        check_limits(settings, "query", image_width=image_width)
        pipeline = budgeted_augment(
            settings, ["query", "image_width"], augment, images=1, image_width=image_width, characters=PHONE_CHARACTERS
        )
        seed = check_fields(
            "query", image_width=image_width, min_spacing=min_spacing, max_spacing=max_spacing, split=split,
            seed=("seed", seed),
        )  # fmt: skip
        styles = checked_styles(style, ["query", "style"]) if style else None
        with field_errors("query", "format"):  # what is left: the formats
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

        spec = batch_spec(body, settings)
        with field_errors("body", {"digits": "max_length", "phone": "formats", "text": "texts"}[body.kind]):
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

    app.add_middleware(KeyAndSizeGuard, settings=settings)
    if settings.cors_origins:  # outermost, so preflight requests are answered before the key check
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type", "Authorization"],
            expose_headers=EXPOSED_HEADERS,
        )
    return app
