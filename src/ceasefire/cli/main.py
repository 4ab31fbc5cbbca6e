"""The `ceasefire` command: assembles the sub-commands."""

from __future__ import annotations

import typer

from ceasefire.cli import db, get, serve, users

app = typer.Typer(
    name="ceasefire",
    help="Monitor a cessation of hostilities and coordinate humanitarian access around it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)
app.command("get")(get.get)


def main() -> None:
    """Entry point of the console script."""
    app()
