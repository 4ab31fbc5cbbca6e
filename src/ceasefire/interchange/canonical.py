"""The one written form of an item: what exports print and what the importer compares.

Two items are the same when their canonical forms are equal. The canonical form fills in what the
services would derive (an agreement's first status at its start, a place's geometry from its
latitude and longitude, a party's own name as an alias), sorts lists whose order carries no
meaning, writes instants in UTC with a Z, and leaves out empty fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from ceasefire.interchange.schemas import (
    AgreementItem,
    AreaItem,
    PartyItem,
    PlaceItem,
    RelationItem,
    StanceItem,
)
from ceasefire.kernel.text import normalize_name
from ceasefire.parties.service import own_name_alias
from ceasefire.places.rules import PRIMARY, place_geometry
from ceasefire.places.service import place_names

Key = tuple[str, ...]

# Written first, in this order; then other scalars; then source and source_url; then nested lists.
_LEAD = (
    "id",
    "agreement_id",
    "subject_party_id",
    "party_id",
    "relation",
    "object_party_id",
    "name",
    "value",
    "language",
    "kind",
)
_SOURCE = ("source", "source_url")


def plain(value: Any) -> Any:
    """JSON-ready data: instants in UTC with a Z, dates in ISO form, enums as their values."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return plain(value.model_dump(exclude_none=True))
    if isinstance(value, dict):
        return _ordered({str(k): plain(v) for k, v in value.items() if v is not None})
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("type") in ("Point", "LineString", "Polygon", "MultiPolygon"):
        return data  # a GeoJSON geometry: keep as is
    lead = [k for k in _LEAD if k in data]
    nested = [k for k in data if isinstance(data[k], list | dict) and k not in lead]
    rest = [k for k in data if k not in lead and k not in nested and k not in _SOURCE]
    keys = [*lead, *rest, *(k for k in _SOURCE if k in data), *nested]
    return {k: data[k] for k in keys}


def _sorted(items: Iterable[dict[str, Any]], *fields: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda d: tuple(str(d.get(f) or "") for f in fields))


def _own_name_alias(item: PartyItem, alias: dict[str, Any]) -> bool:
    """Whether an alias is the one the parties service adds for the party's own name."""
    own = plain(own_name_alias(item))
    if normalize_name(alias["value"]) != normalize_name(own["value"]):
        return False
    return all(alias.get(key) == own.get(key) for key in own.keys() | alias.keys() if key != "value")


def party(item: PartyItem) -> dict[str, Any]:
    """A party: its own-name alias implied (the service adds it), aliases sorted."""
    data = plain(item)
    aliases = [a for a in data.get("aliases", []) if not _own_name_alias(item, a)]
    for alias in aliases:
        alias["_n"] = normalize_name(alias["value"])
    data.pop("aliases", None)
    if aliases:
        data["aliases"] = [
            {k: v for k, v in a.items() if k != "_n"}
            for a in _sorted(aliases, "language", "_n", "valid_from", "valid_to", "kind")
        ]
    return data  # type: ignore[no-any-return]


def place(item: PlaceItem) -> dict[str, Any]:
    """A place: geometry from latitude/longitude when absent, a point's position only in its geometry,
    names as the service stores them (primary names and repeats left out), sorted."""
    geometry, lon, lat = place_geometry(
        item.geometry.model_dump() if item.geometry else None, item.longitude, item.latitude
    )
    is_point = geometry["type"] == "Point"
    names = [
        {"value": v, "language": lang, "kind": kind} for v, lang, kind in place_names(item) if kind != PRIMARY
    ]
    data = plain(item.model_copy(update={"geometry": None, "latitude": None, "longitude": None}))
    data.pop("names", None)
    if not is_point:
        data["latitude"], data["longitude"] = lat, lon
    data["geometry"] = {"type": geometry["type"], "coordinates": plain(geometry["coordinates"])}
    if names:
        data["names"] = _sorted(names, "language", "value", "kind")
    return _ordered(data)


def area(item: AreaItem) -> dict[str, Any]:
    """An area: the geometry's type and coordinates (a bbox is recomputed, never stored)."""
    data = plain(item)
    data["geometry"] = {"type": item.geometry.type, "coordinates": item.geometry.coordinates}
    return _ordered(data)


def agreement(item: AgreementItem) -> dict[str, Any]:
    """An agreement: first status at its start unless said otherwise, unordered lists sorted."""
    data = plain(item)
    data["status_at"] = plain(item.status_at or item.starts_at)
    for key, fields in (
        ("areas", ("area_id",)),
        ("parties", ("party_id", "role")),
        ("obligations", ("kind", "category", "description")),
        ("status_history", ("at",)),
    ):
        if data.get(key):
            data[key] = _sorted(data[key], *fields)
        else:
            data.pop(key, None)
    return _ordered(data)


def stance(item: StanceItem) -> dict[str, Any]:
    """A stance claim."""
    return plain(item)  # type: ignore[no-any-return]


def relation(item: RelationItem) -> dict[str, Any]:
    """A relation."""
    return plain(item)  # type: ignore[no-any-return]


def canonical(section: str, item: BaseModel) -> dict[str, Any]:
    """The canonical form of an item of a section."""
    writer = _WRITERS[section]
    return writer(item)  # type: ignore[no-any-return]


def key(section: str, item: BaseModel) -> Key:
    """How an item is recognised: its id, or for stances and relations their defining fields."""
    if isinstance(item, StanceItem):
        return (item.agreement_id, item.party_id, item.valid_from.isoformat())
    if isinstance(item, RelationItem):
        start = item.valid_from.isoformat() if item.valid_from else ""
        return (item.subject_party_id, item.relation.value, item.object_party_id, start)
    return (str(getattr(item, "id", "")),)


_WRITERS: dict[str, Any] = {
    "parties": party,
    "places": place,
    "areas": area,
    "agreements": agreement,
    "stances": stance,
    "relations": relation,
    "reports": plain,
    "incidents": plain,
}
