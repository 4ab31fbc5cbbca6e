"""`ceasefire places`: load the shipped gazetteer, list places, and resolve a place name."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ceasefire.cli.context import actor_named, console, unit_of_work
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import gazetteer, resolver, service

app = typer.Typer(help="Load the gazetteer, browse places and resolve place names.", no_args_is_help=True)


@app.command("load-gazetteer")
def load_gazetteer(
    as_user: str | None = typer.Option(None, "--as", help="Record the load as this user."),
) -> None:
    """Load the shipped gazetteer (OpenSyria, GeoNames, curated); loading twice adds nothing."""
    with console.status("reading the shipped gazetteer data"):
        records = gazetteer.gazetteer_records()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with unit_of_work() as session, Progress(*columns, console=console) as bar:
        task = bar.add_task("loading places", total=len(records))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        counts = gazetteer.load_gazetteer(
            session, actor=actor_named(session, as_user), progress=advance, records=records
        )
    by_origin = ", ".join(f"{n} {origin}" for origin, n in sorted(counts.added_by_origin.items()))
    console.print(
        f"added [bold]{counts.places_added}[/] places ({by_origin or 'none new'}) and "
        f"[bold]{counts.names_added}[/] names; {counts.places_present} were already there"
    )


@app.command("list")
def list_(
    kind: PlaceKind | None = typer.Option(None, help="Only places of this kind."),
    governorate: str | None = typer.Option(None, help="Only places in this governorate (id)."),
    q: str | None = typer.Option(None, "--q", help="Text found in any of a place's names."),
    page: int = typer.Option(1, min=1, help="Page number, from 1."),
    size: int = typer.Option(50, min=1, max=500, help="Places per page."),
) -> None:
    """List places by name."""
    with unit_of_work() as session:
        found = service.list_places(
            session, page=PageRequest(page=page, size=size), kind=kind, governorate_id=governorate, q=q
        )
        table = Table("id", "name", "arabic", "kind", "governorate", "lat", "lon", "origin")
        table.title = f"{found.total} places (page {page})"
        for p in found.items:
            table.add_row(
                p.id,
                p.name,
                p.name_ar or "",
                p.kind,
                p.governorate_id or "",
                f"{p.latitude:.4f}",
                f"{p.longitude:.4f}",
                p.origin,
            )
        console.print(table)


@app.command("resolve")
def resolve(
    text: str = typer.Argument(..., help="A place name in any spelling, language or script."),
    context: list[str] | None = typer.Option(
        None, "--context", "-c", help="A governorate or a place named nearby (repeatable)."
    ),
    limit: int = typer.Option(5, min=1, max=50, help="Most candidates to show."),
) -> None:
    """Rank the places a name may denote, with context, and explain each score."""
    with unit_of_work() as session:
        candidates = resolver.resolve_place(session, text, context=context or None, limit=limit)
    if not candidates:
        console.print(f"no place matches {text!r}")
        raise typer.Exit(1)
    table = Table("score", "id", "name", "kind", "governorate", "why", title=f"places for {text!r}")
    for c in candidates:
        table.add_row(
            f"{c.score:.1f}", c.place_id, c.name, c.kind, c.governorate_id or "", "\n".join(c.explanation)
        )
    console.print(table)
