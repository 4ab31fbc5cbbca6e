"""Error pages: the API's failures keep their JSON envelope; the pages' failures get an HTML page.

A record the user may not know about and a record that does not exist get the very same 404 page
(no id, no hint), so a party's representative learns nothing from trying another party's ids.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ceasefire.api.errors import BUSY_RETRY_SECONDS, HANDLERS, Handler, database_busy, status_of
from ceasefire.kernel.errors import DomainError
from ceasefire.web.auth import SignInRequired
from ceasefire.web.templating import render

log = logging.getLogger("ceasefire.web")
API_PATHS = ("/api/",)


def _status_and_message(exc: Exception) -> tuple[int, str | None, dict[str, str]]:
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.details["retry_after"])} if "retry_after" in exc.details else {}
        return status_of(exc), exc.message, headers
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(map(str, e.get('loc', ())[1:]))}: {e.get('msg')}" for e in exc.errors()
        )
        return 422, problems, {}
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, exc.detail if isinstance(exc.detail, str) else None, {}
    if database_busy(exc):
        log.warning("database busy on a page: %s", exc)
        message = "The database is busy with another change; nothing was stored. Try again shortly."
        return 503, message, {"Retry-After": str(BUSY_RETRY_SECONDS)}
    log.exception("unexpected error on a page", exc_info=exc)
    return 500, None, {}


def error_page(request: Request, exc: Exception) -> Response:
    """The HTML answer to a failure on a page."""
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    status, message, headers = _status_and_message(exc)
    if status == 404:
        message = None  # one page for "missing" and "not yours"
    return render(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )


def _dispatch(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(API_PATHS):
            return await api_handler(request, exc)
        return error_page(request, exc)

    return handle


def install_page_error_handlers(app: FastAPI) -> None:
    """Replace the API's handlers by ones that answer pages in HTML and the API in JSON."""
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, _dispatch(handler))
