"""Place and area use cases: create, get, list, add names, and find the areas holding a point."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import Conflict, NotFound
from ceasefire.kernel.ids import slugify
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.time import check_order, require_aware
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import repository as repo
from ceasefire.places import rules
from ceasefire.places.models import Area, Place, PlaceName
from ceasefire.places.schemas import AreaCreate, AreaFeature, PlaceCreate, PlaceNameCreate


def place_names(data: PlaceCreate) -> Iterator[tuple[str, str, str]]:
    """(value, language, kind) of every name of a new place, its own names first, without repeats."""
    seen: set[tuple[str, str]] = set()
    own = [(data.name, rules.script_language(data.name) or "en", rules.PRIMARY)]
    if data.name_ar:
        own.append((data.name_ar, "ar", rules.PRIMARY))
    for value, language, kind in [*own, *((n.value, n.language, n.kind.value) for n in data.names)]:
        key = (normalize_name(value), language)
        if key[0] and key not in seen:
            seen.add(key)
            yield value, language, kind


def build_place(data: PlaceCreate, *, place_id: str, origin: str, governorate_id: str | None) -> Place:
    """A new Place row with its name rows, geometry validated (not added to any session)."""
    geometry, lon, lat = rules.place_geometry(
        data.geometry.model_dump() if data.geometry else None, data.longitude, data.latitude
    )
    return Place(
        id=place_id,
        name=data.name,
        name_ar=data.name_ar,
        kind=data.kind.value,
        origin=origin,
        parent_id=data.parent_id,
        governorate_id=governorate_id,
        latitude=lat,
        longitude=lon,
        geometry=geometry,
        precision=data.precision.value,
        population=data.population,
        pcode=data.pcode,
        geonames_id=data.geonames_id,
        coordinate_source=data.coordinate_source,
        source=data.source,
        source_url=data.source_url,
        names=[
            PlaceName(value=v, normalized=normalize_name(v), language=lang, kind=k)
            for v, lang, k in place_names(data)
        ],
    )


def _free_id(session: Session, name: str, *, fallback: str, taken: Callable[[Session, str], bool]) -> str:
    """A slug made from the name, with -2, -3... appended while it is taken."""
    base = slugify(name) or fallback
    candidate, n = base, 1
    while taken(session, candidate):
        n += 1
        candidate = f"{base[: 60 - len(str(n))]}-{n}"
    return candidate


def _governorate(session: Session, data: PlaceCreate) -> str | None:
    """Check the parent and governorate references and return the place's governorate."""
    parent = gov = None
    if data.parent_id:
        found = repo.get_place(session, data.parent_id)
        if found is None:
            raise NotFound.of("place", data.parent_id, field="parent_id")
        parent = (found.id, found.kind, found.governorate_id)
    if data.governorate_id:
        found = repo.get_place(session, data.governorate_id)
        if found is None:
            raise NotFound.of("place", data.governorate_id, field="governorate_id")
        gov = (found.id, found.kind)
    return rules.governorate_for(parent=parent, governorate=gov)


def create_place(
    session: Session,
    *,
    data: PlaceCreate,
    actor: Actor,
    origin: rules.Origin = rules.Origin.REGISTRY,
    reason: str | None = None,
) -> Place:
    """Register a place after validating its geometry, references and id."""
    if data.id is not None and repo.place_id_taken(session, data.id):
        raise Conflict(f"a place with id {data.id!r} exists", code="place_exists", field="id")
    governorate_id = _governorate(session, data)
    place_id = data.id or _free_id(session, data.name, fallback="place", taken=repo.place_id_taken)
    place = build_place(data, place_id=place_id, origin=origin.value, governorate_id=governorate_id)
    session.add(place)
    session.flush()
    record(
        session,
        actor=actor,
        action="place.create",
        entity_type="place",
        entity_id=place.id,
        changes={
            "name": place.name,
            "kind": place.kind,
            "origin": place.origin,
            "governorate_id": place.governorate_id,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "precision": place.precision,
            "names": [n.value for n in place.names],
        },
        reason=reason,
    )
    return place


def get_place(session: Session, *, place_id: str) -> Place:
    """The place with that id and its names, or NotFound."""
    place = repo.get_place(session, place_id, with_names=True)
    if place is None:
        raise NotFound.of("place", place_id)
    return place


def list_places(
    session: Session,
    *,
    page: PageRequest,
    kind: PlaceKind | None = None,
    governorate_id: str | None = None,
    q: str | None = None,
) -> Page[Place]:
    """A page of places by name, filtered by kind, governorate and a substring of any name."""
    return repo.list_places(
        session,
        page=page,
        kind=kind.value if kind else None,
        governorate_id=governorate_id,
        normalized_q=normalize_name(q) if q else None,
    )


def add_place_name(
    session: Session, *, place_id: str, data: PlaceNameCreate, actor: Actor, reason: str | None = None
) -> PlaceName:
    """Add another name to a place; the same name in the same language twice is a conflict."""
    place = get_place(session, place_id=place_id)
    normalized = normalize_name(data.value)
    if (normalized, data.language) in repo.names_of(session, place.id):
        raise Conflict(
            f"{place.id!r} already has the {data.language} name {data.value!r}",
            code="name_exists",
            field="value",
        )
    name = PlaceName(value=data.value, normalized=normalized, language=data.language, kind=data.kind.value)
    place.names.append(name)
    session.flush()
    record(
        session,
        actor=actor,
        action="place.add_name",
        entity_type="place",
        entity_id=place.id,
        changes={"value": name.value, "language": name.language, "kind": name.kind},
        reason=reason,
    )
    return name


def create_area(session: Session, *, data: AreaCreate, actor: Actor, reason: str | None = None) -> Area:
    """Register an area after validating its polygon, validity period and party."""
    geometry = data.geometry.model_dump(exclude_none=True)
    geometry.pop("bbox", None)
    parsed = rules.area_shape(geometry)
    valid_from = require_aware(data.valid_from, field="valid_from") if data.valid_from else None
    valid_to = require_aware(data.valid_to, field="valid_to") if data.valid_to else None
    check_order(valid_from, valid_to, field="valid_to")
    if data.party_id is not None and not repo.party_exists(session, data.party_id):
        raise NotFound.of("party", data.party_id, field="party_id")
    if data.id is not None and repo.area_id_taken(session, data.id):
        raise Conflict(f"an area with id {data.id!r} exists", code="area_exists", field="id")
    area_id = data.id or _free_id(session, data.name, fallback="area", taken=repo.area_id_taken)
    min_lon, min_lat, max_lon, max_lat = parsed.bounds
    area = Area(
        id=area_id,
        name=data.name,
        kind=data.kind.value,
        description=data.description,
        geometry=geometry,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        valid_from=valid_from,
        valid_to=valid_to,
        party_id=data.party_id,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(area)
    session.flush()
    record(
        session,
        actor=actor,
        action="area.create",
        entity_type="area",
        entity_id=area.id,
        changes={
            "name": area.name,
            "kind": area.kind,
            "bbox": [min_lon, min_lat, max_lon, max_lat],
            "valid_from": valid_from,
            "valid_to": valid_to,
            "party_id": area.party_id,
        },
        reason=reason,
    )
    return area


def get_area(session: Session, *, area_id: str) -> Area:
    """The area with that id, or NotFound."""
    area = repo.get_area(session, area_id)
    if area is None:
        raise NotFound.of("area", area_id)
    return area


@lru_cache(maxsize=512)
def _prepared(geometry_json: str) -> PreparedGeometry:
    """The prepared shape of a stored polygon, parsed once per distinct geometry."""
    return prep(shape(json.loads(geometry_json)))


def _covers(area: Area, point: Point) -> bool:
    """Whether the area covers the point (a point on the boundary counts as inside)."""
    return bool(_prepared(json.dumps(area.geometry, sort_keys=True)).covers(point))


def matching_areas(
    session: Session,
    *,
    kind: str | None = None,
    valid_on: datetime | None = None,
    contains: tuple[float, float] | None = None,
) -> list[Area]:
    """Areas of the kind, valid at the instant, covering the (lon, lat): bbox in SQL, then shapely."""
    at = require_aware(valid_on, field="valid_on") if valid_on is not None else None
    if contains is not None:
        rules.check_position(contains[0], contains[1], field="contains")
    candidates = repo.area_candidates(session, kind=kind, valid_on=at, point=contains)
    if contains is None:
        return list(candidates)
    point = Point(contains)
    return [a for a in candidates if _covers(a, point)]


def list_areas(
    session: Session,
    *,
    page: PageRequest,
    kind: str | None = None,
    valid_on: datetime | None = None,
    contains: tuple[float, float] | None = None,
) -> Page[Area]:
    """A page of areas by name, filtered by kind, validity at an instant and a (lon, lat) inside."""
    found = matching_areas(session, kind=kind, valid_on=valid_on, contains=contains)
    return Page(items=found[page.offset : page.offset + page.size], total=len(found), request=page)


def areas_containing(session: Session, *, lon: float, lat: float, at: datetime | None = None) -> list[Area]:
    """Every area covering the point, valid at the instant when one is given."""
    return matching_areas(session, valid_on=at, contains=(lon, lat))


def area_feature(area: Area) -> AreaFeature:
    """An area as a GeoJSON Feature with its bounding box and descriptive properties."""
    return AreaFeature(
        id=area.id,
        bbox=[area.min_lon, area.min_lat, area.max_lon, area.max_lat],
        geometry=area.geometry,
        properties={
            "name": area.name,
            "kind": area.kind,
            "description": area.description,
            "valid_from": area.valid_from.isoformat() if area.valid_from else None,
            "valid_to": area.valid_to.isoformat() if area.valid_to else None,
            "party_id": area.party_id,
            "source": area.source,
            "source_url": area.source_url,
            "created_at": area.created_at.isoformat(),
        },
    )
