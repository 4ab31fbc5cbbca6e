"""`ceasefire applicability check` and `ceasefire determinations issue|list`: judge and find in a terminal."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.table import Table

from ceasefire.cli.context import actor_named, console, fail, unit_of_work
from ceasefire.determinations import service
from ceasefire.determinations.schemas import DeterminationCreate, ProvisionRef
from ceasefire.kernel.claims import Finding, Verdict

_DASH = "Ids may begin with '-': put `--` before them (`ceasefire {} -- -x1`)."
applicability_app = typer.Typer(
    help="Applicability: which agreements apply to an incident, and why. "
    + _DASH.format("applicability check"),
    no_args_is_help=True,
)
app = typer.Typer(
    help="Determinations: findings on incidents, each revision kept. " + _DASH.format("determinations list"),
    no_args_is_help=True,
)

_AS_USER = typer.Option(None, "--as", help="Act as this user (their visibility and name in the audit trail).")
_COLOURS = {Verdict.IN_SCOPE: "green", Verdict.OUT_OF_SCOPE: "dim", Verdict.UNCERTAIN: "yellow"}


@applicability_app.command("check")
def check(
    incident_id: str = typer.Argument(..., help="Incident id."),
    as_user: str | None = _AS_USER,
) -> None:
    """Judge every agreement on the incident: verdict, reasons and the trace of each check."""
    with unit_of_work() as session:
        results = service.assess(session, incident_id=incident_id, actor=actor_named(session, as_user))
        table = Table("agreement", "verdict", "trace", title=f"Applicability to incident {incident_id}")
        table.columns[1].no_wrap = True
        for r in results:
            colour = _COLOURS[r.verdict]
            verdict = f"[{colour}]{r.verdict.value.replace('_', ' ')}[/]"
            reasons = "\n".join(reason.value.replace("_", " ") for reason in r.reasons)
            table.add_row(
                f"{r.agreement.name}\n({r.agreement.id})", f"{verdict}\n{reasons}", "\n".join(r.trace)
            )
        console.print(table)
        counts = {v: sum(1 for r in results if r.verdict is v) for v in Verdict}
        console.print(", ".join(f"{n} {v.value.replace('_', ' ')}" for v, n in counts.items()))


def _provision(text: str) -> ProvisionRef:
    agreement_id, _, category = text.partition(":")
    if not agreement_id or not category:
        raise fail(f"--provision takes AGREEMENT_ID:CATEGORY, not {text!r}")
    return ProvisionRef(agreement_id=agreement_id, category=category)


@app.command("issue")
def issue(
    incident_id: str = typer.Argument(..., help="Incident id."),
    finding: Finding = typer.Option(..., help="The finding."),
    rationale: str = typer.Option(..., help="Why: the reasoning behind the finding."),
    responsible: str | None = typer.Option(None, help="Id of the responsible party."),
    provision: list[str] = typer.Option(
        [], help="A provision breached, as AGREEMENT_ID:CATEGORY (repeat for several)."
    ),
    evidence: list[str] = typer.Option([], help="Id of an evidence item cited (repeat for several)."),
    supersedes: str | None = typer.Option(
        None, help="Id of the determination this revises (must be the current one)."
    ),
    as_user: str | None = _AS_USER,
) -> None:
    """Issue a determination on an incident; it supersedes the current one, which is kept."""
    try:
        data = DeterminationCreate(
            finding=finding,
            rationale=rationale,
            responsible_party_id=responsible,
            provisions=[_provision(p) for p in provision],
            evidence_ids=evidence,
            supersedes_id=supersedes,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    with unit_of_work() as session:
        actor = actor_named(session, as_user)
        issued = service.issue_determination(session, incident_id=incident_id, data=data, actor=actor)
        replaced = f", superseding {issued.supersedes_id}" if issued.supersedes_id else ""
        console.print(f"determination {issued.id}: {issued.finding.replace('_', ' ')}{replaced}")


@app.command("list")
def list_(
    incident_id: str = typer.Argument(..., help="Incident id."),
    as_user: str | None = _AS_USER,
) -> None:
    """List an incident's determinations, newest (current) first."""
    with unit_of_work() as session:
        history = service.determinations_of(
            session, incident_id=incident_id, actor=actor_named(session, as_user)
        )
        table = Table("id", "decided (UTC)", "by", "finding", "responsible", "provisions", "state")
        for d in history:
            provisions = "\n".join(f"{p.agreement_id}: {p.category}" for p in d.provisions)
            state = "current" if d.is_current else f"superseded by {d.superseded_by_id}"
            responsible = d.responsible_party_name or d.responsible_party_id or ""
            when = f"{d.decided_at:%Y-%m-%d %H:%M}"
            table.add_row(
                d.id, when, d.decided_by, d.finding.value.replace("_", " "), responsible, provisions, state
            )
        console.print(table)
        console.print(f"{len(history)} determination(s)")
