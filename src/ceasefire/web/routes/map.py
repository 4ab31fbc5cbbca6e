"""The map: incidents coloured by grade and clustered by the server, besieged areas and agreement scopes.

`GET /map` is the page (public: published incidents; signed in: what the user may see). Its JSON
twins are API routes: `GET /api/v1/map/incidents` (GeoJSON clusters and incidents of a bounding box
at a zoom level, filtered) and `GET /api/v1/map/areas` (the polygons). The browser's script calls
them with the sign-in cookie; API clients send a token. `GET /map/admin-labels.geojson` serves the
governorate and district names of the offline basemap from the shipped OpenSyria data.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from ceasefire.api.deps import SessionDep
from ceasefire.identity import service as identity
from ceasefire.identity.rules import PUBLIC_ROLE, Permission, has_permission
from ceasefire.incidents import geo
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import Incident
from ceasefire.kernel.actor import PUBLIC, Actor
from ceasefire.kernel.claims import EventType
from ceasefire.kernel.errors import Forbidden, Invalid, NotFound, Unauthenticated
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.time import DAMASCUS, zone
from ceasefire.kernel.vocab import ActCategory
from ceasefire.parties import service as parties
from ceasefire.places import service as places
from ceasefire.web.auth import MaybeWebActor, maybe_web_actor
from ceasefire.web.templating import render

router = APIRouter()

GEOJSON = "application/geo+json"
OPEN_SYRIA = Path(__file__).resolve().parents[2] / "places" / "data" / "open_syria"
NATURAL_EARTH = "Made with Natural Earth"
OPEN_SYRIA_CREDIT = "Names: OpenSyria Data Geography, CC BY 4.0"
# Syria and around it: the view the page opens on, and the table's box without JavaScript.
LOCAL = zone(DAMASCUS)
SYRIA = geo.BBox(35.5, 32.2, 42.5, 37.4)
TABLE_ROWS = 100
_bearer = HTTPBearer(auto_error=False, description="An API token (or the web sign-in cookie).")


def map_actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """An API token's user, else the browser's signed-in user, else the anonymous public."""
    if credentials is not None:
        user = identity.authenticate_token(session, secret=credentials.credentials)
        request.state.user = user
        return identity.actor_for(user, via="api")
    actor = maybe_web_actor(request, session)
    return PUBLIC if actor.role == PUBLIC_ROLE else actor


MapActor = Annotated[Actor, Depends(map_actor)]


class MapFeature(BaseModel):
    """A cluster (properties.kind = cluster) or one incident (kind = incident) as a GeoJSON Feature."""

    type: str = "Feature"
    id: str | None = None
    geometry: dict[str, Any]
    properties: dict[str, Any]


class MapFeatureCollection(BaseModel):
    """The incidents of a bounding box at a zoom level: clusters and lone incidents."""

    type: str = "FeatureCollection"
    features: list[MapFeature]
    total: int = Field(description="How many incidents match in the box (clustered or not).")
    truncated: bool = Field(description="True when more lone incidents matched than one answer carries.")
    zoom: int
    bbox: list[float]
    cell_degrees: float | None = Field(description="The clustering grid's cell size (None: unclustered).")
    attribution: str


def _day(value: str | None, *, name: str) -> datetime | None:
    """A date (YYYY-MM-DD, the start of that day in Damascus) or an instant with its offset."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=LOCAL)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD) or an instant with offset", field=name) from None
    if parsed.tzinfo is None:
        raise Invalid(f"{name} must carry its UTC offset", field=name)
    return parsed


def _filters(
    session: SessionDep,
    since: str | None,
    until: str | None,
    grade: list[str],
    event_type: str | None,
    act_category: str | None,
    party: str | None,
    area: str | None,
) -> geo.MapFilter:
    grades = tuple(g for g in grade if g)
    unknown = [g for g in grades if g not in geo.GRADES]
    if unknown:
        raise Invalid(f"unknown grade {unknown[0]!r}", field="grade")
    if event_type and event_type not in {e.value for e in EventType}:
        raise Invalid(f"unknown event type {event_type!r}", field="event_type")
    if act_category and act_category not in {a.value for a in ActCategory}:
        raise Invalid(f"unknown act category {act_category!r}", field="act_category")
    end = _day(until, name="to")
    if end is not None and until and len(until) == 10:
        end += timedelta(days=1)  # a "to" date includes that whole day
    geometry: dict[str, Any] | None = None
    box: tuple[float, float, float, float] | None = None
    if area:
        try:
            found = places.get_area(session, area_id=area)
        except NotFound:
            raise NotFound("no such area", code="not_found", field="area") from None
        geometry, box = found.geometry, (found.min_lon, found.min_lat, found.max_lon, found.max_lat)
    return geo.MapFilter(
        since=_day(since, name="from"),
        until=end,
        grades=grades,
        event_type=event_type or None,
        act_category=act_category or None,
        party_id=party or None,
        area=geometry,
        area_bbox=box,
    )


def map_filters(
    session: SessionDep,
    since: Annotated[
        str | None,
        Query(alias="from", max_length=40, description="From this day (YYYY-MM-DD, Damascus) or instant."),
    ] = None,
    until: Annotated[
        str | None,
        Query(alias="to", max_length=40, description="To this day, included (YYYY-MM-DD) or instant."),
    ] = None,
    grade: Annotated[list[str] | None, Query(description="Only these verification grades.")] = None,
    event_type: Annotated[
        str | None, Query(max_length=40, description="Only incidents with a claim of this ACLED event type.")
    ] = None,
    act_category: Annotated[
        str | None, Query(max_length=60, description="Only incidents with a claim of this act.")
    ] = None,
    party: Annotated[
        str | None, Query(max_length=64, description="Only incidents with a claim by, against or blaming it.")
    ] = None,
    area: Annotated[
        str | None, Query(max_length=64, description="Only incidents inside this area (an area id).")
    ] = None,
) -> geo.MapFilter:
    """The map's filters from the query string (the page and the JSON routes share them)."""
    return _filters(session, since, until, grade or [], event_type, act_category, party, area)


Filters = Annotated[geo.MapFilter, Depends(map_filters)]


def _bbox(text: str | None, *, default: geo.BBox | None) -> geo.BBox | None:
    if not text:
        return default
    try:
        return geo.BBox.parse(text)
    except ValueError as exc:
        raise Invalid(str(exc), field="bbox") from None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def incident_properties(incident: Incident, actor: Actor) -> dict[str, Any]:
    """What a marker's popup shows (the published fields; the publication level for the signed in)."""
    public = actor.role == PUBLIC_ROLE
    props: dict[str, Any] = {
        "kind": "incident",
        "id": incident.id,
        "title": incident.title,
        "grade": incident.grade,
        "stage": incident.stage,
        "window_start": _iso(incident.window_start),
        "window_end": _iso(incident.window_end),
        "location_precision": incident.location_precision,
        "killed_min": incident.killed_min,
        "killed_max": incident.killed_max,
        "injured_min": incident.injured_min,
        "injured_max": incident.injured_max,
        "url": f"/published/{incident.id}" if public else f"/desk/incidents/{incident.id}",
    }
    if not public:
        props["publication"] = incident.publication
    return props


def _dominant(grades: dict[str, int]) -> str:
    return max(geo.GRADES, key=lambda g: (grades.get(g, 0), -geo.GRADES.index(g)))


def _collection(view: geo.MapView, actor: Actor, *, bbox: geo.BBox, zoom: int) -> dict[str, Any]:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(c.longitude, 5), round(c.latitude, 5)]},
            "properties": {
                "kind": "cluster",
                "count": c.count,
                "grades": c.grades,
                "grade": _dominant(c.grades),
                "bounds": [round(b, 5) for b in c.bounds],
            },
        }
        for c in view.clusters
    ]
    features += [
        {
            "type": "Feature",
            "id": i.id,
            "geometry": {"type": "Point", "coordinates": [i.longitude, i.latitude]},
            "properties": incident_properties(i, actor),
        }
        for i in view.incidents
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": view.total,
        "truncated": view.truncated,
        "zoom": zoom,
        "bbox": [bbox.west, bbox.south, bbox.east, bbox.north],
        "cell_degrees": view.cell_degrees,
        "attribution": "ceasefire",
    }


@router.get(
    "/api/v1/map/incidents",
    tags=["map"],
    response_model=MapFeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def map_incidents(
    session: SessionDep,
    actor: MapActor,
    filters: Filters,
    bbox: Annotated[
        str | None, Query(max_length=120, description="west,south,east,north in degrees (default: Syria).")
    ] = None,
    zoom: Annotated[int, Query(ge=0, le=22, description="The map's zoom level (sets the grid).")] = 7,
) -> JSONResponse:
    """Incidents you may see in a box, clustered on a grid per zoom level (public: published ones)."""
    box = _bbox(bbox, default=SYRIA)
    assert box is not None
    view = geo.map_view(session, where=geo.visible_to(actor), filters=filters, bbox=box, zoom=zoom)
    # The markers shown one by one are brought up to date (a correction, withdrawal or new evidence
    # since they were derived); clusters count the stored grades (see docs/web.md, The map).
    incidents.refresh_stale(session, [i.id for i in view.incidents])
    return JSONResponse(_collection(view, actor, bbox=box, zoom=zoom), media_type=GEOJSON)


def area_feature(item: geo.MapArea) -> dict[str, Any]:
    """An area as the map draws it, with its kind, period and the agreements it scopes."""
    a = item.area
    return {
        "type": "Feature",
        "id": a.id,
        "bbox": [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
        "geometry": a.geometry,
        "properties": {
            "name": a.name,
            "kind": a.kind,
            "description": a.description,
            "valid_from": _iso(a.valid_from),
            "valid_to": _iso(a.valid_to),
            "party_id": a.party_id,
            "agreements": [{"id": i, "name": n, "mode": m} for i, n, m in item.agreements],
        },
    }


@router.get(
    "/api/v1/map/areas",
    tags=["map"],
    response_model=dict[str, Any],
    responses={200: {"content": {GEOJSON: {}}}},
)
def map_areas(
    session: SessionDep,
    actor: MapActor,
    on: Annotated[
        str | None, Query(max_length=40, description="Only areas valid on this day or instant.")
    ] = None,
) -> JSONResponse:
    """The map's polygons: besieged areas, areas of control, demilitarised zones, agreement scopes."""
    if actor.role == PUBLIC_ROLE:
        raise Unauthenticated("this route needs an API token", code="missing_token")
    if not has_permission(actor.role, Permission.REGISTRY_READ):
        raise Forbidden(f"your role may not {Permission.REGISTRY_READ.value}", code="permission_denied")
    at = _day(on, name="on")
    features = [area_feature(a) for a in geo.map_areas(session, at=at)]
    return JSONResponse({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)


@cache
def admin_labels() -> bytes:
    """Governorate and district names at their centroids (OpenSyria, CC BY 4.0), as GeoJSON."""
    features = []
    for level, filename in (("governorate", "governorates.json"), ("district", "districts.json")):
        for item in json.loads((OPEN_SYRIA / filename).read_text(encoding="utf-8")):
            c = item["centroid"]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [c["longitude"], c["latitude"]]},
                    "properties": {
                        "id": item["id"],
                        "level": level,
                        "name": item["name"]["en"],
                        "name_ar": item["name"].get("ar"),
                    },
                }
            )
    collection = {"type": "FeatureCollection", "attribution": OPEN_SYRIA_CREDIT, "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/map/admin-labels.geojson", include_in_schema=False)
def map_admin_labels() -> Response:
    """The basemap's place names (static data, cached by the browser for a day)."""
    return Response(admin_labels(), media_type=GEOJSON, headers={"Cache-Control": "public, max-age=86400"})


def _query_string(request: Request, **changes: str | None) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes and k != "lang"]
    params += [(k, v) for k, v in changes.items() if v]
    return urlencode(params)


def _date_value(value: datetime | None, *, end: bool = False) -> str:
    if value is None:
        return ""
    local = value.astimezone(LOCAL)
    if end:
        local -= timedelta(microseconds=1)
    return local.date().isoformat()


@router.get("/map", include_in_schema=False)
def map_page(
    request: Request,
    session: SessionDep,
    actor: MaybeWebActor,
    filters: Filters,
    bbox: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    """The map page: filters, the map (with JavaScript) and the incidents in view as a table (always)."""
    signed_in = actor.role != PUBLIC_ROLE
    where = geo.visible_to(actor)
    box = _bbox(bbox, default=None)
    rows, total = geo.incidents_in_view(session, where=where, filters=filters, bbox=box, limit=TABLE_ROWS)
    incidents.refresh_stale(session, [r.id for r in rows])
    first, last = geo.time_extent(session, where=where)
    party_choices: list[tuple[str, str]] = []
    area_choices: list[tuple[str, str, str]] = []
    if signed_in and has_permission(actor.role, Permission.REGISTRY_READ):
        found = parties.list_parties(session, page=PageRequest(page=1, size=500))
        party_choices = [(p.id, p.name) for p in found.items]
        area_choices = [(m.area.id, m.area.name, m.area.kind) for m in geo.map_areas(session)]
    query = _query_string(request)
    settings = request.app.state.settings
    context = {
        "rows": rows,
        "total": total,
        "shown": len(rows),
        "signed_in": signed_in,
        "grades": geo.GRADES,
        "event_types": [e.value for e in EventType],
        "parties": party_choices,
        "areas": area_choices,
        "selected": {
            "from": request.query_params.get("from", ""),
            "to": request.query_params.get("to", ""),
            "grade": request.query_params.get("grade", ""),
            "event_type": request.query_params.get("event_type", ""),
            "party": request.query_params.get("party", ""),
            "area": request.query_params.get("area", ""),
            "bbox": bbox or "",
        },
        "first_day": _date_value(first),
        "last_day": _date_value(last),
        "data_url": "/api/v1/map/incidents" + (f"?{query}" if query else ""),
        "incidents_url": "/api/v1/map/incidents",
        "areas_url": "/api/v1/map/areas" if signed_in else "",
        "tile_url": settings.map_tile_url or "",
        "tile_attribution": settings.map_tile_attribution,
        "basemap_attribution": f"{NATURAL_EARTH} · {OPEN_SYRIA_CREDIT}",
        "link_base": "/desk/incidents/" if signed_in else "/published/",
    }
    alternate = "/api/v1/map/incidents" + (f"?{query}" if query else "")
    return render(request, "map/map.html", context, alternate=alternate)
