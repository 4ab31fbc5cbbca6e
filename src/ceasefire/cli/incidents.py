"""`ceasefire incidents`: list, show, open, link, unlink and move the stage of incidents."""

from __future__ import annotations

import typer
from rich.table import Table

from ceasefire.cli.context import actor_named, console, unit_of_work
from ceasefire.incidents import service
from ceasefire.incidents.repository import IncidentFilter
from ceasefire.incidents.schemas import CasualtiesRead, IncidentRead, RangeRead
from ceasefire.kernel.claims import Grade, Publication, Stage
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import ActCategory

app = typer.Typer(
    help="Incidents: group reports, see claims side by side, move stages.",
    no_args_is_help=True,
)

AS_USER = typer.Option(None, "--as", help="Act as this user (default: the system, which sees everything).")


def _range(value: RangeRead | None) -> str:
    if value is None:
        return ""
    return str(value.min) if value.min == value.max else f"{value.min}-{value.max}"


def _casualties(value: CasualtiesRead) -> str:
    parts = [
        (label, _range(getattr(value, name)))
        for name, label in (("killed", "killed"), ("injured", "injured"))
    ]
    return ", ".join(f"{shown} {label}" for label, shown in parts if shown)


@app.command("list")
def list_(
    stage: Stage | None = typer.Option(None, help="Only incidents at this stage."),
    grade: Grade | None = typer.Option(None, help="Only incidents of this grade."),
    publication: Publication | None = typer.Option(None, help="Only incidents published at this level."),
    act: ActCategory | None = typer.Option(None, help="Only incidents with a claim of this act."),
    party: str | None = typer.Option(
        None, help="Only incidents with a claim by, against or blaming this party."
    ),
    as_user: str | None = AS_USER,
) -> None:
    """List incidents, latest event first."""
    filters = IncidentFilter(
        stage=stage.value if stage else None,
        grade=grade.value if grade else None,
        publication=publication.value if publication else None,
        act_category=act.value if act else None,
        party_id=party,
    )
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        page = service.list_incidents(session, actor=actor, page=PageRequest(size=10_000), filters=filters)
        table = Table(title=None)
        for column in (
            "id",
            "title",
            "stage",
            "grade",
            "published",
            "from (UTC)",
            "reports",
            "contradictions",
        ):
            table.add_column(column, no_wrap=column in ("id", "from (UTC)"))
        for item in page.items:
            start = f"{item.window_start:%Y-%m-%d %H:%M}" if item.window_start else ""
            table.add_row(
                item.id,
                item.title,
                item.stage.value,
                item.grade.value,
                item.publication.value,
                start,
                str(item.reports),
                str(item.contradictions),
            )
        console.print(table)
        console.print(f"{page.total} incident(s)")


def _claims_table(read: IncidentRead) -> Table:
    table = Table(title="Claims, by side", title_justify="left")
    for column in (
        "ref",
        "side",
        "stance",
        "source",
        "when (UTC)",
        "act",
        "perpetrator",
        "target",
        "casualties",
    ):
        table.add_column(column, no_wrap=column in ("ref", "side", "when (UTC)"))
    for claim in sorted(read.claims, key=lambda c: (c.side, int(c.ref[1:]))):
        stance = claim.stance.value + (" (withdrawn)" if claim.withdrawn else "")
        table.add_row(
            claim.ref,
            claim.side,
            stance,
            claim.source,
            f"{claim.occurred_start:%Y-%m-%d %H:%M} ({claim.time_precision.value})",
            claim.act_category,
            claim.perpetrator_party_id or claim.perpetrator_text or "",
            claim.target_party_id or claim.target_text or "",
            _casualties(claim.casualties),
        )
    return table


def _print_incident(read: IncidentRead) -> None:
    console.print(f"[bold]{read.title}[/] ({read.id})")
    merged = f", merged into {read.merged_into_id}" if read.merged_into_id else ""
    console.print(f"stage: {read.stage.value}{merged}; publication: {read.publication.value}")
    console.print(f"grade: [bold]{read.grade.value}[/]")
    for reason in read.grade_reasons:
        console.print(f"  - {reason}")
    if read.window:
        conflict = " (claims disagree: span shown)" if read.window.conflict else ""
        w = read.window
        console.print(
            f"when: {w.start:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC, {w.precision.value}{conflict}"
        )
    if read.place:
        p = read.place
        where = f"{p.latitude}, {p.longitude}" if p.latitude is not None else "no coordinates"
        console.print(f"where: {p.place_id or ''} {where} ({p.precision.value}, from {p.claim})")
    console.print(f"casualties (conservative rule): {_casualties(read.casualties) or 'none reported'}")
    console.print(_claims_table(read))
    if read.contradictions:
        table = Table(title="Contradictions", title_justify="left")
        for column in ("kind", "claims", "contests", "description"):
            table.add_column(column)
        for c in read.contradictions:
            table.add_row(
                c.kind.replace("_", " "), ", ".join(c.claims), "yes" if c.contesting else "no", c.description
            )
        console.print(table)
    else:
        console.print("[bold]Contradictions[/]: none")
    console.print("[bold]Stage history[/]")
    for change in read.history:
        came_from = change.from_stage.value if change.from_stage else "-"
        console.print(
            f"  {change.at:%Y-%m-%d %H:%M} {came_from} -> {change.to_stage.value} {change.reason or ''}"
        )


@app.command("show")
def show(
    incident_id: str = typer.Argument(..., help="The incident's id."),
    as_user: str | None = AS_USER,
) -> None:
    """Show an incident: claims side by side, contradictions, grade and its reasons, stage history."""
    with unit_of_work() as session:
        read = service.read_incident(session, incident_id=incident_id, actor=actor_named(session, as_user))
        _print_incident(read)


@app.command("open")
def open_(
    report_ids: list[str] = typer.Argument(..., help="Ids of the current versions of the reports to group."),
    title: str = typer.Option(..., "--title", help="A short title for the incident."),
    as_user: str | None = AS_USER,
) -> None:
    """Open an incident grouping reports."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        incident = service.open_incident(session, report_ids=report_ids, title=title, actor=actor)
        console.print(f"opened incident {incident.id}: grade {incident.grade}")


@app.command("link")
def link(
    incident_id: str = typer.Argument(..., help="The incident's id."),
    report_id: str = typer.Argument(..., help="The id of the report's current version."),
    as_user: str | None = AS_USER,
) -> None:
    """Group one more report into an incident."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        service.link_report(session, incident_id=incident_id, report_id=report_id, actor=actor)
        grade = service.get_incident(session, incident_id).grade
        console.print(f"linked report {report_id} to incident {incident_id}: grade {grade}")


@app.command("unlink")
def unlink(
    incident_id: str = typer.Argument(..., help="The incident's id."),
    report_id: str = typer.Argument(..., help="The id of a version of the report."),
    reason: str | None = typer.Option(None, help="Why the report does not belong to the incident."),
    as_user: str | None = AS_USER,
) -> None:
    """Take a report out of an incident (the pairing is remembered as rejected)."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        service.unlink_report(
            session, incident_id=incident_id, report_id=report_id, reason=reason, actor=actor
        )
        console.print(f"unlinked report {report_id} from incident {incident_id}")


@app.command("stage")
def stage(
    incident_id: str = typer.Argument(..., help="The incident's id."),
    to: Stage = typer.Argument(..., help="The stage to move to."),
    reason: str | None = typer.Option(None, help="Why (required to go back, reopen or dismiss)."),
    as_user: str | None = AS_USER,
) -> None:
    """Move an incident to another workflow stage."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        change = service.advance_stage(session, incident_id=incident_id, to=to, reason=reason, actor=actor)
        console.print(f"incident {incident_id}: {change.from_stage} -> {change.to_stage}")
