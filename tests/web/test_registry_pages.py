"""The registries (parties, agreements, places) and the audit trail as pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ceasefire.agreements import stances
from ceasefire.agreements.schemas import StanceCreate
from ceasefire.identity.models import User
from ceasefire.kernel.actor import SYSTEM
from tests.factories import make_agreement, make_area, make_incident, make_party, make_place
from tests.web.conftest import page_text

SignIn = Callable[..., User]


def test_parties_list_and_a_party_with_aliases_stances_and_relations(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    party = make_party(
        session,
        name="Registry Front",
        aliases=[{"value": "جبهة السجل", "language": "ar", "valid_from": "2016-07-28"}],
    )
    agreement = make_agreement(session)
    stances.record_stance(
        session,
        agreement_id=agreement.id,
        data=StanceCreate(party_id=party.id, stance="excluded", valid_from="2016-02-27", source="UNSC"),
        actor=SYSTEM,
    )
    sign_in("observer")
    session.commit()
    listing = web.get("/registries/parties?q=Registry")
    assert listing.status_code == 200
    assert "Registry Front" in page_text(listing)
    assert "/api/v1/parties?q=Registry" in listing.text
    page = web.get(f"/registries/parties/{party.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "جبهة السجل" in text
    assert "2016-07-28" in text
    assert "excluded" in text
    assert agreement.id in text
    assert f'href="/api/v1/parties/{party.id}"' in page.text
    assert web.get("/registries/parties/no-such-party").status_code == 404
    assert web.get("/registries/parties?kind=dragons").status_code == 422


def test_an_agreement_shows_its_time_scope_obligations_status_and_map(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    area = make_area(session, name="Registry scope area")
    agreement = make_agreement(
        session,
        name="Registry regime of calm",
        scope_kind="areas",
        areas=[{"area_id": area.id}],
        obligations=[{"kind": "prohibited_act", "category": "shelling"}],
    )
    sign_in("analyst")
    session.commit()
    assert "Registry regime of calm" in page_text(web.get("/registries/agreements"))
    page = web.get(f"/registries/agreements/{agreement.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "2016-02-27 00:00" in text
    assert "shelling" in text
    assert "Registry scope area" in text
    url = f"/registries/agreements/{agreement.id}/scope.geojson"
    assert f'data-map data-geojson-url="{url}"' in page.text
    geojson = web.get(url)
    assert geojson.status_code == 200
    assert geojson.json()["features"][0]["id"] == area.id


def test_places_search_uses_the_resolver(web: TestClient, session: Session, sign_in: SignIn) -> None:
    place = make_place(session, name="Registryville", name_ar="ريجستري")
    sign_in("analyst")
    session.commit()
    response = web.get("/registries/places?q=Registryvile")
    assert response.status_code == 200
    assert "What the place resolver makes of" in page_text(response)
    assert f'href="/registries/places/{place.id}"' in response.text
    detail = web.get(f"/registries/places/{place.id}")
    assert detail.status_code == 200
    assert "ريجستري" in page_text(detail)
    assert web.get("/registries/places/no-such-place").status_code == 404


def test_the_audit_trail_is_filtered_and_only_for_the_secretariat(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    incident = make_incident(session, title="Audited desk incident")
    sign_in("analyst")
    session.commit()
    page = web.get(f"/audit?entity_type=incident&entity_id={incident.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "incident.open" in text
    assert "user.create" not in text
    assert f"/api/v1/audit?entity_type=incident&amp;entity_id={incident.id}" in page.text
    assert web.get("/audit?since=2016-13-01").status_code == 422
    assert "incident.open" not in page_text(web.get("/audit?action=incident.open&until=2000-01-01"))


def test_the_audit_trail_is_403_for_observers(web: TestClient, sign_in: SignIn) -> None:
    sign_in("observer")
    response = web.get("/audit")
    assert response.status_code == 403
    assert "Not allowed" in page_text(response)
