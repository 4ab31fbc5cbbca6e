"""The applicability and determinations API: verdicts with traces, findings and their history, refusals
in the envelope, and 404 for an incident the caller may not see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ceasefire.agreements import record_stance
from ceasefire.agreements.schemas import StanceCreate
from ceasefire.kernel.actor import SYSTEM
from tests.determinations_data import store_incident
from tests.factories import make_agreement, make_party

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def incident_id(session: Session) -> str:
    """A shelling on 13 Sep 2016 by a committed army on a rebel group that reported it."""
    make_party(session, id="army", name="Army", kind="state_forces")
    make_party(session, id="rebels", name="Rebels")
    make_party(session, id="outsiders", name="Outsiders")
    make_agreement(
        session,
        id="coh",
        name="CoH",
        obligations=[{"kind": "prohibited_act", "category": "shelling", "description": "No shelling."}],
    )
    make_agreement(
        session,
        id="pause",
        name="Pause",
        starts_at="2016-10-20T08:00:00+03:00",
        ends_at="2016-10-22T19:00:00+03:00",
    )
    for party, stance in (("army", "committed"), ("rebels", "committed")):
        data = StanceCreate(party_id=party, stance=stance, valid_from=date(2016, 2, 27), source="test")
        record_stance(session, agreement_id="coh", data=data, actor=SYSTEM)
    claim = {
        "occurred": "2016-09-13T15:00+03:00",
        "act_category": "shelling",
        "perpetrator_party_id": "army",
        "target_party_id": "rebels",
        "source_party_id": "rebels",
        "submitter_party_id": "rebels",
    }
    store_incident(session, "inc-1", [claim], where=(36.337, 33.531))
    return "inc-1"


def finding(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "finding": "violation",
        "responsible_party_id": "army",
        "provisions": [{"agreement_id": "coh", "category": "shelling"}],
        "rationale": "The army's shelling is reported by the rebels and not denied.",
    }
    body.update(overrides)
    return body


def test_applicability_gives_every_agreements_verdict_with_its_trace(
    client: TestClient, analyst: dict[str, str], incident_id: str
) -> None:
    response = client.get(f"/api/v1/incidents/{incident_id}/applicability", headers=analyst)
    assert response.status_code == 200, response.text
    found = {item["agreement_id"]: item for item in response.json()}
    assert found["coh"]["verdict"] == "in_scope"
    assert found["coh"]["trace"][0].startswith("time: window 2016-09-13 00:00–2016-09-14 00:00 Damascus")
    assert (
        found["coh"]["trace"][3]
        == "perpetrator: Army (army) is committed (own record) on 2016-09-13: bound → in scope"
    )
    assert found["pause"]["verdict"] == "out_of_scope"
    assert found["pause"]["reasons"] == ["before_start"]
    assert (
        found["pause"]["summary"]
        == "out of scope — before start: the agreement starts 2016-10-20 08:00 Damascus"
    )


def test_a_determination_is_issued_then_superseded_and_both_are_listed(
    client: TestClient, analyst: dict[str, str], incident_id: str
) -> None:
    url = f"/api/v1/incidents/{incident_id}/determinations"
    first = client.post(url, json=finding(), headers=analyst)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["is_current"] is True
    assert body["responsible_party_name"] == "Army"
    assert body["provisions"] == [
        {
            "agreement_id": "coh",
            "category": "shelling",
            "kind": "prohibited_act",
            "description": "No shelling.",
        }
    ]
    assert {a["agreement_id"]: a["verdict"] for a in body["applicability"]}["coh"] == "in_scope"
    revised = finding(
        finding="inconclusive", provisions=[], supersedes_id=body["id"], rationale="On reflection."
    )
    second = client.post(url, json=revised, headers=analyst)
    assert second.status_code == 201, second.text
    history = client.get(url, headers=analyst).json()
    assert [(d["id"], d["is_current"], d["superseded_by_id"]) for d in history] == [
        (second.json()["id"], True, None),
        (body["id"], False, second.json()["id"]),
    ]
    old = client.get(f"/api/v1/determinations/{body['id']}", headers=analyst)
    assert old.status_code == 200
    assert (old.json()["finding"], old.json()["is_current"]) == ("violation", False)
    stale = client.post(url, json=finding(supersedes_id=body["id"]), headers=analyst)
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "stale_determination")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (finding(rationale=""), 422, None, "rationale"),
        (finding(rationale="   "), 422, None, "rationale"),
        (finding(colour="red"), 422, None, "colour"),
        (finding(finding="guilty"), 422, None, "finding"),
        (
            finding(provisions=[{"agreement_id": "coh", "category": "siege"}]),
            422,
            "unknown_provision",
            "provisions.0.category",
        ),
        (
            finding(provisions=[{"agreement_id": "nope", "category": "shelling"}]),
            404,
            "agreement_not_found",
            "provisions.0.agreement_id",
        ),
        (
            finding(provisions=[{"agreement_id": "pause", "category": "shelling"}]),
            422,
            "unknown_provision",
            "provisions.0.category",
        ),
        (finding(evidence_ids=["missing"]), 404, "evidence_not_found", "evidence_ids.0"),
        (finding(responsible_party_id="nobody"), 404, "party_not_found", "responsible_party_id"),
    ],
)
def test_bad_findings_are_refused_in_the_envelope_naming_the_field(
    client: TestClient,
    analyst: dict[str, str],
    incident_id: str,
    body: dict[str, Any],
    status: int,
    code: str | None,
    field: str,
) -> None:
    url = f"/api/v1/incidents/{incident_id}/determinations"
    response = client.post(url, json=body, headers=analyst)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field
    if code is not None:
        assert error["code"] == code
    assert client.get(url, headers=analyst).json() == []


def test_another_partys_representative_gets_404_like_for_a_missing_incident(
    client: TestClient, analyst: dict[str, str], as_role: Headers, incident_id: str
) -> None:
    issued = client.post(
        f"/api/v1/incidents/{incident_id}/determinations", json=finding(), headers=analyst
    ).json()
    stranger = as_role("party_representative", party_id="outsiders")
    for method, url in (
        ("get", f"/api/v1/incidents/{incident_id}/applicability"),
        ("get", f"/api/v1/incidents/{incident_id}/determinations"),
        ("post", f"/api/v1/incidents/{incident_id}/determinations"),
        ("get", f"/api/v1/determinations/{issued['id']}"),
    ):
        kwargs: dict[str, Any] = {"json": finding()} if method == "post" else {}
        hidden = getattr(client, method)(url, headers=stranger, **kwargs)
        missing = getattr(client, method)(
            url.replace(incident_id, "no-such").replace(issued["id"], "no-such"), headers=stranger, **kwargs
        )
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.json()["error"]["code"] == missing.json()["error"]["code"]


def test_the_reporting_party_reads_but_only_the_determination_permission_issues(
    client: TestClient, as_role: Headers, incident_id: str
) -> None:
    reporter = as_role("party_representative", party_id="rebels")
    assert client.get(f"/api/v1/incidents/{incident_id}/applicability", headers=reporter).status_code == 200
    assert client.get(f"/api/v1/incidents/{incident_id}/determinations", headers=reporter).json() == []
    for headers in (reporter, as_role("liaison_officer")):
        refused = client.post(
            f"/api/v1/incidents/{incident_id}/determinations", json=finding(), headers=headers
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert client.get(f"/api/v1/incidents/{incident_id}/applicability").status_code == 401
