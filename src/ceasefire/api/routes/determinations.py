"""Applicability and determinations API: the verdicts of every agreement on an incident, and findings.

Scoped like incidents: an incident the caller may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from ceasefire.api.deps import ActorDep, SessionDep
from ceasefire.determinations import service
from ceasefire.determinations.schemas import ApplicabilityRead, DeterminationCreate, DeterminationRead

router = APIRouter(tags=["determinations"])


@router.get("/incidents/{incident_id}/applicability", response_model=list[ApplicabilityRead])
def assess_incident_applicability(
    incident_id: str, session: SessionDep, actor: ActorDep
) -> list[ApplicabilityRead]:
    """Every agreement's verdict on the incident (in scope, out of scope, uncertain) with its trace."""
    return [ApplicabilityRead.of(r) for r in service.assess(session, incident_id=incident_id, actor=actor)]


@router.post(
    "/incidents/{incident_id}/determinations",
    response_model=DeterminationRead,
    status_code=status.HTTP_201_CREATED,
)
def issue_incident_determination(
    incident_id: str, data: DeterminationCreate, session: SessionDep, actor: ActorDep
) -> DeterminationRead:
    """Issue a finding on the incident (needs the determination permission); it supersedes the current one."""
    issued = service.issue_determination(session, incident_id=incident_id, data=data, actor=actor)
    return service.get_determination(session, determination_id=issued.id, actor=actor)


@router.get("/incidents/{incident_id}/determinations", response_model=list[DeterminationRead])
def list_incident_determinations(
    incident_id: str, session: SessionDep, actor: ActorDep
) -> list[DeterminationRead]:
    """The incident's determinations, newest (the current one) first; superseded ones are kept."""
    return service.determinations_of(session, incident_id=incident_id, actor=actor)


@router.get("/determinations/{determination_id}", response_model=DeterminationRead)
def get_determination(determination_id: str, session: SessionDep, actor: ActorDep) -> DeterminationRead:
    """One determination with its applicability snapshot and its place in the chain of revisions."""
    return service.get_determination(session, determination_id=determination_id, actor=actor)
