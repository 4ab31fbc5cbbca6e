"""Workflow verbs of an incident: move its stage (state machine in stages.py), dismiss it, publish it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.incidents import repository as repo
from ceasefire.incidents.derivation import refresh
from ceasefire.incidents.models import Incident, StageChange
from ceasefire.incidents.stages import check_transition
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Publication, Stage
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Invalid, NotFound


def get_incident(session: Session, incident_id: str, *, field: str | None = None) -> Incident:
    """The incident with that id, or NotFound (unscoped: for the secretariat's verbs)."""
    incident = repo.find(session, incident_id)
    if incident is None:
        raise NotFound.of("incident", incident_id, field=field)
    return incident


def stage_row(
    session: Session, incident: Incident, to: Stage, *, actor: Actor, reason: str | None, clock: Clock
) -> StageChange:
    """Append a stage change and move the incident to its new stage."""
    change = StageChange(
        incident_id=incident.id,
        from_stage=incident.stage,
        to_stage=to.value,
        at=clock(),
        actor=actor.label,
        reason=reason,
    )
    session.add(change)
    incident.stage, incident.stage_reason = to.value, reason
    return change


def advance_stage(
    session: Session, *, incident_id: str, to: Stage, reason: str | None, actor: Actor, clock: Clock = utc_now
) -> StageChange:
    """Move an incident to another workflow stage, as the state machine allows (stages.py)."""
    incident = get_incident(session, incident_id)
    if to is Stage.MERGED:
        raise Invalid(
            "merge an incident by naming the incident it goes into", code="merge_required", field="to"
        )
    current = Stage(incident.stage)
    reason = (reason or "").strip() or None
    check_transition(current, to, reason)
    change = stage_row(session, incident, to, actor=actor, reason=reason, clock=clock)
    session.flush()
    changes = {"from": current.value, "to": to.value}
    record(
        session,
        actor=actor,
        action="incident.stage",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
        reason=reason,
        clock=clock,
    )
    refresh(session, incident, clock=clock)
    return change


def dismiss(
    session: Session, *, incident_id: str, reason: str, actor: Actor, clock: Clock = utc_now
) -> StageChange:
    """Dismiss an open incident with a reason (its grade becomes discounted)."""
    return advance_stage(
        session, incident_id=incident_id, to=Stage.DISMISSED, reason=reason, actor=actor, clock=clock
    )


def set_publication(
    session: Session,
    *,
    incident_id: str,
    level: Publication,
    actor: Actor,
    reason: str | None = None,
    clock: Clock = utc_now,
) -> Incident:
    """Set who may see the incident beyond the secretariat (internal, parties, public)."""
    incident = get_incident(session, incident_id)
    if incident.stage == Stage.MERGED:
        raise Conflict(
            f"incident {incident_id} was merged into {incident.merged_into_id}: publish that one",
            code="incident_merged",
        )
    if incident.publication == level.value:
        return incident
    changes = {"from": incident.publication, "to": level.value}
    incident.publication = level.value
    session.flush()
    record(
        session,
        actor=actor,
        action="incident.publish",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
        reason=reason,
        clock=clock,
    )
    return incident
