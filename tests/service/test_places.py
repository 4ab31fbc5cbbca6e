"""Creating places and names: validation before anything is stored, generated ids, audit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import add_place_name, create_place, get_place, list_places
from ceasefire.places.models import Place
from ceasefire.places.schemas import PlaceCreate, PlaceNameCreate
from tests.factories import make_place


def _places(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Place)) or 0


def test_a_place_gets_a_slug_id_its_names_and_an_audit_entry(session: Session) -> None:
    place = create_place(
        session,
        data=PlaceCreate(
            name="Kafr Hamra",
            name_ar="كفر حمرة",
            kind=PlaceKind.TOWN,
            latitude=36.2531,
            longitude=37.0924,
            names=[PlaceNameCreate(value="Kfar Hamra"), PlaceNameCreate(value="kafr  HAMRA")],
        ),
        actor=SYSTEM,
    )
    assert place.id == "kafr-hamra"
    assert place.geometry == {"type": "Point", "coordinates": [37.0924, 36.2531]}
    stored = get_place(session, place_id="kafr-hamra")
    assert [(n.normalized, n.language, n.kind) for n in stored.names] == [
        ("kafr hamra", "en", "primary"),
        ("كفر حمره", "ar", "primary"),
        ("kfar hamra", "en", "alternate_spelling"),
    ]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_id == "kafr-hamra"))
    assert entry is not None
    assert entry.action == "place.create"
    assert make_place(session, id=None, name="Kafr Hamra").id == "kafr-hamra-2"


def test_a_place_inherits_the_governorate_of_its_parent(session: Session) -> None:
    governorate = make_place(session, id="test-gov", name="Test Governorate", kind="governorate")
    district = make_place(session, name="Test District", kind="district", parent_id=governorate.id)
    village = make_place(session, parent_id=district.id)
    assert (district.governorate_id, village.governorate_id) == ("test-gov", "test-gov")
    page = list_places(session, page=PageRequest(), governorate_id="test-gov")
    assert {p.id for p in page.items} == {district.id, village.id}


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"parent_id": "nowhere"}, NotFound, "parent_id"),
        ({"governorate_id": "nowhere"}, NotFound, "governorate_id"),
        ({"latitude": None}, Invalid, "geometry"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[37.0, 36.0], [37.0, 36.0]]}},
            Invalid,
            "geometry",
        ),
        (
            {"geometry": {"type": "LineString", "coordinates": [[37.0, 36.0], [37.0, 99.0]]}},
            Invalid,
            "geometry",
        ),
    ],
)
def test_bad_places_are_refused_naming_the_field_and_nothing_is_stored(
    session: Session, overrides: dict, error: type, field: str
) -> None:
    before = _places(session)
    with pytest.raises(error) as caught:
        make_place(session, **overrides)
    assert caught.value.field == field
    assert _places(session) == before


def test_schema_level_checks_refuse_out_of_range_coordinates_and_unknown_kinds() -> None:
    with pytest.raises(ValidationError):
        PlaceCreate(name="x", kind=PlaceKind.TOWN, latitude=91, longitude=37)
    with pytest.raises(ValidationError):
        PlaceCreate.model_validate({"name": "x", "kind": "castle", "latitude": 36, "longitude": 37})
    with pytest.raises(ValidationError):
        PlaceCreate(name="x", kind=PlaceKind.TOWN, latitude=36, longitude=37, id="Not A Slug")


def test_a_road_is_stored_as_a_line_with_its_midpoint(session: Session) -> None:
    road = make_place(
        session,
        kind="road",
        latitude=None,
        longitude=None,
        geometry={"type": "LineString", "coordinates": [[37.0, 36.2], [37.2, 36.2]]},
    )
    assert road.geometry["type"] == "LineString"
    assert round(road.longitude, 6) == 37.1


def test_an_id_in_use_and_a_name_already_held_are_conflicts(session: Session) -> None:
    place = make_place(session)
    with pytest.raises(Conflict):
        make_place(session, id=place.id)
    add_place_name(
        session, place_id=place.id, data=PlaceNameCreate(value="Tell Test", language="en"), actor=SYSTEM
    )
    with pytest.raises(Conflict) as caught:
        add_place_name(session, place_id=place.id, data=PlaceNameCreate(value="TELL-TEST"), actor=SYSTEM)
    assert caught.value.field == "value"
    with pytest.raises(NotFound):
        add_place_name(session, place_id="nowhere", data=PlaceNameCreate(value="x"), actor=SYSTEM)


def test_places_are_listed_by_kind_and_by_any_name(session: Session) -> None:
    make_place(session, name="Zzyzx Crossing", kind="border_crossing", name_ar="معبر زززز")
    make_place(session, name="Zzyzx Village")
    crossings = list_places(session, page=PageRequest(), kind=PlaceKind.BORDER_CROSSING, q="zzyzx")
    assert [p.name for p in crossings.items] == ["Zzyzx Crossing"]
    assert list_places(session, page=PageRequest(), q="زززز").total == 1
    assert list_places(session, page=PageRequest(), q="ZZYZX").total == 2
    assert list_places(session, page=PageRequest(), q="100%").total == 0
