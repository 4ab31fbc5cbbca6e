"""`ceasefire access` (movements, approvals, sites, corridors, sieges) and `ceasefire observation`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.table import Table

from ceasefire.access import service
from ceasefire.access.rules import ApprovalStatus, MovementStatus
from ceasefire.access.schemas import (
    ApprovalDecision,
    DailyLogCreate,
    MovementCreate,
    StatusChange,
)
from ceasefire.cli.context import actor_named, console, fail, unit_of_work
from ceasefire.kernel.clock import utc_now
from ceasefire.kernel.paging import PageRequest

app = typer.Typer(
    help="Humanitarian access: movements and approvals, sites, corridors, sieges.", no_args_is_help=True
)
observation_app = typer.Typer(
    help="Observation posts: daily logs and the ones overdue.", no_args_is_help=True
)

AS_USER = typer.Option(None, "--as", help="Act as this user (default: the system).")
MOVEMENT = typer.Argument(..., help="The movement's id.")
POST = typer.Argument(..., help="The observation post's id.")
AT = typer.Option(None, help="The instant to compute for, with its offset (default: now).")


def _load(path: Path, model: type[BaseModel]) -> Any:
    """A request read from a JSON or YAML file, validated (a clear error, nothing stored, otherwise)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise fail(f"cannot read {path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise fail(f"{path}: {where}: {first['msg']}") from None


def _when(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise fail("give the instant with its offset, e.g. 2016-09-20T08:00+03:00")
    return value


@app.command("board")
def board(
    status: MovementStatus | None = typer.Option(None, help="Only movements of this status."),
    at: datetime | None = AT,
    as_user: str | None = AS_USER,
) -> None:
    """The movements board: status, days waiting and the approval matrix (authority: status)."""
    moment = _when(at)
    clock = (lambda: moment) if moment is not None else utc_now
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        page = service.movements_board(
            session, actor=actor, page=PageRequest(size=10_000), status=status, clock=clock
        )
        table = Table()
        for column in ("id", "title", "status", "window (UTC)", "days waiting", "approvals"):
            table.add_column(column, no_wrap=column in ("id", "window (UTC)"))
        for row in page.items:
            matrix = ", ".join(f"{party}: {answer}" for party, answer in row.approvals.items())
            waiting = "" if row.days_waiting is None else str(row.days_waiting)
            table.add_row(
                row.id, row.title, row.status, f"{row.window_start:%Y-%m-%d %H:%M}", waiting, matrix
            )
        console.print(table)


@app.command("show")
def show(movement_id: str = MOVEMENT, as_user: str | None = AS_USER) -> None:
    """One movement with its approvals, timeline and obstructions (JSON)."""
    with unit_of_work() as session:
        read = service.read_movement(session, movement_id=movement_id, actor=actor_named(session, as_user))
        console.print_json(read.model_dump_json())


@app.command("add")
def add(
    path: Path = typer.Argument(..., help="A movement request (JSON or YAML)."), as_user: str | None = AS_USER
) -> None:
    """Request a movement from a file (set `submit: true` to submit it at once)."""
    data = _load(path, MovementCreate)
    with unit_of_work() as session:
        movement = service.create_movement(session, data=data, actor=actor_named(session, as_user))
        console.print(
            f"{movement.id} {movement.status}"
            + (f" (warning: {movement.lead_time_warning})" if movement.lead_time_warning else "")
        )


@app.command("submit")
def submit(movement_id: str = MOVEMENT, as_user: str | None = AS_USER) -> None:
    """Submit a draft: one pending approval per required authority."""
    with unit_of_work() as session:
        movement = service.submit_movement(
            session, movement_id=movement_id, actor=actor_named(session, as_user)
        )
        console.print(
            f"{movement.id} {movement.status}"
            + (f" (warning: {movement.lead_time_warning})" if movement.lead_time_warning else "")
        )


@app.command("decide")
def decide(
    approval_id: str = typer.Argument(..., help="The approval (one authority's record on a movement)."),
    status: ApprovalStatus = typer.Argument(..., help="granted, conditional, denied or expired."),
    conditions: str | None = typer.Option(None, help="The conditions of a conditional approval."),
    reason: str | None = typer.Option(None, help="The reason of a denial."),
    as_user: str | None = AS_USER,
) -> None:
    """Record an authority's answer to a movement."""
    try:
        data = ApprovalDecision(status=status, conditions=conditions, reason=reason)
    except ValidationError as exc:
        raise fail(exc.errors()[0]["msg"]) from None
    with unit_of_work() as session:
        approval = service.decide_approval(
            session, approval_id=approval_id, data=data, actor=actor_named(session, as_user)
        )
        console.print(f"{approval.movement_id} {approval.party_id}: {approval.status}")


@app.command("status")
def status_(
    movement_id: str = MOVEMENT,
    status: MovementStatus = typer.Argument(..., help="The new status."),
    note: str | None = typer.Option(None, help="A note for the timeline."),
    at: datetime | None = AT,
    as_user: str | None = AS_USER,
) -> None:
    """Move a movement along its life cycle (an attack is recorded through the API or a file)."""
    try:
        data = StatusChange(status=status, note=note, at=_when(at))
    except ValidationError as exc:
        raise fail(exc.errors()[0]["msg"]) from None
    with unit_of_work() as session:
        movement = service.change_status(
            session, movement_id=movement_id, data=data, actor=actor_named(session, as_user)
        )
        console.print(f"{movement.id} {movement.status}")


@app.command("recompute")
def recompute(as_user: str | None = AS_USER) -> None:
    """Recompute the authorities of every waiting movement; print what changed."""
    with unit_of_work() as session:
        changes = service.recompute_open_movements(session, actor=actor_named(session, as_user))
        for change in changes:
            console.print(
                f"{change.movement_id}: added {change.added or '-'}, "
                f"removed {change.removed or '-'}; {change.status}"
            )
        console.print(f"{len(changes)} movement(s) changed")


@app.command("besieged")
def besieged(at: datetime | None = AT) -> None:
    """Besieged areas: population range and days since the last delivered movement."""
    with unit_of_work() as session:
        table = Table()
        for column in ("id", "name", "status", "population", "since", "days without aid"):
            table.add_column(column)
        for row in service.list_besieged_areas(session, at=_when(at)):
            people = (
                f"{row.population_min:,}-{row.population_max:,}"
                if row.population_min is not None and row.population_max is not None
                else ""
            )
            table.add_row(
                row.id, row.name, row.status, people, f"{row.since:%Y-%m-%d}", str(row.days_without_aid)
            )
        console.print(table)


@app.command("corridors")
def corridors(at: datetime | None = AT) -> None:
    """Corridors with their status at an instant (declared status and opening schedule)."""
    with unit_of_work() as session:
        table = Table()
        for column in ("id", "name", "purpose", "operator", "declared", "in schedule", "open"):
            table.add_column(column)
        for row in service.list_corridors(session, at=_when(at)):
            table.add_row(
                row.id,
                row.name,
                row.purpose,
                row.operator,
                row.declared_status or "",
                str(row.in_schedule),
                str(row.open_now),
            )
        console.print(table)


@app.command("sites")
def sites() -> None:
    """Notified humanitarian sites, their acknowledgements and the reports flagged at them."""
    with unit_of_work() as session:
        for site in service.list_sites(session):
            acks = ", ".join(a.party_id for a in site.acknowledgements) or "none"
            console.print(
                f"{site.id} {site.name} ({site.kind}); acknowledged by: {acks}; "
                f"flagged reports: {len(site.flagged_report_ids)}"
            )


@app.command("scan-sites")
def scan_sites(as_user: str | None = AS_USER) -> None:
    """Flag every report located at a notified site ("attack on a notified humanitarian site")."""
    with unit_of_work() as session:
        found = service.scan_site_flags(session, actor=actor_named(session, as_user))
        for report_id, site_id in found:
            console.print(f"{report_id} at {site_id}")
        console.print(f"{len(found)} report(s) newly flagged")


@observation_app.command("overdue")
def overdue(
    at: datetime | None = AT,
    days: int = typer.Option(60, min=1, max=366, help="How many days back to look."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Posts whose daily log for a day is missing past its due time (exit code 0 either way)."""
    with unit_of_work() as session:
        rows = service.overdue_logs(session, at=_when(at), days=days)
        if as_json:
            console.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
            return
        for row in rows:
            console.print(
                f"{row.post_id} {row.day.isoformat()} missing "
                f"(due {row.due_at:%Y-%m-%d %H:%M %z}; {row.operator})"
            )
        console.print(f"{len(rows)} daily log(s) overdue")


@observation_app.command("log")
def log(
    post_id: str = POST,
    path: Path = typer.Argument(..., help="The daily log (JSON or YAML); again for a correction."),
    as_user: str | None = AS_USER,
) -> None:
    """Submit a post's daily log for a day (a correction is a new version)."""
    data = _load(path, DailyLogCreate)
    with unit_of_work() as session:
        row = service.submit_log(session, post_id=post_id, data=data, actor=actor_named(session, as_user))
        console.print(
            f"{row.post_id} {row.day.isoformat()} version {row.version}; "
            f"reports: {len(row.incident_report_ids)}"
        )


@observation_app.command("logs")
def logs(
    post_id: str = POST, all_versions: bool = typer.Option(False, "--all-versions", help="Every version.")
) -> None:
    """A post's daily logs, newest day first."""
    with unit_of_work() as session:
        for row in service.list_logs(session, post_id=post_id, all_versions=all_versions):
            crossings = ", ".join(f"{k} {v}" for k, v in row.crossings.items())
            console.print(
                f"{row.day.isoformat()} v{row.version}: {crossings}; weapons {row.weapons_handed_in}; "
                f"corridor {row.corridor_status or '-'}"
            )
