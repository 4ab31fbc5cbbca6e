"""The agreements API: creation in local time, refusals in the envelope, stances, status, audit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_agreement, make_area, make_party

URL = "/api/v1/agreements"


def _coh(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Cessation of hostilities in Syria",
        "kind": "cessation_of_hostilities",
        "starts_at": "2016-02-27T00:00:00+02:00",
        "scope_kind": "nationwide",
        "source": "US-Russia joint statement, 22 February 2016",
        "obligations": [{"kind": "prohibited_act", "category": "air_strike"}],
    }
    body.update(overrides)
    return body


def test_the_coh_starts_at_damascus_midnight(client: TestClient, analyst: dict[str, str]) -> None:
    created = client.post(URL, json=_coh(), headers=analyst)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == "cessation-of-hostilities-in-syria"
    assert body["starts_at"] == "2016-02-26T22:00:00Z"
    assert body["starts_local"] == "2016-02-27T00:00:00+02:00"
    assert body["timezone"] == "Asia/Damascus"
    assert body["status"] == "in_force"
    assert body["status_history"][0]["at_local"] == "2016-02-27T00:00:00+02:00"
    assert [o["category"] for o in body["obligations"]] == ["air_strike"]
    fetched = client.get(f"{URL}/{body['id']}", headers=analyst)
    assert fetched.json()["starts_at"] == "2016-02-26T22:00:00Z"


def test_naive_datetimes_are_refused(client: TestClient, analyst: dict[str, str]) -> None:
    response = client.post(URL, json=_coh(id="naive-coh", starts_at="2016-02-27T00:00:00"), headers=analyst)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("naive_datetime", "starts_at")
    assert client.get(f"{URL}/naive-coh", headers=analyst).status_code == 404


def test_an_end_before_the_start_is_refused(client: TestClient, analyst: dict[str, str]) -> None:
    response = client.post(URL, json=_coh(ends_at="2016-02-26T00:00:00+02:00"), headers=analyst)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("end_before_start", "ends_at")


def test_an_unknown_zone_is_refused(client: TestClient, analyst: dict[str, str]) -> None:
    response = client.post(URL, json=_coh(timezone="Asia/Aleppo"), headers=analyst)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "timezone"


def test_a_prohibited_act_must_be_an_act_category(client: TestClient, analyst: dict[str, str]) -> None:
    obligations = [
        {"kind": "prohibited_act", "category": "shelling"},
        {"kind": "prohibited_act", "category": "allow_humanitarian_access"},
    ]
    response = client.post(URL, json=_coh(obligations=obligations), headers=analyst)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "obligations.1.category"


def test_a_nationwide_scope_cannot_include_areas(client: TestClient, analyst: dict[str, str]) -> None:
    response = client.post(URL, json=_coh(areas=[{"area_id": "x", "mode": "include"}]), headers=analyst)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "areas"


def test_nothing_is_stored_when_one_area_is_unknown(
    client: TestClient, analyst: dict[str, str], session: Session
) -> None:
    area = make_area(session)
    body = _coh(
        id="aleppo-scope",
        kind="regime_of_calm",
        scope_kind="areas",
        areas=[{"area_id": area.id, "mode": "include"}, {"area_id": "atlantis", "mode": "exclude"}],
    )
    response = client.post(URL, json=body, headers=analyst)
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "areas.1.area_id"
    assert client.get(f"{URL}/aleppo-scope", headers=analyst).status_code == 404
    audit = client.get("/api/v1/audit", params={"entity_id": "aleppo-scope"}, headers=analyst).json()
    assert audit["total"] == 0


def test_a_stance_for_an_unknown_party_is_a_404_naming_the_field(
    client: TestClient, analyst: dict[str, str], session: Session
) -> None:
    make_agreement(session, id="coh-api")
    stance = {"party_id": "ghost", "stance": "committed", "valid_from": "2016-02-26", "source": "co-chairs"}
    response = client.post(f"{URL}/coh-api/stances", json=stance, headers=analyst)
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "party_id"
    assert client.get(f"{URL}/coh-api/stances", headers=analyst).json() == []


def test_a_stance_needs_a_source(client: TestClient, analyst: dict[str, str], session: Session) -> None:
    make_agreement(session, id="coh-src")
    party = make_party(session)
    stance = {"party_id": party.id, "stance": "committed", "valid_from": "2016-02-26"}
    response = client.post(f"{URL}/coh-src/stances", json=stance, headers=analyst)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "source"


def test_stances_feed_the_committed_and_excluded_lists(
    client: TestClient, analyst: dict[str, str], session: Session
) -> None:
    make_agreement(session, id="coh-lists")
    army, isil = make_party(session, name="Army"), make_party(session, name="ISIL")
    for party, stance in ((army, "committed"), (isil, "excluded")):
        body = {"party_id": party.id, "stance": stance, "valid_from": "2016-02-26", "source": "ISSG"}
        assert client.post(f"{URL}/coh-lists/stances", json=body, headers=analyst).status_code == 201
    later = {"party_id": army.id, "stance": "rejected", "valid_from": "2016-10-01", "source": "press"}
    assert client.post(f"{URL}/coh-lists/stances", json=later, headers=analyst).status_code == 201
    march = client.get(f"{URL}/coh-lists", params={"on": "2016-03-01"}, headers=analyst).json()
    assert march["stances_on"] == "2016-03-01"
    assert [e["party_id"] for e in march["committed_parties"]] == [army.id]
    assert [e["party_id"] for e in march["excluded_parties"]] == [isil.id]
    october = client.get(f"{URL}/coh-lists", params={"on": "2016-10-02"}, headers=analyst).json()
    assert october["committed_parties"] == []
    assert [e["party_id"] for e in october["rejected_parties"]] == [army.id]
    records = client.get(f"{URL}/coh-lists/stances", params={"party_id": army.id}, headers=analyst).json()
    assert [(r["stance"], r["valid_to"]) for r in records] == [
        ("committed", "2016-09-30"),
        ("rejected", None),
    ]


def test_status_changes_out_of_order_are_refused(
    client: TestClient, analyst: dict[str, str], session: Session
) -> None:
    make_agreement(session, id="coh-hist")
    suspended = {"status": "suspended", "at": "2016-09-19T20:00:00+03:00", "source": "EA WorldView"}
    ok = client.post(f"{URL}/coh-hist/status", json=suspended, headers=analyst)
    assert ok.status_code == 201
    assert ok.json()["at"] == "2016-09-19T17:00:00Z"
    early = {"status": "collapsed", "at": "2016-09-01T00:00:00+03:00"}
    refused = client.post(f"{URL}/coh-hist/status", json=early, headers=analyst)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "status_out_of_order"
    history = client.get(f"{URL}/coh-hist", headers=analyst).json()["status_history"]
    assert [h["status"] for h in history] == ["in_force", "suspended"]


def test_changes_are_audited(client: TestClient, analyst: dict[str, str]) -> None:
    client.post(URL, json=_coh(id="coh-audit"), headers=analyst)
    obligation = {"kind": "required_action", "category": "report_violations"}
    assert client.post(f"{URL}/coh-audit/obligations", json=obligation, headers=analyst).status_code == 201
    entries = client.get("/api/v1/audit", params={"entity_id": "coh-audit"}, headers=analyst).json()
    assert {e["action"] for e in entries["items"]} == {"agreement.create", "agreement.obligation_add"}


def test_listing_filters_by_kind_and_in_force(
    client: TestClient, analyst: dict[str, str], session: Session
) -> None:
    make_agreement(session, id="coh-list")
    make_agreement(
        session,
        id="calm-list",
        kind="regime_of_calm",
        parent_id="coh-list",
        starts_at="2016-05-05T00:00:00+03:00",
        ends_at="2016-05-07T00:00:00+03:00",
    )
    calm = client.get(URL, params={"kind": "regime_of_calm"}, headers=analyst).json()
    assert "calm-list" in [a["id"] for a in calm["items"]]
    assert "coh-list" not in [a["id"] for a in calm["items"]]
    may3 = client.get(URL, params={"in_force_on": "2016-05-03T12:00:00+03:00"}, headers=analyst).json()
    assert "coh-list" in [a["id"] for a in may3["items"]]
    assert "calm-list" not in [a["id"] for a in may3["items"]]
    naive = client.get(URL, params={"in_force_on": "2016-05-03T12:00:00"}, headers=analyst)
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "naive_datetime"


def test_observers_read_but_cannot_write(client: TestClient, as_role) -> None:
    observer = as_role("observer")
    assert client.get(URL, headers=observer).status_code == 200
    assert client.post(URL, json=_coh(), headers=observer).status_code == 403


def test_an_existing_id_is_a_conflict(client: TestClient, analyst: dict[str, str], session: Session) -> None:
    make_agreement(session, id="coh-taken")
    response = client.post(URL, json=_coh(id="coh-taken"), headers=analyst)
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == ("agreement_exists", "id")
