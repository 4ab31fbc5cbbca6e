"""`ceasefire correlate ...`: batch runs with a progress bar, proposals and decisions, explanations;
and the ACLED import behind `ceasefire import --acled`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ceasefire.cli.context import actor_named, console, err_console, fail, settings, unit_of_work, units
from ceasefire.correlation import jobs, service
from ceasefire.correlation.acled import AcledImport, import_acled
from ceasefire.correlation.rules import Thresholds
from ceasefire.correlation.schemas import PairStatus, RunRead
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import DomainError
from ceasefire.kernel.paging import PageRequest

app = typer.Typer(
    help="Correlate reports into incidents: batch runs, proposals and decisions.", no_args_is_help=True
)

AS_USER = typer.Option(None, "--as", help="Act as this user (default: the system, labelled cli).")
STAGES = {"compare": "comparing reports", "group": "grouping", "index": "indexing"}


def thresholds() -> Thresholds:
    """The thresholds in force (CEASEFIRE_CORRELATION_* settings)."""
    attach, propose, cap, opens = settings().correlation_thresholds()
    return Thresholds(attach=attach, propose=propose, max_proposals=cap, opens_incidents=opens)


def _carry_out(run_id: str, actor: Actor, progress: jobs.Progress | None = None) -> RunRead:
    """Carry out a requested run here; a refusal becomes a clear message and exit code 1."""
    try:
        return jobs.execute(units(), run_id, thresholds=thresholds(), actor=actor, progress=progress)
    except DomainError as exc:
        raise fail(f"run {run_id} failed: {exc.message}") from None


@app.command("run")
def run(
    as_user: str | None = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Re-correlate every current report (after an import, say): group, propose, rebuild the index.

    The run is recorded as a job (see `ceasefire correlate runs`) and carried out here, with a
    progress bar; refused while another run is queued or running."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        run = jobs.request_run(session, actor=actor)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        finished = _carry_out(run.id, actor, progress=step)
    summary = finished.summary
    assert summary is not None
    if as_json:
        sys.stdout.write(finished.model_dump_json(indent=2) + "\n")
        return
    table = Table(
        "run",
        "reports",
        "candidate pairs",
        "incidents opened",
        "reports attached",
        "proposals",
        "indexed",
        "seconds",
    )
    table.add_row(finished.id, *(str(v) for v in summary.model_dump().values()))
    console.print(table)


@app.command("runs")
def runs(
    page: int = typer.Option(1, min=1, help="Page number, from 1."),
    size: int = typer.Option(20, min=1, max=1000, help="Runs per page."),
    as_user: str | None = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="Print the page as JSON."),
) -> None:
    """Batch runs, newest first: who asked, when, how it ended and what it did."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        found = jobs.list_runs(session, actor=actor, page=PageRequest(page, size))
    if as_json:
        rows = [r.model_dump(mode="json") for r in found.items]
        sys.stdout.write(json.dumps({"items": rows, "total": found.total}, indent=2) + "\n")
        return
    table = Table(
        "run",
        "status",
        "requested by",
        "via",
        "requested",
        "finished",
        "reports",
        "incidents opened",
        "error",
    )
    for r in found.items:
        table.add_row(
            r.id,
            r.status.value,
            r.requested_by,
            r.via,
            r.created_at.isoformat(timespec="seconds"),
            r.finished_at.isoformat(timespec="seconds") if r.finished_at else "",
            str(r.summary.reports) if r.summary else "",
            str(r.summary.incidents_opened) if r.summary else "",
            r.error or "",
        )
    console.print(table)
    console.print(f"{found.total} runs")


@app.command("proposals")
def proposals(
    status: list[PairStatus] = typer.Option([PairStatus.OPEN], "--status", help="Statuses to list."),
    page: int = typer.Option(1, min=1, help="Page number, from 1."),
    size: int = typer.Option(50, min=1, max=1000, help="Pairs per page."),
    as_user: str | None = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="Print the page as JSON."),
) -> None:
    """Scored pairs (by default the open proposals), best score first."""
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        found = service.list_pairs(
            session, actor=actor, statuses=status, page=PageRequest(page=page, size=size)
        )
    if as_json:
        items = [p.model_dump(mode="json") for p in found.items]
        sys.stdout.write(json.dumps({"items": items, "total": found.total}, indent=2) + "\n")
        return
    table = Table("id", "report", "target", "score", "status", "why")
    for p in found.items:
        contributions = p.explanation.get("contributions", {})
        why = ", ".join(f"{k} {v:.2f}" for k, v in contributions.items())
        if p.explanation.get("counter_accusation"):
            why += " (counter-accusation)"
        table.add_row(
            p.id, p.report_id, f"{p.target_kind} {p.target_id}", f"{p.score:.3f}", p.status.value, why
        )
    console.print(table)
    console.print(f"{found.total} pair(s)")


@app.command("accept")
def accept(
    pair_id: str = typer.Argument(..., help="The proposal (see `ceasefire correlate proposals`)."),
    reason: str | None = typer.Option(None, help="Why, for the audit trail."),
    as_user: str | None = AS_USER,
) -> None:
    """Accept a proposal: the report joins the incident (or the two reports are grouped)."""
    with unit_of_work() as session:
        read = service.accept(session, pair_id=pair_id, actor=actor_named(session, as_user), reason=reason)
    console.print(
        f"accepted {read.id}: report {read.report_id} is in incident {read.explanation.get('incident_id')}"
    )


@app.command("reject")
def reject(
    pair_id: str = typer.Argument(..., help="The proposal (see `ceasefire correlate proposals`)."),
    reason: str | None = typer.Option(None, help="Why, for the audit trail."),
    as_user: str | None = AS_USER,
) -> None:
    """Reject a proposal: the pair is never proposed again."""
    with unit_of_work() as session:
        read = service.reject(session, pair_id=pair_id, actor=actor_named(session, as_user), reason=reason)
    console.print(f"rejected {read.id}: report {read.report_id} and {read.target_kind} {read.target_id}")


@app.command("explain")
def explain(
    report_id: str = typer.Argument(..., help="A report (any version's id)."),
    as_user: str | None = AS_USER,
) -> None:
    """How a report was grouped (or not), with the signals and weights of each scored pair."""
    with unit_of_work() as session:
        found = service.explain_report(session, report_id=report_id, actor=actor_named(session, as_user))
    sys.stdout.write(found.model_dump_json(indent=2) + "\n")


@app.command("reindex")
def reindex() -> None:
    """Rebuild the correlation index from the incidents and reports on file."""
    with unit_of_work() as session:
        count = service.reindex(session)
    console.print(f"indexed {count} incidents and unattached reports")


def _print_import(path: Path, result: AcledImport) -> None:
    console.print(
        f"{path}: {result.rows} rows, {result.created} reports created, "
        f"{result.already} already imported, {len(result.problems)} unreadable"
    )
    if result.problems:
        table = Table("row", "event_id_cnty", "reason")
        for p in result.problems:
            table.add_row(str(p.row), p.event_id or "", p.reason)
        err_console.print(table)


def import_acled_files(files: list[Path], *, as_user: str | None, correlate: bool, as_json: bool) -> None:
    """Import ACLED CSV exports (each in its own transaction), then correlate if asked."""
    out = []
    for path in files:
        with unit_of_work() as session, path.open(newline="", encoding="utf-8-sig") as stream:
            result = import_acled(session, stream, actor=actor_named(session, as_user))
        out.append({"file": str(path), **result.as_dict()})
        if not as_json:
            _print_import(path, result)
    if correlate:
        with unit_of_work() as session:
            actor = actor_named(session, as_user)
            run = jobs.request_run(session, actor=actor)
        summary = _carry_out(run.id, actor).summary
        assert summary is not None
        if not as_json:
            console.print(
                f"correlated {summary.reports} reports: {summary.incidents_opened} incidents opened, "
                f"{summary.reports_attached} reports attached, {summary.proposals} proposals"
            )
    if as_json:
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
