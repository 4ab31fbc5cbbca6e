"""Worked cases 6-8 of the brief, as the 2016 replay loads them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ceasefire.access import service
from ceasefire.interchange.replay import access_documents
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.paging import PageRequest

DAMASCUS = ZoneInfo("Asia/Damascus")
SEP_16_NOON = datetime(2016, 9, 16, 12, tzinfo=DAMASCUS)


def test_every_access_item_of_the_replay_cites_its_source() -> None:
    [document] = access_documents()
    items = [item for key, value in document.items() if isinstance(value, list) for item in value]
    assert len(items) == 6
    nested = [n for item in items for key in ("statuses", "obstructions") for n in item.get(key, [])]
    assert [i for i in items + nested if not str(i.get("source") or "").strip()] == []


def test_case_6_the_convoy_waits_with_one_approval_pending(replay: Session) -> None:
    movement = service.read_movement(
        replay, movement_id="un-convoy-aleppo-2016-09", actor=SYSTEM, clock=lambda: SEP_16_NOON
    )
    assert movement.status == "submitted"
    assert [(a.party_id, a.status) for a in movement.approvals] == [("syrian-government-forces", "pending")]
    assert movement.approvals[0].basis == ["agreement:sep-2016-arrangement"]
    assert movement.days_waiting == 3
    assert movement.lead_time_warning is None
    assert [o.category for o in movement.obstructions] == ["impediments_to_entry"]
    assert movement.besieged_area_id == "east-aleppo"
    board = service.movements_board(replay, actor=SYSTEM, page=PageRequest(), clock=lambda: SEP_16_NOON)
    row = next(r for r in board.items if r.id == movement.id)
    assert (row.days_waiting, row.approvals) == (3, {"syrian-government-forces": "pending"})


def test_case_7_the_castello_road_corridor_post_and_checkpoint(replay: Session) -> None:
    [during] = [c for c in service.list_corridors(replay, at=SEP_16_NOON) if c.id == "castello-road-corridor"]
    assert (during.declared_status, during.open_now) == ("open", True)
    assert [(k.id, k.operator) for k in during.checkpoints] == [
        ("castello-road-sarc-checkpoint", "Syrian Arab Red Crescent")
    ]
    after = datetime(2016, 9, 20, 12, tzinfo=DAMASCUS)
    [later] = [c for c in service.list_corridors(replay, at=after) if c.id == "castello-road-corridor"]
    assert (later.declared_status, later.open_now) == ("closed", False)
    # The log of 13 September is missing from 08:00 Damascus time on the 14th, not before.
    before_due = datetime(2016, 9, 14, 7, 59, tzinfo=DAMASCUS)
    assert [
        o
        for o in service.overdue_logs(replay, at=before_due)
        if o.post_id == "castello-road-observation-point"
    ] == []
    due = datetime(2016, 9, 14, 8, 0, tzinfo=DAMASCUS)
    flagged = [
        o for o in service.overdue_logs(replay, at=due) if o.post_id == "castello-road-observation-point"
    ]
    assert [o.day.isoformat() for o in flagged] == ["2016-09-13"]
    assert flagged[0].due_at == due


def test_case_8_east_aleppo_shows_the_range_and_the_days_without_aid(replay: Session) -> None:
    [east] = [b for b in service.list_besieged_areas(replay, at=SEP_16_NOON) if b.id == "east-aleppo"]
    assert (east.population_min, east.population_max) == (250_000, 300_000)
    assert len(east.population) == 2
    assert east.besieging_party_ids == ["syrian-government-forces"]
    assert east.since == datetime(2016, 8, 27, 21, tzinfo=UTC)
    assert east.last_delivery_at is None
    assert east.days_without_aid == 19
