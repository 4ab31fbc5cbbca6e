"""The intake API: submissions, retries, corrections, withdrawals, scoping, contact details, receipts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ceasefire.incidents.models import Incident, IncidentReport
from ceasefire.intake.models import Message, Report
from tests.factories import make_party, make_place, report_claim

API = "/api/v1"
Headers = dict[str, str]
AsRole = Callable[..., Headers]


def _post(client: TestClient, path: str, payload: Any, headers: Headers | None = None, **kw: Any) -> Any:
    return client.post(f"{API}{path}", json=payload, headers=headers or {}, **kw)


def _submit(client: TestClient, headers: Headers, **overrides: Any) -> dict[str, Any]:
    response = _post(client, "/reports", report_claim(**overrides), headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: Any) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["field"]


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _audit(client: TestClient, headers: Headers, action: str, entity_id: str) -> list[dict[str, Any]]:
    params = {"action": action, "entity_id": entity_id}
    items: list[dict[str, Any]] = client.get(f"{API}/audit", params=params, headers=headers).json()["items"]
    return items


def test_a_structured_report_reads_back_as_version_one_with_its_window(
    client: TestClient, analyst: Headers
) -> None:
    created = _submit(client, analyst, time_precision="day", body="from the field")
    assert (created["version"], created["state"], created["lineage_id"]) == (1, "current", created["id"])
    assert (created["window_start"], created["window_end"]) == (
        "2016-03-04T22:00:00Z",
        "2016-03-05T22:00:00Z",
    )
    read = client.get(f"{API}/reports/{created['id']}", headers=analyst).json()
    assert read == created
    message = client.get(f"{API}/messages/{created['message_id']}", headers=analyst).json()
    assert (message["body"], message["report_ids"], message["has_contact"]) == (
        "from the field",
        [created["id"]],
        False,
    )
    assert "contact" not in message


def test_a_retry_with_the_same_key_is_stored_once_and_a_different_body_is_a_409(
    client: TestClient, session: Session, as_role: AsRole
) -> None:
    observer = as_role("observer")
    key = {"Idempotency-Key": "retry-7f3a"}
    payload = report_claim(contact="+963 944 000 111")
    first = _post(client, "/reports", payload, {**observer, **key})
    second = _post(client, "/reports", payload, {**observer, **key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert session.scalar(select(func.count()).where(Message.idempotency_key == "retry-7f3a")) == 1
    changed = _post(client, "/reports", {**payload, "killed_min": 9, "killed_max": 9}, {**observer, **key})
    assert _error(changed)[:2] == (409, "idempotency_mismatch")
    messages = [
        _post(client, "/messages", {"channel": "sms", "body": "x"}, {**observer, "Idempotency-Key": "m"})
    ]
    messages.append(
        _post(client, "/messages", {"channel": "sms", "body": "x"}, {**observer, "Idempotency-Key": "m"})
    )
    assert [m.status_code for m in messages] == [201, 200]
    assert messages[0].json()["id"] == messages[1].json()["id"]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"occurred_at": "2099-01-01T00:00:00+02:00"}, 422, "in_future", "occurred_at"),
        ({"occurred_at": "2016-03-05T15:00:00"}, 422, "naive_datetime", "occurred_at"),
        ({"received_at": "2099-01-01T00:00:00Z"}, 422, "in_future", "received_at"),
        ({"sub_event_type": "armed_clash"}, 422, "invalid_sub_event", "sub_event_type"),
        ({"place_id": "no-such-place"}, 404, "place_not_found", "place_id"),
        ({"perpetrator_party_id": "no-such-party"}, 404, "party_not_found", "perpetrator_party_id"),
        ({"killed_min": 5, "killed_max": 1}, 422, "range_reversed", "killed_max"),
        ({"killed_min": "many"}, 422, "invalid", "killed_min"),
        ({"act_category": "jaywalking"}, 422, "invalid", "act_category"),
        ({"latitude": 36.2}, 422, "half_a_point", "longitude"),
        ({"timezone": "Mars/Olympus"}, 422, "unknown_timezone", "timezone"),
        ({"evidence_ids": ["no-such-evidence"]}, 404, "evidence_not_found", "evidence_ids.0"),
        ({"surprise": True}, 422, "invalid", "surprise"),
    ],
)
def test_bad_submissions_are_4xx_naming_the_field_and_store_nothing(
    client: TestClient,
    session: Session,
    analyst: Headers,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    before = (_count(session, Message), _count(session, Report))
    response = _post(client, "/reports", report_claim(**change), analyst)
    assert _error(response) == (status, code, field)
    assert (_count(session, Message), _count(session, Report)) == before


def test_malformed_json_and_non_objects_are_refused(client: TestClient, analyst: Headers) -> None:
    broken = client.post(
        f"{API}/reports", content=b'{"occurred_at": ', headers={**analyst, "Content-Type": "application/json"}
    )
    assert _error(broken)[:2] == (400, "malformed_json")
    assert _post(client, "/reports", [1, 2], analyst).status_code == 422
    assert _post(client, "/messages", {"channel": "sms"}, analyst).json()["error"]["code"] == "empty_message"
    bad_key = _post(
        client, "/messages", {"channel": "sms", "body": "x"}, {**analyst, "Idempotency-Key": "two words"}
    )
    assert bad_key.status_code == 422


def test_corrections_make_versions_and_a_withdrawal_keeps_the_report(
    client: TestClient, as_role: AsRole
) -> None:
    observer = as_role("observer")
    created = _submit(client, observer)
    correction = {
        **report_claim(killed_min=4, killed_max=5),
        "note": "hospital figures",
        "expected_version": 1,
    }
    corrected = _post(client, f"/reports/{created['id']}/corrections", correction, observer)
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["version"], corrected.json()["supersedes_id"]) == (2, created["id"])
    stale = _post(client, f"/reports/{created['id']}/corrections", correction, observer)
    assert _error(stale) == (409, "version_conflict", "expected_version")
    old = client.get(f"{API}/reports/{created['id']}/versions", headers=observer).json()["versions"][0]
    assert (old["state"], old["killed_max"]) == ("superseded", 3)
    withdrawn = _post(client, f"/reports/{created['id']}/withdraw", {"reason": "sent twice"}, observer)
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["state"], withdrawn.json()["withdrawal_reason"]) == ("withdrawn", "sent twice")
    versions = client.get(f"{API}/reports/{created['id']}/versions", headers=observer).json()
    assert versions["state"] == "withdrawn"
    assert len(versions["versions"]) == 2
    assert client.get(f"{API}/reports", params={"state": "withdrawn"}, headers=observer).json()["total"] == 1


def test_only_the_submitter_or_an_analyst_corrects_and_only_the_submitter_side_or_an_admin_withdraws(
    client: TestClient, as_role: AsRole
) -> None:
    created = _submit(client, as_role("observer"))
    liaison = as_role("liaison_officer")
    correction = {**report_claim(), "note": "mine now"}
    assert _post(client, f"/reports/{created['id']}/corrections", correction, liaison).status_code == 403
    assert _post(client, f"/reports/{created['id']}/withdraw", {"reason": "x"}, liaison).status_code == 403
    other = as_role("observer")
    assert _post(client, f"/reports/{created['id']}/withdraw", {"reason": "x"}, other).status_code == 404
    assert (
        _post(client, f"/reports/{created['id']}/corrections", correction, as_role("analyst")).status_code
        == 201
    )
    assert (
        _post(client, f"/reports/{created['id']}/withdraw", {"reason": "x"}, as_role("admin")).status_code
        == 200
    )


def test_a_party_representative_cannot_submit_as_another_party(
    client: TestClient, session: Session, as_role: AsRole
) -> None:
    ours, theirs = make_party(session), make_party(session)
    rep = as_role("party_representative", party_id=ours.id)
    refused = _post(client, "/reports", report_claim(source_party_id=theirs.id), rep)
    assert _error(refused) == (422, "not_your_party", "source_party_id")
    accepted = _submit(client, rep, source_name=None)
    assert accepted["source_party_id"] == ours.id
    message = client.get(f"{API}/messages/{accepted['message_id']}", headers=rep).json()
    assert message["submitter_party_id"] == ours.id


def test_another_partys_reports_and_messages_are_404_exactly_like_missing_ones(
    client: TestClient, session: Session, as_role: AsRole
) -> None:
    party_a, party_b = make_party(session), make_party(session)
    rep_a = as_role("party_representative", party_id=party_a.id)
    rep_b = as_role("party_representative", party_id=party_b.id)
    theirs = _submit(client, rep_b)
    ours = _submit(client, rep_a)
    missing = client.get(f"{API}/reports/no-such-report", headers=rep_a)
    for path in (
        f"/reports/{theirs['id']}",
        f"/reports/{theirs['id']}/versions",
        f"/messages/{theirs['message_id']}",
        f"/messages/{theirs['message_id']}/contact",
    ):
        response = client.get(f"{API}{path}", headers=rep_a)
        assert response.status_code == 404, path
        assert response.json()["error"]["message"].startswith("no ")
    assert (
        client.get(f"{API}/reports/{theirs['id']}", headers=rep_a).json()["error"]["code"]
        == (missing.json()["error"]["code"])
    )
    assert _post(client, f"/reports/{theirs['id']}/withdraw", {"reason": "x"}, rep_a).status_code == 404
    assert (
        _post(
            client, f"/reports/{theirs['id']}/corrections", {**report_claim(), "note": "x"}, rep_a
        ).status_code
        == 404
    )
    assert [r["id"] for r in client.get(f"{API}/reports", headers=rep_a).json()["items"]] == [ours["id"]]
    assert [m["id"] for m in client.get(f"{API}/messages", headers=rep_a).json()["items"]] == [
        ours["message_id"]
    ]


def test_contact_details_are_shown_only_with_the_sensitive_permission_and_each_view_is_audited(
    client: TestClient, session: Session, as_role: AsRole
) -> None:
    observer = as_role("observer")
    message = _post(
        client, "/messages", {"channel": "hotline", "body": "call", "contact": "+963 11 222"}, observer
    )
    assert message.status_code == 201, message.text
    message_id = message.json()["id"]
    raw = session.execute(
        text("SELECT contact_encrypted FROM message WHERE id = :id"), {"id": message_id}
    ).scalar()
    assert b"+963 11 222" not in bytes(raw)
    assert client.get(f"{API}/messages/{message_id}/contact", headers=observer).status_code == 403
    analyst = as_role("analyst")
    shown = client.get(f"{API}/messages/{message_id}/contact", headers=analyst)
    assert shown.json() == {"message_id": message_id, "contact": "+963 11 222"}
    [entry] = _audit(client, analyst, "message.view_contact", message_id)
    assert entry["entity_type"] == "message"


def test_analysts_derive_reports_from_raw_messages(client: TestClient, as_role: AsRole) -> None:
    observer = as_role("observer")
    message_id = _post(
        client, "/messages", {"channel": "observation_post", "body": "shells"}, observer
    ).json()["id"]
    assert _post(client, f"/messages/{message_id}/reports", report_claim(), observer).status_code == 403
    analyst = as_role("analyst")
    derived = _post(client, f"/messages/{message_id}/reports", report_claim(), analyst)
    assert derived.status_code == 201, derived.text
    assert derived.json()["message_id"] == message_id
    listed = client.get(f"{API}/reports", params={"message_id": message_id}, headers=observer).json()
    assert [r["id"] for r in listed["items"]] == [derived.json()["id"]]


def test_lists_filter_by_act_perpetrator_time_state_and_grouping(
    client: TestClient, session: Session, analyst: Headers
) -> None:
    party = make_party(session)
    shelling = _submit(client, analyst, perpetrator_party_id=party.id)
    strike = _submit(
        client,
        analyst,
        act_category="air_strike",
        sub_event_type="air_drone_strike",
        occurred_at="2016-05-03T10:00:00+03:00",
    )

    def ids(**params: Any) -> list[str]:
        body = client.get(f"{API}/reports", params=params, headers=analyst).json()
        return [r["id"] for r in body["items"]]

    assert ids(act_category="air_strike") == [strike["id"]]
    assert ids(perpetrator_party_id=party.id) == [shelling["id"]]
    assert ids(since="2016-05-01T00:00:00Z") == [strike["id"]]
    assert ids(until="2016-04-01T00:00:00Z") == [shelling["id"]]
    session.add(Incident(id="inc-test", title="t", stage="new", publication="internal", grade="unverified"))
    session.add(IncidentReport(incident_id="inc-test", report_lineage_id=shelling["id"], linked_by="test"))
    session.flush()
    assert strike["id"] in ids(unlinked="true")
    assert shelling["id"] not in ids(unlinked="true")
    naive = client.get(f"{API}/reports", params={"since": "2016-05-01T00:00:00"}, headers=analyst)
    assert _error(naive) == (422, "naive_datetime", "since")
    assert client.get(f"{API}/reports", params={"state": "lost"}, headers=analyst).status_code == 422


def test_the_public_submits_without_an_account_and_follows_a_receipt(
    client: TestClient, session: Session, analyst: Headers
) -> None:
    payload = report_claim(source_name=None, submitter_name="A resident", contact="resident@example.org")
    submitted = _post(client, "/public/reports", payload, {"Idempotency-Key": "form-1"})
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    assert set(receipt) == {"reference_code", "report_id"}
    assert _post(client, "/public/reports", payload, {"Idempotency-Key": "form-1"}).json() == receipt
    report = client.get(f"{API}/reports/{receipt['report_id']}", headers=analyst).json()
    message = client.get(f"{API}/messages/{report['message_id']}", headers=analyst).json()
    assert (message["channel"], message["submitted_by_user_id"], message["has_contact"]) == (
        "web_form",
        None,
        True,
    )
    assert "resident@example.org" not in json.dumps(message)
    audit = client.get(f"{API}/audit", params={"entity_id": report["message_id"]}, headers=analyst).json()
    assert audit["items"]
    assert "resident@example.org" not in json.dumps(audit)
    code = receipt["reference_code"]
    status = client.get(f"{API}/public/receipts/{code.lower().replace('-', ' ')}")
    assert status.json() == {"reference_code": code, "status": "received", "incident_id": None}
    incident = Incident(id="inc-pub", title="t", stage="new", publication="internal", grade="unverified")
    session.add(incident)
    session.add(
        IncidentReport(incident_id="inc-pub", report_lineage_id=receipt["report_id"], linked_by="test")
    )
    session.flush()
    assert client.get(f"{API}/public/receipts/{code}").json()["status"] == "grouped"
    session.execute(text("UPDATE incident SET publication = 'public' WHERE id = 'inc-pub'"))
    session.expire_all()
    assert client.get(f"{API}/public/receipts/{code}").json() == {
        "reference_code": code,
        "status": "published",
        "incident_id": "inc-pub",
    }
    assert _error(client.get(f"{API}/public/receipts/CF-2222-2222"))[:2] == (404, "receipt_not_found")
    assert client.get(f"{API}/public/receipts/%00").status_code == 404


def test_the_public_cannot_name_a_party_as_source_nor_read_intake(
    client: TestClient, session: Session
) -> None:
    party = make_party(session)
    refused = _post(client, "/public/reports", report_claim(source_party_id=party.id))
    assert _error(refused) == (422, "anonymous_party", "source_party_id")
    assert _post(client, "/public/reports", {**report_claim(), "channel": "api"}).status_code == 422
    for path in ("/reports", "/messages", "/reports/x", "/messages/x"):
        assert client.get(f"{API}{path}").status_code == 401
    assert _post(client, "/reports", report_claim()).status_code == 401


def test_a_place_named_by_the_reporter_is_resolved_when_unambiguous(
    client: TestClient, session: Session, analyst: Headers
) -> None:
    make_place(
        session,
        id="test-dabbeet",
        name="Dabbeet Test Hospital",
        kind="hospital",
        latitude=36.21,
        longitude=37.15,
    )
    report = _submit(client, analyst, location_text="Dabbeet Test Hospital")
    assert (report["place_id"], report["latitude"], report["location_text"]) == (
        "test-dabbeet",
        36.21,
        "Dabbeet Test Hospital",
    )
