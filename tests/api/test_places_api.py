"""The places API: read with Reader, write with Writer, errors in the envelope, resolving."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_place

JOBAR = {
    "name": "Test Jobar",
    "name_ar": "جوبر",
    "kind": "neighbourhood",
    "latitude": 33.531,
    "longitude": 36.337111,
    "precision": "town",
    "coordinate_source": "Wikipedia article Jobar",
    "names": [{"value": "Test Jawbar", "language": "en", "kind": "transliteration"}],
}


def test_an_analyst_creates_a_place_and_a_reader_reads_it(client: TestClient, as_role) -> None:
    created = client.post("/api/v1/places", json=JOBAR, headers=as_role("analyst"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == "test-jobar"
    assert body["geometry"] == {"type": "Point", "coordinates": [36.337111, 33.531]}
    assert {n["value"] for n in body["names"]} == {"Test Jobar", "جوبر", "Test Jawbar"}

    read = client.get("/api/v1/places/test-jobar", headers=as_role("observer"))
    assert read.status_code == 200
    assert read.json()["coordinate_source"] == "Wikipedia article Jobar"


def test_observers_may_not_write_places(client: TestClient, as_role) -> None:
    assert client.post("/api/v1/places", json=JOBAR, headers=as_role("observer")).status_code == 403
    assert client.get("/api/v1/places").status_code == 401


def test_an_unknown_place_is_404_in_the_envelope(client: TestClient, analyst) -> None:
    response = client.get("/api/v1/places/nowhere", headers=analyst)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "place_not_found"
    names = client.post("/api/v1/places/nowhere/names", json={"value": "x"}, headers=analyst)
    assert names.status_code == 404


def test_bad_places_are_422_naming_the_field(client: TestClient, analyst) -> None:
    cases = [
        ({**JOBAR, "latitude": 95}, "latitude"),
        ({**JOBAR, "kind": "castle"}, "kind"),
        ({**JOBAR, "parent_id": "nowhere"}, "parent_id"),
        ({**JOBAR, "unknown": 1}, "unknown"),
        ({**JOBAR, "latitude": None, "longitude": None}, "geometry"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/places", json=payload, headers=analyst)
        assert response.status_code in (404, 422), (field, response.text)
        assert response.json()["error"]["field"] == field
    bow_line = {**JOBAR, "geometry": {"type": "Polygon", "coordinates": []}}
    assert (
        client.post("/api/v1/places", json=bow_line, headers=analyst)
        .json()["error"]["field"]
        .startswith("geometry")
    )


def test_a_name_is_added_and_the_place_then_resolves_by_it(
    client: TestClient, analyst, session: Session
) -> None:
    place = make_place(session, name="Test Qaboun")
    added = client.post(
        f"/api/v1/places/{place.id}/names", json={"value": "Кабун-тест", "language": "ru"}, headers=analyst
    )
    assert added.status_code == 201
    assert added.json()["language"] == "ru"
    again = client.post(
        f"/api/v1/places/{place.id}/names", json={"value": "кабун-тест", "language": "ru"}, headers=analyst
    )
    assert again.status_code == 409
    resolved = client.get("/api/v1/places/resolve", params={"q": "Кабун-тест"}, headers=analyst).json()
    assert resolved[0]["place_id"] == place.id
    assert resolved[0]["language"] == "ru"


def test_resolve_uses_context_to_choose_between_homonyms(
    client: TestClient, analyst, session: Session
) -> None:
    north = make_place(session, id="test-gov-north", name="Test North Governorate", kind="governorate")
    south = make_place(session, id="test-gov-south", name="Test South Governorate", kind="governorate")
    in_north = make_place(session, name="Tell Zabdi", parent_id=north.id, latitude=36.5, longitude=37.0)
    in_south = make_place(
        session, name="Tell Zabdi", parent_id=south.id, latitude=33.0, longitude=36.0, population=20_000
    )

    plain = client.get("/api/v1/places/resolve", params={"q": "Tell Zabdi"}, headers=analyst).json()
    assert plain[0]["place_id"] == in_south.id  # bigger, all else equal
    north_first = client.get(
        "/api/v1/places/resolve",
        params={"q": "Tel Zabdi", "context": "Test North Governorate"},
        headers=analyst,
    ).json()
    assert north_first[0]["place_id"] == in_north.id
    assert north_first[0]["context_boost"] > 0
    assert any("test-gov-north" in why for why in north_first[0]["explanation"])
    assert client.get("/api/v1/places/resolve", headers=analyst).status_code == 422


def test_places_are_listed_and_filtered(client: TestClient, analyst, session: Session) -> None:
    make_place(session, name="Qqqtest Base", kind="base")
    make_place(session, name="Qqqtest Village")
    page = client.get("/api/v1/places", params={"q": "qqqtest", "kind": "base"}, headers=analyst).json()
    assert [p["name"] for p in page["items"]] == ["Qqqtest Base"]
    assert page["total"] == 1
    bad = client.get("/api/v1/places", params={"kind": "castle"}, headers=analyst)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "kind"
