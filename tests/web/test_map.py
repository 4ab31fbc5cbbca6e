"""The map: its data routes (server-side clusters, filters, access per role), the page and its basemap."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import ceasefire.web
from ceasefire.app import create_app
from ceasefire.identity.models import User
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import Incident
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.claims import Publication
from ceasefire.settings import Settings
from tests.factories import (
    make_agreement,
    make_area,
    make_incident,
    make_party,
    make_report,
    make_user,
    token_for,
)
from tests.web.conftest import page_text

URL = "/api/v1/map/incidents"
JOBAR = (36.333, 33.527)  # (lon, lat)
ALEPPO = (37.16, 36.2)
BESIEGED = [[37.10, 36.15], [37.25, 36.15], [37.25, 36.25], [37.10, 36.25], [37.10, 36.15]]


def _incident(
    session: Session,
    at: tuple[float, float],
    *,
    title: str = "Shelling",
    publication: Publication | None = None,
    actor: Actor = SYSTEM,
    **claim: Any,
) -> Incident:
    report = make_report(session, actor=actor, longitude=at[0], latitude=at[1], **claim)
    incident = make_incident(session, reports=[report], title=title)
    if publication is not None:
        incidents.set_publication(session, incident_id=incident.id, level=publication, actor=SYSTEM)
    return incident


def _features(response: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    clusters = [f for f in features if f["properties"]["kind"] == "cluster"]
    lone = [f for f in features if f["properties"]["kind"] == "incident"]
    return clusters, lone


def _jobar_cluster(session: Session, n: int = 5, **kwargs: Any) -> list[Incident]:
    return [
        _incident(session, (JOBAR[0] + i * 0.002, JOBAR[1] + i * 0.001), title=f"Jobar {i}", **kwargs)
        for i in range(n)
    ]


def test_dense_incidents_are_clustered_by_the_server_and_lone_ones_come_whole(
    client: TestClient, session: Session, analyst: dict[str, str]
) -> None:
    _jobar_cluster(session)
    aleppo = _incident(session, ALEPPO, title="Aleppo shelling")
    response = client.get(URL, params={"zoom": 7}, headers=analyst)
    assert response.headers["content-type"].startswith("application/geo+json")
    clusters, lone = _features(response)
    assert response.json()["total"] == 6
    assert [c["properties"]["count"] for c in clusters] == [5]
    cluster = clusters[0]["properties"]
    assert sum(cluster["grades"].values()) == 5
    assert cluster["grade"] in cluster["grades"]
    west, south, east, north = cluster["bounds"]
    assert west <= JOBAR[0] <= east
    assert south <= JOBAR[1] <= north
    assert [f["id"] for f in lone] == [aleppo.id]
    assert lone[0]["properties"]["title"] == "Aleppo shelling"
    assert lone[0]["properties"]["url"] == f"/desk/incidents/{aleppo.id}"
    assert lone[0]["geometry"]["coordinates"] == [ALEPPO[0], ALEPPO[1]]
    # Zoomed in far enough, every incident is its own marker.
    clusters, lone = _features(client.get(URL, params={"zoom": 15, "bbox": "36,33,37,34"}, headers=analyst))
    assert not clusters
    assert len(lone) == 5


def test_the_bounding_box_limits_what_is_answered(
    client: TestClient, session: Session, analyst: dict[str, str]
) -> None:
    _jobar_cluster(session, 2)
    _incident(session, ALEPPO)
    response = client.get(URL, params={"zoom": 9, "bbox": "36.9,35.9,37.4,36.5"}, headers=analyst)
    clusters, lone = _features(response)
    assert response.json()["total"] == 1
    assert not clusters
    assert len(lone) == 1


def test_filters_narrow_by_time_grade_act_type_party_and_area(
    client: TestClient, session: Session, analyst: dict[str, str]
) -> None:
    accused = make_party(session)
    _incident(session, JOBAR, occurred_at="2016-03-05T15:00:00+02:00")
    _incident(
        session,
        ALEPPO,
        occurred_at="2016-05-03T11:00:00+03:00",
        act_category="attack_on_medical_facility",
        event_type="violence_against_civilians",
        sub_event_type="attack",
        perpetrator_party_id=accused.id,
    )
    contested = _incident(session, (36.72, 34.73), occurred_at="2016-04-10T10:00:00+03:00")
    contested.grade = "contested"  # the derived cache, set directly: grading has its own tests
    session.flush()
    area = make_area(session, kind="besieged_area", geometry={"type": "Polygon", "coordinates": [BESIEGED]})

    def total(**params: Any) -> int:
        response = client.get(URL, params={"zoom": 5, **params}, headers=analyst)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    assert total() == 3
    assert total(**{"from": "2016-04-01"}) == 2
    assert total(**{"from": "2016-04-01", "to": "2016-04-30"}) == 1
    assert total(**{"to": "2016-03-05"}) == 1  # the "to" day is included
    assert total(grade="contested") == 1
    assert total(grade=["contested", "discounted"]) == 1
    assert total(event_type="violence_against_civilians") == 1
    assert total(act_category="shelling") == 2
    assert total(party=accused.id) == 1
    assert total(area=area.id) == 1
    assert total(area=area.id, grade="contested") == 0
    for bad in ({"grade": "sure"}, {"bbox": "1,2,3"}, {"from": "yesterday"}, {"event_type": "war"}):
        response = client.get(URL, params=bad, headers=analyst)
        assert response.status_code == 422, (bad, response.text)
        assert "error" in response.json()
    assert client.get(URL, params={"area": "no-such-area"}, headers=analyst).status_code == 404


def test_each_reader_gets_only_the_incidents_it_may_see(
    client: TestClient, session: Session, as_role: Callable[..., dict[str, str]]
) -> None:
    party_a, party_b = make_party(session), make_party(session)
    rep_a = make_user(session, role="party_representative", party_id=party_a.id, password=None)
    internal = _incident(session, JOBAR, title="Internal")
    accuses_a = _incident(session, ALEPPO, title="Accuses A", perpetrator_party_id=party_a.id)
    accuses_b = _incident(session, (36.72, 34.73), title="Accuses B", perpetrator_party_id=party_b.id)
    released = _incident(session, (38.99, 35.95), title="Released", publication=Publication.PARTIES)
    published = _incident(session, (36.2, 32.6), title="Published", publication=Publication.PUBLIC)

    def seen(headers: dict[str, str]) -> set[str]:
        _, lone = _features(client.get(URL, params={"zoom": 12, "bbox": "35,32,43,38"}, headers=headers))
        return {f["id"] for f in lone}

    everything = {internal.id, accuses_a.id, accuses_b.id, released.id, published.id}
    assert seen(as_role("analyst")) == everything
    assert seen(as_role("liaison_officer")) == everything
    assert seen(as_role("observer")) == {released.id, published.id}
    assert seen({"Authorization": f"Bearer {token_for(session, rep_a)}"}) == {
        accuses_a.id,
        released.id,
        published.id,
    }
    assert seen({}) == {published.id}
    public = client.get(URL, params={"zoom": 12, "bbox": "35,32,43,38"}).json()["features"][0]["properties"]
    assert public["url"] == f"/published/{published.id}"
    assert "publication" not in public
    # A bad token is refused, not treated as the public.
    assert client.get(URL, headers={"Authorization": "Bearer cf_nope"}).status_code == 401


def test_the_page_script_reads_the_data_with_the_sign_in_cookie(
    web: TestClient, session: Session, sign_in: Callable[..., User]
) -> None:
    internal = _incident(session, JOBAR, title="Internal shelling")
    assert web.get(URL, params={"zoom": 12}).json()["total"] == 0
    sign_in("analyst")
    _, lone = _features(web.get(URL, params={"zoom": 12}))
    assert [f["id"] for f in lone] == [internal.id]


def test_the_areas_layer_draws_besieged_areas_and_agreement_scopes(
    client: TestClient, session: Session, as_role: Callable[..., dict[str, str]]
) -> None:
    besieged = make_area(
        session,
        kind="besieged_area",
        name="East Aleppo",
        geometry={"type": "Polygon", "coordinates": [BESIEGED]},
    )
    scope = make_area(session, kind="agreement_scope", name="Aleppo city")
    agreement = make_agreement(
        session, name="Regime of calm", scope_kind="areas", areas=[{"area_id": scope.id, "mode": "include"}]
    )
    assert client.get("/api/v1/map/areas").status_code == 401
    response = client.get(
        "/api/v1/map/areas", headers=as_role("party_representative", party_id=make_party(session).id)
    )
    assert response.status_code == 200
    features = {f["id"]: f for f in response.json()["features"]}
    assert features[besieged.id]["properties"]["kind"] == "besieged_area"
    assert features[besieged.id]["geometry"]["type"] == "Polygon"
    assert features[scope.id]["properties"]["agreements"] == [
        {"id": agreement.id, "name": "Regime of calm", "mode": "include"}
    ]


def test_the_page_lists_the_incidents_without_javascript(
    web: TestClient, session: Session, sign_in: Callable[..., User]
) -> None:
    internal = _incident(session, JOBAR, title="Internal shelling")
    _incident(session, ALEPPO, title="Published shelling", publication=Publication.PUBLIC)
    public = web.get("/map")
    assert public.status_code == 200
    text = page_text(public)
    assert "Published shelling" in text
    assert "Internal shelling" not in text
    assert '<link rel="alternate" type="application/json" href="/api/v1/map/incidents">' in public.text
    assert 'href="/api/v1/map/incidents"' in public.text
    assert 'data-areas-url=""' in public.text  # the public map has no polygons
    assert " style=" not in public.text
    assert "<script>" not in public.text
    sign_in("analyst")
    page = web.get("/map", params={"grade": internal.grade, "from": "2016-01-01"})
    text = page_text(page)
    assert "Internal shelling" in text
    assert "Published shelling" in text
    assert f'href="/api/v1/map/incidents?grade={internal.grade}&amp;from=2016-01-01"' in page.text
    assert 'data-areas-url="/api/v1/map/areas"' in page.text
    assert "No incident matches" in page_text(web.get("/map", params={"from": "2017-01-01"}))
    assert web.get("/map", params={"grade": "sure"}).status_code == 422


def test_the_offline_basemap_and_place_names_are_served(web: TestClient) -> None:
    page = web.get("/map").text
    assert 'data-tile-url=""' in page
    assert "Made with Natural Earth" in page
    assert "OpenSyria" in page
    basemap = web.get("/static/data/basemap.geojson")
    assert basemap.status_code == 200
    names = {f["properties"]["name"] for f in basemap.json()["features"]}
    assert {"Syria", "Lebanon", "Turkey", "Iraq", "Jordan"} <= names
    assert len(basemap.content) < 200_000
    labels = web.get("/map/admin-labels.geojson").json()
    levels = {(f["properties"]["level"], f["properties"]["name"]) for f in labels["features"]}
    assert ("governorate", "Damascus") in levels
    assert sum(1 for level, _ in levels if level == "district") > 50
    assert "CC BY 4.0" in labels["attribution"]
    assert web.get("/static/js/map.js").status_code == 200
    assert web.get("/static/css/map.css").status_code == 200


def test_a_tile_server_replaces_the_offline_basemap(session: Session, settings: Settings) -> None:
    tiled = settings.model_copy(
        update={
            "map_tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
            "map_tile_attribution": "© Example",
        }
    )
    app = create_app(tiled, engine=session.get_bind().engine)
    with TestClient(app, base_url="https://testserver") as web:
        response = web.get("/map")
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in response.text
    assert "© Example" in response.text
    assert "https://tiles.example.org" in response.headers["content-security-policy"]


def test_every_string_of_the_map_page_is_translated_and_arabic_mirrors(web: TestClient) -> None:
    template = (Path(ceasefire.web.__file__).parent / "templates" / "map" / "map.html").read_text()
    wanted = {m.group(2) for m in re.finditer(r"""_\(\s*(["'])(.*?)\1""", template)}
    assert len(wanted) > 40
    for lang in ("ar", "ru"):
        po = Path(ceasefire.web.__file__).parent / "locales" / lang / "map.po"
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        missing = [m for m in wanted if not (catalogue.get(m) and catalogue.get(m).string)]  # type: ignore[union-attr]
        assert not missing, (lang, missing)
    arabic = web.get("/map?lang=ar")
    assert 'dir="rtl"' in arabic.text
    assert "خريطة الحوادث" in arabic.text
