"""Pure place and area rules: geometries, languages by script, kinds, validity, ranking helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import rules

SQUARE = [[[37.0, 36.0], [37.1, 36.0], [37.1, 36.1], [37.0, 36.1], [37.0, 36.0]]]
BOW_TIE = [[[37.0, 36.0], [37.1, 36.1], [37.1, 36.0], [37.0, 36.1], [37.0, 36.0]]]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Aleppo", "en"),
        ("Ḩalab", "en"),
        ("حلب", "ar"),
        ("Алеппо", "ru"),
        ("دیرالزور", None),
        ("ڕەققە", None),
        ("hەsychە", None),
        ("阿勒颇", None),
    ],
)
def test_the_language_of_a_name_follows_its_script(text: str, language: str | None) -> None:
    assert rules.script_language(text) == language


@pytest.mark.parametrize(
    ("population", "kind"),
    [
        (None, PlaceKind.VILLAGE),
        (0, PlaceKind.VILLAGE),
        (9_999, PlaceKind.VILLAGE),
        (10_000, PlaceKind.TOWN),
        (99_999, PlaceKind.TOWN),
        (2_098_210, PlaceKind.CITY),
    ],
)
def test_settlement_kind_follows_population(population: int | None, kind: PlaceKind) -> None:
    assert rules.kind_for_population(population) is kind


def test_a_valid_polygon_is_accepted() -> None:
    assert rules.area_shape({"type": "Polygon", "coordinates": SQUARE}).bounds == (37.0, 36.0, 37.1, 36.1)


def test_a_bow_tie_polygon_is_refused_with_shapelys_reason() -> None:
    with pytest.raises(Invalid) as caught:
        rules.area_shape({"type": "Polygon", "coordinates": BOW_TIE})
    assert caught.value.field == "geometry"
    assert caught.value.code == "invalid_geometry"
    assert "Self-intersection" in caught.value.message


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ({"type": "Polygon", "coordinates": [SQUARE[0][:-1]]}, "end where it starts"),
        (
            {"type": "Polygon", "coordinates": [[[200.0, 36.0], [37.1, 36.0], [37.1, 36.1], [200.0, 36.0]]]},
            "outside",
        ),
        ({"type": "Point", "coordinates": [37.0, 36.0]}, "geometry type"),
        ({"type": "Polygon", "coordinates": [[[37.0, 36.0], [37.1, 36.0], [37.0, 36.0]]]}, "4 positions"),
        ({"type": "Polygon", "coordinates": [[["x", "y"], [1, 2], [2, 2], ["x", "y"]]]}, "nested arrays"),
        ({"type": "Polygon", "coordinates": [[[37.0], [37.1], [37.2], [37.0]]]}, "nested arrays"),
        ({"type": "Polygon", "coordinates": [[[[[[37.0, 36.0]]]]]]}, "nested arrays"),
        ({"type": "Polygon", "coordinates": []}, "nested arrays"),
    ],
)
def test_malformed_area_geometries_are_refused_naming_the_field(geometry: dict, words: str) -> None:
    with pytest.raises(Invalid, match=words) as caught:
        rules.area_shape(geometry)
    assert caught.value.field == "geometry"


def test_a_line_is_represented_by_its_midpoint() -> None:
    line = {"type": "LineString", "coordinates": [[37.0, 36.0], [37.2, 36.0]]}
    geometry, lon, lat = rules.place_geometry(line, None, None)
    assert geometry == line
    assert (round(lon, 6), round(lat, 6)) == (37.1, 36.0)


def test_a_point_place_needs_coordinates_and_they_must_agree_with_its_geometry() -> None:
    assert rules.place_geometry(None, 37.0, 36.0)[0] == {"type": "Point", "coordinates": [37.0, 36.0]}
    with pytest.raises(Invalid, match="give latitude and longitude"):
        rules.place_geometry(None, None, 36.0)
    with pytest.raises(Invalid, match="disagree"):
        rules.place_geometry({"type": "Point", "coordinates": [37.0, 36.0]}, 38.0, 36.0)
    with pytest.raises(Invalid, match="Too few points"):
        rules.place_geometry({"type": "LineString", "coordinates": [[37.0, 36.0], [37.0, 36.0]]}, None, None)


def test_validity_periods_are_half_open() -> None:
    start, end = datetime(2016, 2, 26, 22, tzinfo=UTC), datetime(2016, 3, 1, tzinfo=UTC)
    assert rules.valid_on(start, end, start)
    assert not rules.valid_on(start, end, end)
    assert rules.valid_on(None, None, end)


def test_geodesic_distance_aleppo_to_damascus() -> None:
    # Aleppo and Damascus city centres are about 310 km apart on the ground.
    km = rules.distance_km(37.16117, 36.20124, 36.29128, 33.5102)
    assert 300 < km < 320
    assert rules.proximity_boost(0) == rules.NEARBY_BOOST
    assert rules.proximity_boost(rules.NEARBY_RADIUS_KM + 1) == 0


def test_settlements_rank_before_admin_units_of_the_same_name() -> None:
    city = rules.prior(PlaceKind.CITY.value, 2_098_210)
    governorate = rules.prior(PlaceKind.GOVERNORATE.value, 4_000_000)
    assert city > governorate
    assert rules.prior(PlaceKind.TOWN.value, 30_000) > rules.prior(PlaceKind.TOWN.value, None)


def test_a_governorate_must_be_a_governorate_and_agree_with_the_parent() -> None:
    parent = ("sy-aleppo-azaz", PlaceKind.DISTRICT.value, "sy-aleppo")
    assert rules.governorate_for(parent=parent, governorate=None) == "sy-aleppo"
    assert rules.governorate_for(parent=("sy-hama", "governorate", None), governorate=None) == "sy-hama"
    with pytest.raises(Invalid) as caught:
        rules.governorate_for(parent=parent, governorate=("sy-hama", PlaceKind.GOVERNORATE.value))
    assert caught.value.code == "governorate_mismatch"
    with pytest.raises(Invalid, match="not a governorate"):
        rules.governorate_for(parent=None, governorate=("gn-170063", PlaceKind.CITY.value))
