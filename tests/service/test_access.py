"""The access service: required authorities, approvals, life cycle, sites, corridors, sieges, posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import service
from ceasefire.access.models import Approval
from ceasefire.access.schemas import (
    AcknowledgementCreate,
    ApprovalDecision,
    ApproverCreate,
    BesiegedAreaCreate,
    CorridorCreate,
    CorridorStatusCreate,
    DailyLogCreate,
    ObstructionCreate,
    PostCreate,
    SiteCreate,
    StatusChange,
)
from ceasefire.audit.models import AuditEntry
from ceasefire.intake.models import Message, Report
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from tests.access_data import NOW, control_world, movement_data, route, square, submitted
from tests.factories import make_agreement, make_area, make_party


def rep(party_id: str) -> Actor:
    return Actor(
        id=f"rep-{party_id}", username=f"rep-{party_id}", role="party_representative", party_id=party_id
    )


def approvals(session: Session, movement_id: str) -> dict[str, Approval]:
    rows = session.scalars(select(Approval).where(Approval.movement_id == movement_id))
    return {a.party_id: a for a in rows}


def actions(session: Session, entity_id: str) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
    return list(session.scalars(query))


def grant(session: Session, approval: Approval, actor: Actor = SYSTEM) -> None:
    decision = ApprovalDecision(status="granted")
    service.decide_approval(session, approval_id=approval.id, data=decision, actor=actor, clock=lambda: NOW)


def test_authorities_are_the_parties_whose_areas_the_route_crosses_plus_the_agreements_approvers(
    session: Session,
) -> None:
    world = control_world(session)
    monitor = make_party(session)
    agreement = make_agreement(session)
    service.add_approver(
        session, data=ApproverCreate(agreement_id=agreement.id, party_id=monitor.id), actor=SYSTEM
    )
    movement = submitted(session, agreement_id=agreement.id)
    found = approvals(session, movement.id)
    assert set(found) == {world.west, world.east, monitor.id}
    assert found[world.west].basis == [f"area:{world.west_area}"]
    assert found[monitor.id].basis == [f"agreement:{agreement.id}"]
    assert {a.status for a in found.values()} == {"pending"}
    assert movement.status == "submitted"
    only_west = submitted(session, route=route((36.2, 36.0), (36.8, 36.1)))
    assert set(approvals(session, only_west.id)) == {world.west}


def test_areas_not_valid_on_the_movements_dates_are_not_authorities(session: Session) -> None:
    world = control_world(session)
    later = make_party(session)
    make_area(
        session,
        geometry=square(36.4, 35.9, 36.6, 36.1),
        party_id=later.id,
        valid_from=(NOW + timedelta(days=10)).isoformat(),
    )
    movement = submitted(session)
    assert set(approvals(session, movement.id)) == {world.west, world.east}


def test_cleared_only_when_every_authority_granted_or_conditional_and_each_change_is_audited(
    session: Session,
) -> None:
    world = control_world(session)
    movement = submitted(session)
    found = approvals(session, movement.id)
    grant(session, found[world.west])
    assert movement.status == "submitted"
    conditional = ApprovalDecision(status="conditional", conditions="escort from the SARC checkpoint")
    service.decide_approval(session, approval_id=found[world.east].id, data=conditional, actor=SYSTEM)
    assert movement.status == "cleared"
    read = service.read_movement(session, movement_id=movement.id, actor=SYSTEM)
    assert read.cleared is True
    assert [e.status for e in read.timeline] == ["draft", "submitted", "cleared"]
    assert actions(session, movement.id) == [
        "access.movement.create",
        "access.movement.submit",
        "access.approval.decide",
        "access.approval.decide",
        "access.movement.status",
    ]


def test_a_denial_blocks_and_needs_a_reason(session: Session) -> None:
    world = control_world(session)
    movement = submitted(session)
    with pytest.raises(ValidationError):
        ApprovalDecision(status="denied")
    denial = ApprovalDecision(status="denied", reason="no security guarantees")
    service.decide_approval(
        session, approval_id=approvals(session, movement.id)[world.east].id, data=denial, actor=SYSTEM
    )
    assert movement.status == "blocked"


def test_a_representative_answers_and_sees_only_for_its_own_party(session: Session) -> None:
    world = control_world(session)
    stranger = make_party(session)
    movement = submitted(session)
    found = approvals(session, movement.id)
    with pytest.raises(NotFound):
        grant(session, found[world.east], actor=rep(world.west))
    with pytest.raises(NotFound):
        service.read_movement(session, movement_id=movement.id, actor=rep(stranger.id))
    grant(session, found[world.west], actor=rep(world.west))
    assert found[world.west].status == "granted"
    mine = service.read_movement(session, movement_id=movement.id, actor=rep(world.west))
    assert [a.party_id for a in mine.approvals] == [world.west]
    board = service.movements_board(session, actor=rep(world.west), page=PageRequest(), clock=lambda: NOW)
    assert [(r.id, r.approvals) for r in board.items] == [(movement.id, {world.west: "granted"})]
    assert service.movements_board(session, actor=rep(stranger.id), page=PageRequest()).total == 0


def test_the_board_shows_the_matrix_days_waiting_and_filters_by_status(session: Session) -> None:
    world = control_world(session)
    movement = submitted(session)
    draft = service.create_movement(
        session, data=movement_data(title="Draft"), actor=SYSTEM, clock=lambda: NOW
    )
    later = lambda: NOW + timedelta(days=5, hours=2)  # noqa: E731
    board = service.movements_board(session, actor=SYSTEM, page=PageRequest(), clock=later)
    rows = {r.id: r for r in board.items}
    assert rows[movement.id].approvals == {world.west: "pending", world.east: "pending"}
    assert rows[movement.id].days_waiting == 5
    assert rows[draft.id].days_waiting is None
    only = service.movements_board(session, actor=SYSTEM, page=PageRequest(), status="draft", clock=later)
    assert [r.id for r in only.items] == [draft.id]


def test_late_notification_warns_and_does_not_block(session: Session) -> None:
    control_world(session)
    start = NOW + timedelta(hours=30)
    late = submitted(
        session, window_start=start.isoformat(), window_end=(start + timedelta(hours=5)).isoformat()
    )
    assert late.status == "submitted"
    assert late.lead_time_warning is not None
    assert "48 h" in late.lead_time_warning
    urgent = submitted(
        session,
        emergency=True,
        window_start=start.isoformat(),
        window_end=(start + timedelta(hours=5)).isoformat(),
    )
    assert urgent.lead_time_warning is None


def test_recompute_after_control_areas_change_reports_added_and_removed_authorities(session: Session) -> None:
    world = control_world(session)
    movement = submitted(session)
    for approval in approvals(session, movement.id).values():
        grant(session, approval)
    assert movement.status == "cleared"
    newcomer = make_party(session)
    make_area(session, geometry=square(37.4, 35.9, 37.6, 36.1), party_id=newcomer.id)
    from ceasefire.places.models import Area

    session.delete(session.get(Area, world.west_area))
    session.flush()
    changes = service.recompute_open_movements(session, actor=SYSTEM, clock=lambda: NOW)
    assert [(c.movement_id, c.added, c.removed) for c in changes] == [
        (movement.id, [newcomer.id], [world.west])
    ]
    assert movement.status == "submitted"
    assert set(approvals(session, movement.id)) == {world.east, newcomer.id}
    again = service.recompute_authorities(session, movement_id=movement.id, actor=SYSTEM)
    assert (again.added, again.removed) == ([], [])


def test_life_cycle_refuses_skips_and_an_attack_files_a_report(session: Session) -> None:
    world = control_world(session)
    movement = submitted(session)
    with pytest.raises(Conflict):
        service.change_status(
            session, movement_id=movement.id, data=StatusChange(status="en_route"), actor=SYSTEM
        )
    with pytest.raises(Conflict):
        service.change_status(
            session, movement_id=movement.id, data=StatusChange(status="cleared"), actor=SYSTEM
        )
    for approval in approvals(session, movement.id).values():
        grant(session, approval)
    at = NOW - timedelta(hours=1)
    service.change_status(
        session, movement_id=movement.id, data=StatusChange(status="en_route", at=at), actor=SYSTEM
    )
    attack = {
        "occurred_at": at.isoformat(),
        "latitude": 36.0,
        "longitude": 37.2,
        "perpetrator_party_id": world.east,
    }
    service.change_status(
        session,
        movement_id=movement.id,
        data=StatusChange(status="attacked", at=at, attack=attack),
        actor=SYSTEM,
    )
    read = service.read_movement(session, movement_id=movement.id, actor=SYSTEM)
    report_id = read.timeline[-1].report_id
    report = session.get(Report, report_id)
    assert report is not None
    assert report.act_category == "attack_on_humanitarian_convoy"
    assert report.perpetrator_party_id == world.east


def test_obstructions_use_the_ocha_categories(session: Session) -> None:
    control_world(session)
    movement = submitted(session)
    with pytest.raises(ValidationError):
        ObstructionCreate(category="bad weather", at=NOW, description="x")
    data = ObstructionCreate(category="impediments_to_entry", at=NOW, description="waits at the border")
    service.add_obstruction(session, movement_id=movement.id, data=data, actor=SYSTEM)
    read = service.read_movement(session, movement_id=movement.id, actor=SYSTEM)
    assert [o.category for o in read.obstructions] == ["impediments_to_entry"]


def test_bad_routes_and_windows_are_refused(session: Session) -> None:
    with pytest.raises(Invalid):
        service.create_movement(
            session, data=movement_data(route={"type": "Point", "coordinates": [1, 2]}), actor=SYSTEM
        )
    with pytest.raises(Invalid):
        service.create_movement(
            session, data=movement_data(route=route((200.0, 1.0), (1.0, 1.0))), actor=SYSTEM
        )
    with pytest.raises(Invalid):
        service.create_movement(
            session, data=movement_data(window_end=(NOW + timedelta(days=2)).isoformat()), actor=SYSTEM
        )
    observer_only = Actor(id="p", username="p", role="party_representative", party_id="x")
    with pytest.raises(Forbidden):
        service.create_movement(session, data=movement_data(), actor=observer_only)


def test_a_report_at_a_notified_site_is_flagged_and_acknowledgements_are_per_party(session: Session) -> None:
    world = control_world(session)
    site = service.create_site(
        session,
        data=SiteCreate(
            name="Field hospital",
            kind="hospital",
            operator="MSF",
            latitude=36.2,
            longitude=37.3,
            notified_at=NOW - timedelta(days=30),
        ),
        actor=SYSTEM,
    )
    service.acknowledge_site(session, site_id=site.id, data=AcknowledgementCreate(), actor=rep(world.west))
    with pytest.raises(Forbidden):
        service.acknowledge_site(
            session, site_id=site.id, data=AcknowledgementCreate(party_id=world.east), actor=rep(world.west)
        )
    with pytest.raises(Conflict):
        service.acknowledge_site(
            session, site_id=site.id, data=AcknowledgementCreate(), actor=rep(world.west)
        )
    movement = submitted(session)
    for approval in approvals(session, movement.id).values():
        grant(session, approval)
    at = NOW - timedelta(hours=1)
    service.change_status(
        session, movement_id=movement.id, data=StatusChange(status="en_route", at=at), actor=SYSTEM
    )
    attack = {"occurred_at": at.isoformat(), "latitude": 36.2003, "longitude": 37.3002}
    service.change_status(
        session,
        movement_id=movement.id,
        data=StatusChange(status="attacked", at=at, attack=attack),
        actor=SYSTEM,
    )
    [read] = service.list_sites(session)
    assert [a.party_id for a in read.acknowledgements] == [world.west]
    assert len(read.flagged_report_ids) == 1
    assert service.scan_site_flags(session, actor=SYSTEM) == []
    [as_party] = service.list_sites(session, actor=rep(world.west))
    assert as_party.flagged_report_ids == []  # a representative may not see those reports


def test_corridor_status_now_combines_the_declared_status_and_the_local_schedule(session: Session) -> None:
    corridor = service.create_corridor(
        session,
        data=CorridorCreate(
            name="Castello road",
            purpose="aid_delivery",
            operator="SARC",
            route=route((37.13, 36.25), (37.17, 36.23)),
            windows=[{"start": "08:00", "end": "17:00"}],
        ),
        actor=SYSTEM,
    )
    service.add_corridor_status(
        session,
        corridor_id=corridor.id,
        data=CorridorStatusCreate(status="open", at=NOW - timedelta(days=1)),
        actor=SYSTEM,
    )
    # 09:00 UTC on 14 Sep 2016 is 12:00 in Damascus (UTC+3): inside the window.
    [now] = service.list_corridors(session, at=NOW)
    assert (now.declared_status, now.in_schedule, now.open_now) == ("open", True, True)
    # 15:00 UTC is 18:00 in Damascus: outside.
    [evening] = service.list_corridors(session, at=NOW + timedelta(hours=6))
    assert (evening.in_schedule, evening.open_now) == (False, False)
    with pytest.raises(Invalid):
        service.create_corridor(
            session,
            data=CorridorCreate(
                name="x", purpose="civilian_exit", operator="y", route=route((37.1, 36.2), (37.2, 36.2))
            ),
            actor=SYSTEM,
        )


def test_besieged_area_shows_the_population_range_and_days_without_aid(session: Session) -> None:
    control_world(session)
    area = make_area(session, kind="besieged_area", geometry=square(37.4, 35.9, 37.6, 36.1))
    since = NOW - timedelta(days=20)
    besieged = service.create_besieged_area(
        session,
        data=BesiegedAreaCreate(
            area_id=area.id,
            name="Test pocket",
            since=since,
            population=[{"min": 250_000, "source": "UN"}, {"min": 300_000, "source": "press"}],
        ),
        actor=SYSTEM,
    )
    [read] = service.list_besieged_areas(session, at=NOW)
    assert (read.population_min, read.population_max) == (250_000, 300_000)
    assert (read.days_besieged, read.days_without_aid, read.last_delivery_at) == (20, 20, None)
    movement = submitted(session)
    assert movement.besieged_area_id == besieged.id
    for approval in approvals(session, movement.id).values():
        grant(session, approval)
    delivered = NOW - timedelta(days=2)
    for status in ("en_route", "delivered"):
        service.change_status(
            session, movement_id=movement.id, data=StatusChange(status=status, at=delivered), actor=SYSTEM
        )
    [read] = service.list_besieged_areas(session, at=NOW)
    assert read.days_without_aid == 2
    assert read.last_delivery_at == delivered


def test_daily_logs_version_corrections_file_incidents_and_flag_missing_days(session: Session) -> None:
    post = service.create_post(
        session,
        data=PostCreate(
            name="Post",
            operator="Russian MoD",
            latitude=36.24,
            longitude=37.15,
            active_from=date(2016, 9, 12),
        ),
        actor=SYSTEM,
    )
    clock = lambda: NOW  # noqa: E731  (14 Sep 12:00 Damascus: logs of 12 and 13 Sep are due)
    assert [o.day for o in service.overdue_logs(session, at=NOW)] == [date(2016, 9, 12), date(2016, 9, 13)]
    first = DailyLogCreate(day=date(2016, 9, 12), crossings={"civilians": 40, "trucks": 0})
    service.submit_log(session, post_id=post.id, data=first, actor=SYSTEM, clock=clock)
    incident = {
        "occurred_at": "2016-09-12T14:00:00+03:00",
        "act_category": "sniper_fire",
        "narrative": "Sniper fire towards the road from the north.",
    }
    corrected = DailyLogCreate(day=date(2016, 9, 12), crossings={"civilians": 42}, incidents=[incident])
    log = service.submit_log(session, post_id=post.id, data=corrected, actor=SYSTEM, clock=clock)
    assert log.version == 2
    [report_id] = log.incident_report_ids
    report = session.get(Report, report_id)
    assert report is not None
    message = session.get(Message, report.message_id)
    assert message is not None
    assert message.channel == "observation_post"
    [current] = service.list_logs(session, post_id=post.id)
    assert current.crossings["civilians"] == 42
    assert len(service.list_logs(session, post_id=post.id, all_versions=True)) == 2
    assert [o.day for o in service.overdue_logs(session, at=NOW)] == [date(2016, 9, 13)]
    with pytest.raises(Invalid):
        service.submit_log(
            session, post_id=post.id, data=DailyLogCreate(day=date(2016, 9, 20)), actor=SYSTEM, clock=clock
        )
    # The 14th is not due until 08:00 on the 15th, Damascus time.
    assert date(2016, 9, 14) not in [
        o.day for o in service.overdue_logs(session, at=datetime(2016, 9, 15, 4, 59, tzinfo=UTC))
    ]
    assert date(2016, 9, 14) in [
        o.day for o in service.overdue_logs(session, at=datetime(2016, 9, 15, 5, 0, tzinfo=UTC))
    ]
