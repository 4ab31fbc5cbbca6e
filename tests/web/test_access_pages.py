"""Humanitarian access pages: the board and its approval matrix, decisions, daily logs, overdue posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.access import service as access
from ceasefire.access.models import Approval, DailyLog, Movement
from ceasefire.access.schemas import (
    ApprovalDecision,
    BesiegedAreaCreate,
    CorridorCreate,
    PostCreate,
    SiteCreate,
)
from ceasefire.audit.models import AuditEntry
from ceasefire.identity.models import User
from ceasefire.intake.models import Message, Report
from ceasefire.kernel.actor import SYSTEM
from tests import access_data
from tests.factories import make_area, make_party, token_for
from tests.web.conftest import csrf_from, page_text

SignIn = Callable[..., User]
COORDINATOR = "humanitarian_coordinator"


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _two_party_movement(session: Session) -> tuple[access_data.World, Movement, dict[str, Approval]]:
    """A convoy crossing both parties' areas: one pending approval each."""
    world = access_data.control_world(session)
    movement = access_data.submitted(session, title="Convoy across the line")
    approvals = {
        a.party_id: a for a in session.scalars(select(Approval).where(Approval.movement_id == movement.id))
    }
    session.commit()
    return world, movement, approvals


def _post(session: Session) -> str:
    post = access.create_post(
        session,
        data=PostCreate.model_validate(
            {
                "name": "Test mobile observation point",
                "operator": "Test monitors",
                "latitude": 36.23,
                "longitude": 37.13,
                "active_from": "2016-09-13",
                "active_to": "2016-09-19",
            }
        ),
        actor=SYSTEM,
    )
    session.commit()
    return post.id


def test_the_access_pages_need_a_sign_in(web: TestClient) -> None:
    for path in ("/access", "/access/besieged", "/access/corridors", "/access/sites", "/observation"):
        response = web.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_the_board_shows_the_approval_matrix(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn
) -> None:
    world, movement, approvals = _two_party_movement(session)
    access.decide_approval(
        session,
        approval_id=approvals[world.west].id,
        data=ApprovalDecision.model_validate(
            {"status": "conditional", "conditions": "inspection at the gate"}
        ),
        actor=SYSTEM,
    )
    session.commit()
    user = sign_in(COORDINATOR)
    headers = {"Authorization": f"Bearer {token_for(session, user)}"}
    session.commit()
    response = web.get("/access?at=2016-09-16")
    assert response.status_code == 200
    html = response.text
    row = re.search(rf'<tr data-movement="{movement.id}">(.*?)</tr>', html, re.S)
    assert row, "the movement has a row on the board"
    cells = re.findall(r'class="approval approval-(\w+)" title="([^"]*)"', row.group(1))
    assert sorted(s for s, _ in cells) == ["conditional", "pending"]
    assert any("inspection at the gate" in title for _, title in cells), "conditions are on hover"
    # Submitted on 14 September 09:00 UTC, read on the 16th at noon Damascus: 2 days waiting.
    assert re.search(r'class="days-waiting">2<', row.group(1))
    assert '<link rel="alternate" type="application/json" href="/api/v1/movements?' in html
    href = re.search(r'rel="alternate" type="application/json" href="([^"]+)"', html)
    assert href
    twin = client.get(href.group(1).replace("&amp;", "&"), headers=headers)
    assert twin.status_code == 200
    assert any(item["id"] == movement.id for item in twin.json()["items"])


def test_the_board_filters_by_status_and_refuses_a_bad_one(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    _, movement, _ = _two_party_movement(session)
    sign_in(COORDINATOR)
    assert movement.id in web.get("/access?status=submitted").text
    assert movement.id not in web.get("/access?status=delivered").text
    bad = web.get("/access?status=nonsense")
    assert bad.status_code == 422
    assert "not one of the choices" in page_text(bad)


def test_a_party_representative_decides_for_its_own_party_only(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    world, movement, approvals = _two_party_movement(session)
    sign_in("party_representative", party_id=world.west)
    page = web.get(f"/access/movements/{movement.id}")
    assert page.status_code == 200
    # Only its own party's approval is shown, with the decide form.
    assert f"/approvals/{approvals[world.west].id}/decision" in page.text
    assert approvals[world.east].id not in page.text
    board = web.get("/access")
    assert board.status_code == 200
    assert world.east not in board.text
    token = csrf_from(page)
    other = web.post(
        f"/access/movements/{movement.id}/approvals/{approvals[world.east].id}/decision",
        data={"csrf_token": token, "status": "granted"},
    )
    missing = web.post(
        f"/access/movements/{movement.id}/approvals/no-such-approval/decision",
        data={"csrf_token": token, "status": "granted"},
    )
    assert other.status_code == missing.status_code == 404
    assert page_text(other) == page_text(missing)
    session.refresh(approvals[world.east])
    assert approvals[world.east].status == "pending"
    own = web.post(
        f"/access/movements/{movement.id}/approvals/{approvals[world.west].id}/decision",
        data={"csrf_token": token, "status": "granted"},
    )
    assert own.status_code == 303
    session.refresh(approvals[world.west])
    assert approvals[world.west].status == "granted"
    assert approvals[world.west].decided_by


def test_a_representative_of_an_uninvolved_party_gets_the_404_page(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    _, movement, _ = _two_party_movement(session)
    outsider = make_party(session)
    session.commit()
    sign_in("party_representative", party_id=outsider.id)
    hidden = web.get(f"/access/movements/{movement.id}")
    missing = web.get("/access/movements/no-such-movement")
    assert hidden.status_code == missing.status_code == 404
    assert page_text(hidden) == page_text(missing)
    assert web.get(f"/access/movements/{movement.id}/route.geojson").status_code == 404
    assert movement.id not in web.get("/access").text


def test_a_denial_without_reason_is_shown_again_and_nothing_stored(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    world, movement, approvals = _two_party_movement(session)
    sign_in(COORDINATOR)
    page = web.get(f"/access/movements/{movement.id}")
    audits = _count(session, AuditEntry)
    response = web.post(
        f"/access/movements/{movement.id}/approvals/{approvals[world.east].id}/decision",
        data={"csrf_token": csrf_from(page), "status": "denied", "conditions": "kept text"},
    )
    assert response.status_code == 422
    assert "a denial states its reason" in page_text(response)
    assert 'value="kept text"' in response.text
    session.refresh(approvals[world.east])
    assert approvals[world.east].status == "pending"
    assert _count(session, AuditEntry) == audits


def test_forms_need_the_csrf_token(web: TestClient, session: Session, sign_in: SignIn) -> None:
    world, movement, approvals = _two_party_movement(session)
    sign_in(COORDINATOR)
    response = web.post(
        f"/access/movements/{movement.id}/approvals/{approvals[world.east].id}/decision",
        data={"status": "granted"},
    )
    assert response.status_code == 403
    session.refresh(approvals[world.east])
    assert approvals[world.east].status == "pending"


def test_the_movement_page_shows_route_map_timeline_and_obstruction_form(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    _, movement, _ = _two_party_movement(session)
    sign_in(COORDINATOR)
    page = web.get(f"/access/movements/{movement.id}")
    assert page.status_code == 200
    assert f'data-geojson-url="/access/movements/{movement.id}/route.geojson"' in page.text
    assert '<link rel="alternate" type="application/json" href="/api/v1/movements/' in page.text
    geo = web.get(f"/access/movements/{movement.id}/route.geojson")
    assert geo.json()["features"][0]["geometry"]["type"] == "LineString"
    token = csrf_from(page)
    bad = web.post(
        f"/access/movements/{movement.id}/obstructions",
        data={"csrf_token": token, "category": "impediments_to_entry", "at": "", "description": "kept"},
    )
    assert bad.status_code == 422
    assert ">kept</textarea>" in bad.text
    good = web.post(
        f"/access/movements/{movement.id}/obstructions",
        data={
            "csrf_token": token,
            "category": "impediments_to_entry",
            "at": "2016-09-14T10:00",
            "description": "Held at the border crossing",
        },
    )
    assert good.status_code == 303
    shown = page_text(web.get(f"/access/movements/{movement.id}"))
    assert "Held at the border crossing" in shown
    assert "impediments to entry" in shown
    blocked = web.post(
        f"/access/movements/{movement.id}/status",
        data={"csrf_token": token, "status": "blocked", "note": "no answer"},
    )
    assert blocked.status_code == 303
    session.refresh(movement)
    assert movement.status == "blocked"


def test_recompute_shows_what_changed(web: TestClient, session: Session, sign_in: SignIn) -> None:
    _world, movement, _ = _two_party_movement(session)
    third = make_party(session)
    make_area(session, geometry=access_data.square(36.4, 35.9, 36.6, 36.1), party_id=third.id)
    session.commit()
    sign_in(COORDINATOR)
    page = web.get(f"/access/movements/{movement.id}")
    response = web.post(f"/access/movements/{movement.id}/recompute", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200
    text = page_text(response)
    assert "Authorities recomputed." in text
    assert f"Added: {third.id}" in text


def test_a_new_movement_from_places_and_coordinates_with_a_late_warning(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    access_data.control_world(session)
    session.commit()
    sign_in(COORDINATOR)
    form = web.get("/access/movements/new")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_from(form),
        "kind": "convoy",
        "title": "Late convoy",
        "requester": "Test NGO",
        "route": "36.0, 36.5\n36.0, 37.5",
        "beneficiaries": "1200",
        "window_start": "2016-09-17T08:00",
        "window_end": "2016-09-17T18:00",
        "cargo_item": ["flour", ""],
        "cargo_tonnes": ["12.5", ""],
        "cargo_quantity": ["", ""],
        "submit": "1",
    }
    response = web.post("/access/movements/new", data=data)
    assert response.status_code == 303, page_text(response)
    movement = session.scalars(select(Movement).where(Movement.title == "Late convoy")).one()
    assert movement.status == "submitted"
    assert movement.route["coordinates"] == [[36.5, 36.0], [37.5, 36.0]]
    assert movement.cargo == [{"item": "flour", "tonnes": 12.5}]
    page = web.get(response.headers["location"])
    text = page_text(page)
    assert "Lead time" in text
    assert "should be notified at least 48 h ahead" in text


def test_a_bad_movement_form_keeps_the_input_and_stores_nothing(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in(COORDINATOR)
    form = web.get("/access/movements/new")
    before = _count(session, Movement)
    response = web.post(
        "/access/movements/new",
        data={
            "csrf_token": csrf_from(form),
            "kind": "convoy",
            "title": "Kept title",
            "requester": "Kept NGO",
            "route": "Nowhere-at-all-xyzzy\n36.0, 37.5",
            "window_start": "2016-09-17T08:00",
            "window_end": "2016-09-16T08:00",
            "cargo_item": ["kept flour"],
            "cargo_tonnes": ["many"],
            "cargo_quantity": [""],
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "no known place of that name" in text
    assert "a number" in text
    assert 'value="Kept title"' in response.text
    assert 'value="kept flour"' in response.text
    assert _count(session, Movement) == before


def test_observers_may_not_request_movements_but_read_the_board(web: TestClient, sign_in: SignIn) -> None:
    sign_in("analyst")
    assert web.get("/access").status_code == 200
    assert web.get("/access/movements/new").status_code == 403


def test_the_daily_log_form_files_a_log_and_a_report_then_a_correction(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    post_id = _post(session)
    sign_in("observer")
    form = web.get(f"/observation/posts/{post_id}/log?day=2016-09-13")
    assert form.status_code == 200
    assert 'value="2016-09-13"' in form.text
    token = csrf_from(form)
    reports = _count(session, Report)
    first = web.post(
        f"/observation/posts/{post_id}/log",
        data={
            "csrf_token": token,
            "day": "2016-09-13",
            "crossings_civilians": "14",
            "crossings_wounded": "2",
            "crossings_combatants_surrendering": "0",
            "crossings_trucks": "3",
            "weapons_handed_in": "1",
            "corridor_status": "open",
            "movement_restrictions": "escort required",
            "incident_occurred_at": ["2016-09-13T16:00", ""],
            "incident_act_category": ["sniper_fire", ""],
            "incident_narrative": ["Shots towards the road from the north.", ""],
            "incident_perpetrator": ["", ""],
            "incident_killed": ["", ""],
            "incident_injured": ["1", ""],
        },
    )
    assert first.status_code == 303, page_text(first)
    log = session.scalars(select(DailyLog).where(DailyLog.post_id == post_id)).one()
    assert (log.version, log.crossings["civilians"], log.weapons_handed_in) == (1, 14, 1)
    assert len(log.incident_report_ids) == 1
    assert _count(session, Report) == reports + 1
    report = session.get(Report, log.incident_report_ids[0])
    assert report is not None
    message = session.get(Message, report.message_id)
    assert message is not None
    assert message.channel == "observation_post"
    second = web.post(
        f"/observation/posts/{post_id}/log",
        data={"csrf_token": token, "day": "2016-09-13", "crossings_civilians": "15", "note": "recount"},
    )
    assert second.status_code == 303
    assert "done=v2" in second.headers["location"]
    versions = session.scalars(
        select(DailyLog.version).where(DailyLog.post_id == post_id).order_by(DailyLog.version)
    ).all()
    assert list(versions) == [1, 2]
    page = web.get(f"/observation/posts/{post_id}/log")
    text = page_text(page)
    assert "Version 2" in text
    assert "Version 1" in text
    assert "current" in text
    assert "corrected" in text


def test_a_bad_daily_log_keeps_the_input_and_stores_nothing(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    post_id = _post(session)
    sign_in("observer")
    token = csrf_from(web.get(f"/observation/posts/{post_id}/log"))
    before = (_count(session, DailyLog), _count(session, Report))
    response = web.post(
        f"/observation/posts/{post_id}/log",
        data={
            "csrf_token": token,
            "day": "2016-09-13",
            "crossings_civilians": "-4",
            "movement_restrictions": "kept restriction",
            "incident_occurred_at": ["2016-09-13T16:00"],
            "incident_act_category": ["not-an-act"],
            "incident_narrative": ["kept narrative"],
            "incident_perpetrator": [""],
            "incident_killed": [""],
            "incident_injured": [""],
        },
    )
    assert response.status_code == 422
    assert 'value="kept restriction"' in response.text
    assert ">kept narrative</textarea>" in response.text
    assert 'value="-4"' in response.text
    assert (_count(session, DailyLog), _count(session, Report)) == before
    outside = web.post(f"/observation/posts/{post_id}/log", data={"csrf_token": token, "day": "2016-10-01"})
    assert outside.status_code == 422
    assert "the post was not active on that day" in page_text(outside)


def test_a_party_representative_may_not_file_a_log(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    post_id = _post(session)
    party = make_party(session)
    session.commit()
    sign_in("party_representative", party_id=party.id)
    page = web.get(f"/observation/posts/{post_id}/log")
    assert page.status_code == 200
    assert 'action="/observation/posts/' not in page.text
    token = csrf_from(web.get("/access/sites"))
    refused = web.post(f"/observation/posts/{post_id}/log", data={"csrf_token": token, "day": "2016-09-13"})
    assert refused.status_code == 403


def test_the_overdue_list(web: TestClient, session: Session, sign_in: SignIn) -> None:
    post_id = _post(session)
    sign_in("observer")
    response = web.get("/observation?at=2016-09-15T09:00")
    assert response.status_code == 200
    rows = re.findall(r'<tr class="missing-log">(.*?)</tr>', response.text, re.S)
    mine = [r for r in rows if f"/observation/posts/{post_id}/log" in r]
    assert [re.search(r"<strong>([\d-]+)</strong>", r).group(1) for r in mine] == [  # type: ignore[union-attr]
        "2016-09-13",
        "2016-09-14",
    ]
    assert "/api/v1/observation-posts/overdue?at=2016-09-15T09" in response.text
    assert web.get("/observation?at=yesterday").status_code == 422


def test_besieged_corridors_and_sites_pages(web: TestClient, session: Session, sign_in: SignIn) -> None:
    besieger = make_party(session, name="Test besieging force")
    area = make_area(session, kind="besieged_area", geometry=access_data.square(37.1, 36.1, 37.3, 36.3))
    access.create_besieged_area(
        session,
        data=BesiegedAreaCreate.model_validate(
            {
                "area_id": area.id,
                "name": "Test enclave",
                "since": "2016-08-28T00:00:00+03:00",
                "besieging_party_ids": [besieger.id],
                "population": [
                    {"min": 250000, "source": "UN test figure"},
                    {"min": 300000, "source": "Press test figure"},
                ],
            }
        ),
        actor=SYSTEM,
    )
    corridor = access.create_corridor(
        session,
        data=CorridorCreate.model_validate(
            {
                "name": "Test corridor",
                "purpose": "civilian_exit",
                "operator": "Test operator",
                "route": access_data.route((37.0, 36.2), (37.2, 36.2)),
                "windows": [{"start": "08:00", "end": "16:00"}],
            }
        ),
        actor=SYSTEM,
    )
    site = access.create_site(
        session,
        data=SiteCreate.model_validate(
            {
                "name": "Test clinic",
                "kind": "clinic",
                "operator": "Test NGO",
                "latitude": 36.2,
                "longitude": 37.2,
                "notified_at": "2016-09-01T09:00:00+03:00",
            }
        ),
        actor=SYSTEM,
    )
    session.commit()
    sign_in(COORDINATOR)
    besieged = page_text(web.get("/access/besieged?at=2016-09-16"))
    assert "Test enclave" in besieged
    assert "250,000–300,000" in besieged
    assert "UN test figure" in besieged
    assert "Test besieging force" in besieged
    assert "Days without aid 19" in besieged
    geo = web.get("/access/besieged.geojson").json()
    assert any(f["properties"]["name"] == "Test enclave" for f in geo["features"])
    corridors = page_text(web.get("/access/corridors?at=2016-09-16T10:00"))
    assert "Test corridor" in corridors
    assert "08:00–16:00" in corridors
    assert web.get("/access/corridors.geojson").status_code == 200
    assert corridor.id in web.get("/access/corridors").text
    sites = web.get("/access/sites")
    assert "Test clinic" in page_text(sites)
    party = make_party(session, name="Acknowledging army")
    session.commit()
    ack = web.post(
        f"/access/sites/{site.id}/acknowledge", data={"csrf_token": csrf_from(sites), "party_id": party.id}
    )
    assert ack.status_code == 303
    assert "Acknowledging army" in page_text(web.get("/access/sites"))


@pytest.mark.parametrize(
    "path", ["/access", "/access/besieged", "/access/corridors", "/access/sites", "/observation"]
)
def test_every_page_names_a_json_twin_the_reader_may_fetch(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, path: str
) -> None:
    user = sign_in("observer")
    headers = {"Authorization": f"Bearer {token_for(session, user)}"}
    session.commit()
    page = web.get(path)
    assert page.status_code == 200
    href = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page.text)
    assert href
    twin = client.get(href.group(1).replace("&amp;", "&"), headers=headers)
    assert twin.status_code == 200, twin.text
