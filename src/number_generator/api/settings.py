"""Server settings: limits, API key, CORS origins, datasets loaded at start.

Every setting comes from an environment variable (so ``--workers N``
processes all see the same values); ``number-generator serve`` options set
those variables.  Defaults suit a public demo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

ENV_PREFIX = "NUMBER_GENERATOR_API_"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(ENV_PREFIX + name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX + name} must be an integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{ENV_PREFIX + name} must be at least 1, got {value}")
    return value


def _list_env(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None:
        return default
    return tuple(v.strip() for v in raw.split(",") if v.strip())


def unusable_key_characters(key: str) -> list[str]:
    """Characters of ``key`` an API key may not hold, sorted (empty if the key is usable).

    A key travels in a header, a cookie and (once) a URL, so it must be
    printable ASCII without spaces, quotes, commas, semicolons or backslashes
    (what a cookie value allows; RFC 6265 section 4.1.1).
    """
    return sorted({c for c in key if not ("!" <= c <= "~") or c in '";,\\'})


def check_api_key(key: str | None) -> str | None:
    """Return ``key`` if usable as an API key (see :func:`unusable_key_characters`), else raise ``ValueError``."""
    if key is None:
        return None
    bad = unusable_key_characters(key)
    if bad:
        raise ValueError(
            f"{ENV_PREFIX}KEY (--api-key) must be printable ASCII without spaces, quotes, commas, semicolons "
            f"or backslashes; it holds {', '.join(repr(c) for c in bad)}"
        )
    return key


@dataclass(frozen=True)
class Settings:
    """Limits and access rules of one server.

    Attributes (environment variable ``NUMBER_GENERATOR_API_<NAME>``)
    ----------------------------------------------------------------
    max_length : int (``MAX_LENGTH``, default 256)
        Most characters in one sequence or text.
    max_width : int (``MAX_WIDTH``, default 4096)
        Widest image, pixels.
    max_batch : int (``MAX_BATCH``, default 10,000)
        Most images in one ``/v1/batch`` request.
    max_body_bytes : int (``MAX_BODY_BYTES``, default 65,536)
        Largest request body.
    max_cost : int (``MAX_COST``, default 2,000,000,000)
        Work budget of one request, in pixel-passes: ``images x (28 x
        image_width + 784 x characters) x (1 + transforms)`` (see
        :func:`number_generator.api.limits.request_cost`); a request at the
        default budget takes about 8 s of one core.  Past it: 422 before any work.
    max_streams : int (``MAX_STREAMS``, default 2)
        ``/v1/batch`` downloads generated at once by one server process;
        past it: 503 with ``Retry-After`` (single images are never queued
        behind batches).
    shutdown_grace : int (``SHUTDOWN_GRACE``, default 5)
        Seconds a stopping server lets open downloads run before it cancels them.
    api_key : str or None (``KEY``)
        When set, every endpoint but ``/healthz`` needs header ``X-API-Key``
        (or ``Authorization: Bearer <key>``, scheme case-insensitive); printable
        ASCII without spaces, quotes, commas, semicolons or backslashes.
    cors_origins : tuple of str (``CORS_ORIGINS``, comma-separated; default none)
        Origins allowed to call the API from a browser page of another origin.
    preload : tuple of str (``PRELOAD``, default ``mnist``)
        Datasets whose glyphs are loaded at start, not on the first request.
    """

    max_length: int = 256
    max_width: int = 4096
    max_batch: int = 10_000
    max_body_bytes: int = 65_536
    max_cost: int = 2_000_000_000
    max_streams: int = 2
    shutdown_grace: int = 5
    api_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    preload: tuple[str, ...] = field(default=("mnist",))

    @classmethod
    def from_env(cls) -> Settings:
        default = cls()
        return cls(
            max_length=_int_env("MAX_LENGTH", default.max_length),
            max_width=_int_env("MAX_WIDTH", default.max_width),
            max_batch=_int_env("MAX_BATCH", default.max_batch),
            max_body_bytes=_int_env("MAX_BODY_BYTES", default.max_body_bytes),
            max_cost=_int_env("MAX_COST", default.max_cost),
            max_streams=_int_env("MAX_STREAMS", default.max_streams),
            shutdown_grace=_int_env("SHUTDOWN_GRACE", default.shutdown_grace),
            api_key=os.environ.get(ENV_PREFIX + "KEY") or None,
            cors_origins=_list_env("CORS_ORIGINS", default.cors_origins),
            preload=_list_env("PRELOAD", default.preload),
        )

    def __post_init__(self) -> None:
        check_api_key(self.api_key)
