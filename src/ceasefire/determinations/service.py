"""Determination use cases: judge applicability, issue a determination (superseding), read the history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.determinations import repository as repo
from ceasefire.determinations.applicability import Applicability, IncidentFacts, evaluate
from ceasefire.determinations.catalog import Catalog, agreement_catalog, build_agreement_facts
from ceasefire.determinations.models import Determination
from ceasefire.determinations.schemas import (
    ApplicabilityRead,
    DeterminationCreate,
    DeterminationRead,
    ProvisionRead,
)
from ceasefire.identity.rules import Permission, has_permission
from ceasefire.incidents import get_incident
from ceasefire.incidents.derivation import snapshot
from ceasefire.incidents.models import Incident
from ceasefire.incidents.reading import visible_incident
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import ClaimStance, Finding, Verdict
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.vocab import LocationPrecision

__all__ = [
    "assess",
    "build_agreement_facts",
    "build_incident_facts",
    "current_determination",
    "determinations_of",
    "get_determination",
    "issue_determination",
]


def _unique(values: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def incident_facts(session: Session, incident: Incident) -> IncidentFacts:
    """The facts applicability judges, derived afresh from the incident's current claims.

    Window and place are what the incidents rules derive (the cached columns may lag a correction).
    Perpetrators and targets come from the claims that assert, confirm or counter-accuse; a party
    named as perpetrator only by a denial, and the registered parties that deny, are recorded as such.
    """
    current = snapshot(session, incident)
    claims = [c for c in current.facts if not c.withdrawn]
    accusing = [c for c in claims if c.accuses]
    denials = [c for c in claims if c.stance is ClaimStance.DENIES]
    perpetrators = _unique([c.perpetrator_party_id for c in accusing])
    denied = tuple(p for p in _unique([c.perpetrator_party_id for c in denials]) if p not in perpetrators)
    targets = _unique([c.target_party_id for c in accusing])
    # Only registered parties are named as deniers: other sources' identities are not shown to parties.
    deniers = _unique([c.source_party_id for c in denials])
    window, place = current.derived.window, current.derived.place
    located = place is not None and place.longitude is not None and place.latitude is not None
    return IncidentFacts(
        incident_id=incident.id,
        window_start=window.start if window else None,
        window_end=window.end if window else None,
        time_precision=window.precision if window else None,
        longitude=place.longitude if place and located else None,
        latitude=place.latitude if place and located else None,
        location_precision=place.precision if place and located else LocationPrecision.UNKNOWN,
        act_categories=_unique([c.act_category for c in (accusing or claims)]),
        perpetrator_ids=perpetrators,
        perpetrator_texts=_unique([c.perpetrator_text for c in accusing if c.perpetrator_party_id is None]),
        denied_ids=denied,
        denied_by=deniers,
        target_ids=targets,
        target_kind=next(
            (c.target_text for c in accusing if c.target_party_id is None and c.target_text), None
        ),
        party_names=repo.party_names(session, {*perpetrators, *denied, *targets, *deniers}),
    )


def build_incident_facts(session: Session, incident_id: str) -> IncidentFacts:
    """The applicability facts of an incident (no access check: for trusted callers)."""
    return incident_facts(session, get_incident(session, incident_id))


def _judge(session: Session, incident: Incident) -> tuple[list[Applicability], Catalog]:
    catalog = agreement_catalog(session)
    facts = incident_facts(session, incident)
    with catalog.lock:
        return evaluate(facts, catalog.agreements, catalog.index), catalog


def assess(session: Session, *, incident_id: str, actor: Actor) -> list[Applicability]:
    """Every agreement's verdict on the incident, with reasons and traces (404 when not visible)."""
    incident = visible_incident(session, incident_id=incident_id, actor=actor)
    return _judge(session, incident)[0]


# --- determinations --------------------------------------------------------------------------


def _check_finding(data: DeterminationCreate) -> None:
    """Provisions breached go with a violation only, and a violation cites at least one."""
    if data.finding is Finding.VIOLATION and not data.provisions:
        raise Invalid(
            "a violation must cite the provisions breached", code="provisions_required", field="provisions"
        )
    if data.finding is not Finding.VIOLATION and data.provisions:
        raise Invalid(
            f"a finding of {data.finding.value} cites no provisions breached",
            code="provisions_not_allowed",
            field="provisions",
        )
    if data.finding is Finding.NO_VIOLATION and data.responsible_party_id is not None:
        raise Invalid(
            "a finding of no violation names no responsible party",
            code="responsible_party_not_allowed",
            field="responsible_party_id",
        )


def _provisions(
    data: DeterminationCreate, catalog: Catalog, results: Sequence[Applicability]
) -> list[dict[str, str | None]]:
    """Each cited provision must be an obligation of an agreement that is not out of scope."""
    verdicts = {r.agreement.id: r for r in results}
    stored: list[dict[str, str | None]] = []
    for i, cited in enumerate(data.provisions):
        result = verdicts.get(cited.agreement_id)
        if result is None:
            raise NotFound.of("agreement", cited.agreement_id, field=f"provisions.{i}.agreement_id")
        obligations = catalog.obligations.get(cited.agreement_id, {})
        obligation = obligations.get(cited.category)
        if obligation is None:
            known = ", ".join(sorted(obligations)) or "none"
            raise Invalid(
                f"{cited.agreement_id} has no obligation {cited.category!r} (its obligations: {known})",
                code="unknown_provision",
                field=f"provisions.{i}.category",
            )
        if any(p["agreement_id"] == cited.agreement_id and p["category"] == cited.category for p in stored):
            raise Invalid(
                "this provision is cited twice", code="duplicate_provision", field=f"provisions.{i}"
            )
        if result.verdict is Verdict.OUT_OF_SCOPE:
            raise Invalid(
                f"{result.agreement.name} does not apply to this incident: {result.summary}",
                code="provision_out_of_scope",
                field=f"provisions.{i}.agreement_id",
            )
        stored.append(
            {
                "agreement_id": cited.agreement_id,
                "category": cited.category,
                "kind": obligation.kind,
                "description": obligation.description,
            }
        )
    return stored


def _check_references(session: Session, data: DeterminationCreate) -> list[str]:
    """The responsible party and every cited evidence item must exist; evidence ids without repeats."""
    party = data.responsible_party_id
    if party is not None and not repo.party_names(session, {party}):
        raise NotFound.of("party", party, field="responsible_party_id")
    evidence_ids = list(dict.fromkeys(data.evidence_ids))
    known = repo.existing_evidence_ids(session, evidence_ids)
    for i, evidence_id in enumerate(data.evidence_ids):
        if evidence_id not in known:
            raise NotFound.of("evidence", evidence_id, field=f"evidence_ids.{i}")
    return evidence_ids


def _current(session: Session, incident_id: str, supersedes_id: str | None) -> Determination | None:
    """The incident's current determination; a revision naming another one is stale."""
    history = repo.determinations_of(session, incident_id)
    current = history[-1] if history else None
    if supersedes_id is not None and (current is None or supersedes_id != current.id):
        raise Conflict(
            f"{supersedes_id} is not the incident's current determination "
            f"(current: {current.id if current else 'none'})",
            code="stale_determination",
            field="supersedes_id",
        )
    return current


def _store(session: Session, determination: Determination) -> None:
    """Insert the determination; losing a race to supersede the same one is a conflict, not a 500."""
    try:
        with session.begin_nested():
            session.add(determination)
    except IntegrityError:
        # Another determination superseded the same one in the meantime (supersedes_id is unique).
        raise Conflict(
            "the incident's current determination changed while this one was being issued; reload",
            code="stale_determination",
            field="supersedes_id",
        ) from None


def issue_determination(
    session: Session, *, incident_id: str, data: DeterminationCreate, actor: Actor, clock: Clock = utc_now
) -> Determination:
    """Record a finding with the applicability as it stands; it supersedes the current one (both kept)."""
    incident = visible_incident(session, incident_id=incident_id, actor=actor)
    if not has_permission(actor.role, Permission.DETERMINE):
        raise Forbidden("your role may not issue determinations", code="permission_denied")
    if incident.merged_into_id is not None:
        raise Conflict(
            f"the incident was merged into {incident.merged_into_id}: determine that one",
            code="incident_merged",
        )
    _check_finding(data)
    evidence_ids = _check_references(session, data)
    results, catalog = _judge(session, incident)
    provisions = _provisions(data, catalog, results)
    current = _current(session, incident_id, data.supersedes_id)
    determination = Determination(
        id=new_id(),
        incident_id=incident_id,
        supersedes_id=current.id if current else None,
        finding=data.finding.value,
        responsible_party_id=data.responsible_party_id,
        provisions=provisions,
        rationale=data.rationale,
        evidence_ids=evidence_ids,
        applicability=[ApplicabilityRead.of(r).model_dump(mode="json") for r in results],
        decided_by=actor.label,
        decided_at=clock(),
    )
    _store(session, determination)
    cited = [{"agreement_id": p["agreement_id"], "category": p["category"]} for p in provisions]
    record(
        session,
        actor=actor,
        action="determination.issue",
        entity_type="determination",
        entity_id=determination.id,
        changes={
            "incident_id": incident_id,
            "finding": data.finding,
            "responsible_party_id": data.responsible_party_id,
            "provisions": cited,
            "evidence_ids": evidence_ids,
            "supersedes_id": determination.supersedes_id,
        },
        reason=data.rationale,
    )
    return determination


def _reads(session: Session, rows: Sequence[Determination]) -> list[DeterminationRead]:
    """Read models in the order given, each knowing what superseded it and whether it is current."""
    successor = {row.supersedes_id: row.id for row in rows if row.supersedes_id}
    names = repo.party_names(session, {row.responsible_party_id for row in rows if row.responsible_party_id})
    return [
        DeterminationRead(
            id=row.id,
            incident_id=row.incident_id,
            finding=Finding(row.finding),
            responsible_party_id=row.responsible_party_id,
            responsible_party_name=names.get(row.responsible_party_id or ""),
            provisions=[ProvisionRead.model_validate(p) for p in row.provisions],
            rationale=row.rationale,
            evidence_ids=list(row.evidence_ids),
            applicability=[ApplicabilityRead.model_validate(a) for a in row.applicability],
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            supersedes_id=row.supersedes_id,
            superseded_by_id=successor.get(row.id),
            is_current=row.id not in successor,
        )
        for row in rows
    ]


def determinations_of(session: Session, *, incident_id: str, actor: Actor) -> list[DeterminationRead]:
    """The incident's determinations, newest (the current one) first; 404 when not visible."""
    visible_incident(session, incident_id=incident_id, actor=actor)
    return list(reversed(_reads(session, repo.determinations_of(session, incident_id))))


def current_determination(session: Session, *, incident_id: str, actor: Actor) -> DeterminationRead | None:
    """The incident's current determination, or None when none has been issued."""
    history = determinations_of(session, incident_id=incident_id, actor=actor)
    return history[0] if history else None


def get_determination(session: Session, *, determination_id: str, actor: Actor) -> DeterminationRead:
    """One determination, seen through its incident (404 when either is not visible)."""
    row = repo.find_determination(session, determination_id)
    if row is None:
        raise NotFound.of("determination", determination_id)
    try:
        history = determinations_of(session, incident_id=row.incident_id, actor=actor)
    except NotFound:
        raise NotFound.of("determination", determination_id) from None
    return next(d for d in history if d.id == determination_id)
