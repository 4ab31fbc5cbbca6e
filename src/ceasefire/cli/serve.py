"""`ceasefire serve`: run the API with uvicorn (host, port and workers from settings)."""

from __future__ import annotations

import typer
import uvicorn

from ceasefire.app import build_cipher
from ceasefire.cli.context import fail, require_schema, settings


def serve(
    host: str | None = typer.Option(None, help="Listen address (default: CEASEFIRE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default: CEASEFIRE_PORT)."),
    workers: int | None = typer.Option(None, help="Worker processes (default: CEASEFIRE_WORKERS)."),
) -> None:
    """Serve the API until interrupted."""
    current = settings()
    require_schema()
    if not current.demo_mode and build_cipher(current) is None:
        raise fail(
            "CEASEFIRE_ENCRYPTION_KEYS is not set: the server will not start without a key protecting "
            "reporters' contact details; make one with `ceasefire keys generate`"
        )
    uvicorn.run(
        "ceasefire.app:create_server_app",
        factory=True,
        host=host or current.host,
        port=port or current.port,
        workers=workers or current.workers,
        log_level=current.log_level,
    )
