"""Rendering pages: one Jinja2 environment per language (autoescaped, strict), one context shape.

Every page gets: `lang` and `dir` of the request, the language switch, the signed-in user (if any),
`csrf_token` for its forms, and `alternate`, the URL of its JSON twin (a <link rel=alternate>).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ceasefire.identity.rules import Permission, has_permission
from ceasefire.web.i18n import LANG_COOKIE, LANGUAGES, negotiate, translations
from ceasefire.web.security import CSRF_COOKIE, cookie_secure, csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
LOCAL_ZONE = ZoneInfo("Asia/Damascus")  # the mission's local time, shown beside UTC


def request_language(request: Request) -> str:
    """The language this request is answered in (cached on the request)."""
    code = getattr(request.state, "lang", None)
    if code is None:
        code = negotiate(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )
        request.state.lang = code
    return str(code)


@cache
def environment(code: str) -> Environment:
    """The template environment of one language, with its catalogue installed."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = lambda value, fmt="medium": _format_datetime(value, code, fmt)
    env.filters["local"] = lambda value, fmt="medium": _format_datetime(value, code, fmt, LOCAL_ZONE)
    env.filters["number"] = lambda value: format_decimal(value, locale=code)
    return env


def _format_datetime(value: datetime | None, code: str, fmt: str, zone: ZoneInfo | None = None) -> str:
    if value is None:
        return ""
    return format_datetime(value, format=fmt, tzinfo=zone or ZoneInfo("UTC"), locale=code)


def lang_url(request: Request, code: str) -> str:
    """This page's URL in another language."""
    return str(request.url.include_query_params(lang=code))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    alternate: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page in the request's language, remembering an explicit language choice."""
    code = request_language(request)
    language = LANGUAGES[code]
    user = getattr(request.state, "user", None)
    page = {
        "request": request,
        "lang": code,
        "dir": language.direction,
        "languages": LANGUAGES.values(),
        "lang_url": lambda other: lang_url(request, other),
        "user": user,
        # Whether the signed-in user's role grants a permission (to show only the links it may follow).
        "user_may": lambda name: user is not None and has_permission(user.role, Permission(name)),
        "csrf_token": csrf_token(request),
        "alternate": alternate,
        "url": lambda name, **params: request.url_for(name, **params).path,
        **(context or {}),
    }
    body = environment(code).get_template(template).render(page)
    response = HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
    secure = cookie_secure(request)
    if "lang" in request.query_params and request.query_params["lang"] in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure)
    new_seed = getattr(request.state, "new_csrf_seed", None)
    if new_seed:
        response.set_cookie(CSRF_COOKIE, new_seed, httponly=True, samesite="lax", secure=secure, path="/")
    return response
