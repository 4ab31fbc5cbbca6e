"""Use cases of humanitarian access; every change is audited in the caller's transaction.

Writers are humanitarian coordinators and observers (permission access:write); authorities answer
through access:decide (a party representative for its own party only, and it sees only the
movements its party must approve: others answer 404 like an unknown id).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from shapely.geometry import Point, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.access import repository, rules
from ceasefire.access.models import (
    AgreementApprover,
    Approval,
    BesiegedArea,
    Checkpoint,
    Corridor,
    CorridorStatus,
    DailyLog,
    Movement,
    MovementEvent,
    ObservationPost,
    Obstruction,
    Site,
    SiteAcknowledgement,
    SiteFlag,
)
from ceasefire.access.rules import ApprovalStatus, AuthorityIndex, MovementStatus
from ceasefire.access.schemas import (
    AcknowledgementCreate,
    ApprovalDecision,
    ApprovalRead,
    ApproverCreate,
    AttackDetails,
    AuthorityChange,
    BesiegedAreaCreate,
    BesiegedAreaRead,
    BoardRow,
    CheckpointCreate,
    CheckpointRead,
    CorridorCreate,
    CorridorRead,
    CorridorStatusCreate,
    CorridorStatusRead,
    DailyLogCreate,
    DailyLogRead,
    MovementCreate,
    MovementEventRead,
    MovementRead,
    ObservedIncident,
    ObstructionCreate,
    ObstructionRead,
    OverdueLog,
    PostCreate,
    SiteCreate,
    SiteRead,
    StatusChange,
)
from ceasefire.agreements.models import Agreement
from ceasefire.audit import record
from ceasefire.identity.rules import Permission, has_permission, is_party_scoped
from ceasefire.intake.models import Report
from ceasefire.intake.schemas import ReportSubmission
from ceasefire.intake.submission import submit_report
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.time import require_aware, zone
from ceasefire.kernel.vocab import ActCategory
from ceasefire.parties.models import Party
from ceasefire.places.models import Area, Place

T = TypeVar("T")
FLAG = "attack on a notified humanitarian site"


def require_permission(actor: Actor, permission: Permission) -> None:
    """Refuse an actor whose role lacks the permission (the routes check too; the CLI relies on this)."""
    if not has_permission(actor.role, permission):
        raise Forbidden(f"your role may not {permission.value}", code="permission_denied")


def _get(session: Session, model: type[T], entity_id: str, entity: str, field: str | None = None) -> T:
    found = session.get(model, entity_id)
    if found is None:
        raise NotFound.of(entity, entity_id, field=field)
    return found


def _check_refs(session: Session, **refs: tuple[type[Any], str | None]) -> None:
    """Refuse references to records that do not exist (422 with the field, nothing stored)."""
    for field, (model, value) in refs.items():
        if value is not None and session.get(model, value) is None:
            raise Invalid(f"{field} names no known record: {value}", field=field, code="unknown_reference")


def _fresh_id(session: Session, model: type[Any], given: str | None, entity: str) -> str:
    if given is None:
        return new_id()
    if session.get(model, given) is not None:
        raise Conflict(f"{entity} {given} already exists", code="duplicate", field="id")
    return given


def _point(
    session: Session, place_id: str | None, latitude: float | None, longitude: float | None
) -> tuple[float, float]:
    """Coordinates from a point given, else from the gazetteer place."""
    if (latitude is None) != (longitude is None):
        raise Invalid("give both latitude and longitude, or neither", field="latitude")
    if latitude is not None and longitude is not None:
        return latitude, longitude
    if place_id is None:
        raise Invalid("give a place_id or a point", field="place_id")
    place = session.get(Place, place_id)
    if place is None:
        raise Invalid(
            f"place_id names no known place: {place_id}", field="place_id", code="unknown_reference"
        )
    return place.latitude, place.longitude


def _aware(value: datetime | None, field: str) -> datetime | None:
    return None if value is None else require_aware(value, field=field)


# --- movements ---------------------------------------------------------------------------------


def add_approver(session: Session, *, data: ApproverCreate, actor: Actor) -> AgreementApprover:
    """Record a party an agreement names as approver of movements under it."""
    require_permission(actor, Permission.ACCESS_WRITE)
    _check_refs(session, agreement_id=(Agreement, data.agreement_id), party_id=(Party, data.party_id))
    if session.get(AgreementApprover, (data.agreement_id, data.party_id)) is not None:
        raise Conflict("the agreement already names this approver", code="duplicate")
    row = AgreementApprover(agreement_id=data.agreement_id, party_id=data.party_id, source=data.source)
    session.add(row)
    record(
        session,
        actor=actor,
        action="access.approver.add",
        entity_type="agreement",
        entity_id=data.agreement_id,
        changes={"approver": data.party_id, "source": data.source},
    )
    return row


def _besieged_at(session: Session, route: dict[str, Any]) -> str | None:
    """The besieged area the route ends in, if any."""
    end = Point(route["coordinates"][-1][:2])
    for besieged, area in repository.besieged_areas_with_polygons(session):
        if shape(area.geometry).covers(end):
            return besieged.id
    return None


def _event(
    session: Session,
    movement: Movement,
    status: str,
    *,
    at: datetime,
    actor: Actor,
    note: str | None = None,
    checkpoint_id: str | None = None,
    report_id: str | None = None,
) -> None:
    movement.status, movement.status_at = status, at
    session.add(
        MovementEvent(
            movement_id=movement.id,
            status=status,
            at=at,
            note=note,
            checkpoint_id=checkpoint_id,
            report_id=report_id,
            recorded_by=actor.label,
        )
    )


def create_movement(
    session: Session, *, data: MovementCreate, actor: Actor, clock: Clock = utc_now
) -> Movement:
    """Store a movement request (a draft, or submitted at once when `submit` is set)."""
    require_permission(actor, Permission.ACCESS_WRITE)
    route = rules.line_geometry(data.route)
    start, end = (
        require_aware(data.window_start, field="window_start"),
        require_aware(data.window_end, field="window_end"),
    )
    if end <= start:
        raise Invalid("window_end must be after window_start", field="window_end")
    _check_refs(
        session,
        origin_place_id=(Place, data.origin_place_id),
        destination_place_id=(Place, data.destination_place_id),
        corridor_id=(Corridor, data.corridor_id),
        agreement_id=(Agreement, data.agreement_id),
    )
    for place_id in data.waypoints:
        _check_refs(session, waypoints=(Place, place_id))
    for checkpoint_id in data.checkpoint_ids:
        _check_refs(session, checkpoint_ids=(Checkpoint, checkpoint_id))
    now = clock()
    geojson = {"type": "LineString", "coordinates": [list(c) for c in route.coords]}
    movement = Movement(
        id=_fresh_id(session, Movement, data.id, "movement"),
        kind=data.kind.value,
        title=data.title,
        requester=data.requester,
        cargo=[line.model_dump(exclude_none=True) for line in data.cargo],
        beneficiaries=data.beneficiaries,
        route=geojson,
        origin_place_id=data.origin_place_id,
        destination_place_id=data.destination_place_id,
        waypoints=list(data.waypoints),
        checkpoint_ids=list(data.checkpoint_ids),
        corridor_id=data.corridor_id,
        agreement_id=data.agreement_id,
        besieged_area_id=_besieged_at(session, geojson),
        window_start=start,
        window_end=end,
        emergency=data.emergency,
        status=MovementStatus.DRAFT.value,
        status_at=now,
        created_by=actor.label,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(movement)
    _event(session, movement, MovementStatus.DRAFT, at=now, actor=actor)
    record(
        session,
        actor=actor,
        action="access.movement.create",
        entity_type="movement",
        entity_id=movement.id,
        changes=data.model_dump(mode="json", exclude={"submit"}),
        flush=False,
    )
    session.flush()
    if data.submit:
        submit_movement(session, movement_id=movement.id, actor=actor, clock=clock)
    return movement


def required_authorities(session: Session, movement: Movement) -> dict[str, list[str]]:
    """Authority (party id) -> basis, from the control areas the route crosses and the agreement."""
    route = rules.line_geometry(movement.route)
    min_lon, min_lat, max_lon, max_lat = route.bounds
    crossed = repository.control_areas(
        session,
        bounds=(min_lon, min_lat, max_lon, max_lat),
        since=movement.window_start,
        until=movement.window_end,
    )
    found = AuthorityIndex(crossed).required([route], [(movement.window_start, movement.window_end)])[0]
    return rules.authorities(
        found, repository.approvers_of(session, movement.agreement_id), movement.agreement_id
    )


def _sync_approvals(
    session: Session, movement: Movement, wanted: dict[str, list[str]], *, actor: Actor, now: datetime
) -> AuthorityChange:
    current = {a.party_id: a for a in repository.approvals_of(session, [movement.id])[movement.id]}
    added = sorted(set(wanted) - set(current))
    removed = sorted(set(current) - set(wanted))
    kept = sorted(set(current) & set(wanted))
    for party_id in added:
        session.add(
            Approval(
                id=new_id(),
                movement_id=movement.id,
                party_id=party_id,
                basis=wanted[party_id],
                status=ApprovalStatus.PENDING.value,
                requested_at=now,
            )
        )
    for party_id in removed:
        session.delete(current[party_id])
    for party_id in kept:
        if current[party_id].basis != wanted[party_id]:
            current[party_id].basis = wanted[party_id]
    session.flush()
    return AuthorityChange(
        movement_id=movement.id, added=added, removed=removed, kept=kept, status=movement.status
    )


def _settle(session: Session, movement: Movement, *, actor: Actor, now: datetime) -> None:
    """Move a waiting movement to cleared when every authority agreed, or to blocked on a denial."""
    statuses = [a.status for a in repository.approvals_of(session, [movement.id])[movement.id]]
    waiting = (MovementStatus.SUBMITTED, MovementStatus.CLEARED, MovementStatus.BLOCKED)
    if movement.status not in waiting:
        return
    if ApprovalStatus.DENIED in statuses:
        new = MovementStatus.BLOCKED
    elif rules.is_cleared(statuses):
        new = MovementStatus.CLEARED
    else:
        new = MovementStatus.SUBMITTED
    if new != movement.status:
        old = movement.status
        _event(session, movement, new, at=now, actor=actor, note="from the approvals")
        record(
            session,
            actor=actor,
            action="access.movement.status",
            entity_type="movement",
            entity_id=movement.id,
            changes={"status": [old, new.value]},
        )


def submit_movement(session: Session, *, movement_id: str, actor: Actor, clock: Clock = utc_now) -> Movement:
    """Send a draft for approval: compute the required authorities, one pending approval each."""
    require_permission(actor, Permission.ACCESS_WRITE)
    movement = _get(session, Movement, movement_id, "movement")
    if movement.status != MovementStatus.DRAFT:
        raise Conflict(
            f"only a draft can be submitted; this movement is {movement.status}", code="invalid_transition"
        )
    now = clock()
    movement.submitted_at = now
    movement.lead_time_warning = rules.lead_time_warning(
        submitted_at=now, window_start=movement.window_start, emergency=movement.emergency
    )
    _event(session, movement, MovementStatus.SUBMITTED, at=now, actor=actor, note=movement.lead_time_warning)
    change = _sync_approvals(session, movement, required_authorities(session, movement), actor=actor, now=now)
    record(
        session,
        actor=actor,
        action="access.movement.submit",
        entity_type="movement",
        entity_id=movement.id,
        changes={"authorities": change.added, "lead_time_warning": movement.lead_time_warning},
    )
    _settle(session, movement, actor=actor, now=now)
    return movement


OPEN = (MovementStatus.SUBMITTED, MovementStatus.CLEARED, MovementStatus.BLOCKED)


def recompute_authorities(
    session: Session, *, movement_id: str, actor: Actor, clock: Clock = utc_now
) -> AuthorityChange:
    """Recompute one waiting movement's authorities (after control areas changed) and say what changed."""
    require_permission(actor, Permission.ACCESS_WRITE)
    movement = _get(session, Movement, movement_id, "movement")
    if movement.status not in OPEN:
        raise Conflict(
            "only a submitted, cleared or blocked movement waits for authorities", code="not_waiting"
        )
    return _recompute(session, movement, required_authorities(session, movement), actor=actor, now=clock())


def _recompute(
    session: Session, movement: Movement, wanted: dict[str, list[str]], *, actor: Actor, now: datetime
) -> AuthorityChange:
    change = _sync_approvals(session, movement, wanted, actor=actor, now=now)
    if change.added or change.removed:
        record(
            session,
            actor=actor,
            action="access.movement.recompute",
            entity_type="movement",
            entity_id=movement.id,
            changes={"added": change.added, "removed": change.removed},
        )
    _settle(session, movement, actor=actor, now=now)
    change.status = movement.status
    return change


def recompute_open_movements(
    session: Session, *, actor: Actor, clock: Clock = utc_now
) -> list[AuthorityChange]:
    """Recompute every waiting movement against the current control areas (one index); the changed ones."""
    require_permission(actor, Permission.ACCESS_WRITE)
    movements = session.scalars(
        select(Movement).where(Movement.status.in_([s.value for s in OPEN])).order_by(Movement.id)
    ).all()
    index = AuthorityIndex(repository.control_areas(session))
    routes = [rules.line_geometry(m.route) for m in movements]
    found = index.required(routes, [(m.window_start, m.window_end) for m in movements])
    now, changes = clock(), []
    for movement, crossed in zip(movements, found, strict=True):
        wanted = rules.authorities(
            crossed, repository.approvers_of(session, movement.agreement_id), movement.agreement_id
        )
        change = _recompute(session, movement, wanted, actor=actor, now=now)
        if change.added or change.removed:
            changes.append(change)
    return changes


def _visible_movement(session: Session, movement_id: str, actor: Actor) -> Movement:
    movement = session.get(Movement, movement_id)
    if movement is None:
        raise NotFound.of("movement", movement_id)
    if is_party_scoped(actor.role):
        parties = {a.party_id for a in repository.approvals_of(session, [movement.id])[movement.id]}
        if actor.party_id not in parties:
            raise NotFound.of("movement", movement_id)
    return movement


def decide_approval(
    session: Session, *, approval_id: str, data: ApprovalDecision, actor: Actor, clock: Clock = utc_now
) -> Approval:
    """Record an authority's answer; a representative answers for its own party only (else 404)."""
    require_permission(actor, Permission.ACCESS_DECIDE)
    approval = session.get(Approval, approval_id)
    if approval is None or (is_party_scoped(actor.role) and approval.party_id != actor.party_id):
        raise NotFound.of("approval", approval_id)
    movement = _get(session, Movement, approval.movement_id, "movement")
    if movement.status not in OPEN:
        raise Conflict(f"the movement is {movement.status}; its approvals are closed", code="not_waiting")
    now = clock()
    old = approval.status
    approval.status = data.status.value
    approval.conditions = data.conditions
    approval.reason = data.reason
    approval.decided_at = _aware(data.at, "at") or now
    approval.decided_by = actor.label
    record(
        session,
        actor=actor,
        action="access.approval.decide",
        entity_type="movement",
        entity_id=movement.id,
        changes={
            "authority": approval.party_id,
            "status": [old, approval.status],
            "conditions": data.conditions,
            "reason": data.reason,
        },
    )
    _settle(session, movement, actor=actor, now=approval.decided_at)
    return approval


def _attack_report(
    session: Session,
    *,
    actor: Actor,
    attack: AttackDetails | ObservedIncident,
    act: ActCategory,
    channel: Channel,
    subject: str,
    received_at: datetime,
    location_text: str | None,
) -> Report:
    has_point = attack.latitude is not None and attack.longitude is not None
    submission = ReportSubmission(
        channel=channel,
        received_at=received_at,
        subject=subject,
        body=attack.narrative or subject,
        occurred_at=attack.occurred_at,
        time_precision="exact",
        place_id=attack.place_id,
        latitude=attack.latitude,
        longitude=attack.longitude,
        location_text=None if (has_point or attack.place_id) else location_text,
        act_category=act,
        perpetrator_party_id=attack.perpetrator_party_id,
        perpetrator_text=attack.perpetrator_text,
        killed_min=attack.killed_min,
        killed_max=attack.killed_max,
        injured_min=attack.injured_min,
        injured_max=attack.injured_max,
        narrative=attack.narrative,
    )
    report = submit_report(
        session, data=submission, actor=actor, cipher=None, clock=lambda: max(received_at, utc_now())
    )
    flag_report(session, report=report, now=received_at)
    return report


def change_status(
    session: Session, *, movement_id: str, data: StatusChange, actor: Actor, clock: Clock = utc_now
) -> Movement:
    """Move a movement along its life cycle; an attack becomes a report in the violation workflow."""
    require_permission(actor, Permission.ACCESS_WRITE)
    movement = _get(session, Movement, movement_id, "movement")
    rules.check_transition(movement.status, data.status.value)
    if data.checkpoint_id is not None:
        _check_refs(session, checkpoint_id=(Checkpoint, data.checkpoint_id))
    now = clock()
    at = _aware(data.at, "at") or now
    report_id = None
    if data.attack is not None:
        report = _attack_report(
            session,
            actor=actor,
            attack=data.attack,
            act=ActCategory.ATTACK_ON_HUMANITARIAN_CONVOY,
            channel=Channel.API,
            subject=f"Attack on the humanitarian movement {movement.title}",
            received_at=max(at, data.attack.occurred_at),
            location_text=f"on the route of {movement.title}",
        )
        report_id = report.id
    old = movement.status
    if data.status in rules.DELIVERED:
        movement.delivered_at = at
    _event(
        session,
        movement,
        data.status,
        at=at,
        actor=actor,
        note=data.note,
        checkpoint_id=data.checkpoint_id,
        report_id=report_id,
    )
    record(
        session,
        actor=actor,
        action="access.movement.status",
        entity_type="movement",
        entity_id=movement.id,
        changes={"status": [old, data.status.value], "at": at, "note": data.note, "report_id": report_id},
    )
    return movement


def add_obstruction(
    session: Session, *, movement_id: str, data: ObstructionCreate, actor: Actor
) -> Obstruction:
    """Record an obstruction a movement met, in an OCHA access-constraint category."""
    require_permission(actor, Permission.ACCESS_WRITE)
    movement = _get(session, Movement, movement_id, "movement")
    _check_refs(session, party_id=(Party, data.party_id))
    row = Obstruction(
        id=new_id(),
        movement_id=movement.id,
        category=data.category.value,
        at=require_aware(data.at, field="at"),
        party_id=data.party_id,
        description=data.description,
        source=data.source,
        recorded_by=actor.label,
    )
    session.add(row)
    record(
        session,
        actor=actor,
        action="access.obstruction.add",
        entity_type="movement",
        entity_id=movement.id,
        changes=data.model_dump(mode="json"),
    )
    return row


def _party_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Party.id, Party.name).where(Party.id.in_(list(ids)))).all())


def read_movement(
    session: Session, *, movement_id: str, actor: Actor, clock: Clock = utc_now
) -> MovementRead:
    """A movement with its approvals, timeline and obstructions, as the actor may see it."""
    movement = _visible_movement(session, movement_id, actor)
    approvals = repository.approvals_of(session, [movement.id])[movement.id]
    names = _party_names(session, {a.party_id for a in approvals})
    events = session.scalars(
        select(MovementEvent).where(MovementEvent.movement_id == movement.id).order_by(MovementEvent.id)
    ).all()
    obstructions = session.scalars(
        select(Obstruction)
        .where(Obstruction.movement_id == movement.id)
        .order_by(Obstruction.at, Obstruction.id)
    ).all()
    approval_reads = [
        ApprovalRead.model_validate(a).model_copy(update={"party_name": names.get(a.party_id)})
        for a in approvals
    ]
    timeline = [MovementEventRead.model_validate(e) for e in events]
    if is_party_scoped(actor.role):
        approval_reads = [a for a in approval_reads if a.party_id == actor.party_id]
        timeline = [e.model_copy(update={"report_id": None}) for e in timeline]
    return MovementRead.model_validate(
        {
            **{c: getattr(movement, c) for c in MovementRead.model_fields if hasattr(movement, c)},
            "days_waiting": rules.days_waiting(
                submitted_at=movement.submitted_at, now=clock(), status=movement.status
            ),
            "cleared": rules.is_cleared(a.status for a in approvals),
            "approvals": approval_reads,
            "timeline": timeline,
            "obstructions": [ObstructionRead.model_validate(o) for o in obstructions],
        }
    )


def movements_board(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    status: str | None = None,
    clock: Clock = utc_now,
) -> Page[BoardRow]:
    """The movements board: a page of movements with their approval matrix row and days waiting.

    Three statements whatever the page size (count, page, approvals of the page). A party
    representative sees only the movements its party must approve, and only its own column.
    """
    scoped = is_party_scoped(actor.role)
    party = (actor.party_id or "-") if scoped else None
    found = repository.board_page(session, page=page, status=str(status) if status else None, party_id=party)
    approvals = repository.approvals_of(session, [m.id for m in found.items])
    now = clock()
    rows = [
        BoardRow(
            id=m.id,
            kind=m.kind,
            title=m.title,
            requester=m.requester,
            status=m.status,
            window_start=m.window_start,
            window_end=m.window_end,
            emergency=m.emergency,
            submitted_at=m.submitted_at,
            days_waiting=rules.days_waiting(submitted_at=m.submitted_at, now=now, status=m.status),
            lead_time_warning=m.lead_time_warning,
            approvals={a.party_id: a.status for a in approvals[m.id] if party is None or a.party_id == party},
        )
        for m in found.items
    ]
    return Page(items=rows, total=found.total, request=page)


# --- notified sites ----------------------------------------------------------------------------


def create_site(session: Session, *, data: SiteCreate, actor: Actor) -> Site:
    """Record a static humanitarian site notified to all parties."""
    require_permission(actor, Permission.ACCESS_WRITE)
    latitude, longitude = _point(session, data.place_id, data.latitude, data.longitude)
    site = Site(
        id=_fresh_id(session, Site, data.id, "site"),
        name=data.name,
        kind=data.kind.value,
        operator=data.operator,
        place_id=data.place_id,
        latitude=latitude,
        longitude=longitude,
        radius_m=data.radius_m,
        notified_at=require_aware(data.notified_at, field="notified_at"),
        source=data.source,
        source_url=data.source_url,
    )
    session.add(site)
    record(
        session,
        actor=actor,
        action="access.site.notify",
        entity_type="site",
        entity_id=site.id,
        changes=data.model_dump(mode="json"),
    )
    return site


def acknowledge_site(
    session: Session, *, site_id: str, data: AcknowledgementCreate, actor: Actor, clock: Clock = utc_now
) -> SiteAcknowledgement:
    """Record a party's acknowledgement of a site notification (a representative: its own party)."""
    require_permission(actor, Permission.ACCESS_DECIDE)
    site = _get(session, Site, site_id, "site")
    if is_party_scoped(actor.role):
        if data.party_id not in (None, actor.party_id):
            raise Forbidden(
                "a representative acknowledges for its own party only", code="other_party", field="party_id"
            )
        party_id = actor.party_id
    else:
        party_id = data.party_id
    if party_id is None:
        raise Invalid("name the acknowledging party", field="party_id")
    _check_refs(session, party_id=(Party, party_id))
    exists = session.scalar(
        select(SiteAcknowledgement).where(
            SiteAcknowledgement.site_id == site.id, SiteAcknowledgement.party_id == party_id
        )
    )
    if exists is not None:
        raise Conflict("this party has already acknowledged the site", code="duplicate")
    ack = SiteAcknowledgement(
        site_id=site.id,
        party_id=party_id,
        acknowledged_at=_aware(data.at, "at") or clock(),
        recorded_by=actor.label,
    )
    session.add(ack)
    record(
        session,
        actor=actor,
        action="access.site.acknowledge",
        entity_type="site",
        entity_id=site.id,
        changes={"party_id": party_id, "at": ack.acknowledged_at},
    )
    return ack


def _report_point(session: Session, report: Report) -> tuple[float, float] | None:
    if report.latitude is not None and report.longitude is not None:
        return report.latitude, report.longitude
    if report.place_id is not None:
        place = session.get(Place, report.place_id)
        if place is not None:
            return place.latitude, place.longitude
    return None


def flag_report(
    session: Session, *, report: Report, now: datetime, sites: Sequence[Site] | None = None
) -> list[SiteFlag]:
    """Flag a report located at a site notified before the act: "attack on a notified humanitarian site"."""
    point = _report_point(session, report)
    if point is None:
        return []
    candidates = sites if sites is not None else session.scalars(select(Site).order_by(Site.id)).all()
    flags = []
    for site in candidates:
        if site.notified_at > report.occurred_end:
            continue
        if rules.distance_m(point[0], point[1], site.latitude, site.longitude) > site.radius_m:
            continue
        known = session.scalar(
            select(SiteFlag).where(SiteFlag.report_id == report.id, SiteFlag.site_id == site.id)
        )
        if known is None:
            flag = SiteFlag(report_id=report.id, site_id=site.id, flag=FLAG, flagged_at=now)
            session.add(flag)
            flags.append(flag)
    if flags:
        session.flush()
    return flags


def scan_site_flags(session: Session, *, actor: Actor, clock: Clock = utc_now) -> list[tuple[str, str]]:
    """Flag every report at a notified site (idempotent); the (report, site) pairs newly flagged."""
    require_permission(actor, Permission.ACCESS_WRITE)
    sites = session.scalars(select(Site).order_by(Site.id)).all()
    if not sites:
        return []
    now, found = clock(), []
    for report in session.scalars(select(Report).order_by(Report.id)):
        for flag in flag_report(session, report=report, now=now, sites=sites):
            found.append((flag.report_id, flag.site_id))
            record(
                session,
                actor=actor,
                action="access.site.flag",
                entity_type="report",
                entity_id=flag.report_id,
                changes={"site_id": flag.site_id, "flag": FLAG},
                flush=False,
            )
    session.flush()
    return found


def list_sites(session: Session, *, actor: Actor | None = None) -> list[SiteRead]:
    """Every notified site with its acknowledgements and the reports flagged at it.

    A party representative is not shown the flagged reports' ids (it may not see those reports).
    """
    sites = session.scalars(select(Site).order_by(Site.name, Site.id)).all()
    acks = session.scalars(select(SiteAcknowledgement).order_by(SiteAcknowledgement.party_id)).all()
    flags = session.scalars(select(SiteFlag).order_by(SiteFlag.report_id)).all()
    hidden = actor is not None and is_party_scoped(actor.role)
    return [
        SiteRead.model_validate(
            {
                **{
                    c: getattr(s, c)
                    for c in SiteRead.model_fields
                    if hasattr(s, c) and c != "acknowledgements"
                },
                "acknowledgements": [a for a in acks if a.site_id == s.id],
                "flagged_report_ids": [] if hidden else [f.report_id for f in flags if f.site_id == s.id],
            }
        )
        for s in sites
    ]


# --- corridors and checkpoints -----------------------------------------------------------------


def create_corridor(session: Session, *, data: CorridorCreate, actor: Actor) -> Corridor:
    """Record a corridor with its opening schedule in local time."""
    require_permission(actor, Permission.ACCESS_WRITE)
    route = rules.line_geometry(data.route)
    windows = [w.model_dump() for w in data.windows]
    rules.check_windows(windows, data.round_the_clock)
    zone(data.timezone)
    _check_refs(session, place_id=(Place, data.place_id), agreement_id=(Agreement, data.agreement_id))
    corridor = Corridor(
        id=_fresh_id(session, Corridor, data.id, "corridor"),
        name=data.name,
        purpose=data.purpose.value,
        operator=data.operator,
        route={"type": "LineString", "coordinates": [list(c) for c in route.coords]},
        place_id=data.place_id,
        agreement_id=data.agreement_id,
        round_the_clock=data.round_the_clock,
        windows=windows,
        timezone=data.timezone,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(corridor)
    record(
        session,
        actor=actor,
        action="access.corridor.create",
        entity_type="corridor",
        entity_id=corridor.id,
        changes=data.model_dump(mode="json"),
    )
    return corridor


def add_corridor_status(
    session: Session, *, corridor_id: str, data: CorridorStatusCreate, actor: Actor
) -> CorridorStatus:
    """Append to a corridor's status timeline."""
    require_permission(actor, Permission.ACCESS_WRITE)
    corridor = _get(session, Corridor, corridor_id, "corridor")
    row = CorridorStatus(
        corridor_id=corridor.id,
        status=data.status.value,
        at=require_aware(data.at, field="at"),
        note=data.note,
        source=data.source,
        recorded_by=actor.label,
    )
    session.add(row)
    record(
        session,
        actor=actor,
        action="access.corridor.status",
        entity_type="corridor",
        entity_id=corridor.id,
        changes=data.model_dump(mode="json"),
    )
    return row


def create_checkpoint(session: Session, *, data: CheckpointCreate, actor: Actor) -> Checkpoint:
    """Record a checkpoint on a corridor or a route."""
    require_permission(actor, Permission.ACCESS_WRITE)
    _check_refs(
        session, corridor_id=(Corridor, data.corridor_id), operator_party_id=(Party, data.operator_party_id)
    )
    latitude, longitude = _point(session, data.place_id, data.latitude, data.longitude)
    checkpoint = Checkpoint(
        id=_fresh_id(session, Checkpoint, data.id, "checkpoint"),
        name=data.name,
        operator=data.operator,
        operator_party_id=data.operator_party_id,
        corridor_id=data.corridor_id,
        place_id=data.place_id,
        latitude=latitude,
        longitude=longitude,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(checkpoint)
    record(
        session,
        actor=actor,
        action="access.checkpoint.create",
        entity_type="checkpoint",
        entity_id=checkpoint.id,
        changes=data.model_dump(mode="json"),
    )
    return checkpoint


def list_corridors(
    session: Session, *, at: datetime | None = None, clock: Clock = utc_now
) -> list[CorridorRead]:
    """Every corridor with its status at an instant (default now): declared status and schedule."""
    now = at or clock()
    corridors = session.scalars(select(Corridor).order_by(Corridor.name, Corridor.id)).all()
    statuses = session.scalars(select(CorridorStatus).order_by(CorridorStatus.at, CorridorStatus.id)).all()
    checkpoints = session.scalars(select(Checkpoint).order_by(Checkpoint.name, Checkpoint.id)).all()
    reads = []
    for c in corridors:
        timeline = [s for s in statuses if s.corridor_id == c.id]
        declared = [s for s in timeline if s.at <= now]
        latest = declared[-1].status if declared else None
        scheduled = rules.in_schedule(
            round_the_clock=c.round_the_clock, windows=c.windows, tz=c.timezone, at=now
        )
        reads.append(
            CorridorRead.model_validate(
                {
                    **{k: getattr(c, k) for k in CorridorRead.model_fields if hasattr(c, k)},
                    "declared_status": latest,
                    "in_schedule": scheduled,
                    "open_now": latest == rules.CorridorState.OPEN and scheduled,
                    "timeline": [CorridorStatusRead.model_validate(s) for s in timeline],
                    "checkpoints": [
                        CheckpointRead.model_validate(k) for k in checkpoints if k.corridor_id == c.id
                    ],
                }
            )
        )
    return reads


# --- besieged areas ----------------------------------------------------------------------------


def create_besieged_area(session: Session, *, data: BesiegedAreaCreate, actor: Actor) -> BesiegedArea:
    """Record a besieged or hard-to-reach area over a registered polygon."""
    require_permission(actor, Permission.ACCESS_WRITE)
    _check_refs(session, area_id=(Area, data.area_id))
    for party_id in data.besieging_party_ids:
        _check_refs(session, besieging_party_ids=(Party, party_id))
    row = BesiegedArea(
        id=_fresh_id(session, BesiegedArea, data.id, "besieged area"),
        area_id=data.area_id,
        name=data.name,
        status=data.status.value,
        since=require_aware(data.since, field="since"),
        besieging_party_ids=list(data.besieging_party_ids),
        population=[p.model_dump(exclude_none=True) for p in data.population],
        source=data.source,
        source_url=data.source_url,
    )
    session.add(row)
    record(
        session,
        actor=actor,
        action="access.besieged.create",
        entity_type="besieged_area",
        entity_id=row.id,
        changes=data.model_dump(mode="json"),
    )
    session.flush()
    return row


def list_besieged_areas(
    session: Session, *, at: datetime | None = None, clock: Clock = utc_now
) -> list[BesiegedAreaRead]:
    """Besieged areas with the population range and the days since the last delivered movement."""
    now = at or clock()
    rows = session.scalars(select(BesiegedArea).order_by(BesiegedArea.name, BesiegedArea.id)).all()
    last = repository.last_deliveries(session, [b.id for b in rows])
    reads = []
    for b in rows:
        low, high = rules.population_range(b.population)
        delivered = last.get(b.id)
        reads.append(
            BesiegedAreaRead.model_validate(
                {
                    **{k: getattr(b, k) for k in BesiegedAreaRead.model_fields if hasattr(b, k)},
                    "population_min": low,
                    "population_max": high,
                    "days_besieged": rules.days_since(b.since, now) or 0,
                    "last_delivery_at": delivered,
                    "days_without_aid": rules.days_since(
                        max(delivered, b.since) if delivered else b.since, now
                    )
                    or 0,
                }
            )
        )
    return reads


# --- observation posts -------------------------------------------------------------------------


def create_post(session: Session, *, data: PostCreate, actor: Actor) -> ObservationPost:
    """Record an observation post and its reporting schedule."""
    require_permission(actor, Permission.ACCESS_WRITE)
    zone(data.timezone)
    _check_refs(
        session, corridor_id=(Corridor, data.corridor_id), operator_party_id=(Party, data.operator_party_id)
    )
    if data.active_to is not None and data.active_to < data.active_from:
        raise Invalid("active_to must not be before active_from", field="active_to")
    latitude, longitude = _point(session, data.place_id, data.latitude, data.longitude)
    post = ObservationPost(
        id=_fresh_id(session, ObservationPost, data.id, "observation post"),
        name=data.name,
        operator=data.operator,
        operator_party_id=data.operator_party_id,
        place_id=data.place_id,
        latitude=latitude,
        longitude=longitude,
        corridor_id=data.corridor_id,
        reports_to=data.reports_to,
        due_hour=data.due_hour,
        timezone=data.timezone,
        active_from=data.active_from,
        active_to=data.active_to,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(post)
    record(
        session,
        actor=actor,
        action="access.post.create",
        entity_type="observation_post",
        entity_id=post.id,
        changes=data.model_dump(mode="json"),
    )
    return post


def list_posts(session: Session) -> list[ObservationPost]:
    """Every observation post."""
    return list(session.scalars(select(ObservationPost).order_by(ObservationPost.name, ObservationPost.id)))


def submit_log(
    session: Session, *, post_id: str, data: DailyLogCreate, actor: Actor, clock: Clock = utc_now
) -> DailyLog:
    """Store a post's log for a day (a correction is the next version); observed incidents become reports."""
    require_permission(actor, Permission.ACCESS_WRITE)
    post = _get(session, ObservationPost, post_id, "observation post")
    if data.day < post.active_from or (post.active_to is not None and data.day > post.active_to):
        raise Invalid("the post was not active on that day", field="day")
    now = clock()
    if data.day > now.astimezone(zone(post.timezone)).date():
        raise Invalid("a log cannot be for a day still to come", field="day", code="in_future")
    latest = session.scalar(
        select(func.max(DailyLog.version)).where(DailyLog.post_id == post.id, DailyLog.day == data.day)
    )
    report_ids = []
    for incident in data.incidents:
        located = (
            incident
            if (incident.place_id or incident.latitude is not None)
            else incident.model_copy(update={"latitude": post.latitude, "longitude": post.longitude})
        )
        report = _attack_report(
            session,
            actor=actor,
            attack=located,
            act=incident.act_category,
            channel=Channel.OBSERVATION_POST,
            subject=f"Observed from {post.name} on {data.day.isoformat()}",
            received_at=max(incident.occurred_at, now),
            location_text=None,
        )
        report_ids.append(report.id)
    log = DailyLog(
        id=new_id(),
        post_id=post.id,
        day=data.day,
        version=(latest or 0) + 1,
        crossings=data.crossings.model_dump(),
        weapons_handed_in=data.weapons_handed_in,
        corridor_status=data.corridor_status.value if data.corridor_status else None,
        movement_restrictions=data.movement_restrictions,
        incident_report_ids=report_ids,
        note=data.note,
        recorded_by=actor.label,
        recorded_at=now,
    )
    session.add(log)
    record(
        session,
        actor=actor,
        action="access.log.correct" if latest else "access.log.submit",
        entity_type="observation_post",
        entity_id=post.id,
        changes={
            **data.model_dump(mode="json", exclude={"incidents"}),
            "version": log.version,
            "report_ids": report_ids,
        },
    )
    return log


def list_logs(
    session: Session, *, post_id: str, day: date | None = None, all_versions: bool = False
) -> list[DailyLogRead]:
    """A post's logs, newest day first (the current version of each day unless all_versions)."""
    _get(session, ObservationPost, post_id, "observation post")
    query = select(DailyLog).where(DailyLog.post_id == post_id)
    if day is not None:
        query = query.where(DailyLog.day == day)
    logs = session.scalars(query.order_by(DailyLog.day.desc(), DailyLog.version.desc())).all()
    if not all_versions:
        seen: set[date] = set()
        logs = [log for log in logs if not (log.day in seen or seen.add(log.day))]  # type: ignore[func-returns-value]
    return [DailyLogRead.model_validate(log) for log in logs]


def overdue_logs(
    session: Session, *, at: datetime | None = None, clock: Clock = utc_now, days: int = 60
) -> list[OverdueLog]:
    """Posts whose log for a day is missing past its due time (looking back `days` days)."""
    now = at or clock()
    posts = list_posts(session)
    logged: dict[str, set[date]] = {p.id: set() for p in posts}
    for post_id, day in session.execute(select(DailyLog.post_id, DailyLog.day).distinct()):
        logged.setdefault(post_id, set()).add(day)
    result = []
    for post in posts:
        for day in rules.overdue_days(
            active_from=post.active_from,
            active_to=post.active_to,
            due_hour=post.due_hour,
            tz=post.timezone,
            now=now,
            logged=logged[post.id],
            limit_days=days,
        ):
            result.append(
                OverdueLog(
                    post_id=post.id,
                    post_name=post.name,
                    operator=post.operator,
                    day=day,
                    due_at=rules.due_at(day, due_hour=post.due_hour, tz=post.timezone),
                )
            )
    return result


def read_site(session: Session, *, site_id: str) -> SiteRead:
    """One notified site with its acknowledgements and flags."""
    _get(session, Site, site_id, "site")
    return next(s for s in list_sites(session) if s.id == site_id)


def read_corridor(session: Session, *, corridor_id: str, clock: Clock = utc_now) -> CorridorRead:
    """One corridor with its status now."""
    _get(session, Corridor, corridor_id, "corridor")
    return next(c for c in list_corridors(session, clock=clock) if c.id == corridor_id)


def read_besieged_area(session: Session, *, besieged_id: str, clock: Clock = utc_now) -> BesiegedAreaRead:
    """One besieged area with its population range and days without aid."""
    _get(session, BesiegedArea, besieged_id, "besieged area")
    return next(b for b in list_besieged_areas(session, clock=clock) if b.id == besieged_id)
