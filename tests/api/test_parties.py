"""The parties API: create, read, list, aliases, relations and name resolution, with bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.parties_data import AHRAR, ISIL, NUSRA

API = "/api/v1"
Headers = dict[str, str]


def _create(client: TestClient, headers: Headers, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/parties", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _audit(client: TestClient, headers: Headers, entity_id: str) -> list[dict[str, Any]]:
    params = {"entity_type": "party", "entity_id": entity_id}
    items: list[dict[str, Any]] = client.get(f"{API}/audit", params=params, headers=headers).json()["items"]
    return items


def test_a_created_party_reads_back_with_all_its_names_and_is_audited(
    client: TestClient, analyst: Headers
) -> None:
    created = _create(client, analyst, NUSRA)
    assert created["id"] == "jabhat-al-nusra"
    read = client.get(f"{API}/parties/jabhat-al-nusra", headers=analyst).json()
    values = [a["value"] for a in read["aliases"]]
    assert values == [a["value"] for a in NUSRA["aliases"]]
    renamed = next(a for a in read["aliases"] if a["value"] == "Jabhat Fatah al-Sham")
    assert renamed["valid_from"] == "2016-07-28"
    assert read["stances"] == []
    assert read["relations"] == []
    [entry] = _audit(client, analyst, "jabhat-al-nusra")
    assert entry["action"] == "party.create"
    assert entry["via"] == "api"


def test_an_alias_claimed_on_the_same_date_is_a_409_and_nothing_is_stored(
    client: TestClient, analyst: Headers
) -> None:
    _create(client, analyst, NUSRA)
    clash = {
        "id": "nusra-front-2",
        "name": "Other Group",
        "kind": "militia",
        "aliases": [{"value": "Other"}, {"value": "Nusra Front", "valid_from": "2016-03-01"}],
    }
    response = client.post(f"{API}/parties", json=clash, headers=analyst)
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("alias_claimed", "aliases.1.value")
    assert client.get(f"{API}/parties/nusra-front-2", headers=analyst).status_code == 404
    assert _audit(client, analyst, "nusra-front-2") == []
    clash["aliases"][1]["valid_from"] = "2016-07-28"
    assert client.post(f"{API}/parties", json=clash, headers=analyst).status_code == 201


def test_unknown_parties_are_404_in_the_envelope(client: TestClient, analyst: Headers) -> None:
    response = client.get(f"{API}/parties/no-such-party", headers=analyst)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "party_not_found"
    alias = client.post(f"{API}/parties/no-such-party/aliases", json={"value": "X"}, headers=analyst)
    assert alias.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Not A Slug"}, "id"),
        ({"kind": "warlord"}, "kind"),
        (
            {"aliases": [{"value": "X", "valid_from": "2016-08-01", "valid_to": "2016-07-01"}]},
            "aliases.0.valid_to",
        ),
        ({"aliases": [{"value": "X", "language": "arabic"}]}, "aliases.0.language"),
        ({"colour": "black"}, "colour"),
    ],
)
def test_bad_party_input_is_422_naming_the_field(
    client: TestClient, analyst: Headers, change: dict[str, Any], field: str
) -> None:
    payload = {"name": "Division 13", "kind": "non_state_armed_group", **change}
    response = client.post(f"{API}/parties", json=payload, headers=analyst)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert client.get(f"{API}/parties", params={"q": "Division 13"}, headers=analyst).json()["total"] == 0


def test_aliases_are_added_and_audited(client: TestClient, analyst: Headers) -> None:
    _create(client, analyst, AHRAR)
    added = client.post(
        f"{API}/parties/ahrar-al-sham/aliases",
        json={"value": "أحرار الشام", "language": "ar", "kind": "official", "source": "AFP"},
        headers=analyst,
    )
    assert added.status_code == 201
    assert added.json()["normalized"] == "احرار الشام"
    assert [e["action"] for e in _audit(client, analyst, "ahrar-al-sham")] == [
        "party.add_alias",
        "party.create",
    ]


def test_relations_need_a_known_other_party_and_not_the_same_one(
    client: TestClient, analyst: Headers
) -> None:
    _create(client, analyst, AHRAR)
    _create(client, analyst, NUSRA)
    url = f"{API}/parties/ahrar-al-sham/relations"
    unknown = client.post(url, json={"relation": "allied_with", "object_party_id": "nobody"}, headers=analyst)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "object_party_id"
    itself = client.post(
        url, json={"relation": "allied_with", "object_party_id": "ahrar-al-sham"}, headers=analyst
    )
    assert itself.status_code == 422
    assert itself.json()["error"]["code"] == "self_relation"
    made = client.post(
        url,
        json={
            "relation": "intermingled_with",
            "object_party_id": "jabhat-al-nusra",
            "valid_from": "2016-02-27",
        },
        headers=analyst,
    )
    assert made.status_code == 201
    nusra = client.get(f"{API}/parties/jabhat-al-nusra", headers=analyst).json()
    assert [r["subject_party_id"] for r in nusra["relations"]] == ["ahrar-al-sham"]
    listed = client.get(f"{API}/parties/jabhat-al-nusra/relations", headers=analyst).json()
    assert listed[0]["relation"] == "intermingled_with"
    assert _audit(client, analyst, "ahrar-al-sham")[0]["action"] == "party.add_relation"


def test_resolve_follows_the_rename_and_explains(client: TestClient, analyst: Headers) -> None:
    _create(client, analyst, NUSRA)
    _create(client, analyst, ISIL)
    url = f"{API}/parties/resolve"
    early = client.get(
        url, params={"name": "Jabhat Fatah al-Sham", "on": "2016-03-01"}, headers=analyst
    ).json()
    assert early[0]["party_id"] == "jabhat-al-nusra"
    assert early[0]["in_use"] is False
    assert "on 2016-03-01 it was called Jabhat al-Nusra" in early[0]["explanation"]
    late = client.get(url, params={"name": "Nusra", "on": "2016-09-01"}, headers=analyst).json()
    assert late[0]["party_id"] == "jabhat-al-nusra"
    assert late[0]["name_on"] == "Jabhat Fatah al-Sham"
    for spelling in ("جبهة النصرة", "Джебхат ан-Нусра", "Jabhat an-Nusrah"):
        assert (
            client.get(url, params={"name": spelling}, headers=analyst).json()[0]["party_id"]
            == "jabhat-al-nusra"
        )
    exact = client.get(url, params={"name": "Daesh"}, headers=analyst).json()[0]
    fuzzy = client.get(url, params={"name": "Daish"}, headers=analyst).json()[0]
    assert exact["party_id"] == fuzzy["party_id"] == "islamic-state"
    assert (exact["method"], fuzzy["method"]) == ("exact", "fuzzy")
    assert fuzzy["score"] < exact["score"]
    bad_date = client.get(url, params={"name": "Nusra", "on": "July 2016"}, headers=analyst)
    assert bad_date.status_code == 422
    assert bad_date.json()["error"]["field"] == "on"


def test_parties_are_paged(client: TestClient, analyst: Headers) -> None:
    for payload in (NUSRA, ISIL, AHRAR):
        _create(client, analyst, payload)
    first = client.get(f"{API}/parties", params={"size": 2}, headers=analyst).json()
    assert first["total"] == 3
    assert len(first["items"]) == 2
    assert first["next"]
    assert [p["name"] for p in first["items"]] == ["Ahrar al-Sham", "Islamic State"]
    groups = client.get(f"{API}/parties", params={"kind": "un_body"}, headers=analyst).json()
    assert groups["total"] == 0


def test_observers_read_but_do_not_write(client: TestClient, as_role: Callable[..., Headers]) -> None:
    observer = as_role("observer")
    assert client.get(f"{API}/parties", headers=observer).status_code == 200
    assert client.get(f"{API}/parties/resolve", params={"name": "x"}, headers=observer).status_code == 200
    assert client.post(f"{API}/parties", json=AHRAR, headers=observer).status_code == 403
    assert client.get(f"{API}/parties").status_code == 401
