"""`ceasefire parties`: list and show parties, and resolve a name on a date."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from ceasefire.cli.context import console, unit_of_work
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PartyKind
from ceasefire.parties import resolver, service

app = typer.Typer(help="Browse the party registry and resolve party names.", no_args_is_help=True)


def _day(value: str | None) -> date | None:
    """Parse --on as an ISO date (YYYY-MM-DD)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2016-07-28") from None


def _period(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from is None and valid_to is None:
        return "always"
    return f"{valid_from or '…'} – {valid_to or '…'}"


@app.command("list")
def list_(
    kind: PartyKind | None = typer.Option(None, help="Only parties of this kind."),
    q: str | None = typer.Option(None, "--q", help="Text found in any of a party's names."),
    page: int = typer.Option(1, min=1, help="Page number, from 1."),
    size: int = typer.Option(50, min=1, max=500, help="Parties per page."),
) -> None:
    """List parties by name."""
    with unit_of_work() as session:
        found = service.list_parties(session, page=PageRequest(page=page, size=size), kind=kind, q=q)
        table = Table("id", "name", "kind", "aliases", title=f"{found.total} parties (page {page})")
        for party in found.items:
            table.add_row(party.id, party.name, party.kind, str(len(party.aliases)))
        console.print(table)


@app.command("show")
def show(party_id: str = typer.Argument(..., help="The party's id.")) -> None:
    """Show a party with its aliases, stances and relations."""
    with unit_of_work() as session:
        party = service.read_party(session, party_id=party_id)
    console.print(f"[bold]{party.name}[/] ({party.id}) — {party.kind}")
    if party.description:
        console.print(party.description)
    if party.source:
        console.print(f"source: {party.source} {party.source_url or ''}".rstrip())
    aliases = Table("alias", "language", "kind", "in use", title="aliases")
    for alias in party.aliases:
        aliases.add_row(alias.value, alias.language, alias.kind, _period(alias.valid_from, alias.valid_to))
    console.print(aliases)
    if party.stances:
        stances = Table("agreement", "stance", "period", "source", title="stances")
        for stance in party.stances:
            period = _period(stance.valid_from, stance.valid_to)
            stances.add_row(stance.agreement_id, stance.stance, period, stance.source or "")
        console.print(stances)
    if party.relations:
        relations = Table("subject", "relation", "object", "period", title="relations")
        for rel in party.relations:
            period = _period(rel.valid_from, rel.valid_to)
            relations.add_row(rel.subject_party_id, rel.relation, rel.object_party_id, period)
        console.print(relations)


@app.command("resolve")
def resolve(
    name: str = typer.Argument(..., help="A party name in any spelling, language or script."),
    on: str | None = typer.Option(None, help="The day the name was used (YYYY-MM-DD)."),
    limit: int = typer.Option(5, min=1, max=50, help="Most candidates to show."),
) -> None:
    """Rank the parties a name may denote (on a date), with an explanation of each."""
    day = _day(on)
    with unit_of_work() as session:
        candidates = resolver.resolve_party(session, name, on=day, limit=limit)
    if not candidates:
        console.print(f"no party matches {name!r}")
        raise typer.Exit(1)
    title = f"parties named {name!r}" + (f" on {day.isoformat()}" if day else "")
    table = Table("party", "matched", "score", "method", "in use", "explanation", title=title)
    for c in candidates:
        table.add_row(
            f"{c.party_name}\n[dim]{c.party_id}[/]",
            f"{c.matched_alias} ({c.language})",
            f"{c.score:.0f}",
            c.method,
            "yes" if c.in_use else "[yellow]no[/]",
            c.explanation,
        )
    console.print(table)
