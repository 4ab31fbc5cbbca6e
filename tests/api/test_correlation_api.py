"""Correlation through the API: reports grouped as they arrive, proposals decided by analysts,
explanations, batch runs; party representatives see none of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import report_claim

API = "/api/v1"


def claim(**overrides: Any) -> dict[str, Any]:
    data = {
        "source_name": "Jobar local council",
        "latitude": 33.5326,
        "longitude": 36.3322,
        "perpetrator_text": "Syrian Arab Army",
        "target_text": "Jaysh al-Islam",
        "narrative": "Artillery shells fell on Jobar, three killed.",
    }
    data.update(overrides)
    return report_claim(**data)


COUNTER = {
    "source_name": "Syrian Arab News Agency",
    "occurred_at": "2016-03-05T16:00:00+02:00",
    "location_text": "Joubar",
    "perpetrator_text": "Jaysh al-Islam",
    "target_text": "Syrian Arab Army",
    "narrative": "Terrorists fired mortars from Joubar, three soldiers killed.",
}
DOUBTFUL = {
    "occurred_at": "2016-03-05T17:00:00+02:00",
    "act_category": "rocket_fire",
    "event_type": None,
    "sub_event_type": None,
    "perpetrator_text": None,
    "target_text": None,
    "narrative": None,
    "location_text": None,
    "location_precision": "district",
}


def submit(client: TestClient, headers: dict[str, str], **overrides: Any) -> str:
    response = client.post(f"{API}/reports", json=claim(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    report_id: str = response.json()["id"]
    return report_id


def open_with(client: TestClient, headers: dict[str, str], report_id: str) -> str:
    body = {"report_ids": [report_id], "title": "Shelling of Jobar"}
    response = client.post(f"{API}/incidents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    incident_id: str = response.json()["id"]
    return incident_id


def test_reports_of_one_event_join_its_incident_as_they_arrive(
    client: TestClient, analyst: dict[str, str]
) -> None:
    first = submit(client, analyst)
    incident_id = open_with(client, analyst, first)
    second = submit(client, analyst, **COUNTER)
    explained = client.get(f"{API}/reports/{second}/correlation", headers=analyst).json()
    assert explained["linked_by"] == "auto"
    assert explained["incident_id"] == incident_id
    [pair] = explained["pairs"]
    assert pair["status"] == "attached"
    assert pair["target_kind"] == "incident"
    assert pair["explanation"]["counter_accusation"] is True
    assert set(pair["explanation"]["contributions"]) == {"time", "place", "category", "actors", "text"}
    incident = client.get(f"{API}/incidents/{explained['incident_id']}", headers=analyst).json()
    assert len(incident["claims"]) == 2
    by_incident = client.get(f"{API}/incidents/{explained['incident_id']}/correlation", headers=analyst)
    assert by_incident.status_code == 200
    assert {p["report_id"] for p in by_incident.json()["pairs"]} == {second}
    del first


def test_two_ungrouped_reports_open_an_incident_when_the_setting_allows(
    app: FastAPI, client: TestClient, analyst: dict[str, str]
) -> None:
    app.state.settings.correlation_opens_incidents = True
    first = submit(client, analyst)
    second = submit(client, analyst, **COUNTER)
    explained = client.get(f"{API}/reports/{second}/correlation", headers=analyst).json()
    assert explained["incident_id"]
    assert explained["pairs"][0]["target_id"] == first


def test_analysts_decide_proposals(client: TestClient, analyst: dict[str, str]) -> None:
    submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    page = client.get(f"{API}/correlation/proposals", headers=analyst).json()
    [proposal] = page["items"]
    assert proposal["report_id"] == doubtful
    assert proposal["status"] == "open"
    rejected = client.post(
        f"{API}/correlation/proposals/{proposal['id']}/reject", json={"reason": "no"}, headers=analyst
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    again = client.post(f"{API}/correlation/proposals/{proposal['id']}/accept", headers=analyst)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "proposal_decided"
    assert client.get(f"{API}/correlation/proposals", headers=analyst).json()["items"] == []
    listed = client.get(f"{API}/correlation/proposals?status=rejected", headers=analyst).json()
    assert [p["id"] for p in listed["items"]] == [proposal["id"]]
    missing = client.post(f"{API}/correlation/proposals/nope/accept", headers=analyst)
    assert missing.status_code == 404


def test_accepting_a_proposal_groups_the_reports(client: TestClient, analyst: dict[str, str]) -> None:
    first = submit(client, analyst)
    submit(client, analyst, **DOUBTFUL)
    [proposal] = client.get(f"{API}/correlation/proposals", headers=analyst).json()["items"]
    accepted = client.post(f"{API}/correlation/proposals/{proposal['id']}/accept", headers=analyst)
    assert accepted.status_code == 200, accepted.text
    incident_id = accepted.json()["explanation"]["incident_id"]
    assert (
        client.get(f"{API}/reports/{first}/correlation", headers=analyst).json()["incident_id"] == incident_id
    )


def test_party_representatives_and_observers_are_refused(
    client: TestClient, analyst: dict[str, str], as_role: Callable[..., dict[str, str]]
) -> None:
    report_id = submit(client, analyst)
    observer = as_role("observer")
    for method, path in (
        ("get", f"{API}/correlation/proposals"),
        ("get", f"{API}/reports/{report_id}/correlation"),
        ("post", f"{API}/correlation/runs"),
    ):
        response = getattr(client, method)(path, headers=observer)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_a_batch_run_through_the_api(
    client: TestClient, analyst: dict[str, str], as_role: Callable[..., dict[str, str]]
) -> None:
    submit(client, analyst)
    response = client.post(f"{API}/correlation/runs", headers=analyst)
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] == "queued"
    assert response.headers["Location"] == f"{API}/correlation/runs/{started['id']}"
    # The run is carried out after the response (the test client waits for it).
    run = client.get(response.headers["Location"], headers=analyst).json()
    assert run["status"] == "done", run
    assert run["summary"]["reports"] >= 1
    listed = client.get(f"{API}/correlation/runs", headers=analyst).json()
    assert [r["id"] for r in listed["items"]] == [started["id"]]
    missing = client.get(f"{API}/correlation/runs/nope", headers=analyst)
    assert missing.status_code == 404
    observer = as_role("observer")
    assert client.get(f"{API}/correlation/runs", headers=observer).status_code == 403


def test_correlation_on_intake_can_be_switched_off(
    app: FastAPI, client: TestClient, analyst: dict[str, str]
) -> None:
    app.state.settings.correlation_on_intake = False
    open_with(client, analyst, submit(client, analyst))
    second = submit(client, analyst, **COUNTER)
    assert client.get(f"{API}/reports/{second}/correlation", headers=analyst).json()["incident_id"] is None


def test_a_withdrawn_report_leaves_the_index(
    client: TestClient, analyst: dict[str, str], as_role: Callable[..., dict[str, str]]
) -> None:
    admin = as_role("admin")
    first = submit(client, admin)
    open_with(client, analyst, first)
    withdrawn = client.post(f"{API}/reports/{first}/withdraw", json={"reason": "sent twice"}, headers=admin)
    assert withdrawn.status_code == 200, withdrawn.text
    second = submit(client, analyst, **COUNTER)
    assert client.get(f"{API}/reports/{second}/correlation", headers=analyst).json()["incident_id"] is None
