"""`ceasefire db`: upgrade the schema, show its revision, check models against migrations."""

from __future__ import annotations

import typer

from ceasefire.cli.context import console, engine, fail
from ceasefire.migrations import runner

app = typer.Typer(help="Manage the database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Revision to upgrade to.")) -> None:
    """Create or upgrade the schema to the newest revision."""
    runner.upgrade(engine(), revision)
    console.print(f"schema at [bold]{runner.current_revision(engine())}[/]")


@app.command()
def current() -> None:
    """Print the schema revision of the database and the newest one shipped."""
    console.print(f"database: {engine().url.render_as_string(hide_password=True)}")
    console.print(f"current:  {runner.current_revision(engine()) or '(empty)'}")
    console.print(f"head:     {runner.head_revision()}")


@app.command()
def check() -> None:
    """Exit non-zero when the database is behind, or when models and migrations disagree."""
    revision, head = runner.current_revision(engine()), runner.head_revision()
    if revision != head:
        raise fail(f"schema at {revision or '(empty)'}, expected {head}: run `ceasefire db upgrade`")
    differences = runner.drift(engine())
    if differences:
        for diff in differences:
            console.print(f"  {diff}")
        raise fail("models and migrations have drifted apart")
    console.print(f"[green]schema at head {head}; models and migrations agree[/]")
