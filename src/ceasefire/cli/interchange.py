"""`ceasefire import` and `ceasefire export`: the registries as JSON/YAML/GeoJSON documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from ceasefire.cli.context import actor_named, console, err_console, fail, unit_of_work
from ceasefire.interchange import (
    Conflicting,
    ImportReport,
    Rejected,
    dumps,
    export_registry,
    import_files,
)
from ceasefire.interchange.format import ALL_SECTIONS, SECTIONS

EXIT_INVALID = 1
EXIT_CONFLICT = 3


def _print_report(report: ImportReport) -> None:
    verb = "would create" if report.dry_run else "created"
    table = Table("section", verb, "already stored (unchanged)")
    for section in ALL_SECTIONS:
        table.add_row(section, str(report.created[section]), str(report.unchanged[section]))
    console.print(table)
    outcome = "dry run: nothing stored" if report.dry_run else f"{report.total_created} items stored"
    console.print(f"{outcome}; {report.total_unchanged} already stored identically")


def import_(
    files: list[Path] = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help=(
            "Registry documents (JSON or YAML) or GeoJSON FeatureCollections of areas; "
            "with --acled, ACLED CSV exports."
        ),
    ),
    acled: bool = typer.Option(
        False,
        "--acled",
        help="The files are ACLED CSV exports: import their rows as reports (see docs/correlation.md).",
    ),
    correlate: bool = typer.Option(
        False, "--correlate", help="With --acled: run the batch correlation afterwards."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report, store nothing."),
    as_user: str | None = typer.Option(None, "--as", help="Record the changes as this user."),
    reason: str | None = typer.Option(None, help="Why, for the audit trail."),
    as_json: bool = typer.Option(False, "--json", help="Print the report (or the problems) as JSON."),
) -> None:
    """Import registry documents all or nothing; identical items are skipped, differing ones refused.

    Exit code 1: invalid input (each problem names file, item and field); 3: conflicts with stored
    items. In both cases nothing is stored. With --acled, unreadable rows are listed and the rest stored.
    """
    if acled:
        from ceasefire.cli.correlation import import_acled_files

        import_acled_files(files, as_user=as_user, correlate=correlate, as_json=as_json)
        return
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        try:
            report = import_files(session, files, actor=actor, dry_run=dry_run, reason=reason)
        except (Rejected, Conflicting) as exc:
            code = EXIT_CONFLICT if isinstance(exc, Conflicting) else EXIT_INVALID
            if as_json:
                sys.stdout.write(
                    json.dumps({"error": exc.code, "issues": exc.details["issues"]}, indent=2) + "\n"
                )
            for issue in exc.issues:
                err_console.print(f"[red]{issue.code}[/] {issue}", highlight=False, soft_wrap=True)
            what = "conflict(s) with stored items" if code == EXIT_CONFLICT else "problem(s)"
            raise fail(f"nothing imported: {len(exc.issues)} {what}", code=code) from None
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        _print_report(report)


def export(
    out: str = typer.Option("-", "--out", "-o", help="File to write the document to; - for stdout."),
    areas_geojson: Path | None = typer.Option(
        None, "--areas-geojson", dir_okay=False, help="Also write the areas alone as a GeoJSON file."
    ),
) -> None:
    """Export the registry (not the shipped gazetteer) as one sorted, stable JSON document."""
    with unit_of_work() as session:
        document = export_registry(session)
    text = dumps(document)
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
    if areas_geojson is not None:
        areas_geojson.write_text(dumps(document["areas"]), encoding="utf-8")
    if out != "-":
        counts = ", ".join(
            f"{len(document[s]['features']) if isinstance(document[s], dict) else len(document[s])} {s}"
            for s in SECTIONS
        )
        console.print(f"wrote {out}: {counts}")
