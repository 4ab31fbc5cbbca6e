"""Incidents API: group reports, move stages, publish, and read incidents as each reader may see them.

Reads are scoped (an incident a reader may not see answers 404, like an unknown id); changes need
the incident:manage permission. The /public routes answer without a token and show only incidents
published to the public, without any reporter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response, status

from ceasefire.api.deps import ActorDep, SessionDep, require
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.identity.rules import Permission
from ceasefire.incidents import service
from ceasefire.incidents.repository import IncidentFilter
from ceasefire.incidents.schemas import (
    IncidentCreate,
    IncidentRead,
    IncidentReportRead,
    IncidentSummary,
    MergeRequest,
    PublicationChange,
    PublicIncidentRead,
    PublicIncidentSummary,
    ReportLink,
    SplitRequest,
    StageChangeRead,
    StageMove,
)
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Grade, Publication, Stage
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.time import require_aware
from ceasefire.kernel.vocab import ActCategory

router = APIRouter(tags=["incidents"])

Manager = Annotated[Actor, Depends(require(Permission.INCIDENT_MANAGE))]
Paging = Annotated[PageRequest, Depends(page_params)]
T = TypeVar("T")


def _same(item: T) -> T:
    return item


def incident_filters(
    stage: Stage | None = Query(None, description="Only incidents at this workflow stage."),
    grade: Grade | None = Query(None, description="Only incidents of this verification grade."),
    publication: Publication | None = Query(None, description="Only incidents published at this level."),
    since: datetime | None = Query(None, description="Only incidents whose window ends at or after this."),
    until: datetime | None = Query(None, description="Only incidents whose window starts before this."),
    act_category: ActCategory | None = Query(None, description="Only incidents with a claim of this act."),
    party_id: str | None = Query(
        None, max_length=64, description="Only incidents with a claim by, against or blaming this party."
    ),
) -> IncidentFilter:
    """The list filters of the query string (instants with their offsets)."""
    return IncidentFilter(
        stage=stage.value if stage else None,
        grade=grade.value if grade else None,
        publication=publication.value if publication else None,
        since=require_aware(since, field="since") if since else None,
        until=require_aware(until, field="until") if until else None,
        act_category=act_category.value if act_category else None,
        party_id=party_id,
    )


Filters = Annotated[IncidentFilter, Depends(incident_filters)]


@router.get("/incidents", response_model=PageOut[IncidentSummary])
def list_incidents(
    request: Request, session: SessionDep, actor: ActorDep, page: Paging, filters: Filters
) -> PageOut[IncidentSummary]:
    """Incidents you may see, latest event first, filtered by stage, grade, publication, time, act, party."""
    found = service.list_incidents(session, actor=actor, page=page, filters=filters)
    return page_out(request, found, _same)


@router.post("/incidents", response_model=IncidentRead, status_code=status.HTTP_201_CREATED)
def open_incident(data: IncidentCreate, session: SessionDep, actor: Manager) -> IncidentRead:
    """Open an incident grouping reports (current versions, not withdrawn, not in another incident)."""
    incident = service.open_incident(session, report_ids=data.report_ids, title=data.title, actor=actor)
    return service.read_incident(session, incident_id=incident.id, actor=actor)


@router.get("/incidents/{incident_id}", response_model=IncidentRead)
def read_incident(incident_id: str, session: SessionDep, actor: ActorDep) -> IncidentRead:
    """An incident: claims side by side, casualties per source, contradictions, grade and its reasons."""
    return service.read_incident(session, incident_id=incident_id, actor=actor)


@router.get("/incidents/{incident_id}/history", response_model=list[StageChangeRead])
def list_incident_stage_changes(
    incident_id: str, session: SessionDep, actor: ActorDep
) -> list[StageChangeRead]:
    """The workflow stage changes of an incident, oldest first."""
    return service.stage_history(session, incident_id=incident_id, actor=actor)


@router.post(
    "/incidents/{incident_id}/reports", response_model=IncidentReportRead, status_code=status.HTTP_201_CREATED
)
def link_incident_report(
    incident_id: str, data: ReportLink, session: SessionDep, actor: Manager
) -> IncidentReportRead:
    """Group one more report into an open incident."""
    link = service.link_report(session, incident_id=incident_id, report_id=data.report_id, actor=actor)
    return IncidentReportRead.model_validate(link)


@router.delete("/incidents/{incident_id}/reports/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink_incident_report(
    incident_id: str,
    report_id: str,
    session: SessionDep,
    actor: Manager,
    reason: str | None = Query(None, max_length=2000, description="Why the report does not belong here."),
) -> Response:
    """Take a report out of an open incident (the pairing is remembered as rejected)."""
    service.unlink_report(session, incident_id=incident_id, report_id=report_id, actor=actor, reason=reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentRead)
def merge_incident(incident_id: str, data: MergeRequest, session: SessionDep, actor: Manager) -> IncidentRead:
    """Merge this incident into another; answers the incident merged into."""
    target = service.merge_incidents(
        session, source_id=incident_id, target_id=data.into_id, reason=data.reason, actor=actor
    )
    return service.read_incident(session, incident_id=target.id, actor=actor)


@router.post(
    "/incidents/{incident_id}/split", response_model=IncidentRead, status_code=status.HTTP_201_CREATED
)
def split_incident(incident_id: str, data: SplitRequest, session: SessionDep, actor: Manager) -> IncidentRead:
    """Move some of an incident's reports into a new incident; answers the new incident."""
    new = service.split_incident(
        session,
        incident_id=incident_id,
        report_ids=data.report_ids,
        title=data.title,
        reason=data.reason,
        actor=actor,
    )
    return service.read_incident(session, incident_id=new.id, actor=actor)


@router.post("/incidents/{incident_id}/stage", response_model=IncidentRead)
def move_incident_stage(
    incident_id: str, data: StageMove, session: SessionDep, actor: Manager
) -> IncidentRead:
    """Move an incident to another workflow stage (409 invalid_transition when not allowed)."""
    service.advance_stage(session, incident_id=incident_id, to=data.to, reason=data.reason, actor=actor)
    return service.read_incident(session, incident_id=incident_id, actor=actor)


@router.post("/incidents/{incident_id}/publication", response_model=IncidentRead)
def set_incident_publication(
    incident_id: str, data: PublicationChange, session: SessionDep, actor: Manager
) -> IncidentRead:
    """Set who may see the incident beyond the secretariat: internal, parties or public."""
    service.set_publication(
        session, incident_id=incident_id, level=data.level, reason=data.reason, actor=actor
    )
    return service.read_incident(session, incident_id=incident_id, actor=actor)


@router.get("/public/incidents", response_model=PageOut[PublicIncidentSummary])
def list_public_incidents(
    request: Request, session: SessionDep, page: Paging, filters: Filters
) -> PageOut[PublicIncidentSummary]:
    """Incidents published to the public (no token needed)."""
    found = service.list_public_incidents(session, page=page, filters=filters)
    return page_out(request, found, _same)


@router.get("/public/incidents/{incident_id}", response_model=PublicIncidentRead)
def read_public_incident(incident_id: str, session: SessionDep) -> PublicIncidentRead:
    """A published incident: what was claimed, with no reporter (no token needed)."""
    return service.read_public_incident(session, incident_id=incident_id)
