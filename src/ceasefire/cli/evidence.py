"""`ceasefire evidence`: add files and URLs, show an item with its custody log, verify every file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ceasefire.cli.context import actor_named, console, err_console, evidence_store, settings, unit_of_work
from ceasefire.evidence import service
from ceasefire.evidence.schemas import EvidenceRead

app = typer.Typer(help="Store evidence and check that stored files are intact.", no_args_is_help=True)

_AS_USER = typer.Option(None, "--as", help="Act as this user (their visibility and name in the logs).")


def _instant(value: str) -> datetime:
    """Parse --captured-at as an ISO 8601 date and time (the offset is checked by the service)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date and time like 2016-05-03T14:30+03:00") from None


def _print_evidence(item: EvidenceRead) -> None:
    """Print an evidence item's metadata, fixity and custody log."""
    what = item.source_url if item.kind == "url" else f"{item.original_filename or '(no name)'}"
    console.print(f"[bold]{item.id}[/] — {item.kind}: {what}")
    if item.sha256:
        console.print(f"sha256 {item.sha256}, {item.size_bytes} bytes, {item.media_type}")
    if item.type_mismatch:
        console.print(f"[yellow]declared as {item.declared_media_type}[/]")
    console.print(f"captured {item.captured_at} by {item.collector}")
    if item.description:
        console.print(item.description)
    if item.report_lineage_ids:
        console.print("cited by reports: " + ", ".join(item.report_lineage_ids))
    if item.fixity is not None:
        state = "[green]ok[/]" if item.fixity.ok else "[bold red]FAILED[/]"
        checked = f"{item.fixity.checked_at:%Y-%m-%d %H:%M:%S} UTC by {item.fixity.checked_by}"
        console.print(f"fixity {state} (last checked {checked})")
    custody = Table("at (UTC)", "actor", "action", "fixity", "detail", title="custody log")
    custody.columns[0].no_wrap = True
    for event in item.custody:
        fixity = "" if event.fixity_ok is None else ("ok" if event.fixity_ok else "FAILED")
        # The SHA-256 is printed above; the log's other details are short.
        shown = {k: v for k, v in event.detail.items() if v is not None and k != "sha256"}
        detail = ", ".join(f"{k}={v}" for k, v in shown.items())
        custody.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.actor, event.action, fixity, detail)
    console.print(custody)


@app.command("add")
def add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The file to store."),
    collector: str = typer.Option(..., help="Who collected the evidence."),
    captured_at: str = typer.Option(..., help="When it was captured, e.g. 2016-05-03T14:30+03:00."),
    media_type: str | None = typer.Option(None, "--type", help="The declared media type (checked)."),
    message: str | None = typer.Option(None, help="Id of the message it came with."),
    report: str | None = typer.Option(None, help="Id of a report that cites it."),
    description: str | None = typer.Option(None, help="What the evidence shows."),
    as_user: str | None = _AS_USER,
) -> None:
    """Store a file as evidence (typed by its bytes, stored once by SHA-256) and print its id."""
    captured = _instant(captured_at)
    limit = settings().max_evidence_bytes
    with file.open("rb") as fh:
        content = fh.read(limit + 1)
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        evidence = service.store_file(
            session,
            content=content,
            filename=file.name,
            declared_type=media_type,
            collector=collector,
            captured_at=captured,
            message_id=message,
            report_id=report,
            description=description,
            actor=actor,
            store=evidence_store(),
            allowed_types=settings().evidence_types,
            max_bytes=limit,
        )
        item = service.read_evidence(session, evidence_id=evidence.id, actor=actor)
    _print_evidence(item)


@app.command("add-url")
def add_url(
    url: str = typer.Argument(..., help="Where the evidence is published (http or https)."),
    collector: str = typer.Option(..., help="Who collected the evidence."),
    captured_at: str = typer.Option(..., help="When it was captured, e.g. 2016-05-03T14:30+03:00."),
    message: str | None = typer.Option(None, help="Id of the message it came with."),
    report: str | None = typer.Option(None, help="Id of a report that cites it."),
    description: str | None = typer.Option(None, help="What the evidence shows."),
    as_user: str | None = _AS_USER,
) -> None:
    """Record evidence published at a URL (nothing is fetched) and print its id."""
    captured = _instant(captured_at)
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        evidence = service.add_url(
            session,
            url=url,
            collector=collector,
            captured_at=captured,
            message_id=message,
            report_id=report,
            description=description,
            actor=actor,
        )
        item = service.read_evidence(session, evidence_id=evidence.id, actor=actor)
    _print_evidence(item)


@app.command("show")
def show(
    evidence_id: str = typer.Argument(..., help="The evidence item's id."),
    as_user: str | None = _AS_USER,
) -> None:
    """Show an evidence item with its SHA-256, last fixity check and custody log."""
    with unit_of_work() as session:
        item = service.read_evidence(session, evidence_id=evidence_id, actor=actor_named(session, as_user))
    _print_evidence(item)


@app.command("verify")
def verify(as_user: str | None = _AS_USER) -> None:
    """Re-hash every stored file; exit 1 listing the items whose file is altered or missing."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    store = evidence_store()
    with unit_of_work() as session, Progress(*columns, console=console) as bar:
        task = bar.add_task("verifying evidence files", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = service.verify_all(
            session, store=store, actor=actor_named(session, as_user), progress=advance
        )
    console.print(
        f"checked [bold]{report.checked}[/] items: {report.ok} ok, "
        f"{len(report.failed)} altered, {len(report.missing)} missing (store: {store.root})"
    )
    if report.problems:
        table = Table("evidence", "sha256", "fixity", title="fixity failures")
        for problem in report.problems:
            table.add_row(problem.evidence_id, problem.sha256, problem.fixity)
        err_console.print(table)
        raise typer.Exit(1)
