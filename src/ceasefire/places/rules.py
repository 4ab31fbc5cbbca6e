"""Pure place and area rules: coordinates and geometries, kinds, name languages, validity and the
priors and context boosts the resolver ranks with. No I/O: callers pass what is stored."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.vocab import AliasKind, PlaceKind

# The name kind of a place's own name (and of its Arabic name); aliases use AliasKind values.
PRIMARY = "primary"

PLACE_GEOMETRY_TYPES = ("Point", "LineString")
AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Letters of Persian, Urdu and Kurdish, not of Arabic: names written with them are not Arabic spellings.
_NOT_ARABIC = re.compile(
    "[\u067e\u0686\u0698\u06a9\u06af\u06cc\u06c1\u06d2\u06be\u06d5\u06c6\u0695\u06ce\u06b5\u06ca]"
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_OTHER_LETTER = re.compile("[^\\W\\d_]")


class Origin(StrEnum):
    """Where a gazetteer entry came from."""

    OPEN_SYRIA = "open_syria"
    GEONAMES = "geonames"
    CURATED = "curated"
    REGISTRY = "registry"


# Admin units are listed under their seat's name ("Aleppo" is a city, a district's seat and a
# governorate). A bare name in a report usually means the settlement, so settlements and sites rank
# first on equal name scores; a writer meaning the province says "Aleppo governorate" or "province".
KIND_PRIOR: dict[str, float] = {
    PlaceKind.CITY.value: 3.0,
    PlaceKind.TOWN.value: 3.0,
    PlaceKind.VILLAGE.value: 3.0,
    PlaceKind.NEIGHBOURHOOD.value: 3.0,
    PlaceKind.ROAD.value: 3.0,
    PlaceKind.CHECKPOINT.value: 3.0,
    PlaceKind.BASE.value: 3.0,
    PlaceKind.HOSPITAL.value: 3.0,
    PlaceKind.BORDER_CROSSING.value: 3.0,
    PlaceKind.CAMP.value: 3.0,
    PlaceKind.OTHER.value: 2.5,
    PlaceKind.SUBDISTRICT.value: 2.0,
    PlaceKind.DISTRICT.value: 1.5,
    PlaceKind.GOVERNORATE.value: 1.0,
    PlaceKind.COUNTRY.value: 0.5,
}

# Context boosts, in the 0-100 score units of name matches (they add up, at most 20): enough to
# overturn a few points of spelling difference between homonyms, and nearness breaks ties between
# homonyms of one governorate; too small to lift a poor fuzzy match above a good one.
GOVERNORATE_BOOST = 10.0
NEARBY_BOOST = 10.0
NEARBY_RADIUS_KM = 75.0

_GEOD = Geod(ellps="WGS84")


def script_language(text: str) -> str | None:
    """The language a name's script implies: Arabic -> ar, Cyrillic -> ru, Latin -> en, else None."""
    if _ARABIC.search(text):
        return None if _NOT_ARABIC.search(text) or _LATIN.search(text) else "ar"
    if _CYRILLIC.search(text):
        return "ru"
    letters = _OTHER_LETTER.findall(text)
    if letters and all(_LATIN.match(c) for c in letters):
        return "en"
    return None


def kind_for_population(population: int | None) -> PlaceKind:
    """A settlement's kind by size: city from 100,000 people, town from 10,000, else village."""
    if population is not None and population >= 100_000:
        return PlaceKind.CITY
    if population is not None and population >= 10_000:
        return PlaceKind.TOWN
    return PlaceKind.VILLAGE


def alias_kind(open_syria_type: str) -> str:
    """Map an OpenSyria alias type to the registry's alias kind."""
    return {
        "formal": AliasKind.OFFICIAL,
        "alternate_spelling": AliasKind.ALTERNATE_SPELLING,
        "transliteration": AliasKind.TRANSLITERATION,
        "alias": AliasKind.INFORMAL,
    }.get(open_syria_type, AliasKind.ALTERNATE_SPELLING).value


def check_position(lon: float, lat: float, *, field: str) -> None:
    """Refuse a longitude/latitude pair outside WGS 84 ranges (or not a finite number)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise Invalid("coordinates must be finite numbers", code="invalid_coordinates", field=field)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise Invalid(
            f"position ({lon}, {lat}) is outside longitude -180..180 / latitude -90..90",
            code="coordinates_out_of_range",
            field=field,
        )


def _positions(coordinates: Any, *, field: str, depth: int = 0) -> list[tuple[float, float]]:
    """Every (lon, lat) nested in a GeoJSON coordinates array; malformed arrays are Invalid."""
    malformed = Invalid("coordinates must be nested arrays of [longitude, latitude]", field=field)
    if not isinstance(coordinates, list) or not coordinates or depth > 4:
        raise malformed
    if all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates):
        if not 2 <= len(coordinates) <= 3:
            raise malformed
        return [(float(coordinates[0]), float(coordinates[1]))]
    return [p for c in coordinates for p in _positions(c, field=field, depth=depth + 1)]


def _shape(geometry: dict[str, Any], allowed: Sequence[str], *, field: str) -> BaseGeometry:
    """Parse a GeoJSON geometry of an allowed type into shapely, checking every position."""
    kind = geometry.get("type")
    if kind not in allowed:
        raise Invalid(
            f"geometry type must be one of {', '.join(allowed)}, not {kind!r}",
            code="geometry_type",
            field=field,
        )
    for lon, lat in _positions(geometry.get("coordinates"), field=field):
        check_position(lon, lat, field=field)
    try:
        parsed = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise Invalid(f"malformed {kind}: {exc}", code="invalid_geometry", field=field) from exc
    if parsed.is_empty:
        raise Invalid(f"the {kind} is empty", code="invalid_geometry", field=field)
    return parsed


def _check_rings_closed(geometry: dict[str, Any], *, field: str) -> None:
    """GeoJSON polygon rings must end where they start (RFC 7946, 3.1.6)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for ring in polygon:
            if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
                raise Invalid(
                    "each polygon ring needs at least 4 positions and must end where it starts",
                    code="invalid_geometry",
                    field=field,
                )


def place_geometry(
    geometry: dict[str, Any] | None, lon: float | None, lat: float | None, *, field: str = "geometry"
) -> tuple[dict[str, Any], float, float]:
    """A place's GeoJSON geometry and representative point (a line's is its midpoint)."""
    if geometry is None:
        if lon is None or lat is None:
            raise Invalid("give latitude and longitude, or a geometry", code="missing_location", field=field)
        check_position(lon, lat, field="longitude")
        return {"type": "Point", "coordinates": [lon, lat]}, lon, lat
    parsed = _shape(geometry, PLACE_GEOMETRY_TYPES, field=field)
    if not parsed.is_valid:
        raise Invalid(f"invalid geometry: {explain_validity(parsed)}", code="invalid_geometry", field=field)
    rep = parsed if isinstance(parsed, Point) else parsed.interpolate(0.5, normalized=True)
    if (
        lon is not None
        and lat is not None
        and isinstance(parsed, Point)
        and not (math.isclose(lon, rep.x, abs_tol=1e-7) and math.isclose(lat, rep.y, abs_tol=1e-7))
    ):
        raise Invalid("latitude/longitude disagree with the point geometry", field="latitude")
    rep_lon, rep_lat = (lon, lat) if lon is not None and lat is not None else (rep.x, rep.y)
    check_position(rep_lon, rep_lat, field="longitude")
    return geometry, float(rep_lon), float(rep_lat)


def area_shape(geometry: dict[str, Any], *, field: str = "geometry") -> BaseGeometry:
    """Parse and validate an area's Polygon/MultiPolygon; invalid ones say why (shapely's reason)."""
    parsed = _shape(geometry, AREA_GEOMETRY_TYPES, field=field)
    _check_rings_closed(geometry, field=field)
    if not parsed.is_valid:
        reason = explain_validity(parsed)
        raise Invalid(
            f"invalid {geometry['type']}: {reason}",
            code="invalid_geometry",
            field=field,
            details={"reason": reason},
        )
    if parsed.area == 0:
        raise Invalid("the polygon has no area", code="invalid_geometry", field=field)
    return parsed


def valid_on(valid_from: datetime | None, valid_to: datetime | None, at: datetime) -> bool:
    """Whether a validity period [valid_from, valid_to) (None = open) contains the instant."""
    return (valid_from is None or valid_from <= at) and (valid_to is None or at < valid_to)


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the WGS 84 ellipsoid (pyproj's Geod, Karney's algorithm), in km."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


def proximity_boost(distance_km: float) -> float:
    """Context boost for a candidate that far from a place named nearby (linear to 0 at the radius)."""
    return max(0.0, NEARBY_BOOST * (1.0 - distance_km / NEARBY_RADIUS_KM))


def prior(kind: str, population: int | None) -> float:
    """A weak prior for ties (0-4): settlements before admin units, bigger places first."""
    size = math.log10(population) / 10 if population and population > 1 else 0.0
    return KIND_PRIOR.get(kind, 2.0) + min(size, 0.9)


def governorate_for(
    *,
    parent: tuple[str, str, str | None] | None,
    governorate: tuple[str, str] | None,
) -> str | None:
    """The governorate a new place lies in, from its parent (id, kind, governorate) and/or the one given.

    A governorate must be of kind governorate, and must agree with the parent's when both are known.
    """
    if governorate is not None and governorate[1] != PlaceKind.GOVERNORATE.value:
        raise Invalid(
            f"{governorate[0]!r} is a {governorate[1]}, not a governorate",
            code="not_a_governorate",
            field="governorate_id",
        )
    inherited = None
    if parent is not None:
        inherited = parent[0] if parent[1] == PlaceKind.GOVERNORATE.value else parent[2]
    if governorate is not None and inherited is not None and governorate[0] != inherited:
        raise Invalid(
            f"the parent lies in {inherited!r}, not in {governorate[0]!r}",
            code="governorate_mismatch",
            field="governorate_id",
        )
    return governorate[0] if governorate is not None else inherited
