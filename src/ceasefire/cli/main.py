"""The `ceasefire` command: assembles the sub-commands."""

from __future__ import annotations

import typer

from ceasefire.cli import (
    access,
    agreements,
    correlation,
    db,
    demo,
    determinations,
    evidence,
    get,
    incidents,
    intake,
    interchange,
    keys,
    parties,
    places,
    serve,
    users,
)
from ceasefire.cli import docs as docs_cli

app = typer.Typer(
    name="ceasefire",
    help="Monitor a cessation of hostilities and coordinate humanitarian access around it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(parties.app, name="parties")
app.add_typer(places.app, name="places")
app.add_typer(agreements.app, name="agreements")
app.add_typer(docs_cli.app, name="docs")
app.add_typer(keys.app, name="keys")
app.add_typer(intake.reports_app, name="reports")
app.add_typer(intake.messages_app, name="messages")
app.add_typer(evidence.app, name="evidence")
app.add_typer(incidents.app, name="incidents")
app.add_typer(determinations.applicability_app, name="applicability")
app.add_typer(determinations.app, name="determinations")
app.add_typer(correlation.app, name="correlate")
app.add_typer(access.app, name="access")
app.add_typer(access.observation_app, name="observation")
app.command("serve")(serve.serve)
app.command("get")(get.get)
app.command("demo")(demo.demo)
app.command("import")(interchange.import_)
app.command("export")(interchange.export)


def main() -> None:
    """Entry point of the console script."""
    app()
