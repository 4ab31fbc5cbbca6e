"""Humanitarian access API: movements and approvals, notified sites, corridors, sieges, observation posts.

Reading needs registry:read (a party representative sees only the movements its party must
approve; others answer 404 like an unknown id); writing needs access:write (coordinators and
observers); answering an approval or acknowledging a site needs access:decide (a representative
for its own party only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from ceasefire.access import service
from ceasefire.access.rules import MovementStatus
from ceasefire.access.schemas import (
    AcknowledgementCreate,
    AcknowledgementRead,
    ApprovalDecision,
    ApprovalRead,
    ApproverCreate,
    AuthorityChange,
    BesiegedAreaCreate,
    BesiegedAreaRead,
    BoardRow,
    CheckpointCreate,
    CheckpointRead,
    CorridorCreate,
    CorridorRead,
    CorridorStatusCreate,
    DailyLogCreate,
    DailyLogRead,
    MovementCreate,
    MovementRead,
    ObstructionCreate,
    ObstructionRead,
    OverdueLog,
    PostCreate,
    PostRead,
    SiteCreate,
    SiteRead,
    StatusChange,
)
from ceasefire.api.deps import Reader, SessionDep, require
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.identity.rules import Permission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import utc_now
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.time import require_aware

router = APIRouter(tags=["access"])

AccessWriter = Annotated[Actor, Depends(require(Permission.ACCESS_WRITE))]
Decider = Annotated[Actor, Depends(require(Permission.ACCESS_DECIDE))]
Paging = Annotated[PageRequest, Depends(page_params)]
Created = status.HTTP_201_CREATED


def _same(row: BoardRow) -> BoardRow:
    return row


AT = Query(None, description="Compute as of this instant, with its offset (default: now).")


def _clock(at: datetime | None) -> Callable[[], datetime]:
    """A clock stopped at `at` (for reading the replay as of a day), or the real one."""
    if at is None:
        return utc_now
    moment = require_aware(at, field="at")
    return lambda: moment


@router.get("/movements", response_model=PageOut[BoardRow])
def list_movements(
    request: Request,
    session: SessionDep,
    actor: Reader,
    page: Paging,
    movement_status: MovementStatus | None = Query(None, alias="status", description="Only this status."),
    at: datetime | None = AT,
) -> PageOut[BoardRow]:
    """The movements board: movements with their approval matrix (authority -> status) and days waiting."""
    found = service.movements_board(session, actor=actor, page=page, status=movement_status, clock=_clock(at))
    return page_out(request, found, _same)


@router.post("/movements", response_model=MovementRead, status_code=Created)
def create_movement(data: MovementCreate, session: SessionDep, actor: AccessWriter) -> MovementRead:
    """Request a movement (a draft, or submitted for approval at once with `submit`)."""
    movement = service.create_movement(session, data=data, actor=actor)
    return service.read_movement(session, movement_id=movement.id, actor=actor)


@router.post("/movements/recompute", response_model=list[AuthorityChange])
def recompute_all_movements(session: SessionDep, actor: AccessWriter) -> list[AuthorityChange]:
    """Recompute the authorities of every waiting movement after control areas changed; what changed."""
    return service.recompute_open_movements(session, actor=actor)


@router.get("/movements/{movement_id}", response_model=MovementRead)
def read_movement(
    movement_id: str, session: SessionDep, actor: Reader, at: datetime | None = AT
) -> MovementRead:
    """A movement with its approvals, status timeline, obstructions and days waiting."""
    return service.read_movement(session, movement_id=movement_id, actor=actor, clock=_clock(at))


@router.post("/movements/{movement_id}/submit", response_model=MovementRead)
def submit_movement(movement_id: str, session: SessionDep, actor: AccessWriter) -> MovementRead:
    """Submit a draft: required authorities are computed, one pending approval each."""
    service.submit_movement(session, movement_id=movement_id, actor=actor)
    return service.read_movement(session, movement_id=movement_id, actor=actor)


@router.post("/movements/{movement_id}/recompute", response_model=AuthorityChange)
def recompute_movement(movement_id: str, session: SessionDep, actor: AccessWriter) -> AuthorityChange:
    """Recompute one waiting movement's authorities; the authorities added and removed."""
    return service.recompute_authorities(session, movement_id=movement_id, actor=actor)


@router.post("/movements/{movement_id}/status", response_model=MovementRead)
def change_movement_status(
    movement_id: str, data: StatusChange, session: SessionDep, actor: AccessWriter
) -> MovementRead:
    """Move a movement along its life cycle; `attacked` files a report in the violation workflow."""
    service.change_status(session, movement_id=movement_id, data=data, actor=actor)
    return service.read_movement(session, movement_id=movement_id, actor=actor)


@router.post("/movements/{movement_id}/obstructions", response_model=ObstructionRead, status_code=Created)
def add_movement_obstruction(
    movement_id: str, data: ObstructionCreate, session: SessionDep, actor: AccessWriter
) -> ObstructionRead:
    """Record an obstruction in an OCHA access-constraint category."""
    row = service.add_obstruction(session, movement_id=movement_id, data=data, actor=actor)
    session.flush()
    return ObstructionRead.model_validate(row)


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalRead)
def decide_approval(
    approval_id: str, data: ApprovalDecision, session: SessionDep, actor: Decider
) -> ApprovalRead:
    """An authority's answer: granted, conditional (with conditions), denied (with reason), expired."""
    approval = service.decide_approval(session, approval_id=approval_id, data=data, actor=actor)
    session.flush()
    return ApprovalRead.model_validate(approval)


@router.post("/agreement-approvers", response_model=ApproverCreate, status_code=Created)
def add_agreement_approver(data: ApproverCreate, session: SessionDep, actor: AccessWriter) -> ApproverCreate:
    """Name a party an agreement requires to approve movements made under it."""
    service.add_approver(session, data=data, actor=actor)
    return data


@router.get("/sites", response_model=list[SiteRead])
def list_sites(session: SessionDep, actor: Reader) -> list[SiteRead]:
    """Notified humanitarian sites, with each party's acknowledgement and the reports flagged at them."""
    return service.list_sites(session, actor=actor)


@router.post("/sites", response_model=SiteRead, status_code=Created)
def notify_site(data: SiteCreate, session: SessionDep, actor: AccessWriter) -> SiteRead:
    """Notify a static humanitarian site to all parties (notification is not permission)."""
    site = service.create_site(session, data=data, actor=actor)
    session.flush()
    return service.read_site(session, site_id=site.id)


@router.post("/sites/scan", response_model=list[list[str]])
def scan_site_flags(session: SessionDep, actor: AccessWriter) -> list[list[str]]:
    """Flag every report at a notified site; the [report id, site id] pairs newly flagged."""
    return [list(pair) for pair in service.scan_site_flags(session, actor=actor)]


@router.post("/sites/{site_id}/acknowledgements", response_model=AcknowledgementRead, status_code=Created)
def acknowledge_site(
    site_id: str, data: AcknowledgementCreate, session: SessionDep, actor: Decider
) -> AcknowledgementRead:
    """A party acknowledges a site notification (a representative for its own party)."""
    ack = service.acknowledge_site(session, site_id=site_id, data=data, actor=actor)
    session.flush()
    return AcknowledgementRead.model_validate(ack)


@router.get("/corridors", response_model=list[CorridorRead])
def list_corridors(
    session: SessionDep,
    actor: Reader,
    at: datetime | None = AT,
) -> list[CorridorRead]:
    """Corridors with their status now (declared status and opening schedule), timeline and checkpoints."""
    return service.list_corridors(session, clock=_clock(at))


@router.post("/corridors", response_model=CorridorRead, status_code=Created)
def create_corridor(data: CorridorCreate, session: SessionDep, actor: AccessWriter) -> CorridorRead:
    """Record a corridor and its opening schedule (round the clock or windows, in local time)."""
    corridor = service.create_corridor(session, data=data, actor=actor)
    session.flush()
    return service.read_corridor(session, corridor_id=corridor.id)


@router.post("/corridors/{corridor_id}/status", response_model=CorridorRead, status_code=Created)
def add_corridor_status(
    corridor_id: str, data: CorridorStatusCreate, session: SessionDep, actor: AccessWriter
) -> CorridorRead:
    """Append a declared or observed status to a corridor's timeline."""
    service.add_corridor_status(session, corridor_id=corridor_id, data=data, actor=actor)
    session.flush()
    return service.read_corridor(session, corridor_id=corridor_id)


@router.post("/checkpoints", response_model=CheckpointRead, status_code=Created)
def create_checkpoint(data: CheckpointCreate, session: SessionDep, actor: AccessWriter) -> CheckpointRead:
    """Record a checkpoint on a corridor or route, with its operator."""
    checkpoint = service.create_checkpoint(session, data=data, actor=actor)
    session.flush()
    return CheckpointRead.model_validate(checkpoint)


@router.get("/besieged-areas", response_model=list[BesiegedAreaRead])
def list_besieged_areas(
    session: SessionDep, actor: Reader, at: datetime | None = AT
) -> list[BesiegedAreaRead]:
    """Besieged and hard-to-reach areas with population ranges and days since the last delivery."""
    return service.list_besieged_areas(session, clock=_clock(at))


@router.post("/besieged-areas", response_model=BesiegedAreaRead, status_code=Created)
def create_besieged_area(
    data: BesiegedAreaCreate, session: SessionDep, actor: AccessWriter
) -> BesiegedAreaRead:
    """Record a besieged or hard-to-reach area over a registered polygon."""
    row = service.create_besieged_area(session, data=data, actor=actor)
    return service.read_besieged_area(session, besieged_id=row.id)


@router.get("/observation-posts", response_model=list[PostRead])
def list_observation_posts(session: SessionDep, actor: Reader) -> list[PostRead]:
    """Observation posts and their reporting schedules."""
    return [PostRead.model_validate(p) for p in service.list_posts(session)]


@router.post("/observation-posts", response_model=PostRead, status_code=Created)
def create_observation_post(data: PostCreate, session: SessionDep, actor: AccessWriter) -> PostRead:
    """Record an observation post (its log for a day is due by due_hour, local time, the next day)."""
    post = service.create_post(session, data=data, actor=actor)
    session.flush()
    return PostRead.model_validate(post)


@router.get("/observation-posts/overdue", response_model=list[OverdueLog])
def list_overdue_logs(
    session: SessionDep,
    actor: Reader,
    days: int = Query(60, ge=1, le=366, description="How many days back to look."),
    at: datetime | None = AT,
) -> list[OverdueLog]:
    """Posts whose daily log for a day is missing past its due time."""
    return service.overdue_logs(session, days=days, clock=_clock(at))


@router.get("/observation-posts/{post_id}/logs", response_model=list[DailyLogRead])
def list_post_logs(
    post_id: str,
    session: SessionDep,
    actor: Reader,
    day: date | None = Query(None, description="Only this day."),
    all_versions: bool = Query(False, description="Every version, not only the current one."),
) -> list[DailyLogRead]:
    """A post's daily logs, newest day first."""
    return service.list_logs(session, post_id=post_id, day=day, all_versions=all_versions)


@router.post("/observation-posts/{post_id}/logs", response_model=DailyLogRead, status_code=Created)
def submit_post_log(
    post_id: str, data: DailyLogCreate, session: SessionDep, actor: AccessWriter
) -> DailyLogRead:
    """Submit the daily log (again for a correction: a new version); observed incidents become reports."""
    log = service.submit_log(session, post_id=post_id, data=data, actor=actor)
    session.flush()
    return DailyLogRead.model_validate(log)
