"""What every command needs: settings, an engine, a unit of work and the acting user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache, partial

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity import service as identity
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import DomainError
from ceasefire.migrations.runner import current_revision, head_revision
from ceasefire.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)


@cache
def settings() -> Settings:
    """Settings, read once per process when a command first needs them."""
    return load_settings()


@cache
def engine() -> Engine:
    """The engine for the configured database (the SQLite directory is created if needed)."""
    current = settings()
    if not current.database_url:
        current.data_dir.mkdir(parents=True, exist_ok=True)
    return create_engine_for(current.resolved_database_url(), echo=current.sql_echo)


def evidence_store() -> EvidenceStore:
    """The evidence store of the configured evidence directory."""
    return EvidenceStore(settings().resolved_evidence_dir())


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error in red on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def require_schema() -> None:
    """Refuse to work on a database whose schema is not at the shipped head."""
    revision, head = current_revision(engine()), head_revision()
    if revision != head:
        raise fail(f"database schema is at {revision or 'nothing'}, not {head}: run `ceasefire db upgrade`")


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A committed-or-rolled-back session; domain errors become a clear message and exit code 1."""
    require_schema()
    try:
        with transaction(session_factory(engine())) as session:
            yield session
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        raise fail(f"{exc.message}{where}") from None


def units() -> Callable[[], AbstractContextManager[Session]]:
    """Units of work for a job that commits in steps (each call: a committed-or-rolled-back session)."""
    require_schema()
    return partial(transaction, session_factory(engine()))


def actor_named(session: Session, username: str | None) -> Actor:
    """The actor for --as USER; the system actor (labelled cli) when none is given."""
    if username is None:
        return Actor(id="system", username="cli", role="admin", via="cli")
    return identity.actor_for(identity.get_user(session, username=username), via="cli")
