"""How the API answers a bad request: HTTP 422 with JSON naming the field (and the limit, when there is one)."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class LimitError(ValueError):
    """A value past a configured limit; carries the field and the limit for the 422 answer."""

    def __init__(self, loc: list[str], message: str, limit: int | None = None):
        super().__init__(message)
        self.loc, self.limit = loc, limit


def problem(loc: list, message: str, kind: str, limit: int | None = None) -> JSONResponse:
    """The 422 answer ``{"detail": [{"loc", "msg", "type"[, "limit"]}]}``.

    ``kind`` is ``"limit"`` (a configured limit, given in ``limit``) or ``"value_error"``.
    """
    item: dict[str, object] = {"loc": loc, "msg": message, "type": kind}
    if limit is not None:
        item["limit"] = limit
    return JSONResponse({"detail": [item]}, status_code=422)
