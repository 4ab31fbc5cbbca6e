"""`ceasefire agreements`: list agreements and show one with local times, history and stances."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import typer
from rich.table import Table

from ceasefire.agreements import service
from ceasefire.agreements.rules import format_local
from ceasefire.agreements.schemas import AgreementRead, EffectiveStance
from ceasefire.cli.context import console, fail, unit_of_work
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import AgreementKind

T = TypeVar("T")

app = typer.Typer(
    help="Agreements: time and geographic scope, status history, stances.", no_args_is_help=True
)


def _parse(text: str, parse: Callable[[str], T], option: str, what: str) -> T:
    try:
        return parse(text)
    except ValueError:
        raise fail(f"{option} must be {what} in ISO 8601, not {text!r}") from None


def _utc(instant: datetime | None) -> str:
    return f"{instant:%Y-%m-%d %H:%M} UTC" if instant else "open"


def _table(title: str | None, *columns: str, wide: tuple[str, ...] = ()) -> Table:
    """A table whose `wide` columns (ids, times) never wrap; the others share what is left."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, no_wrap=column in wide)
    return table


def _show(title: str, table: Table) -> None:
    """Print a table, or a one-line 'none' when it has no rows."""
    if table.row_count:
        console.print(table)
    else:
        console.print(f"[bold]{title}[/]: none")


@app.command("list")
def list_(
    kind: AgreementKind | None = typer.Option(None, help="Only agreements of this kind."),
    in_force_on: str | None = typer.Option(
        None, help="Only those in force at this instant, with its offset (2016-05-05T12:00+03:00)."
    ),
    parent: str | None = typer.Option(None, help="Only children of this agreement."),
) -> None:
    """List agreements by start, with their latest status."""
    at = _parse(in_force_on, datetime.fromisoformat, "--in-force-on", "an instant") if in_force_on else None
    with unit_of_work() as session:
        page = service.list_agreements(
            session, page=PageRequest(size=10_000), kind=kind, in_force_on=at, parent_id=parent
        )
        columns = ("id", "name", "kind", "starts (UTC)", "ends (UTC)", "status")
        table = _table(None, *columns, wide=("id", "starts (UTC)", "ends (UTC)", "status"))
        for item in page.items:
            status = item.status.value if item.status else ""
            kind_ = item.kind.value.replace("_", " ")
            ends = f"{item.ends_at:%Y-%m-%d %H:%M}" if item.ends_at else "open"
            table.add_row(item.id, item.name, kind_, f"{item.starts_at:%Y-%m-%d %H:%M}", ends, status)
        console.print(table)
        console.print(f"{page.total} agreement(s)")


def _stance_table(title: str, entries: list[EffectiveStance]) -> Table:
    table = _table(title, "party", "since", "until", "from", "source", wide=("since", "until"))
    for e in entries:
        origin = f"inherited from {e.from_agreement_id}" if e.inherited else "own record"
        table.add_row(
            f"{e.party_name} ({e.party_id})",
            str(e.valid_from),
            str(e.valid_to or "open"),
            origin,
            e.source or "",
        )
    return table


def _print_agreement(read: AgreementRead) -> None:
    tz = read.timezone
    console.print(f"[bold]{read.name}[/] ({read.id}) — {read.kind.value}, status {read.status or 'none'}")
    if read.parent_id:
        console.print(f"parent: {read.parent_id}")
    console.print(f"starts: {_utc(read.starts_at)} = {format_local(read.starts_at, tz)}")
    ends = f"{_utc(read.ends_at)} = {format_local(read.ends_at, tz)}" if read.ends_at else "open"
    console.print(f"ends:   {ends}")
    scope = ", ".join(f"{a.mode.value} {a.area_name} ({a.area_id})" for a in read.areas) or "no areas listed"
    console.print(f"scope:  {read.scope_kind.value}; {scope}")
    if read.source:
        console.print(f"source: {read.source} {read.source_url or ''}")
    history = _table(
        "Status history", "status", "at (UTC)", f"at ({tz})", "source", "note", wide=("at (UTC)",)
    )
    for h in read.status_history:
        local = format_local(h.at, tz).removesuffix(f" {tz}").replace(f" {tz} ", " ")
        history.add_row(h.status.value, _utc(h.at), local, h.source or "", h.note or "")
    _show("Status history", history)
    obligations = _table("Obligations", "kind", "category", "description")
    for o in read.obligations:
        obligations.add_row(o.kind.value, o.category, o.description or "")
    _show("Obligations", obligations)
    roles = _table("Roles", "party", "role")
    for p in read.parties:
        roles.add_row(f"{p.party_name} ({p.party_id})", p.role.value)
    _show("Roles", roles)
    console.print(f"stances on {read.stances_on}:")
    for title, entries in (
        ("Committed", read.committed_parties),
        ("Excluded", read.excluded_parties),
        ("Rejected", read.rejected_parties),
    ):
        _show(title, _stance_table(title, entries))


@app.command("show")
def show(
    agreement_id: str = typer.Argument(..., help="Agreement id."),
    on: str | None = typer.Option(
        None, help="Day (YYYY-MM-DD) for the stance lists (default: today, clamped)."
    ),
) -> None:
    """Show one agreement: times in UTC and local zone, status history, obligations, stances."""
    day = _parse(on, date.fromisoformat, "--on", "a day") if on is not None else None
    with unit_of_work() as session:
        _print_agreement(service.read_agreement(session, agreement_id=agreement_id, on=day))
