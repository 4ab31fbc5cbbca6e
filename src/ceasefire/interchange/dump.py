"""Export the registry as one interchange document: sorted, stable, diff-friendly JSON.

Places and areas are GeoJSON FeatureCollections; parties, agreements, stances and relations are
lists of items in canonical form (see `canonical`), sorted by id or key. The shipped gazetteer
(OpenSyria, GeoNames, curated places) is reference data every installation loads itself, so only
places entered into the registry (origin "registry") are exported.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.interchange import read
from ceasefire.interchange.canonical import canonical, key
from ceasefire.interchange.format import FORMAT, VERSION, feature_collection, to_feature
from ceasefire.places import Origin


def _section(section: str, items: list[Any]) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda item: key(section, item))
    return [canonical(section, item) for item in ordered]


def export_registry(session: Session) -> dict[str, Any]:
    """The whole registry (but the shipped gazetteer) as an interchange document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "parties": _section("parties", read.parties(session)),
        "places": feature_collection(
            [to_feature(p) for p in _section("places", read.places(session, origin=Origin.REGISTRY))]
        ),
        "areas": export_areas(session),
        "agreements": _section("agreements", read.agreements(session)),
        "stances": _section("stances", read.stances(session)),
        "relations": _section("relations", read.relations(session)),
    }


def export_areas(session: Session) -> dict[str, Any]:
    """Every area as a GeoJSON FeatureCollection (properties: the area's other fields)."""
    return feature_collection([to_feature(a) for a in _section("areas", read.areas(session))])


def dumps(document: dict[str, Any]) -> str:
    """The document as JSON text: two-space indent, UTF-8 names kept readable, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
