"""The access API: bad input is a 4xx with nothing stored; representatives see only their own part."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.access.models import Movement, MovementEvent
from ceasefire.intake.models import Report
from tests.access_data import NOW, control_world, movement_data, route

Headers = Callable[..., dict[str, str]]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_bad_movements_are_refused_with_nothing_stored(
    client: TestClient, session: Session, as_role: Headers
) -> None:
    headers = as_role("humanitarian_coordinator")
    good = movement_data().model_dump(mode="json")
    bad = [
        good | {"route": {"type": "Polygon", "coordinates": []}},
        good | {"route": route((37.1, 36.2), (37.2, 36.2)) | {"coordinates": [[37.1, "x"], [1, 2]]}},
        good | {"window_end": good["window_start"]},
        good | {"window_start": "2016-09-14T09:00:00"},
        good | {"kind": "parade"},
        good | {"corridor_id": "no-such-corridor"},
        good | {"cargo": [{"item": "flour", "tonnes": -1}]},
        good | {"unknown": 1},
    ]
    for body in bad:
        response = client.post("/api/v1/movements", json=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, response.text)
        assert "error" in response.json()
    assert count(session, Movement) == 0


def test_a_failed_attack_report_leaves_the_movement_as_it_was(
    client: TestClient, session: Session, as_role: Headers
) -> None:
    control_world(session)
    headers = as_role("humanitarian_coordinator")
    body = movement_data(submit=True).model_dump(mode="json")
    movement = client.post("/api/v1/movements", json=body, headers=headers).json()
    for approval in movement["approvals"]:
        url = f"/api/v1/approvals/{approval['id']}/decision"
        assert client.post(url, json={"status": "granted"}, headers=headers).status_code == 200
    at = NOW.isoformat()
    url = f"/api/v1/movements/{movement['id']}/status"
    assert client.post(url, json={"status": "en_route", "at": at}, headers=headers).status_code == 200
    events, reports = count(session, MovementEvent), count(session, Report)
    attack = {"occurred_at": at, "latitude": 36.0, "longitude": 37.2, "perpetrator_party_id": "nobody"}
    response = client.post(url, json={"status": "attacked", "at": at, "attack": attack}, headers=headers)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["field"] == "perpetrator_party_id"
    assert (count(session, MovementEvent), count(session, Report)) == (events, reports)
    read = client.get(f"/api/v1/movements/{movement['id']}", headers=headers).json()
    assert read["status"] == "en_route"


def test_a_representative_sees_its_own_column_and_answers_only_for_its_party(
    client: TestClient, session: Session, as_role: Headers
) -> None:
    world = control_world(session)
    coordinator = as_role("humanitarian_coordinator")
    body = movement_data(submit=True).model_dump(mode="json")
    movement = client.post("/api/v1/movements", json=body, headers=coordinator).json()
    west = as_role("party_representative", party_id=world.west)
    board = client.get("/api/v1/movements", headers=west).json()
    assert [(r["id"], r["approvals"]) for r in board["items"]] == [(movement["id"], {world.west: "pending"})]
    full = client.get("/api/v1/movements", headers=coordinator).json()
    assert full["items"][0]["approvals"] == {world.west: "pending", world.east: "pending"}
    theirs = next(a for a in movement["approvals"] if a["party_id"] == world.east)
    response = client.post(
        f"/api/v1/approvals/{theirs['id']}/decision", json={"status": "granted"}, headers=west
    )
    assert response.status_code == 404
    ours = next(a for a in movement["approvals"] if a["party_id"] == world.west)
    denial = {"status": "denied", "reason": "fighting on the road"}
    response = client.post(f"/api/v1/approvals/{ours['id']}/decision", json=denial, headers=west)
    assert response.status_code == 200
    read = client.get(f"/api/v1/movements/{movement['id']}", headers=coordinator).json()
    assert read["status"] == "blocked"
    filtered = client.get("/api/v1/movements?status=blocked", headers=coordinator).json()
    assert [r["id"] for r in filtered["items"]] == [movement["id"]]
    assert client.get("/api/v1/movements?status=nonsense", headers=coordinator).status_code == 422


def test_the_overdue_view_and_a_naive_instant(client: TestClient, as_role: Headers) -> None:
    observer = as_role("observer")
    post = {
        "name": "Post",
        "operator": "Monitors",
        "latitude": 36.2,
        "longitude": 37.1,
        "active_from": "2016-09-12",
    }
    created = client.post("/api/v1/observation-posts", json=post, headers=observer).json()
    overdue = client.get(
        "/api/v1/observation-posts/overdue?at=2016-09-13T08:00:00%2B03:00", headers=observer
    ).json()
    assert [(o["post_id"], o["day"]) for o in overdue] == [(created["id"], "2016-09-12")]
    naive = client.get("/api/v1/observation-posts/overdue?at=2016-09-13T08:00:00", headers=observer)
    assert naive.status_code == 422
