"""Alembic environment: uses the connection or URL handed over by ceasefire.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ceasefire.db.engine import create_engine_for
from ceasefire.models import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection given in config.attributes, or a fresh engine from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine_for(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `ceasefire db upgrade`")
run_migrations_online()
