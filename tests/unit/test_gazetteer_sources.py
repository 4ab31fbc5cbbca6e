"""The shipped gazetteer data: its three sources, admin mapping, curated provenance, and resolving
names over it without a database."""

from __future__ import annotations

from collections import Counter

import pytest

from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import sources
from ceasefire.places.gazetteer import gazetteer_records
from ceasefire.places.resolver import PlaceIndex
from ceasefire.places.rules import Origin


@pytest.fixture(scope="module")
def by_id() -> dict[str, sources.SeedPlace]:
    return {r.data.id or "": r for r in gazetteer_records()}


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex.from_records(gazetteer_records())


def test_the_gazetteer_has_the_admin_units_the_settlements_and_the_curated_places() -> None:
    origins = Counter(r.origin for r in gazetteer_records())
    assert origins[Origin.OPEN_SYRIA] == 14 + 62 + 272
    assert 290 <= origins[Origin.GEONAMES] <= 330
    assert origins[Origin.CURATED] >= 11
    assert sum(origins.values()) >= 650
    ids = [r.data.id for r in gazetteer_records()]
    assert len(ids) == len(set(ids))


def test_open_syria_units_keep_hierarchy_codes_and_attribution(by_id: dict[str, sources.SeedPlace]) -> None:
    aleppo = by_id["sy-aleppo"].data
    assert (aleppo.kind, aleppo.pcode, aleppo.geonames_id, aleppo.name_ar) == (
        PlaceKind.GOVERNORATE,
        "SY02",
        170062,
        "حلب",
    )
    azaz = by_id["sy-aleppo-azaz"].data
    assert (azaz.parent_id, azaz.governorate_id) == ("sy-aleppo", "sy-aleppo")
    assert aleppo.source == "OpenSyria Data Geography, CC BY 4.0"
    assert {n.language for n in by_id["sy-al-hasakah"].data.names} == {"en", "ar"}


def test_every_geonames_admin1_code_maps_to_its_own_governorate() -> None:
    admin = [r.data for r in gazetteer_records() if r.origin is Origin.OPEN_SYRIA]
    mapping = sources.admin1_governorates(sources.syrian_cities(), admin)
    assert len(mapping) == 14
    assert len(set(mapping.values())) == 14
    assert mapping["09"] == "sy-aleppo"
    assert mapping["13"] == "sy-damascus"


@pytest.mark.parametrize(
    ("place_id", "governorate", "kind"),
    [
        ("gn-170063", "sy-aleppo", PlaceKind.CITY),  # Aleppo
        ("gn-170654", "sy-damascus", PlaceKind.CITY),  # Damascus
        ("gn-169577", "sy-homs", PlaceKind.CITY),  # Homs
        ("gn-170794", "sy-deir-ez-zor", PlaceKind.CITY),  # Deir ez-Zor
        ("gn-166227", "sy-hama", PlaceKind.VILLAGE),  # Qal'at al-Madiq
        ("gn-172082", "sy-aleppo", PlaceKind.TOWN),  # Azaz
    ],
)
def test_geonames_settlements_get_their_governorate_and_kind(
    by_id: dict[str, sources.SeedPlace], place_id: str, governorate: str, kind: PlaceKind
) -> None:
    data = by_id[place_id].data
    assert (data.governorate_id, data.kind) == (governorate, kind)


def test_geonames_names_keep_arabic_russian_and_english_and_drop_codes_and_machine_spellings(
    by_id: dict[str, sources.SeedPlace],
) -> None:
    aleppo = by_id["gn-170063"].data
    names = {(n.value, n.language) for n in aleppo.names}
    assert {("حلب", "ar"), ("Алеппо", "ru"), ("Halab", "en")} <= names
    values = {n.value for n in aleppo.names}
    assert not values & {"ALP", "hlb", "アレッポ", "Χαλέπι"}
    assert aleppo.name_ar == "حلب"
    # GeoNames lists "د مشق" first; the Arabic name is the spelling OpenSyria uses.
    assert by_id["gn-170654"].data.name_ar == "دمشق"
    assert "ڕەققە" not in {n.value for n in by_id["gn-172955"].data.names}


def test_every_curated_place_says_where_its_coordinates_come_from() -> None:
    curated = [r.data for r in gazetteer_records() if r.origin is Origin.CURATED]
    assert {c.id for c in curated} >= {
        "castello-road",
        "damascus-jobar",
        "damascus-qaboun",
        "aleppo-masharqa",
        "aleppo-muhafaza",
        "aleppo-karaj-al-hajz",
        "hmeymim-air-base",
        "aleppo-al-dabbeet-hospital",
        "bab-al-hawa-crossing",
        "bab-al-salam-crossing",
        "tal-madiq",
    }
    for place in curated:
        assert place.coordinate_source, place.id
        assert place.source, place.id
        assert place.name_ar, place.id
        assert any(n.language == "en" for n in place.names), place.id


def test_the_castello_road_is_a_line_north_of_aleppo(by_id: dict[str, sources.SeedPlace]) -> None:
    road = by_id["castello-road"].data
    assert road.geometry is not None
    assert road.geometry.type == "LineString"
    aleppo = by_id["gn-170063"].data
    assert all(lat > (aleppo.latitude or 0) for _, lat in road.geometry.coordinates)


@pytest.mark.parametrize("text", ["Aleppo", "حلب", "Alepo", "Alepppo", "ALEPPO", "Алеппо"])
def test_aleppo_resolves_to_the_city_in_any_spelling(index: PlaceIndex, text: str) -> None:
    best = index.resolve(text)[0]
    assert best.place_id == "gn-170063"
    assert best.explanation[0]


def test_the_governorate_is_found_when_it_is_named_as_one(index: PlaceIndex) -> None:
    assert index.resolve("Aleppo Governorate")[0].place_id == "sy-aleppo"
    assert index.resolve("محافظة حلب")[0].place_id == "sy-aleppo"


def test_tal_madiq_and_qalat_al_madiq_are_different_places(index: PlaceIndex) -> None:
    assert index.resolve("Tal Madiq")[0].place_id == "tal-madiq"
    assert index.resolve("Qal'at al-Madiq")[0].place_id == "gn-166227"
    assert index.resolve("Madiq", context="al-Bab")[0].place_id == "tal-madiq"
    assert index.resolve("Madiq", context=["Hama"])[0].place_id == "gn-166227"
