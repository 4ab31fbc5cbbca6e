"""Queries of humanitarian access."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ceasefire.access.models import (
    AgreementApprover,
    Approval,
    BesiegedArea,
    Movement,
)
from ceasefire.access.rules import DELIVERED, ControlArea
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.places.models import Area

AREA_OF_CONTROL = "area_of_control"


def control_areas(
    session: Session,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ControlArea]:
    """Areas of control with a controlling party, within bounds and valid over [since, until]."""
    query = select(Area.id, Area.party_id, Area.geometry, Area.valid_from, Area.valid_to).where(
        Area.kind == AREA_OF_CONTROL, Area.party_id.is_not(None)
    )
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        query = query.where(
            Area.max_lon >= min_lon, Area.min_lon <= max_lon, Area.max_lat >= min_lat, Area.min_lat <= max_lat
        )
    if until is not None:
        query = query.where(or_(Area.valid_from.is_(None), Area.valid_from <= until))
    if since is not None:
        query = query.where(or_(Area.valid_to.is_(None), Area.valid_to >= since))
    return [
        ControlArea(area_id=i, party_id=p or "", geometry=g, valid_from=f, valid_to=t)
        for i, p, g, f, t in session.execute(query.order_by(Area.id))
    ]


def approvers_of(session: Session, agreement_id: str | None) -> list[str]:
    """The parties an agreement names as approvers."""
    if agreement_id is None:
        return []
    query = select(AgreementApprover.party_id).where(AgreementApprover.agreement_id == agreement_id)
    return list(session.scalars(query.order_by(AgreementApprover.party_id)))


def approvals_of(session: Session, movement_ids: Collection[str]) -> dict[str, list[Approval]]:
    """Approvals by movement, each list ordered by party."""
    result: dict[str, list[Approval]] = {m: [] for m in movement_ids}
    if movement_ids:
        query = select(Approval).where(Approval.movement_id.in_(list(movement_ids)))
        for approval in session.scalars(query.order_by(Approval.movement_id, Approval.party_id)):
            result[approval.movement_id].append(approval)
    return result


def board_page(
    session: Session, *, page: PageRequest, status: str | None, party_id: str | None
) -> Page[Movement]:
    """Movements, newest window first, optionally of one status and concerning one party.

    A party's movements are reached from its approvals (indexed by party), not by testing every
    movement for an approval of the party.
    """
    conditions = [] if status is None else [Movement.status == status]
    query = select(Movement).where(*conditions)
    counted = select(func.count()).select_from(Movement).where(*conditions)
    if party_id is not None:
        mine = and_(Approval.movement_id == Movement.id, Approval.party_id == party_id)
        query = query.join(Approval, mine)
        counted = (
            select(func.count())
            .select_from(Approval)
            .join(Movement, Movement.id == Approval.movement_id)
            .where(Approval.party_id == party_id, *conditions)
        )
    total = session.scalar(counted) or 0
    items = session.scalars(
        query.order_by(Movement.window_start.desc(), Movement.id).offset(page.offset).limit(page.size)
    ).all()
    return Page(items=items, total=total, request=page)


def last_deliveries(session: Session, besieged_ids: Collection[str]) -> dict[str, datetime]:
    """The last delivery time of a movement into each besieged area."""
    if not besieged_ids:
        return {}
    query = (
        select(Movement.besieged_area_id, func.max(Movement.delivered_at))
        .where(
            Movement.besieged_area_id.in_(list(besieged_ids)),
            Movement.status.in_([str(s) for s in DELIVERED]),
        )
        .group_by(Movement.besieged_area_id)
    )
    return {b: at for b, at in session.execute(query) if b is not None and at is not None}


def besieged_areas_with_polygons(session: Session) -> list[tuple[BesiegedArea, Area]]:
    """Each besieged area with its polygon."""
    query = select(BesiegedArea, Area).join(Area, Area.id == BesiegedArea.area_id).order_by(BesiegedArea.id)
    return [(b, a) for b, a in session.execute(query)]
