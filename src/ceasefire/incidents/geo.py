"""What the map draws: incidents in a bounding box, clustered on a grid per zoom level, and the areas.

Clustering is done by the database: the incidents in view are grouped by the cell of a grid aligned
on (-180, -90) whose cell size halves at every zoom level (CELLS_PER_TILE cells across a 256-pixel
map tile), with their count, mean position and count per verification grade. A cell holding one
incident is answered as that incident. So a map of 100,000 incidents costs one aggregate query
(plus one for the lone incidents), and the browser needs no clustering library.

An area filter (a polygon) cannot be expressed portably in SQL (no PostGIS): the candidates inside
the area's bounding box are read and tested with shapely, then gridded here the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import ColumnElement, Float, Integer, and_, cast, exists, func, select, text
from sqlalchemy.orm import Session, aliased

from ceasefire.agreements.models import Agreement, AgreementArea
from ceasefire.identity.rules import PUBLIC_ROLE, Permission, has_permission, is_party_scoped
from ceasefire.incidents import repository as repo
from ceasefire.incidents.models import Incident, IncidentReport
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Grade
from ceasefire.places.models import Area

CELLS_PER_TILE = 4  # grid cells across one 256-pixel tile: a cluster stands for about 64 pixels
UNCLUSTERED_ZOOM = 14  # from this zoom on, every incident is its own marker
MAX_POINTS = 5000  # the most lone incidents (or unclustered ones) one answer carries
GRADES = tuple(g.value for g in Grade)
KEY_BASE = 1 << 24  # cell key = column * KEY_BASE + row (rows never reach 2**24 below zoom 22)
SQLITE_INDEX_ZOOM = 12  # below this zoom a box holds too many incidents for SQLite to use the index
# The polygons the map draws, in drawing order (bottom first).
MAP_AREA_KINDS = ("agreement_scope", "demilitarised_zone", "area_of_control", "besieged_area")


@dataclass(frozen=True, slots=True)
class BBox:
    """A bounding box in degrees (WGS 84)."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """'west,south,east,north' -> BBox (ValueError when it is not four finite, ordered numbers)."""
        parts = [float(p) for p in text.split(",")]
        if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
            raise ValueError("bbox must be four finite numbers: west,south,east,north")
        west, south, east, north = parts
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if west >= east or south >= north:
            raise ValueError("bbox must have west < east and south < north")
        return cls(west, south, east, north)


@dataclass(frozen=True, slots=True)
class MapFilter:
    """What the map is narrowed to (None or empty: no narrowing)."""

    since: datetime | None = None
    until: datetime | None = None
    grades: tuple[str, ...] = ()
    event_type: str | None = None
    act_category: str | None = None
    party_id: str | None = None
    area: dict[str, Any] | None = None  # a GeoJSON geometry
    area_bbox: tuple[float, float, float, float] | None = None


@dataclass(slots=True)
class Cell:
    """One grid cell's incidents: a cluster, or a lone incident (then `incident_id` is set)."""

    count: int
    longitude: float
    latitude: float
    grades: dict[str, int]
    incident_id: str | None = None
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@dataclass(slots=True)
class MapView:
    """The answer of one map request: clusters, lone incidents (rows), the total and whether cut."""

    clusters: list[Cell] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    total: int = 0
    truncated: bool = False
    cell_degrees: float | None = None


def cell_degrees(zoom: int) -> float:
    """The grid's cell size at a zoom level (degrees of longitude and latitude)."""
    return 360.0 / float(1 << zoom) / CELLS_PER_TILE


def _current_reports_where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    newer = aliased(Report)
    latest = ~exists().where(newer.lineage_id == Report.lineage_id, newer.version > Report.version)
    lineages = select(Report.lineage_id).where(latest, *conditions)
    return Incident.id.in_(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id.in_(lineages))
    )


def _filtered(query: Any, f: MapFilter) -> Any:
    if f.since is not None:
        query = query.where(Incident.window_end >= f.since)
    if f.until is not None:
        query = query.where(Incident.window_start < f.until)
    if f.grades:
        query = query.where(Incident.grade.in_(list(f.grades)))
    if f.event_type:
        query = query.where(_current_reports_where(Report.event_type == f.event_type))
    if f.act_category:
        query = query.where(_current_reports_where(Report.act_category == f.act_category))
    if f.party_id:
        mentions = (
            (Report.source_party_id == f.party_id)
            | (Report.perpetrator_party_id == f.party_id)
            | (Report.target_party_id == f.party_id)
        )
        query = query.where(_current_reports_where(mentions))
    if f.area_bbox is not None:
        west, south, east, north = f.area_bbox
        query = query.where(Incident.longitude.between(west, east), Incident.latitude.between(south, north))
    return query


def _base(
    where: ColumnElement[bool], f: MapFilter, bbox: BBox | None, *, scan: bool = False
) -> list[ColumnElement[bool]]:
    """The incidents of the map: visible, not merged away, placed, in the box.

    `scan`: compare `longitude + 0` so that SQLite (which has no histogram to see that a country-wide
    box holds most rows) scans the table instead of fetching every row through the point index.
    """
    lon = Incident.longitude + 0.0 if scan else Incident.longitude
    clauses = [
        where,
        Incident.merged_into_id.is_(None),  # a merged incident lives on in the one it was merged into
        Incident.latitude.is_not(None),
        Incident.longitude.is_not(None),
    ]
    if bbox is not None:
        clauses += [
            lon.between(bbox.west, bbox.east),
            Incident.latitude.between(bbox.south, bbox.north),
        ]
    return clauses


def _floor(session: Session, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """floor() of a non-negative number, portably (SQLite may lack floor; its CAST truncates)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(value, Integer)
    return func.floor(value)


def _inside(area: dict[str, Any], lons: np.ndarray[Any, Any], lats: np.ndarray[Any, Any]) -> Any:
    """Which points the area covers (boundary included), vectorised."""
    geometry = shape(area)
    shapely.prepare(geometry)
    return shapely.intersects_xy(geometry, lons, lats)


def map_view(
    session: Session,
    *,
    where: ColumnElement[bool],
    filters: MapFilter,
    bbox: BBox,
    zoom: int,
) -> MapView:
    """The incidents in the box as the map shows them at that zoom: clusters and lone incidents."""
    if filters.area is not None:
        return _map_view_in_area(session, where=where, filters=filters, bbox=bbox, zoom=zoom)
    if zoom >= UNCLUSTERED_ZOOM:
        query = _filtered(select(Incident).where(*_base(where, filters, bbox)), filters)
        rows = list(session.scalars(query.order_by(Incident.id).limit(MAX_POINTS + 1)))
        return MapView(incidents=rows[:MAX_POINTS], total=len(rows), truncated=len(rows) > MAX_POINTS)
    size = cell_degrees(zoom)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # One integer key per cell (cheaper to group by than two); the cell's square is rebuilt from it.
    key = (
        _floor(session, (Incident.longitude + 180.0) / size) * KEY_BASE
        + _floor(session, (Incident.latitude + 90.0) / size)
    ).label("cell")
    # Grouped by cell and grade (fewer aggregates per row than a count per grade), folded here.
    query = _filtered(
        select(
            key,
            Incident.grade,
            func.count(),
            func.sum(cast(Incident.longitude, Float)),
            func.sum(cast(Incident.latitude, Float)),
            func.min(Incident.id),
        ).where(*_base(where, filters, bbox, scan=sqlite and zoom < SQLITE_INDEX_ZOOM)),
        filters,
    ).group_by(key, Incident.grade)
    if not sqlite:
        # PostgreSQL cannot estimate how few cells there are (it assumes one per row) and would sort
        # every row, spilling to disk; with room for its estimate it hashes instead (this transaction).
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    cells: dict[int, list[Any]] = {}
    for cell, grade, n, lon_sum, lat_sum, first in session.execute(query):
        entry = cells.setdefault(int(cell), [0, 0.0, 0.0, {}, first])
        entry[0] += int(n)
        entry[1] += float(lon_sum)
        entry[2] += float(lat_sum)
        entry[3][grade] = int(n)
    view = MapView(cell_degrees=size)
    lone: list[str] = []
    for cell, (n, lon_sum, lat_sum, grades, first) in cells.items():
        view.total += n
        if n == 1:
            lone.append(str(first))
            continue
        cx, cy = divmod(cell, KEY_BASE)
        west, south = cx * size - 180.0, cy * size - 90.0
        view.clusters.append(
            Cell(
                count=n,
                longitude=lon_sum / n,
                latitude=lat_sum / n,
                grades={g: grades[g] for g in GRADES if g in grades},
                bounds=(west, south, west + size, south + size),
            )
        )
    view.truncated = len(lone) > MAX_POINTS
    view.incidents = incidents_by_id(session, lone[:MAX_POINTS])
    return view


def _map_view_in_area(
    session: Session, *, where: ColumnElement[bool], filters: MapFilter, bbox: BBox, zoom: int
) -> MapView:
    """The area-filtered view: candidates in the area's box from SQL, the polygon test and grid here."""
    query = _filtered(
        select(Incident.id, Incident.longitude, Incident.latitude, Incident.grade).where(
            *_base(where, filters, bbox)
        ),
        filters,
    )
    rows = session.execute(query).all()
    if not rows:
        return MapView()
    lons = np.array([r[1] for r in rows], dtype=float)
    lats = np.array([r[2] for r in rows], dtype=float)
    assert filters.area is not None
    keep = _inside(filters.area, lons, lats)
    kept = [r for r, k in zip(rows, keep, strict=True) if k]
    if zoom >= UNCLUSTERED_ZOOM:
        ids = [str(r[0]) for r in kept]
        return MapView(
            incidents=incidents_by_id(session, ids[:MAX_POINTS]),
            total=len(ids),
            truncated=len(ids) > MAX_POINTS,
        )
    size = cell_degrees(zoom)
    cells: dict[tuple[int, int], list[Any]] = {}
    for r in kept:
        key = (math.floor((r[1] + 180.0) / size), math.floor((r[2] + 90.0) / size))
        cells.setdefault(key, []).append(r)
    view = MapView(total=len(kept), cell_degrees=size)
    lone: list[str] = []
    for members in cells.values():
        if len(members) == 1:
            lone.append(str(members[0][0]))
            continue
        grades: dict[str, int] = {}
        for m in members:
            grades[m[3]] = grades.get(m[3], 0) + 1
        xs, ys = [float(m[1]) for m in members], [float(m[2]) for m in members]
        view.clusters.append(
            Cell(
                count=len(members),
                longitude=sum(xs) / len(xs),
                latitude=sum(ys) / len(ys),
                grades=grades,
                bounds=(min(xs), min(ys), max(xs), max(ys)),
            )
        )
    view.truncated = len(lone) > MAX_POINTS
    view.incidents = incidents_by_id(session, lone[:MAX_POINTS])
    return view


def incidents_by_id(session: Session, ids: Sequence[str]) -> list[Incident]:
    """These incidents (in batches, so a long list stays under the drivers' parameter limits)."""
    found: list[Incident] = []
    for start in range(0, len(ids), 900):
        batch = sorted(ids[start : start + 900])
        found += session.scalars(select(Incident).where(Incident.id.in_(batch)))
    return sorted(found, key=lambda i: i.id)


def _latest_first(session: Session) -> tuple[Any, ...]:
    """Latest event first, undated last: SQLite sorts NULL last in DESC and can walk the window index."""
    if session.get_bind().dialect.name == "sqlite":
        return (Incident.window_start.desc(), Incident.id)
    return (Incident.window_start.desc().nulls_last(), Incident.id)


def incidents_in_view(
    session: Session, *, where: ColumnElement[bool], filters: MapFilter, bbox: BBox | None, limit: int
) -> tuple[list[Incident], int]:
    """The latest `limit` incidents in view (for the page's table) and how many there are in all."""
    query = _filtered(select(Incident).where(*_base(where, filters, bbox)), filters)
    if filters.area is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return list(session.scalars(query.order_by(*_latest_first(session)).limit(limit))), int(total)
    rows = list(session.scalars(query.order_by(*_latest_first(session))))
    if not rows:
        return [], 0
    lons = np.array([r.longitude for r in rows], dtype=float)
    lats = np.array([r.latitude for r in rows], dtype=float)
    kept = [r for r, k in zip(rows, _inside(filters.area, lons, lats), strict=True) if k]
    return kept[:limit], len(kept)


def time_extent(session: Session, *, where: ColumnElement[bool]) -> tuple[datetime | None, datetime | None]:
    """The first and last start of the incidents a reader may see (the time slider's range).

    Two ordered queries rather than min()/max() with a filter, so that both dialects walk the
    window index from either end and stop at the first visible incident.
    """
    base = select(Incident.window_start).where(
        where, Incident.merged_into_id.is_(None), Incident.window_start.is_not(None)
    )
    first = session.scalar(base.order_by(Incident.window_start).limit(1))
    last = session.scalar(base.order_by(Incident.window_start.desc()).limit(1))
    return first, last


@dataclass(frozen=True, slots=True)
class MapArea:
    """A polygon of the map with what its popup says."""

    area: Area
    agreements: list[tuple[str, str, str]]  # (id, name, mode) of the agreements whose scope it is in


def map_areas(
    session: Session, *, kinds: Sequence[str] = MAP_AREA_KINDS, at: datetime | None = None
) -> list[MapArea]:
    """The areas the map draws (valid at the instant when given), with the agreements they scope."""
    query = select(Area).where(Area.kind.in_(list(kinds)))
    if at is not None:
        query = query.where(
            and_(
                (Area.valid_from.is_(None)) | (Area.valid_from <= at),
                (Area.valid_to.is_(None)) | (Area.valid_to > at),
            )
        )
    areas = list(session.scalars(query.order_by(Area.name, Area.id)))
    links: dict[str, list[tuple[str, str, str]]] = {}
    if areas:
        linked = (
            select(AgreementArea.area_id, Agreement.id, Agreement.name, AgreementArea.mode)
            .join(Agreement, Agreement.id == AgreementArea.agreement_id)
            .where(AgreementArea.area_id.in_([a.id for a in areas]))
            .order_by(Agreement.starts_at, Agreement.id)
        )
        for area_id, agreement_id, name, mode in session.execute(linked):
            links.setdefault(area_id, []).append((agreement_id, name, mode))
    order = {kind: i for i, kind in enumerate(MAP_AREA_KINDS)}
    areas.sort(key=lambda a: (order.get(a.kind, len(order)), a.name))
    return [MapArea(area=a, agreements=links.get(a.id, [])) for a in areas]


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The incidents this actor may see: the incident list's rule (identity.rules.may_see_incident)."""
    if has_permission(actor.role, Permission.INCIDENT_READ_ALL):
        return repo.visibility(see_all=True, levels=(), party_id=None)
    if actor.role == PUBLIC_ROLE:
        return repo.visibility(see_all=False, levels=("public",), party_id=None)
    party = actor.party_id if is_party_scoped(actor.role) else None
    return repo.visibility(see_all=False, levels=("parties", "public"), party_id=party)
