"""`ceasefire serve`: run the API with uvicorn (host, port and workers from settings)."""

from __future__ import annotations

import typer
import uvicorn

from ceasefire.cli.context import require_schema, settings


def serve(
    host: str | None = typer.Option(None, help="Listen address (default: CEASEFIRE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default: CEASEFIRE_PORT)."),
    workers: int | None = typer.Option(None, help="Worker processes (default: CEASEFIRE_WORKERS)."),
) -> None:
    """Serve the API until interrupted."""
    current = settings()
    require_schema()
    uvicorn.run(
        "ceasefire.app:create_app",
        factory=True,
        host=host or current.host,
        port=port or current.port,
        workers=workers or current.workers,
        log_level=current.log_level,
    )
