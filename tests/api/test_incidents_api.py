"""Incidents over HTTP: grouping, stages, publication, and who may see what (404, never 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ceasefire.incidents import service
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.claims import Publication
from tests.factories import make_incident
from tests.incidents_data import (
    aleppo,
    government_side,
    headers_of,
    jobar,
    neutral_sources,
    party_rep,
    report,
)

Headers = Callable[..., dict[str, str]]
URL = "/api/v1/incidents"


def keys_in(value: Any) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_worked_case_1_through_the_api(session: Session, client: TestClient, analyst: dict[str, str]) -> None:
    case = jobar(session)
    body = {"report_ids": [case.opposition.id, case.government.id], "title": "Jobar, 5 March afternoon"}
    created = client.post(URL, json=body, headers=analyst)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["grade"] == "contested"
    assert incident["stage"] == "new"
    assert incident["publication"] == "internal"
    [mutual] = incident["contradictions"]
    assert (mutual["kind"], mutual["claims"]) == ("mutual_accusation", ["C1", "C2"])
    assert [c["source"] for c in incident["claims"]] == ["Faylaq al-Rahman", "Government of Syria"]
    assert incident["casualties"]["figures"][0]["casualties"]["killed"] == {"min": 2, "max": 3}

    read = client.get(f"{URL}/{incident['id']}", headers=analyst)
    assert read.status_code == 200
    assert read.json()["grade_reasons"][0].startswith("mutual accusation: C1 blames 'saa'")
    listed = client.get(URL, params={"grade": "contested"}, headers=analyst).json()
    assert [i["id"] for i in listed["items"]] == [incident["id"]]
    assert listed["items"][0]["contradictions"] == 1
    assert listed["items"][0]["reports"] == 2


def test_bad_requests_answer_in_the_envelope(
    session: Session, client: TestClient, analyst: dict[str, str]
) -> None:
    assert client.post(URL, json={"report_ids": [], "title": "x"}, headers=analyst).status_code == 422
    unknown = client.post(URL, json={"report_ids": ["nope"], "title": "x"}, headers=analyst)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "report_ids.0"
    incident = make_incident(session)
    skip = client.post(f"{URL}/{incident.id}/stage", json={"to": "closed"}, headers=analyst)
    assert skip.status_code == 409
    error = skip.json()["error"]
    assert error["code"] == "invalid_transition"
    assert (error["details"]["from"], error["details"]["to"]) == ("new", "closed")
    wrong = client.post(f"{URL}/{incident.id}/stage", json={"to": "sideways"}, headers=analyst)
    assert wrong.status_code == 422
    back = client.post(f"{URL}/{incident.id}/stage", json={"to": "dismissed"}, headers=analyst)
    assert (back.status_code, back.json()["error"]["code"]) == (422, "reason_required")
    naive = client.get(URL, params={"since": "2016-03-05T00:00:00"}, headers=analyst)
    assert (naive.status_code, naive.json()["error"]["code"]) == (422, "naive_datetime")


def test_changes_need_the_incident_manage_permission(
    session: Session, client: TestClient, as_role: Headers
) -> None:
    incident = make_incident(session)
    liaison = as_role("liaison_officer")
    assert client.get(f"{URL}/{incident.id}", headers=liaison).status_code == 200
    refused = client.post(f"{URL}/{incident.id}/stage", json={"to": "triage"}, headers=liaison)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")


def test_link_unlink_merge_split_stage_and_publish_are_audited(
    session: Session, client: TestClient, analyst: dict[str, str]
) -> None:
    case = aleppo(session)
    first = make_incident(session, reports=[case.strikes[0]])
    second = make_incident(session, reports=[case.strikes[1]])
    linked = client.post(f"{URL}/{first.id}/reports", json={"report_id": case.denial.id}, headers=analyst)
    assert linked.status_code == 201, linked.text
    unlinked = client.delete(f"{URL}/{first.id}/reports/{case.denial.id}", headers=analyst)
    assert unlinked.status_code == 204
    merged = client.post(
        f"{URL}/{second.id}/merge", json={"into_id": first.id, "reason": "same"}, headers=analyst
    )
    assert merged.status_code == 200
    assert merged.json()["grade"] == "corroborated"
    split = client.post(
        f"{URL}/{first.id}/split",
        json={"report_ids": [case.strikes[1].id], "title": "Second strike", "reason": "other street"},
        headers=analyst,
    )
    assert split.status_code == 201
    assert [c["report_id"] for c in split.json()["claims"]] == [case.strikes[1].id]
    moved = client.post(f"{URL}/{first.id}/stage", json={"to": "triage"}, headers=analyst)
    assert moved.json()["stage"] == "triage"
    published = client.post(f"{URL}/{first.id}/publication", json={"level": "parties"}, headers=analyst)
    assert published.json()["publication"] == "parties"
    audit = client.get("/api/v1/audit", params={"entity_id": first.id, "size": 50}, headers=analyst).json()
    assert [e["action"] for e in reversed(audit["items"])] == [
        "incident.open",
        "incident.link",
        "incident.unlink",
        "incident.merge",
        "incident.split",
        "incident.stage",
        "incident.publish",
    ]
    history = client.get(f"{URL}/{first.id}/history", headers=analyst).json()
    assert [h["to_stage"] for h in history] == ["new", "triage"]


def test_party_reps_see_what_they_reported_or_are_accused_in_and_nothing_else(
    session: Session, client: TestClient
) -> None:
    case = jobar(session)
    neutral_sources(session)
    jobar_incident = make_incident(session, reports=[case.opposition, case.government])
    elsewhere = make_incident(session, reports=[report(session, source_party_id="white-helmets")])

    accused = headers_of(session, party_rep(session, "saa"))  # blamed by the opposition's claim
    reporter = headers_of(session, party_rep(session, "syrian-government"))  # the counter-accusation's source
    outsider = headers_of(session, party_rep(session, "white-helmets"))  # reported another incident only
    assert client.get(f"{URL}/{jobar_incident.id}", headers=accused).status_code == 200
    assert client.get(f"{URL}/{jobar_incident.id}", headers=reporter).status_code == 200
    hidden = client.get(f"{URL}/{jobar_incident.id}", headers=outsider)
    unknown = client.get(f"{URL}/no-such-incident", headers=outsider)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["code"] == unknown.json()["error"]["code"] == "incident_not_found"
    assert client.get(f"{URL}/{jobar_incident.id}/history", headers=outsider).status_code == 404
    assert [i["id"] for i in client.get(URL, headers=outsider).json()["items"]] == [elsewhere.id]
    assert [i["id"] for i in client.get(URL, headers=accused).json()["items"]] == [jobar_incident.id]

    service.set_publication(session, incident_id=jobar_incident.id, level=Publication.PARTIES, actor=SYSTEM)
    assert client.get(f"{URL}/{jobar_incident.id}", headers=outsider).status_code == 200


def test_other_reporters_are_withheld_from_a_party_rep(session: Session, client: TestClient) -> None:
    neutral_sources(session)
    government_side(session)
    rep = party_rep(session, "faylaq")
    case = jobar(session, opposition_actor=rep)
    activist = report(
        session, source_name="A resident of Jobar", narrative="I saw it from my window on Street 4."
    )
    outlet = report(session, source_party_id="amc")
    incident = make_incident(session, reports=[case.opposition, case.government, activist, outlet])
    headers = headers_of(session, rep)
    claims = client.get(f"{URL}/{incident.id}", headers=headers).json()["claims"]
    own, government, resident, media = claims
    assert own["redacted"] is False
    assert own["message_id"] == case.opposition.message_id
    assert own["narrative"] == "Government artillery shelled Jobar from 15:00."
    assert resident["source"] == "withheld"
    assert resident["narrative"] is None
    assert resident["message_id"] is None
    assert resident["submitted_by_user_id"] is None
    assert resident["redacted"] is True
    assert (media["source"], media["message_id"]) == ("Aleppo Media Center", None)
    assert (government["source"], government["submitter_party_id"]) == ("Government of Syria", None)
    assert "Street 4" not in str(claims)
    assert "resident" not in str(claims)


def test_observers_see_only_what_is_released_to_the_parties(
    session: Session, client: TestClient, as_role: Headers
) -> None:
    internal = make_incident(session)
    released = make_incident(session)
    service.set_publication(session, incident_id=released.id, level=Publication.PARTIES, actor=SYSTEM)
    observer = as_role("observer")
    assert client.get(f"{URL}/{internal.id}", headers=observer).status_code == 404
    assert client.get(f"{URL}/{released.id}", headers=observer).status_code == 200
    assert [i["id"] for i in client.get(URL, headers=observer).json()["items"]] == [released.id]


def test_the_public_reads_published_incidents_without_any_reporter(
    session: Session, client: TestClient
) -> None:
    case = jobar(session)
    public = make_incident(session, reports=[case.opposition, case.government])
    internal = make_incident(session)
    service.set_publication(session, incident_id=public.id, level=Publication.PUBLIC, actor=SYSTEM)
    listed = client.get("/api/v1/public/incidents")
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["items"]] == [public.id]
    assert client.get(f"/api/v1/public/incidents/{internal.id}").status_code == 404
    read = client.get(f"/api/v1/public/incidents/{public.id}")
    assert read.status_code == 200
    body = read.json()
    assert body["grade"] == "contested"
    assert body["contradictions"][0]["claims"] == ["C1", "C2"]
    forbidden = {"source", "source_party_id", "message_id", "report_id", "report_ids", "narrative", "history"}
    assert keys_in(body) & forbidden == set()
    assert "Faylaq" not in read.text
    assert case.opposition.id not in read.text


READ_ALL = {"admin", "analyst", "liaison_officer"}
MANAGE = {"admin", "analyst"}


def _as(session: Session, as_role: Headers, role: str) -> dict[str, str]:
    if role == "party_representative":
        neutral_sources(session)
        return headers_of(session, party_rep(session, "white-helmets"))
    return as_role(role)


@pytest.mark.parametrize(
    "role",
    ["admin", "analyst", "liaison_officer", "humanitarian_coordinator", "observer", "party_representative"],
)
def test_every_incident_route_as_each_role_on_an_internal_incident(
    session: Session, client: TestClient, as_role: Headers, role: str
) -> None:
    case = jobar(session)
    incident = make_incident(session, reports=[case.opposition])
    headers = _as(session, as_role, role)
    read = 200 if role in READ_ALL else 404
    write = role in MANAGE
    assert client.get(f"{URL}/{incident.id}", headers=headers).status_code == read
    assert client.get(f"{URL}/{incident.id}/history", headers=headers).status_code == read
    listed = client.get(URL, headers=headers).json()["items"]
    assert [i["id"] for i in listed] == ([incident.id] if role in READ_ALL else [])
    assert client.get(f"/api/v1/public/incidents/{incident.id}", headers=headers).status_code == 404
    changes = [
        ("post", f"{URL}/{incident.id}/reports", {"report_id": case.government.id}, 201),
        ("delete", f"{URL}/{incident.id}/reports/{case.government.id}", None, 204),
        ("post", f"{URL}/{incident.id}/stage", {"to": "triage"}, 200),
        ("post", f"{URL}/{incident.id}/publication", {"level": "parties"}, 200),
        ("post", URL, {"report_ids": [case.government.id], "title": "Counter-accusation"}, 201),
    ]
    for method, url, body, created in changes:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == (created if write else 403), (method, url, response.text)
