"""Safety of the web tier: security headers with a strict Content-Security-Policy, and CSRF tokens.

CSRF uses signed double submit: every browser gets a random `cf_csrf` cookie (HttpOnly, SameSite=Lax)
and every form carries HMAC(secret, cookie) in a hidden `csrf_token` field; a POST is accepted only
when the field matches the cookie, and its Origin (when sent) is this site. The secret is derived
with HKDF from the first encryption key, so every worker of one deployment agrees on it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from typing import Annotated
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceasefire.kernel.errors import Forbidden

CSRF_COOKIE = "cf_csrf"
CSRF_FIELD = "csrf_token"
# The OpenAPI explorer is FastAPI's page (inline script, CDN assets), not ours: it keeps its own policy.
CSP_EXEMPT = ("/api/v1/docs",)


def derive_secret(key_material: str | None) -> bytes:
    """The CSRF signing secret: HKDF of the first encryption key, or random for this process."""
    if not key_material:
        return secrets.token_bytes(32)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ceasefire web csrf v1")
    return hkdf.derive(key_material.encode())


def content_security_policy(tile_origins: Iterable[str] = ()) -> str:
    """The page policy: only our own scripts, styles and fonts; images also from the tile server."""
    images = " ".join(["'self'", "data:", *tile_origins])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def tile_origins(tile_url: str | None) -> list[str]:
    """The origin(s) of a tile URL template, for img-src ({s} subdomains become a wildcard)."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url.replace("{s}", "tiles"))
    host = parts.hostname or ""
    if "{s}" in tile_url:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    port = f":{parts.port}" if parts.port else ""
    return [f"{parts.scheme}://{host}{port}"]


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope["path"].startswith(CSP_EXEMPT)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if exempt and name == "Content-Security-Policy":
                        continue
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_loopback(host: str | None) -> bool:
    """Whether a host name is this machine (plain http is tolerated there, for the demo)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request) -> bool:
    """Cookies are Secure except over plain http to this very machine (the laptop demo)."""
    return request.url.scheme == "https" or not is_loopback(request.url.hostname)


def csrf_seed(request: Request) -> str:
    """This browser's CSRF cookie value, making one (set on the response by the renderer) if new."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed:
        return str(seed)
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) < 32:
        seed = secrets.token_urlsafe(32)
        request.state.new_csrf_seed = seed
    request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    """The token the forms of this page carry."""
    secret: bytes = request.app.state.web_secret
    return hmac.new(secret, csrf_seed(request).encode(), hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return (parts.hostname, parts.port or _default_port(parts.scheme)) == (
        request.url.hostname,
        request.url.port or _default_port(request.url.scheme),
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


async def verify_csrf(request: Request) -> None:
    """Refuse a form post without a valid token for this browser, or from another origin."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    secret: bytes = request.app.state.web_secret
    expected = hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest() if cookie else None
    if not isinstance(sent, str) or expected is None or not hmac.compare_digest(sent, expected):
        raise Forbidden(
            "this form has expired or did not come from this site; reload the page and try again",
            code="csrf_failed",
        )
    if not _same_origin(request):
        raise Forbidden("this form was sent from another site", code="csrf_failed")


CsrfChecked = Annotated[None, Depends(verify_csrf)]
