"""Areas: valid polygons only, tz-aware ordered validity, known parties, and point-in-area queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.errors import Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.places import areas_containing, get_area, list_areas
from ceasefire.places.models import Area
from tests.factories import make_area, make_party

BOW_TIE = [[[37.0, 36.0], [37.1, 36.1], [37.1, 36.0], [37.0, 36.1], [37.0, 36.0]]]
DAMASCUS = timezone(timedelta(hours=2))


def _areas(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Area)) or 0


def test_an_area_stores_its_bbox_period_party_and_an_audit_entry(session: Session) -> None:
    party = make_party(session)
    area = make_area(
        session,
        valid_from=datetime(2016, 2, 27, tzinfo=DAMASCUS),
        valid_to=datetime(2016, 9, 19, tzinfo=UTC),
        party_id=party.id,
    )
    assert (area.min_lon, area.min_lat, area.max_lon, area.max_lat) == (37.15, 36.18, 37.20, 36.23)
    assert area.valid_from == datetime(2016, 2, 26, 22, tzinfo=UTC)
    stored = get_area(session, area_id=area.id)
    assert stored.party_id == party.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_id == area.id))
    assert entry is not None
    assert entry.action == "area.create"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"geometry": {"type": "Polygon", "coordinates": BOW_TIE}}, "invalid_geometry", "geometry"),
        ({"valid_from": datetime(2016, 2, 27)}, "naive_datetime", "valid_from"),
        (
            {"valid_from": datetime(2016, 3, 1, tzinfo=UTC), "valid_to": datetime(2016, 2, 1, tzinfo=UTC)},
            "end_before_start",
            "valid_to",
        ),
        ({"party_id": "no-such-party"}, "party_not_found", "party_id"),
    ],
)
def test_bad_areas_are_refused_naming_the_field_and_nothing_is_stored(
    session: Session, overrides: dict, code: str, field: str
) -> None:
    before = _areas(session)
    with pytest.raises((Invalid, NotFound)) as caught:
        make_area(session, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert _areas(session) == before


def test_an_unknown_area_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        get_area(session, area_id="no-such-area")


def test_areas_containing_a_point_respect_shape_and_validity(session: Session) -> None:
    # An L-shaped area: its bounding box holds (37.18, 36.21) but the polygon does not.
    l_shape = [
        [
            [37.15, 36.18],
            [37.20, 36.18],
            [37.20, 36.20],
            [37.17, 36.20],
            [37.17, 36.23],
            [37.15, 36.23],
            [37.15, 36.18],
        ]
    ]
    area = make_area(session, geometry={"type": "Polygon", "coordinates": l_shape}, kind="besieged_area")
    dated = make_area(
        session, valid_from=datetime(2016, 8, 28, tzinfo=UTC), valid_to=datetime(2016, 12, 22, tzinfo=UTC)
    )

    inside = {a.id for a in areas_containing(session, lon=37.16, lat=36.22)}
    assert {area.id, dated.id} <= inside
    assert area.id not in {a.id for a in areas_containing(session, lon=37.18, lat=36.21)}
    assert area.id in {a.id for a in areas_containing(session, lon=37.15, lat=36.20)}  # on the boundary
    at_siege = {
        a.id for a in areas_containing(session, lon=37.16, lat=36.22, at=datetime(2016, 10, 1, tzinfo=UTC))
    }
    before = {
        a.id for a in areas_containing(session, lon=37.16, lat=36.22, at=datetime(2016, 2, 1, tzinfo=UTC))
    }
    assert dated.id in at_siege
    assert dated.id not in before
    with pytest.raises(Invalid) as caught:
        areas_containing(session, lon=37.16, lat=36.22, at=datetime(2016, 10, 1))
    assert caught.value.code == "naive_datetime"


def test_areas_are_listed_by_kind_and_paged(session: Session) -> None:
    made = [make_area(session, kind="demilitarised_zone") for _ in range(3)]
    page = list_areas(session, page=PageRequest(page=2, size=2), kind="demilitarised_zone")
    assert page.total == 3
    assert [a.id for a in page.items] == sorted(a.id for a in made)[2:]


def test_a_multipolygon_is_accepted(session: Session) -> None:
    squares = [
        [[[37.0, 36.0], [37.1, 36.0], [37.1, 36.1], [37.0, 36.1], [37.0, 36.0]]],
        [[[38.0, 36.0], [38.1, 36.0], [38.1, 36.1], [38.0, 36.1], [38.0, 36.0]]],
    ]
    area = make_area(session, geometry={"type": "MultiPolygon", "coordinates": squares})
    assert (area.min_lon, area.max_lon) == (37.0, 38.1)
    assert area.id in {a.id for a in areas_containing(session, lon=38.05, lat=36.05)}
    assert area.id not in {a.id for a in areas_containing(session, lon=37.5, lat=36.05)}
