"""The one JSON error envelope, and the mapping from domain error kinds to HTTP statuses."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ceasefire.kernel.errors import DomainError, ErrorKind

log = logging.getLogger("ceasefire.api")

STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.INVALID: 422,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.TOO_MANY: 429,
}

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def envelope(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build an error response: {"error": {"status", "code", "message", "field", "details"}}."""
    body = {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "field": field,
            "details": details,
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    """Dotted field path of a validation error, without the 'body'/'query' prefix."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = STATUS_BY_KIND[exc.kind]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if "retry_after" in exc.details:
        headers = {"Retry-After": str(exc.details["retry_after"])}
    return envelope(
        status, exc.code, exc.message, field=exc.field, details=exc.details or None, headers=headers
    )


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": _field_of(tuple(e.get("loc", ()))), "message": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"field": "body", "message": "invalid request"}
    malformed = any(p["type"] == "json_invalid" for p in problems)
    return envelope(
        400 if malformed else 422,
        "malformed_json" if malformed else "invalid",
        f"{first['field']}: {first['message']}",
        field=str(first["field"]),
        details=problems,
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODE_BY_STATUS.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return envelope(exc.status_code, code, message, headers=dict(exc.headers or {}) or None)


async def _integrity(_: Request, exc: Exception) -> JSONResponse:
    log.warning("integrity error: %s", exc)
    return envelope(409, "conflict", "the change conflicts with stored data")


BUSY_RETRY_SECONDS = 5


def database_busy(exc: Exception) -> bool:
    """Whether a database error is SQLite's "locked": one writer at a time, and a request that
    waited its busy timeout behind a long write (a batch correlation run grouping its reports, an
    import) is told to come back (503), not failed."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


async def _operational(request: Request, exc: Exception) -> JSONResponse:
    if database_busy(exc):
        log.warning("database busy: %s", exc)
        return envelope(
            503,
            "database_busy",
            "the database is busy with another change; nothing was stored, try again shortly",
            headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
        )
    return await _unexpected(request, exc)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return envelope(500, "internal_error", "internal error; the change was not stored")


Handler = Callable[[Request, Exception], Awaitable[Response]]

# Which failure goes through which envelope builder; the web pages wrap these for their own paths.
HANDLERS: dict[type[Exception], Handler] = {
    DomainError: _domain,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    IntegrityError: _integrity,
    OperationalError: _operational,
    Exception: _unexpected,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error."""
    return STATUS_BY_KIND[exc.kind]


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through the envelope."""
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
