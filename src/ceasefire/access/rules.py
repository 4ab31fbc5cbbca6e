"""Pure rules of humanitarian access: vocabularies, required authorities, lead times, schedules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ceasefire.kernel.errors import Conflict, Invalid


class MovementKind(StrEnum):
    """What moves."""

    CONVOY = "convoy"
    MEDICAL_EVACUATION = "medical_evacuation"
    STAFF_MOVEMENT = "staff_movement"


class MovementStatus(StrEnum):
    """A movement's life cycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CLEARED = "cleared"
    EN_ROUTE = "en_route"
    AT_CHECKPOINT = "at_checkpoint"
    DELIVERED = "delivered"
    PARTLY_DELIVERED = "partly_delivered"
    BLOCKED = "blocked"
    ABORTED = "aborted"
    ATTACKED = "attacked"


class ApprovalStatus(StrEnum):
    """One authority's answer."""

    PENDING = "pending"
    GRANTED = "granted"
    CONDITIONAL = "conditional"
    DENIED = "denied"
    EXPIRED = "expired"


class AccessConstraint(StrEnum):
    """OCHA access-constraint categories."""

    DENIAL_OF_NEEDS = "denial_of_needs"
    RESTRICTED_ACCESS_TO_SERVICES = "restricted_access_to_services"
    IMPEDIMENTS_TO_ENTRY = "impediments_to_entry"
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement"
    INTERFERENCE_IN_HUMANITARIAN_ACTIVITIES = "interference_in_humanitarian_activities"
    VIOLENCE_AGAINST_HUMANITARIAN_STAFF_AND_ASSETS = "violence_against_humanitarian_staff_and_assets"
    ONGOING_HOSTILITIES = "ongoing_hostilities"
    MINES_AND_EXPLOSIVE_HAZARDS = "mines_and_explosive_hazards"
    PHYSICAL_ENVIRONMENT = "physical_environment"


class SiteKind(StrEnum):
    """Kinds of notified humanitarian sites."""

    HOSPITAL = "hospital"
    CLINIC = "clinic"
    WAREHOUSE = "warehouse"
    OFFICE = "office"
    SCHOOL = "school"
    SHELTER = "shelter"
    OTHER = "other"


class CorridorPurpose(StrEnum):
    """What a corridor is for."""

    CIVILIAN_EXIT = "civilian_exit"
    COMBATANT_EXIT = "combatant_exit"
    AID_DELIVERY = "aid_delivery"


class CorridorState(StrEnum):
    """A corridor's status as declared or observed."""

    OPEN = "open"
    CLOSED = "closed"
    SUSPENDED = "suspended"
    UNDER_FIRE = "under_fire"


class SiegeStatus(StrEnum):
    """A besieged or hard-to-reach area's status."""

    BESIEGED = "besieged"
    HARD_TO_REACH = "hard_to_reach"
    LIFTED = "lifted"


CROSSING_CATEGORIES = ("civilians", "wounded", "combatants_surrendering", "trucks")
CLEARED_ANSWERS = frozenset({ApprovalStatus.GRANTED, ApprovalStatus.CONDITIONAL})
LEAD_HOURS = 48
EMERGENCY_LEAD_HOURS = 24
# Where a movement may go from each status (delivered, partly delivered, aborted are final).
TRANSITIONS: dict[str, frozenset[str]] = {
    MovementStatus.DRAFT: frozenset({MovementStatus.SUBMITTED, MovementStatus.ABORTED}),
    MovementStatus.SUBMITTED: frozenset({MovementStatus.BLOCKED, MovementStatus.ABORTED}),
    MovementStatus.CLEARED: frozenset(
        {MovementStatus.EN_ROUTE, MovementStatus.BLOCKED, MovementStatus.ABORTED}
    ),
    MovementStatus.EN_ROUTE: frozenset(
        {
            MovementStatus.AT_CHECKPOINT,
            MovementStatus.DELIVERED,
            MovementStatus.PARTLY_DELIVERED,
            MovementStatus.BLOCKED,
            MovementStatus.ABORTED,
            MovementStatus.ATTACKED,
        }
    ),
    MovementStatus.AT_CHECKPOINT: frozenset(
        {
            MovementStatus.EN_ROUTE,
            MovementStatus.DELIVERED,
            MovementStatus.PARTLY_DELIVERED,
            MovementStatus.BLOCKED,
            MovementStatus.ABORTED,
            MovementStatus.ATTACKED,
        }
    ),
    MovementStatus.BLOCKED: frozenset(
        {MovementStatus.EN_ROUTE, MovementStatus.ABORTED, MovementStatus.ATTACKED, MovementStatus.SUBMITTED}
    ),
    MovementStatus.ATTACKED: frozenset(
        {MovementStatus.EN_ROUTE, MovementStatus.ABORTED, MovementStatus.PARTLY_DELIVERED}
    ),
    MovementStatus.DELIVERED: frozenset(),
    MovementStatus.PARTLY_DELIVERED: frozenset(),
    MovementStatus.ABORTED: frozenset(),
}
DELIVERED = frozenset({MovementStatus.DELIVERED, MovementStatus.PARTLY_DELIVERED})


def check_transition(current: str, new: str) -> None:
    """Refuse a status change the life cycle does not allow (cleared comes from the approvals only)."""
    if new == MovementStatus.CLEARED:
        raise Conflict("a movement is cleared by its approvals, not by hand", code="cleared_by_approvals")
    if new not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(f"a movement cannot go from {current} to {new}", code="invalid_transition")


def is_cleared(statuses: Iterable[str]) -> bool:
    """Cleared only when there is at least one authority and every one granted or conditionally granted."""
    answers = list(statuses)
    return bool(answers) and all(s in CLEARED_ANSWERS for s in answers)


def lead_time_warning(*, submitted_at: datetime, window_start: datetime, emergency: bool) -> str | None:
    """A warning (never a refusal) when a movement is notified later than the lead time asks."""
    hours = EMERGENCY_LEAD_HOURS if emergency else LEAD_HOURS
    given = (window_start - submitted_at).total_seconds() / 3600
    if given >= hours:
        return None
    kind = "an emergency movement" if emergency else "a movement"
    return f"notified {max(given, 0):.1f} h ahead; {kind} should be notified at least {hours} h ahead"


def days_waiting(*, submitted_at: datetime | None, now: datetime, status: str) -> int | None:
    """Whole days since submission while the movement still waits for clearance (None otherwise)."""
    if submitted_at is None or status not in (MovementStatus.SUBMITTED, MovementStatus.BLOCKED):
        return None
    return max((now - submitted_at).days, 0)


def days_since(moment: datetime | None, now: datetime) -> int | None:
    """Whole days since a moment (None when there is none)."""
    return None if moment is None else max((now - moment).days, 0)


def _route_array(geojson: Mapping[str, Any], field: str) -> np.ndarray[Any, Any]:
    """A route's positions as an n x 2 array (refused unless a GeoJSON LineString of numbers)."""
    if not isinstance(geojson, Mapping) or geojson.get("type") != "LineString":
        raise Invalid("a route must be a GeoJSON LineString", field=field)
    coords = geojson.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise Invalid("a route needs at least two positions", field=field)
    try:
        array = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        raise Invalid("route positions are [longitude, latitude] numbers", field=field) from None
    if array.ndim != 2 or array.shape[1] < 2:
        raise Invalid("route positions are [longitude, latitude] numbers", field=field)
    return array[:, :2]


def _check_wgs84(xy: np.ndarray[Any, Any], field: str) -> None:
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise Invalid("route positions are [longitude, latitude] in WGS 84", field=field)


def line_geometry(geojson: Mapping[str, Any], *, field: str = "route") -> BaseGeometry:
    """A route as a shapely LineString (refused unless a valid GeoJSON LineString in WGS 84)."""
    xy = _route_array(geojson, field)
    _check_wgs84(xy, field)
    geometry: BaseGeometry = shapely.linestrings(xy)
    return geometry


def line_geometries(routes: Sequence[Mapping[str, Any]], *, field: str = "route") -> np.ndarray[Any, Any]:
    """Many routes at once, as an array of LineStrings (checked and built in one go)."""
    if not routes:
        return np.empty(0, dtype=object)
    parts = [_route_array(r, field) for r in routes]
    xy = np.concatenate(parts)
    _check_wgs84(xy, field)
    indices = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return np.asarray(shapely.linestrings(xy, indices=indices), dtype=object)


def _overlaps(start: datetime | None, end: datetime | None, lo: datetime, hi: datetime) -> bool:
    return (start is None or start <= hi) and (end is None or end > lo)


@dataclass(frozen=True, slots=True)
class ControlArea:
    """An area of control: its polygon, controlling party and validity."""

    area_id: str
    party_id: str
    geometry: Mapping[str, Any]
    valid_from: datetime | None = None
    valid_to: datetime | None = None


@dataclass
class AuthorityIndex:
    """An STRtree over the areas of control, answering which parties a route needs approval from."""

    areas: Sequence[ControlArea]
    tree: STRtree = field(init=False)
    geometries: np.ndarray[Any, Any] = field(init=False)

    def __post_init__(self) -> None:
        geoms = [shape(dict(a.geometry)) for a in self.areas]
        self.geometries = np.array(geoms, dtype=object)
        if len(geoms):
            invalid = ~shapely.is_valid(self.geometries)
            self.geometries[invalid] = shapely.make_valid(self.geometries[invalid])
            shapely.prepare(self.geometries)
        self.tree = STRtree(self.geometries)

    def required(
        self, routes: Sequence[BaseGeometry], windows: Sequence[tuple[datetime, datetime]]
    ) -> list[dict[str, list[str]]]:
        """For each route (and its window), the controlling parties it crosses -> the areas why."""
        result: list[dict[str, list[str]]] = [{} for _ in routes]
        if not len(routes) or not len(self.areas):
            return result
        lines = np.asarray(routes, dtype=object)
        # Envelopes from the tree, then one vectorised test against the prepared polygons (the
        # tree's own predicate would prepare every route instead).
        pairs = self.tree.query(lines)
        hits = shapely.intersects(self.geometries[pairs[1]], lines[pairs[0]])
        pairs = pairs[:, hits]
        for route_index, area_index in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            area = self.areas[area_index]
            lo, hi = windows[route_index]
            if _overlaps(area.valid_from, area.valid_to, lo, hi):
                result[route_index].setdefault(area.party_id, []).append(area.area_id)
        for found in result:
            for ids in found.values():
                ids.sort()
        return result


def naive_required(
    areas: Sequence[ControlArea], routes: Sequence[BaseGeometry], windows: Sequence[tuple[datetime, datetime]]
) -> list[dict[str, list[str]]]:
    """The baseline: every route against every polygon (no index, no preparation)."""
    polygons = [shape(dict(a.geometry)) for a in areas]
    result: list[dict[str, list[str]]] = []
    for route, (lo, hi) in zip(routes, windows, strict=True):
        found: dict[str, list[str]] = {}
        for area, polygon in zip(areas, polygons, strict=True):
            if route.intersects(polygon) and _overlaps(area.valid_from, area.valid_to, lo, hi):
                found.setdefault(area.party_id, []).append(area.area_id)
        for ids in found.values():
            ids.sort()
        result.append(found)
    return result


def authorities(
    crossed: Mapping[str, list[str]], approvers: Iterable[str], agreement_id: str | None
) -> dict[str, list[str]]:
    """Required authority -> basis ("area:<id>" for each area crossed, "agreement:<id>" if named)."""
    result = {party: [f"area:{a}" for a in areas] for party, areas in crossed.items()}
    for party in approvers:
        result.setdefault(party, []).append(f"agreement:{agreement_id}")
    return result


def _clock(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise Invalid("a window's times are HH:MM local times", field=field) from None


def check_windows(windows: Sequence[Mapping[str, str]], round_the_clock: bool) -> None:
    """A schedule is round the clock or has at least one window start < end (local times)."""
    if round_the_clock:
        if windows:
            raise Invalid("a round-the-clock corridor has no windows", field="windows")
        return
    if not windows:
        raise Invalid("a corridor opens round the clock or in windows", field="windows")
    for w in windows:
        if _clock(w["start"], "windows") == _clock(w["end"], "windows"):
            raise Invalid("a window must not start and end at the same time", field="windows")


def in_schedule(
    *, round_the_clock: bool, windows: Sequence[Mapping[str, str]], tz: str, at: datetime
) -> bool:
    """Whether the schedule has the corridor open at an instant (windows in the corridor's local time)."""
    if round_the_clock:
        return True
    local = at.astimezone(ZoneInfo(tz)).time().replace(tzinfo=None)
    for w in windows:
        start, end = _clock(w["start"], "windows"), _clock(w["end"], "windows")
        if (start <= local < end) if start < end else (local >= start or local < end):
            return True
    return False


def population_range(estimates: Sequence[Mapping[str, Any]]) -> tuple[int | None, int | None]:
    """The range the named sources give: the lowest minimum and the highest maximum."""
    lows = [int(e["min"]) for e in estimates]
    highs = [int(e.get("max") or e["min"]) for e in estimates]
    return (min(lows) if lows else None, max(highs) if highs else None)


def due_at(day: date, *, due_hour: int, tz: str) -> datetime:
    """When a post's log for a day is due: the next local morning at the due hour."""
    return datetime.combine(day + timedelta(days=1), time(due_hour), tzinfo=ZoneInfo(tz))


def overdue_days(
    *,
    active_from: date,
    active_to: date | None,
    due_hour: int,
    tz: str,
    now: datetime,
    logged: set[date],
    limit_days: int = 60,
) -> list[date]:
    """The days whose log was due by now and is missing (looking back at most limit_days)."""
    last = now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)
    if active_to is not None:
        last = min(last, active_to)
    first = max(active_from, last - timedelta(days=limit_days - 1))
    days, day = [], first
    while day <= last:
        if day not in logged and due_at(day, due_hour=due_hour, tz=tz) <= now:
            days.append(day)
        day += timedelta(days=1)
    return days


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    from math import asin, cos, radians, sin, sqrt

    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * 6_371_008.8 * asin(sqrt(a))
