"""Where an incident lies relative to every agreement's geographic scope, fast.

`ScopeIndex` is built once over all agreements: one shapely 2 STRtree over every scope polygon
(prepared, so point-in-polygon and cover tests run in the prepared fast path), the polygons'
boundaries for distance tests, arrays of each agreement's first and last in-force instants, and a
matrix of the act categories each prohibits. Per incident (or for a batch at once), the tree gives
the few polygons near the place; everything else is decided with whole-array operations.

A place known to a precision is a disc of the precision's radius around its point: an ellipse in
longitude/latitude degrees (one degree of latitude is 111.32 km, one of longitude 111.32 km x
cos(latitude)). A polygon whose boundary lies farther from the point than the ellipse's long axis
either holds the whole disc or none of it (by whether it holds the point); a boundary closer than
the short axis cuts the disc; in between, the ellipse itself (a 64-gon) is tested against the
polygon. An admin region, when known, is tested as given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from shapely.affinity import scale
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ceasefire.determinations.facts import AgreementFacts, IncidentFacts
from ceasefire.determinations.fastpath import VerdictTables
from ceasefire.kernel.vocab import ActCategory, ScopeKind

KM_PER_DEGREE = 111.32
INSIDE, EDGE = 0, 1  # where a place lies relative to one polygon (outside: not recorded)
# Place codes of an agreement: in its scope, straddling an edge, outside, or unknown.
IN, ON_EDGE, OUT, UNKNOWN = 0, 1, 2, 3
# Acts an obligation prohibiting "armed_attack" covers: every attack with weapons.
ATTACKS = frozenset(
    {
        ActCategory.AIR_STRIKE,
        ActCategory.SHELLING,
        ActCategory.ROCKET_FIRE,
        ActCategory.SNIPER_FIRE,
        ActCategory.GROUND_OFFENSIVE,
        ActCategory.ATTACK_ON_MEDICAL_FACILITY,
        ActCategory.ATTACK_ON_HUMANITARIAN_CONVOY,
        ActCategory.ATTACK_ON_CIVILIANS,
        ActCategory.SUICIDE_BOMBING,
        ActCategory.IED,
        ActCategory.CHEMICAL_WEAPON,
    }
)


@dataclass(frozen=True, slots=True)
class PlaceVerdict:
    """Where an incident lies relative to one agreement's scope, and the area that decided it."""

    spot: str  # nationwide | inside | outside | excluded | edge | unknown
    area_id: str | None = None
    area_name: str | None = None

    @property
    def code(self) -> int:
        """IN, ON_EDGE, OUT or UNKNOWN."""
        return _CODES[self.spot]


_CODES = {
    "nationwide": IN,
    "inside": IN,
    "edge": ON_EDGE,
    "outside": OUT,
    "excluded": OUT,
    "unknown": UNKNOWN,
}
NATIONWIDE = PlaceVerdict("nationwide")
UNKNOWN_PLACE = PlaceVerdict("unknown")


def ellipse(lon: float, lat: float, radius_km: float) -> BaseGeometry:
    """The disc of that radius around a point, in longitude/latitude degrees (a 64-gon)."""
    lat_deg = radius_km / KM_PER_DEGREE
    lon_deg = lat_deg / max(math.cos(math.radians(lat)), 1e-6)
    circle = Point(lon, lat).buffer(lat_deg, quad_segs=16)
    return scale(circle, xfact=lon_deg / lat_deg, yfact=1.0, origin=(lon, lat))


def _axes(radius_km: float, lat: float) -> tuple[float, float]:
    """The (long, short) half-axes in degrees of the disc's ellipse: longitude, latitude."""
    short = radius_km / KM_PER_DEGREE
    return short / max(math.cos(math.radians(lat)), 1e-6), short


def _epoch(instant: datetime | None) -> float:
    return instant.timestamp() if instant is not None else math.inf


class ScopeIndex:
    """A spatial, temporal and act index over a fixed list of agreements."""

    def __init__(self, agreements: Sequence[AgreementFacts]) -> None:
        self.source = agreements
        self.agreements = tuple(agreements)
        self.position = {a.id: i for i, a in enumerate(self.agreements)}
        rows = [(i, True, s) for i, a in enumerate(self.agreements) for s in a.included]
        rows += [(i, False, s) for i, a in enumerate(self.agreements) for s in a.excluded]
        self.owner_of = [r[0] for r in rows]
        self.owner = np.array(self.owner_of, dtype=np.int64)
        self.areas = [(r[2].area_id, r[2].name) for r in rows]
        # Stored areas are validated on entry; facts built by hand may not be.
        self.geometries = np.array([r[2].geometry for r in rows], dtype=object)
        invalid = ~shapely.is_valid(self.geometries) if len(rows) else np.zeros(0, dtype=bool)
        self.geometries[invalid] = shapely.make_valid(self.geometries[invalid])
        shapely.prepare(self.geometries)
        # Boundaries with longitudes shrunk by the cosine of each polygon's mid-latitude, where a
        # precision disc is nearly a circle: distances to them bound how far a disc reaches.
        bounds = shapely.bounds(self.geometries).reshape(-1, 4)
        self.row_scale = np.cos(np.radians((bounds[:, 1] + bounds[:, 3]) / 2)) if len(rows) else np.empty(0)
        self.boundaries = np.array(
            [
                scale(b, xfact=k, yfact=1.0, origin=(0, 0))
                for b, k in zip(shapely.boundary(self.geometries), self.row_scale, strict=True)
            ],
            dtype=object,
        )
        self.tree = STRtree(self.geometries)
        count = len(self.agreements)
        self.included_rows: list[list[int]] = [[] for _ in range(count)]
        self.excluded_rows: list[list[int]] = [[] for _ in range(count)]
        for row, (i, included, _) in enumerate(rows):
            (self.included_rows if included else self.excluded_rows)[i].append(row)
        self.nationwide = np.array(
            [a.scope_kind is ScopeKind.NATIONWIDE for a in self.agreements], dtype=bool
        )
        bare = self.nationwide & np.array([not a.excluded for a in self.agreements], dtype=bool)
        self.place_known = np.where(self.nationwide, IN, OUT).astype(np.int8)
        self.place_unknown = np.where(bare, IN, UNKNOWN).astype(np.int8)
        # Where an incident that comes near none of an agreement's polygons lies: in a nationwide
        # scope, or outside the areas of the others.
        self.untouched = [
            NATIONWIDE
            if a.scope_kind is ScopeKind.NATIONWIDE
            else PlaceVerdict("outside", None, ", ".join(s.name for s in a.included))
            for a in self.agreements
        ]
        self.unknown = [NATIONWIDE if code == IN else UNKNOWN_PLACE for code in self.place_unknown.tolist()]
        # A region may cross from one included area into another: the union tells whether it stays inside.
        self.unions = {
            i: shapely.union_all([s.geometry for s in a.included])
            for i, a in enumerate(self.agreements)
            if len(a.included) > 1
        }
        shapely.prepare(list(self.unions.values()))
        self.span_start = np.array(
            [_epoch(a.periods[0].start if a.periods else None) for a in self.agreements]
        )
        self.span_end = np.array([_epoch(a.periods[-1].end if a.periods else None) for a in self.agreements])
        acts = sorted({*ActCategory, *(c for a in self.agreements for c in a.prohibited)})
        self.act_row = {act: k for k, act in enumerate(acts)}
        self.prohibits = np.zeros((len(acts), count), dtype=bool)
        for i, agreement in enumerate(self.agreements):
            for act in agreement.prohibited:
                self.prohibits[self.act_row[act], i] = True
        self.armed = self.prohibits[self.act_row[ActCategory.ARMED_ATTACK]]
        self._act_masks: dict[tuple[str, ...], NDArray[np.bool_]] = {}
        self.tables = VerdictTables(self.agreements)
        self._area_verdicts: dict[tuple[str, int], PlaceVerdict] = {}

    def __len__(self) -> int:
        return len(self.agreements)

    def area_verdict(self, spot: str, row: int) -> PlaceVerdict:
        """The verdict naming one polygon's area (made once per spot and polygon)."""
        found = self._area_verdicts.get((spot, row))
        if found is None:
            area_id, name = self.areas[row]
            found = self._area_verdicts[(spot, row)] = PlaceVerdict(spot, area_id, name)
        return found

    def time_possible(self, incident: IncidentFacts) -> NDArray[np.bool_]:
        """Agreements in force at some instant of the incident's window (all when the time is unknown)."""
        if incident.window_start is None or incident.window_end is None:
            return np.ones(len(self.agreements), dtype=bool)
        start, end = incident.window_start.timestamp(), incident.window_end.timestamp()
        if start == end:
            return (self.span_start <= start) & (self.span_end > start)
        return (self.span_start < end) & (self.span_end > start)

    def act_prohibited(self, incident: IncidentFacts) -> NDArray[np.bool_]:
        """Agreements prohibiting one of the incident's acts, directly or as an armed attack."""
        acts = incident.act_categories
        found = self._act_masks.get(acts)
        if found is None:
            rows = [self.act_row[a] for a in acts if a in self.act_row]
            found = np.zeros(len(self.agreements), dtype=bool)
            if rows:
                found = np.logical_or.reduce(self.prohibits[rows], axis=0)
            if any(a in ATTACKS for a in acts):
                found = found | self.armed
            if len(self._act_masks) < 10_000:
                self._act_masks[acts] = found
        return found

    def _discs(
        self,
        rows: NDArray[np.int64],
        xs: NDArray[np.float64],
        ys: NDArray[np.float64],
        radii: NDArray[np.float64],
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """For discs (centres, radii in km) paired with polygon rows: which lie inside, which cross
        the edge, and which only the ellipse itself can tell (see the module docstring)."""
        holds = shapely.intersects_xy(self.geometries[rows], xs, ys)
        scales = self.row_scale[rows]
        distance = shapely.distance(self.boundaries[rows], shapely.points(xs * scales, ys))
        short = radii / KM_PER_DEGREE
        stretch = scales / np.maximum(np.cos(np.radians(ys)), 1e-6)
        far = distance >= short * np.maximum(stretch, 1.0)
        near = distance < short * np.minimum(stretch, 1.0)
        return far & holds, near, ~far & ~near

    def locate_many(self, incidents: Sequence[IncidentFacts]) -> list[Located]:
        """Place a batch of incidents at once: one bulk tree query each for points and for discs."""
        located = [Located(self, incident) for incident in incidents]
        points: list[int] = []
        discs: list[int] = []
        for k, incident in enumerate(incidents):
            if incident.region is not None:
                located[k].place_region(incident.region)
            elif incident.has_point:
                (discs if incident.radius_km > 0 else points).append(k)
        if points:
            xs, ys = self._coordinates(incidents, points)
            which, rows = self.tree.query(shapely.points(xs, ys))
            inside = shapely.intersects_xy(self.geometries[rows], xs[which], ys[which])
            for k, row in zip(which[inside].tolist(), rows[inside].tolist(), strict=True):
                located[points[k]].spots[row] = INSIDE
        if discs:
            xs, ys = self._coordinates(incidents, discs)
            axes = np.array([_axes(incidents[k].radius_km, ys[n]) for n, k in enumerate(discs)])
            boxes = shapely.box(xs - axes[:, 0], ys - axes[:, 1], xs + axes[:, 0], ys + axes[:, 1])
            which, rows = self.tree.query(boxes)
            radii = np.array([incidents[k].radius_km for k in discs])
            inside, near, unsure = self._discs(rows, xs[which], ys[which], radii[which])
            for n, row in zip(which[inside].tolist(), rows[inside].tolist(), strict=True):
                located[discs[n]].spots[row] = INSIDE
            for n, row in zip(which[near].tolist(), rows[near].tolist(), strict=True):
                located[discs[n]].spots[row] = EDGE
            for n, row in zip(which[unsure].tolist(), rows[unsure].tolist(), strict=True):
                located[discs[n]].exact(row)
        return located

    @staticmethod
    def _coordinates(
        incidents: Sequence[IncidentFacts], chosen: list[int]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        xs = np.array([float(incidents[k].longitude or 0.0) for k in chosen])
        ys = np.array([float(incidents[k].latitude or 0.0) for k in chosen])
        return xs, ys


class Located:
    """An incident placed against every polygon of a ScopeIndex: `spots` maps the rows it lies
    inside or on the edge of (every other row lies outside)."""

    __slots__ = ("_ellipse", "_touched", "_verdicts", "incident", "index", "known", "spots")

    def __init__(self, index: ScopeIndex, incident: IncidentFacts) -> None:
        self.index = index
        self.incident = incident
        self.known = incident.region is not None or incident.has_point
        self.spots: dict[int, int] = {}
        self._ellipse: BaseGeometry | None = None
        self._verdicts: dict[int, PlaceVerdict] = {}
        self._touched: set[int] | None = None

    def place_region(self, region: BaseGeometry) -> None:
        """Record the rows an admin region lies inside or across."""
        for row in self.index.tree.query(region).tolist():
            geometry = self.index.geometries[row]
            if geometry.covers(region):
                self.spots[row] = INSIDE
            elif geometry.intersects(region):
                self.spots[row] = EDGE

    def exact(self, row: int) -> None:
        """Test the region itself against one polygon (when the distance bounds cannot tell)."""
        geometry, region = self.index.geometries[row], self.region()
        if geometry.covers(region):
            self.spots[row] = INSIDE
        elif geometry.intersects(region):
            self.spots[row] = EDGE

    def region(self) -> BaseGeometry:
        """The region the incident may lie in (the admin region, or the disc of its precision)."""
        if self.incident.region is not None:
            return self.incident.region
        if self._ellipse is None:
            i = self.incident
            self._ellipse = ellipse(float(i.longitude or 0.0), float(i.latitude or 0.0), i.radius_km)
        return self._ellipse

    def touched(self) -> set[int]:
        """Positions of the agreements with a polygon the place lies inside or across."""
        if self._touched is None:
            rows = list(self.spots)
            owner = self.index.owner_of
            self._touched = {owner[row] for row in rows}
        return self._touched

    def codes(self) -> NDArray[np.int8]:
        """The place code (IN, ON_EDGE, OUT, UNKNOWN) of every agreement."""
        index = self.index
        if not self.known:
            return index.place_unknown
        codes = index.place_known
        if self.spots:
            codes = codes.copy()
            for position in self.touched():
                codes[position] = self.verdict(position).code
        return codes

    def verdict(self, position: int) -> PlaceVerdict:
        """Where the incident lies relative to the scope of the agreement at that position."""
        if not self.known:
            return self.index.unknown[position]
        if position not in self.touched():
            return self.index.untouched[position]
        found = self._verdicts.get(position)
        if found is None:
            found = self._verdicts[position] = self._verdict(position)
        return found

    def _verdict(self, position: int) -> PlaceVerdict:
        index, spots = self.index, self.spots
        excluded = index.excluded_rows[position]
        for row in excluded:
            if spots.get(row) == INSIDE:
                return self._area("excluded", row)
        included = self._included(position)
        if included.code == IN:
            for row in excluded:
                if spots.get(row) == EDGE:
                    return self._area("edge", row)
        return included

    def _included(self, position: int) -> PlaceVerdict:
        index = self.index
        if index.untouched[position] is NATIONWIDE:
            return NATIONWIDE
        edges = []
        for row in index.included_rows[position]:
            spot = self.spots.get(row)
            if spot == INSIDE:
                return self._area("inside", row)
            if spot == EDGE:
                edges.append(row)
        if not edges:
            return index.untouched[position]
        if len(edges) > 1 and index.unions[position].covers(self.region()):
            # The region crosses from one included area into another: wholly inside the scope.
            return PlaceVerdict("inside", None, ", ".join(index.areas[r][1] for r in edges))
        return self._area("edge", edges[0])

    def _area(self, spot: str, row: int) -> PlaceVerdict:
        return self.index.area_verdict(spot, row)
