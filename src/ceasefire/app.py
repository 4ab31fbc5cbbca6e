"""Composition root: builds the engine and session factory, mounts the API, wires error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from ceasefire import __version__
from ceasefire.api.errors import install_error_handlers
from ceasefire.api.limits import BodySizeLimit
from ceasefire.api.ratelimit import RateLimiter
from ceasefire.api.routes import (
    access,
    agreements,
    areas,
    audit,
    correlation,
    determinations,
    evidence,
    health,
    identity,
    incidents,
    intake,
    parties,
    places,
)
from ceasefire.correlation import jobs
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity.crypto import FernetCipher, demo_key
from ceasefire.kernel.clock import utc_now
from ceasefire.settings import Settings, load_settings
from ceasefire.web.mount import mount_web
from ceasefire.web.routes import public as public_pages

API_PREFIX = "/api/v1"
# Room for the form fields and multipart framing around an evidence file of the largest size allowed.
MULTIPART_OVERHEAD = 64 * 1024


def _operation_id(route: APIRoute) -> str:
    """Stable operation ids: the route function's name (unique across the API)."""
    return route.name


def build_api() -> APIRouter:
    """All routers of version 1 of the API."""
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        health,
        identity,
        audit,
        parties,
        places,
        areas,
        agreements,
        intake,
        evidence,
        incidents,
        determinations,
        access,
        correlation,
    ):
        api.include_router(module.router)
    return api


class ConfigurationError(RuntimeError):
    """The settings do not allow the server to start."""


def build_cipher(settings: Settings) -> FernetCipher | None:
    """The cipher of reporters' contact details: the configured keys, the demo's own key, or None."""
    keys = [k.get_secret_value() for k in settings.encryption_keys]
    if not keys and settings.demo_mode:
        keys = [demo_key(settings.data_dir / "demo-encryption.key")]
    return FernetCipher(keys) if keys else None


def _first_key(settings: Settings) -> str | None:
    keys = [k.get_secret_value() for k in settings.encryption_keys]
    if not keys and settings.demo_mode:
        return demo_key(settings.data_dir / "demo-encryption.key")
    return keys[0] if keys else None


def create_server_app() -> FastAPI:
    """The factory `ceasefire serve` runs: refuses to start without an encryption key (but in demo mode)."""
    settings = load_settings()
    if build_cipher(settings) is None:
        raise ConfigurationError(
            "CEASEFIRE_ENCRYPTION_KEYS is not set: reporters' contact details cannot be protected. "
            "Make a key with `ceasefire keys generate` and set CEASEFIRE_ENCRYPTION_KEYS='[\"<key>\"]'."
        )
    return create_app(settings)


log = logging.getLogger(__name__)


def _recover_runs(app: FastAPI, started: datetime) -> None:
    """Batch runs left queued or running by a server that stopped are marked failed."""
    try:
        with app.state.units() as session:
            count = jobs.fail_interrupted(session, before=started)
    except SQLAlchemyError:  # no schema yet: nothing to recover
        log.warning("could not look for interrupted correlation runs", exc_info=True)
        return
    if count:
        log.warning("%d correlation run(s) interrupted by the last stop marked failed", count)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(_recover_runs, app, utc_now())
    yield


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the ASGI application; nothing is read or connected before this is called."""
    settings = settings or load_settings()
    if engine is None:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine_for(settings.resolved_database_url(), echo=settings.sql_echo)
    app = FastAPI(
        title="ceasefire",
        version=__version__,
        description="Monitor a cessation of hostilities and coordinate humanitarian access.",
        generate_unique_id_function=_operation_id,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.units = partial(transaction, app.state.sessions)  # units of work outside a request
    app.state.cipher = build_cipher(settings)
    app.state.evidence_store = EvidenceStore(settings.resolved_evidence_dir())
    app.state.rate_limiter = RateLimiter.build(
        settings.rate_limit_storage,
        {
            "login": settings.login_rate_limit,
            "public_report": settings.public_report_rate_limit,
            "receipt": settings.receipt_rate_limit,
        },
    )
    install_error_handlers(app)
    app.include_router(build_api())
    mount_web(app, key_material=_first_key(settings))
    upload_limit = max(settings.max_body_bytes, settings.max_evidence_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        overrides={
            f"{API_PREFIX}/evidence": upload_limit,
            **public_pages.upload_limits(settings, MULTIPART_OVERHEAD),
        },
    )
    return app
