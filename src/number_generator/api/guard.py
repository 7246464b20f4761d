"""The API key and request-size guard: a pure ASGI middleware in front of every endpoint but ``/healthz``."""

from __future__ import annotations

import hmac

from fastapi.responses import JSONResponse, Response

from number_generator.api.errors import problem
from number_generator.api.settings import Settings, unusable_key_characters

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


class KeyAndSizeGuard:
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
                    response = problem(
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
        response = problem(
            ["body"], f"request body of {size} bytes is above the limit of {limit} bytes", "limit", limit
        )
        await response(scope, receive, send)
