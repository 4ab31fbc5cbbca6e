"""Mount the pages on the application: routers, static files, security headers, error pages."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ceasefire.web.errors import install_page_error_handlers
from ceasefire.web.routes import access as access_pages
from ceasefire.web.routes import auth, correlation, desk, public, registries
from ceasefire.web.routes import map as map_pages
from ceasefire.web.security import SecurityHeaders, content_security_policy, derive_secret, tile_origins

STATIC_DIR = Path(__file__).parent / "static"
PAGE_ROUTERS = (public, auth, map_pages, desk, correlation, registries, access_pages)


def mount_web(app: FastAPI, *, key_material: str | None) -> None:
    """Add the pages to an app whose state already holds settings, sessions and the rate limiter."""
    settings = app.state.settings
    app.state.web_secret = derive_secret(key_material)
    for module in PAGE_ROUTERS:
        app.include_router(module.router)
    # Leaflet comes from its PyPI package (xstatic-leaflet), never from a CDN: missions run offline.
    app.mount("/static/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_page_error_handlers(app)
    app.add_middleware(SecurityHeaders, csp=content_security_policy(tile_origins(settings.map_tile_url)))
