"""`ceasefire reports` and `ceasefire messages`: browse intake, and withdraw a report, from a terminal."""

from __future__ import annotations

from datetime import datetime

import typer
from pydantic import ValidationError
from rich.table import Table

from ceasefire.cli.context import actor_named, console, fail, unit_of_work
from ceasefire.incidents.derivation import refresh_for_report
from ceasefire.intake import reads, service
from ceasefire.intake.schemas import MessageRead, ReportFilters, ReportRead
from ceasefire.kernel.claims import ReportState
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import ActCategory

# Random ids may begin with '-', which a command line takes for an option.
_DASH = "Ids may begin with '-': put `--` before them (`ceasefire {0} show -- -x1`)."
reports_app = typer.Typer(
    help=f"Browse reports and withdraw them. {_DASH.format('reports')}", no_args_is_help=True
)
messages_app = typer.Typer(
    help=f"Read messages as they were received. {_DASH.format('messages')}", no_args_is_help=True
)

_AS_USER = typer.Option(None, "--as", help="Act as this user (their visibility and name in the audit trail).")


def _instant(value: str | None, option: str) -> datetime | None:
    """Parse an ISO 8601 instant given on the command line."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a time like 2016-02-27T00:00+02:00", param_hint=option
        ) from None


def _when(read: ReportRead) -> str:
    return f"{read.occurred_at:%Y-%m-%d %H:%M}Z ({read.time_precision})"


def _where(read: ReportRead) -> str:
    named = read.place_id or read.location_text or ""
    point = f" {read.latitude:.4f},{read.longitude:.4f}" if read.latitude is not None else ""
    return f"{named}{point} ({read.location_precision})".strip()


def _who(party_id: str | None, text: str | None) -> str:
    if party_id and text:
        return f"{party_id} (“{text}”)"
    return party_id or text or "—"


def _range(low: int | None, high: int | None) -> str:
    if low is None:
        return "—"
    return str(low) if high == low else f"{low}–{high if high is not None else '?'}"


@reports_app.command("list")
def list_reports(
    state: ReportState | None = typer.Option(None, help="Only versions in this state."),
    act_category: ActCategory | None = typer.Option(None, help="Only reports alleging this act."),
    perpetrator: str | None = typer.Option(None, help="Only reports accusing this party (id)."),
    since: str | None = typer.Option(None, help="Only acts whose window ends at or after this instant."),
    until: str | None = typer.Option(None, help="Only acts whose window starts before this instant."),
    unlinked: bool = typer.Option(False, "--unlinked", help="Only reports not grouped into an incident."),
    page: int = typer.Option(1, min=1, help="Page number, from 1."),
    size: int = typer.Option(50, min=1, max=500, help="Reports per page."),
    as_user: str | None = _AS_USER,
) -> None:
    """List reports, newest first (by default the newest version of each)."""
    try:
        filters = ReportFilters(
            state=state,
            act_category=act_category,
            perpetrator_party_id=perpetrator,
            since=_instant(since, "--since"),
            until=_instant(until, "--until"),
            unlinked=unlinked,
        )
    except ValidationError as exc:
        raise fail(str(exc.errors()[0]["msg"])) from None
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        found = reads.list_reports(
            session, actor=actor, page=PageRequest(page=page, size=size), filters=filters
        )
    table = Table(
        "id",
        "v",
        "state",
        "when",
        "where",
        "act",
        "perpetrator",
        "source",
        "killed",
        title=(f"{found.total} reports (page {page})"),
    )
    for r in found.items:
        table.add_row(
            r.lineage_id,
            str(r.version),
            r.state.value,
            _when(r),
            _where(r),
            r.act_category,
            _who(r.perpetrator_party_id, r.perpetrator_text),
            _who(r.source_party_id, r.source_name),
            _range(r.killed_min, r.killed_max),
        )
    console.print(table)


def _print_report(read: ReportRead, versions: int) -> None:
    console.print(
        f"[bold]report {read.lineage_id}[/] version {read.version} of {versions} — {read.state.value}"
    )
    rows = [
        ("version id", read.id),
        ("message", read.message_id),
        ("source", f"{_who(read.source_party_id, read.source_name)} ({read.stance})"),
        (
            "when",
            f"{_when(read)}; window {read.window_start:%Y-%m-%d %H:%M}Z – {read.window_end:%Y-%m-%d %H:%M}Z",
        ),
        ("where", _where(read)),
        ("what", " / ".join(x for x in (read.act_category, read.event_type, read.sub_event_type) if x)),
        ("perpetrator", _who(read.perpetrator_party_id, read.perpetrator_text)),
        ("target", _who(read.target_party_id, read.target_text)),
        ("killed", _range(read.killed_min, read.killed_max)),
        ("injured", _range(read.injured_min, read.injured_max)),
        ("women killed", _range(read.women_killed_min, read.women_killed_max)),
        ("children killed", _range(read.children_killed_min, read.children_killed_max)),
    ]
    if read.correction_note:
        rows.append(("correction", read.correction_note))
    if read.withdrawn_at:
        rows.append(("withdrawn", f"{read.withdrawn_at:%Y-%m-%d %H:%M}Z: {read.withdrawal_reason}"))
    table = Table("field", "value", show_header=False)
    for field, value in rows:
        table.add_row(field, value)
    console.print(table)
    if read.narrative:
        console.print(read.narrative)


@reports_app.command("show")
def show_report(
    report_id: str = typer.Argument(..., help="The report's id (its current version) or a version's id."),
    as_user: str | None = _AS_USER,
) -> None:
    """Show a report: its claim, its state and how many versions it has."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        read = reads.read_report(session, report_id=report_id, actor=actor)
        versions = reads.report_versions(session, report_id=report_id, actor=actor)
    _print_report(read, len(versions.versions))


@reports_app.command("withdraw")
def withdraw_report(
    report_id: str = typer.Argument(..., help="The report's id (or any of its versions' ids)."),
    reason: str = typer.Option(
        ..., "--reason", help="Why the report is withdrawn (kept in the audit trail)."
    ),
    as_user: str | None = _AS_USER,
) -> None:
    """Withdraw a report: it stays, with every version, marked withdrawn."""
    if not reason.strip():
        raise fail("give a reason (--reason)")
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        withdrawal = service.withdraw_report(session, report_id=report_id, reason=reason.strip(), actor=actor)
        refresh_for_report(session, withdrawal.lineage_id)
    console.print(f"report {withdrawal.lineage_id} withdrawn")


def _print_message(read: MessageRead) -> None:
    console.print(f"[bold]message {read.id}[/] — {read.reference_code}")
    table = Table("field", "value", show_header=False)
    rows = [
        ("channel", read.channel),
        ("received", f"{read.received_at:%Y-%m-%d %H:%M:%S}Z"),
        ("submitted by", read.submitted_by_user_id or "—"),
        ("for party", read.submitter_party_id or "—"),
        ("sender", read.submitter_name or "—"),
        (
            "contact",
            "on file (encrypted; see the API with the sensitive-data permission)"
            if read.has_contact
            else "—",
        ),
        ("language", read.language or "—"),
        ("subject", read.subject or "—"),
        ("reports", ", ".join(read.report_ids) or "—"),
    ]
    for field, value in rows:
        table.add_row(field, value)
    console.print(table)
    if read.body:
        console.print(read.body)


@messages_app.command("show")
def show_message(
    message_id: str = typer.Argument(..., help="The message's id."),
    as_user: str | None = _AS_USER,
) -> None:
    """Show a message as received (never its contact details)."""
    with unit_of_work() as session:
        read = reads.read_message(session, message_id=message_id, actor=actor_named(session, as_user))
    _print_message(read)
