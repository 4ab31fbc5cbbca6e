"""Read and list incidents as each reader may see them (scoped; other reporters withheld).

The secretariat (INCIDENT_READ_ALL) sees everything. A party representative sees the incidents its
party reported or is accused in, and those published to the parties or the public; coordinators and
observers those published to the parties or the public; the anonymous public those published to
the public (identity.rules.may_see_incident). Anything else is "not found", exactly as for an id
that does not exist. Outside the secretariat, claims a reader did not make itself (its party's or
its own) are *redacted*: no message, no submitter, no narrative, and the source's name only when the
source is a registered party. The public view has no reporters and no report ids at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from ceasefire.identity.rules import (
    PUBLIC_ROLE,
    Permission,
    has_permission,
    is_party_scoped,
    may_see_incident,
)
from ceasefire.incidents import repository as repo
from ceasefire.incidents.derivation import Snapshot, refresh_if_changed, refresh_stale, snapshot
from ceasefire.incidents.facts import MEASURES, Casualties, ClaimFacts
from ceasefire.incidents.models import Incident
from ceasefire.incidents.repository import ClaimRow, IncidentFilter
from ceasefire.incidents.rules import CASUALTY_RULE, Derived
from ceasefire.incidents.schemas import (
    CasualtiesRead,
    ClaimFields,
    ClaimRead,
    ContradictionRead,
    FigureRead,
    IncidentCasualties,
    IncidentRead,
    IncidentSummary,
    PlaceRead,
    PublicContradictionRead,
    PublicIncidentRead,
    PublicIncidentSummary,
    RangeRead,
    SideRead,
    StageChangeRead,
    WindowRead,
)
from ceasefire.kernel.actor import PUBLIC, Actor
from ceasefire.kernel.errors import NotFound
from ceasefire.kernel.paging import Page, PageRequest

WITHHELD = "withheld"


def _sees_all(actor: Actor) -> bool:
    return has_permission(actor.role, Permission.INCIDENT_READ_ALL)


def visible_incident(session: Session, *, incident_id: str, actor: Actor) -> Incident:
    """The incident if this actor may see it, else NotFound (the same as for an unknown id)."""
    incident = repo.find(session, incident_id)
    if incident is None:
        raise NotFound.of("incident", incident_id)
    if _sees_all(actor):
        return incident
    lineages = [link.report_lineage_id for link in repo.links_of(session, incident.id)]
    reporting, accused = repo.involved_parties(session, lineages)
    allowed = may_see_incident(
        role=actor.role,
        party_id=actor.party_id,
        publication=incident.publication,
        reporting_party_ids=reporting,
        accused_party_ids=accused,
    )
    if not allowed:
        raise NotFound.of("incident", incident_id)
    return incident


def _range(value: object) -> RangeRead | None:
    low, high = getattr(value, "low", None), getattr(value, "high", None)
    return None if low is None or high is None else RangeRead(min=low, max=high)


def _casualties(value: Casualties) -> CasualtiesRead:
    return CasualtiesRead(**{m: _range(getattr(value, m)) for m in MEASURES})


def _incident_casualties(derived: Derived) -> IncidentCasualties:
    c = derived.casualties
    figures = [
        FigureRead(
            claim=f.claim,
            side=f.side,
            stance=f.stance,
            counted=f.counted,
            note=f.note,
            casualties=_casualties(f.casualties),
        )
        for f in c.figures
    ]
    ranges = {m: _range(getattr(c, m)) for m in MEASURES}
    return IncidentCasualties(**ranges, rule=CASUALTY_RULE, figures=figures)


def _claim_fields(row: ClaimRow, fact: ClaimFacts, derived: Derived, ref: str) -> dict[str, object]:
    r = row.report
    side = next(c.side for c in derived.claims if c.ref == ref)
    return {
        "ref": ref,
        "side": side,
        "stance": fact.stance,
        "withdrawn": row.withdrawn,
        "occurred_start": r.occurred_start,
        "occurred_end": r.occurred_end,
        "time_precision": r.time_precision,
        "place_id": r.place_id,
        "location_text": r.location_text,
        "latitude": fact.latitude,
        "longitude": fact.longitude,
        "location_precision": r.location_precision,
        "act_category": r.act_category,
        "event_type": r.event_type,
        "sub_event_type": r.sub_event_type,
        "perpetrator_party_id": r.perpetrator_party_id,
        "perpetrator_text": r.perpetrator_text,
        "target_party_id": r.target_party_id,
        "target_text": r.target_text,
        "casualties": _casualties(fact.casualties),
    }


def _is_own(row: ClaimRow, actor: Actor) -> bool:
    by_party = actor.party_id is not None and row.submitter_party_id == actor.party_id
    return by_party or row.submitted_by_user_id == actor.id


def _claim(row: ClaimRow, fact: ClaimFacts, derived: Derived, ref: str, actor: Actor) -> ClaimRead:
    r = row.report
    shown = _sees_all(actor) or _is_own(row, actor)
    return ClaimRead(
        **_claim_fields(row, fact, derived, ref),
        report_id=r.id,
        lineage_id=r.lineage_id,
        version=r.version,
        occurred_at=r.occurred_at,
        source=r.source_name if shown or r.source_party_id else WITHHELD,
        source_party_id=r.source_party_id,
        credible=fact.credible,
        monitor=fact.is_monitor,
        verified_evidence=fact.has_verified_evidence,
        message_id=row.message_id if shown else None,
        submitter_party_id=row.submitter_party_id if shown else None,
        submitted_by_user_id=row.submitted_by_user_id if shown else None,
        narrative=r.narrative if shown else None,
        redacted=not shown,
    )


def _sides(derived: Derived) -> list[SideRead]:
    sides: dict[str, SideRead] = {}
    for claim in derived.claims:
        side = sides.setdefault(claim.side, SideRead(label=claim.side, claims=[], by_stance={}))
        side.claims.append(claim.ref)
        side.by_stance.setdefault(claim.stance.value, []).append(claim.ref)
    return list(sides.values())


def _window(derived: Derived) -> WindowRead | None:
    w = derived.window
    if w is None:
        return None
    return WindowRead(
        start=w.start, end=w.end, precision=w.precision, conflict=w.conflict, claims=list(w.claims)
    )


def _place(derived: Derived) -> PlaceRead | None:
    p = derived.place
    if p is None:
        return None
    return PlaceRead(
        latitude=p.latitude,
        longitude=p.longitude,
        precision=p.precision,
        place_id=p.place_id,
        claim=p.claim,
        spread_km=p.spread_km,
        points=p.points,
    )


def _common(incident: Incident, derived: Derived) -> dict[str, object]:
    return {
        "id": incident.id,
        "title": incident.title,
        "stage": incident.stage,
        "grade": derived.grade,
        "grade_reasons": list(derived.reasons),
        "window": _window(derived),
        "place": _place(derived),
        "casualties": _incident_casualties(derived),
    }


def _history(session: Session, incident: Incident, actor: Actor) -> list[StageChangeRead]:
    rows = repo.stage_history(session, incident.id)
    reads = [StageChangeRead.model_validate(r) for r in rows]
    return reads if _sees_all(actor) else [r.model_copy(update={"actor": None}) for r in reads]


def _current(session: Session, incident: Incident) -> Snapshot:
    """Derive the incident afresh, and bring its stored cache up to date if it lagged."""
    current = snapshot(session, incident)
    refresh_if_changed(session, incident, current)
    return current


def read_incident(session: Session, *, incident_id: str, actor: Actor) -> IncidentRead:
    """An incident as this actor may see it: claims side by side, contradictions, grade, history."""
    incident = visible_incident(session, incident_id=incident_id, actor=actor)
    current = _current(session, incident)
    derived = current.derived
    refs = [c.ref for c in derived.claims]
    claims = [
        _claim(r, f, derived, ref, actor) for r, f, ref in zip(current.rows, current.facts, refs, strict=True)
    ]
    return IncidentRead(
        **_common(incident, derived),
        stage_reason=incident.stage_reason,
        merged_into_id=incident.merged_into_id,
        publication=incident.publication,
        contradictions=[
            ContradictionRead(
                kind=c.kind.value,
                claims=list(c.claims),
                report_ids=list(c.report_ids),
                description=c.description,
                contesting=c.contesting,
            )
            for c in derived.contradictions
        ],
        sides=_sides(derived),
        claims=claims,
        history=_history(session, incident, actor),
        created_at=incident.created_at,
        derived_at=incident.derived_at,
    )


def stage_history(session: Session, *, incident_id: str, actor: Actor) -> list[StageChangeRead]:
    """An incident's stage changes, oldest first (scoped like reading the incident)."""
    incident = visible_incident(session, incident_id=incident_id, actor=actor)
    return _history(session, incident, actor)


def read_public_incident(session: Session, *, incident_id: str) -> PublicIncidentRead:
    """A published incident without any reporter: what was claimed, never by whom."""
    incident = visible_incident(session, incident_id=incident_id, actor=PUBLIC)
    current = _current(session, incident)
    derived = current.derived
    refs = [c.ref for c in derived.claims]
    return PublicIncidentRead(
        **_common(incident, derived),
        contradictions=[
            PublicContradictionRead(
                kind=c.kind.value, claims=list(c.claims), description=c.description, contesting=c.contesting
            )
            for c in derived.contradictions
        ],
        claims=[
            ClaimFields(**_claim_fields(r, f, derived, ref))
            for r, f, ref in zip(current.rows, current.facts, refs, strict=True)
        ],
    )


def _visibility(actor: Actor) -> tuple[bool, Sequence[str], str | None]:
    """(sees all, publication levels it sees, party whose incidents it also sees) — as may_see_incident."""
    if _sees_all(actor):
        return True, (), None
    if actor.role == PUBLIC_ROLE:
        return False, ("public",), None
    party = actor.party_id if is_party_scoped(actor.role) else None
    return False, ("parties", "public"), party


def _summary(incident: Incident, reports: int) -> IncidentSummary:
    return IncidentSummary.model_validate(
        {
            **PublicIncidentSummary.model_validate(incident).model_dump(),
            "publication": incident.publication,
            "merged_into_id": incident.merged_into_id,
            "reports": reports,
            "contradictions": len((incident.derived or {}).get("contradictions", [])),
            "created_at": incident.created_at,
        }
    )


def _fresh_page(
    session: Session, where: ColumnElement[bool], page: PageRequest, filters: IncidentFilter
) -> Page[Incident]:
    """A page of incidents whose derived fields are current.

    The write paths re-derive the incidents they touch; a report changed elsewhere (a CLI correction,
    an import) leaves its incident stale until read. Only the incidents on the page are checked —
    scanning every incident on each list cost seconds at 100,000 — and the page is read again when
    one of them changed (its grade or time may move it out of the filter).
    """
    found = repo.page_of_incidents(session, where=where, page=page, filters=filters)
    if refresh_stale(session, [i.id for i in found.items]):
        found = repo.page_of_incidents(session, where=where, page=page, filters=filters)
    return found


def list_incidents(
    session: Session, *, actor: Actor, page: PageRequest, filters: IncidentFilter | None = None
) -> Page[IncidentSummary]:
    """Incidents this actor may see, latest event first, filtered (stage, grade, time, act, party...)."""
    see_all, levels, party = _visibility(actor)
    where = repo.visibility(see_all=see_all, levels=levels, party_id=party)
    found = _fresh_page(session, where, page, filters or IncidentFilter())
    counts = repo.report_counts(session, [i.id for i in found.items])
    items = [_summary(i, counts.get(i.id, 0)) for i in found.items]
    return Page(items=items, total=found.total, request=page)


def list_public_incidents(
    session: Session, *, page: PageRequest, filters: IncidentFilter | None = None
) -> Page[PublicIncidentSummary]:
    """Incidents published to the public, latest event first."""
    where = repo.visibility(see_all=False, levels=("public",), party_id=None)
    found = _fresh_page(session, where, page, filters or IncidentFilter())
    return Page(
        items=[PublicIncidentSummary.model_validate(i) for i in found.items], total=found.total, request=page
    )
