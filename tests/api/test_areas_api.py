"""The areas API: GeoJSON in and out, bad polygons and periods refused with nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy.orm import Session

from tests.factories import make_area

SQUARE = [[[37.15, 36.18], [37.20, 36.18], [37.20, 36.23], [37.15, 36.23], [37.15, 36.18]]]
BOW_TIE = [[[37.0, 36.0], [37.1, 36.1], [37.1, 36.0], [37.0, 36.1], [37.0, 36.0]]]
EAST_ALEPPO = {
    "id": "test-east-aleppo",
    "name": "Test east Aleppo",
    "kind": "besieged_area",
    "geometry": {"type": "Polygon", "coordinates": SQUARE},
    "valid_from": "2016-08-28T00:00:00+03:00",
    "valid_to": "2016-12-22T00:00:00+02:00",
    "source": "UN OCHA",
}


def _stored(client: TestClient, headers: dict[str, str], area_id: str) -> bool:
    return client.get(f"/api/v1/areas/{area_id}", headers=headers).status_code == 200


def test_an_area_is_created_and_read_back_as_a_geojson_feature(client: TestClient, analyst) -> None:
    created = client.post("/api/v1/areas", json=EAST_ALEPPO, headers=analyst)
    assert created.status_code == 201, created.text
    feature = client.get("/api/v1/areas/test-east-aleppo", headers=analyst).json()
    assert feature["type"] == "Feature"
    assert feature["bbox"] == [37.15, 36.18, 37.20, 36.23]
    assert shape(feature["geometry"]).is_valid
    assert feature["properties"]["valid_from"] == "2016-08-27T21:00:00+00:00"
    assert feature["properties"]["kind"] == "besieged_area"


def test_a_self_intersecting_polygon_is_422_naming_geometry_and_nothing_is_stored(
    client: TestClient, analyst
) -> None:
    payload = {**EAST_ALEPPO, "geometry": {"type": "Polygon", "coordinates": BOW_TIE}}
    response = client.post("/api/v1/areas", json=payload, headers=analyst)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["code"]) == ("geometry", "invalid_geometry")
    assert "Self-intersection" in error["message"]
    assert not _stored(client, analyst, "test-east-aleppo")


def test_bad_periods_and_references_are_4xx_naming_the_field(client: TestClient, analyst) -> None:
    cases = [
        ({"valid_to": "2016-08-01T00:00:00+03:00"}, 422, "end_before_start", "valid_to"),
        ({"valid_from": "2016-08-28T00:00:00"}, 422, "naive_datetime", "valid_from"),
        ({"party_id": "no-such-party"}, 404, "party_not_found", "party_id"),
        ({"kind": "fortress"}, 422, "invalid", "kind"),
        ({"geometry": {"type": "Point", "coordinates": [37.0, 36.0]}}, 422, "invalid", "geometry.type"),
    ]
    for change, status, code, field in cases:
        response = client.post("/api/v1/areas", json={**EAST_ALEPPO, **change}, headers=analyst)
        assert response.status_code == status, (change, response.text)
        assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert not _stored(client, analyst, "test-east-aleppo")


def test_an_unknown_area_is_404(client: TestClient, analyst) -> None:
    response = client.get("/api/v1/areas/no-such-area", headers=analyst)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "area_not_found"


def test_areas_are_found_by_a_point_inside_and_by_validity(
    client: TestClient, analyst, session: Session
) -> None:
    area = make_area(session, kind="demilitarised_zone", valid_from="2016-09-12T00:00:00+03:00")
    inside = client.get(
        "/api/v1/areas", params={"contains": "37.17,36.2", "kind": "demilitarised_zone"}, headers=analyst
    ).json()
    assert [a["id"] for a in inside["items"]] == [area.id]
    outside = client.get("/api/v1/areas", params={"contains": "36.0,33.5"}, headers=analyst).json()
    assert area.id not in [a["id"] for a in outside["items"]]
    earlier = client.get(
        "/api/v1/areas",
        params={"valid_on": "2016-09-01T00:00:00+03:00", "contains": "37.17,36.2"},
        headers=analyst,
    ).json()
    assert area.id not in [a["id"] for a in earlier["items"]]
    naive = client.get("/api/v1/areas", params={"valid_on": "2016-09-01T00:00:00"}, headers=analyst)
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "naive_datetime"
    garbled = client.get("/api/v1/areas", params={"contains": "east aleppo"}, headers=analyst)
    assert garbled.status_code == 422
    assert garbled.json()["error"]["field"] == "contains"


def test_the_geojson_collection_is_valid_geojson(client: TestClient, analyst, session: Session) -> None:
    made = {make_area(session, kind="agreement_scope").id for _ in range(2)}
    response = client.get("/api/v1/areas.geojson", params={"kind": "agreement_scope"}, headers=analyst)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert {f["id"] for f in collection["features"]} == made
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        geometry = shape(feature["geometry"])
        assert geometry.is_valid
        assert list(geometry.bounds) == feature["bbox"]


def test_writing_areas_needs_the_write_permission(client: TestClient, as_role) -> None:
    assert client.post("/api/v1/areas", json=EAST_ALEPPO, headers=as_role("observer")).status_code == 403
    assert client.get("/api/v1/areas", headers=as_role("observer")).status_code == 200
