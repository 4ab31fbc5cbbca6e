"""`ceasefire demo`: a ready-to-explore installation with the 2016 replay and demo accounts.

The demo always uses the embedded SQLite database of its data directory (never a configured
PostgreSQL URL: demo data must not land in a real registry), builds its own settings and engine
(not the cached ones of other commands) and disposes of the engine before it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ceasefire.app import create_app
from ceasefire.cli.context import console
from ceasefire.db.base import Base
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.identity import service as identity
from ceasefire.identity.rules import Role
from ceasefire.identity.schemas import TokenCreate, UserCreate
from ceasefire.interchange import ReplaySummary, load_replay
from ceasefire.kernel.actor import Actor
from ceasefire.migrations import runner
from ceasefire.models import (
    Agreement,
    Area,
    Incident,
    Message,
    Party,
    PartyRelation,
    PartyStance,
    Place,
    Report,
    User,
)
from ceasefire.settings import Settings, load_settings

DEMO_PASSWORD = "ceasefire-demo-2016"  # noqa: S105 - printed on purpose: a demo, not a secret
HOST = "127.0.0.1"
DEMO_ACTOR = Actor(id="system", username="demo", role="admin", via="cli")

DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None], ...] = (
    ("admin", "Demo administrator", Role.ADMIN, None),
    ("analyst", "Demo analyst", Role.ANALYST, None),
    ("liaison", "Demo liaison officer", Role.LIAISON_OFFICER, None),
    ("coordinator", "Demo humanitarian coordinator", Role.HUMANITARIAN_COORDINATOR, None),
    ("observer", "Demo observer", Role.OBSERVER, None),
    (
        "sy-gov-rep",
        "Demo representative of the Syrian government forces",
        Role.PARTY_REPRESENTATIVE,
        "syrian-government-forces",
    ),
)
"""(username, display name, role, party) of each demo account."""

ACCOUNT_USES: dict[str, str] = {
    "admin": "users and tokens; everything an analyst does",
    "analyst": "the secretariat's work: structure reports, group incidents, assess applicability, "
    "issue determinations; sees everything, contact details included",
    "liaison": "reads every report and incident to talk to the parties; no contact details",
    "coordinator": "submits reports and evidence; sees its own submissions and what is released "
    "to the parties or published",
    "observer": "submits reports from the field; sees its own submissions and what is released",
    "sy-gov-rep": "the Syrian government's view: its own submissions, the incidents it reported or "
    "is accused in (other reporters withheld), and what is published; 404 for the rest",
}
"""What each demo account is for, printed by the demo."""


def demo_settings(data_dir: Path | None) -> Settings:
    """Settings of the demo: demo mode, the SQLite file of the data directory (given or per-user)."""
    overrides: dict[str, object] = {"demo_mode": True, "database_url": None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return load_settings(**overrides)


@contextmanager
def demo_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the demo database, created for this command and disposed of after it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine_for(settings.resolved_database_url(), echo=settings.sql_echo)
    try:
        yield engine
    finally:
        engine.dispose()


def _load(session: Session) -> ReplaySummary:
    """Load the gazetteer and the replay with a progress bar."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks = {
            "gazetteer": bar.add_task("gazetteer places", total=None),
            "replay": bar.add_task("2016 replay items", total=None),
        }

        reported: set[str] = set()

        def advance(stage: str, done: int, total: int) -> None:
            reported.add(stage)
            bar.update(tasks[stage], completed=done, total=total)

        summary = load_replay(session, actor=DEMO_ACTOR, progress=advance)
        for stage in set(tasks) - reported:  # nothing new to write: the stage is complete at once
            bar.update(tasks[stage], completed=1, total=1)
    return summary


def ensure_demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; (username, role, token or how to get one)."""
    rows = []
    for username, display_name, role, party_id in DEMO_ACCOUNTS:
        user = identity.find_user(session, username=username)
        if user is None:
            data = UserCreate(
                username=username,
                display_name=display_name,
                role=role,
                party_id=party_id,
                password=DEMO_PASSWORD,
            )
            user = identity.create_user(session, data=data, actor=DEMO_ACTOR, reason="demo account")
        if any(t.revoked_at is None for t in identity.list_tokens(session, user=user)):
            token = f"token already issued; run `ceasefire users token {username}`"
        else:
            issued = identity.issue_token(session, user=user, data=TokenCreate(name="demo"), actor=DEMO_ACTOR)
            token = issued.token
        rows.append((username, user.role, token))
    return rows


def registry_counts(session: Session) -> dict[str, int]:
    """How many of each registry item the database holds."""
    models = {
        "parties": Party,
        "places": Place,
        "areas": Area,
        "agreements": Agreement,
        "stances": PartyStance,
        "relations": PartyRelation,
        "users": User,
    }
    return _counts(session, models)


def workflow_counts(session: Session) -> dict[str, int]:
    """How many messages, reports (versions) and incidents the database holds."""
    return _counts(session, {"messages": Message, "reports": Report, "incidents": Incident})


def _counts(session: Session, models: dict[str, type[Base]]) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()
    }


def _print_accounts(rows: list[tuple[str, str, str]], settings: Settings, data_dir: Path | None) -> None:
    # Plain lines, not a table: a token must never be cut to fit the terminal.
    console.print(f"demo accounts (password of each: [bold]{DEMO_PASSWORD}[/]):")
    width = max(len(username) for username, _, _ in rows)
    for username, role, token in rows:
        console.print(f"  {username:<{width}}  {role:<24}  {token}", soft_wrap=True, highlight=False)
    console.print("use them for (in-process: `ceasefire get PATH --as USERNAME`):")
    for username, _, _ in rows:
        console.print(f"  {username:<{width}}  {ACCOUNT_USES[username]}", soft_wrap=True, highlight=False)
    if data_dir is not None:
        console.print(f"other commands reach this database with CEASEFIRE_DATA_DIR={settings.data_dir}")


def demo(
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        file_okay=False,
        help="Directory of the demo database (default: per-user data dir).",
    ),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port to serve on (default: CEASEFIRE_PORT)."
    ),
    no_serve: bool = typer.Option(False, "--no-serve", help="Set everything up, print it, and exit."),
) -> None:
    """Create or upgrade a demo database, load the 2016 replay, print the demo accounts, serve the API."""
    settings = demo_settings(data_dir)
    port = port or settings.port
    with demo_engine(settings) as engine:
        runner.upgrade(engine)
        with transaction(session_factory(engine)) as session:
            summary = _load(session)
            accounts = ensure_demo_accounts(session)
            counts = registry_counts(session) | workflow_counts(session)
        console.print(f"database: {settings.resolved_database_url()}")
        new = summary.total_created
        console.print(f"loaded: {new} new items; " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        _print_accounts(accounts, settings, data_dir)
        console.print(f"web pages: http://{HOST}:{port}/ (sign in at /login)")
        console.print(f"health: http://{HOST}:{port}/api/v1/health")
        console.print(f"API docs: http://{HOST}:{port}/api/v1/docs")
        if no_serve:
            return
        console.print(f"serving on http://{HOST}:{port} (Ctrl+C to stop)")
        uvicorn.run(create_app(settings, engine=engine), host=HOST, port=port, log_level=settings.log_level)
