"""What the applicability rules judge: an incident's when, where, what and who, and an agreement's
time scope, in-force periods, geographic scope, prohibited acts and parties' dated stances.

Pure values (no database): the service builds them from the stored claims and registries, tests and
benchmarks build them by hand.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from shapely.geometry.base import BaseGeometry

from ceasefire.agreements.rules import NOT_IN_FORCE
from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.time import TimePrecision, require_aware
from ceasefire.kernel.vocab import AgreementStatus, LocationPrecision, ScopeKind, Stance

# How far from its point an event may have happened at each location precision, in km. A town
# point stands for the town or city district around it (Jobar, a Damascus district, is ~2 km
# across; a town ~3-5 km); an ACLED "district" (precision 2) for a Syrian district, on average
# ~3,000 km2 (62 districts over 185,000 km2: radius ~30 km); a governorate for one of 14, on average
# ~13,000 km2 (radius ~65 km). Callers that know better pass `uncertainty_km` or the admin `region`.
LOCATION_RADIUS_KM: dict[LocationPrecision, float] = {
    LocationPrecision.EXACT_POINT: 0.0,
    LocationPrecision.TOWN: 3.0,
    LocationPrecision.DISTRICT: 30.0,
    LocationPrecision.GOVERNORATE: 65.0,
}


@dataclass(frozen=True, slots=True)
class StanceFact:
    """A party's effective stance toward an agreement, and where it comes from."""

    party_id: str
    stance: Stance
    from_agreement_id: str
    inherited: bool = False
    source: str | None = None


class StanceTimeline:
    """Each party's effective stance toward one agreement, day by day.

    Stances are piecewise constant: `segments` are (first day, {party id: stance}) pairs, each valid
    until the next one starts; before the first, no party has a stance. Days are calendar days in
    the agreement's zone, as stance records are.
    """

    __slots__ = ("_days", "_maps")

    def __init__(self, segments: Iterable[tuple[date, Mapping[str, StanceFact]]] = ()) -> None:
        ordered = sorted(segments, key=lambda segment: segment[0])
        self._days = [day for day, _ in ordered]
        self._maps = [dict(stances) for _, stances in ordered]

    @classmethod
    def constant(
        cls, stances: Mapping[str, Stance], *, agreement_id: str, since: date = date.min
    ) -> StanceTimeline:
        """The same stances every day from `since` (for tests, benchmarks and simple registries)."""
        facts = {pid: StanceFact(pid, stance, agreement_id) for pid, stance in stances.items()}
        return cls([(since, facts)])

    def constant_from(self) -> tuple[date, Mapping[str, StanceFact]] | None:
        """(first day, stances) when the stances never change (no segment: from date.min, none), else None."""
        if not self._days:
            return date.min, {}
        return (self._days[0], self._maps[0]) if len(self._days) == 1 else None

    def on(self, party_id: str, day: date) -> StanceFact | None:
        """The party's stance on that day, or None when it has none."""
        i = bisect_right(self._days, day) - 1
        return self._maps[i].get(party_id) if i >= 0 else None

    def holds(self, party_id: str, stance: Stance, first: date, last: date) -> bool | None:
        """True when the party holds the stance every day from `first` to `last`, False when on no
        day, None when it changes in between."""
        days, maps = self._days, self._maps
        i = bisect_right(days, first) - 1
        fact = maps[i].get(party_id) if i >= 0 else None
        found = fact is not None and fact.stance is stance
        for j in range(i + 1, len(days)):
            if days[j] > last:
                break
            fact = maps[j].get(party_id)
            if (fact is not None and fact.stance is stance) is not found:
                return None
        return found

    def during(self, party_id: str, first: date, last: date) -> list[tuple[date, StanceFact | None]]:
        """The party's successive stances from `first` to `last` (inclusive), each with its first day."""
        days, maps = self._days, self._maps
        i = bisect_right(days, first) - 1
        found: list[tuple[date, StanceFact | None]] = [(first, maps[i].get(party_id) if i >= 0 else None)]
        for j in range(i + 1, len(days)):
            if days[j] > last:
                break
            fact = maps[j].get(party_id)
            if fact != found[-1][1]:
                found.append((days[j], fact))
        return found


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch during which an agreement was in force: [start, end), end None = open-ended.

    `start_cause` is "start" (its time scope begins) or "in_force" (a re-entry after a suspension);
    `end_cause` is "end" (its time scope ends), a status (suspended, lapsed, collapsed) or None.
    """

    start: datetime
    end: datetime | None
    start_cause: str = "start"
    end_cause: str | None = None


def in_force_periods(
    starts_at: datetime, ends_at: datetime | None, history: Sequence[tuple[datetime, str]]
) -> tuple[Period, ...]:
    """When an agreement was in force: its time scope minus the spells its status history took it out.

    Mirrors `agreements.rules.is_in_force`: in force at an instant inside the time scope unless the
    latest status at or before it is suspended, lapsed or collapsed.
    """
    events = sorted(history, key=lambda entry: entry[0])
    latest_at_start = None
    for at, status in events:
        if at <= starts_at:
            latest_at_start = status
    found: list[Period] = []
    open_at: datetime | None = starts_at if latest_at_start not in NOT_IN_FORCE else None
    cause = "start"
    for at, status in events:
        if at <= starts_at:
            continue
        if ends_at is not None and at >= ends_at:
            break
        active = status not in NOT_IN_FORCE
        if active and open_at is None:
            open_at, cause = at, AgreementStatus.IN_FORCE.value
        elif not active and open_at is not None:
            found.append(Period(open_at, at, cause, str(status)))
            open_at = None
    if open_at is not None:
        found.append(Period(open_at, ends_at, cause, "end" if ends_at is not None else None))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class AreaShape:
    """A polygon of an agreement's geographic scope (WGS 84 longitude/latitude)."""

    area_id: str
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    """One agreement as the rules see it. `status_history` is (at, status) pairs, any order."""

    id: str
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    scope_kind: ScopeKind
    included: tuple[AreaShape, ...] = ()
    excluded: tuple[AreaShape, ...] = ()
    prohibited: frozenset[str] = frozenset()
    stances: StanceTimeline = field(default_factory=StanceTimeline)
    status_history: tuple[tuple[datetime, str], ...] = ()
    periods: tuple[Period, ...] = field(init=False)

    def __post_init__(self) -> None:
        start = require_aware(self.starts_at, field="starts_at")
        end = require_aware(self.ends_at, field="ends_at") if self.ends_at is not None else None
        object.__setattr__(self, "periods", in_force_periods(start, end, self.status_history))


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """One incident as the rules see it, derived from its current claims.

    - time: the UTC window [window_start, window_end) the claims allow (equal ends: an exact
      instant), with the precision it was claimed at; None when no claim gives a time;
    - place: a point with a precision (see LOCATION_RADIUS_KM), an `uncertainty_km` overriding the
      precision's radius, or the `region` (an admin polygon) the event happened somewhere in;
    - act: the act categories the claims allege (several when they describe it differently);
    - who: parties named as perpetrator by claims that assert, confirm or counter-accuse
      (`perpetrator_ids`; several = disputed), names no party matched (`perpetrator_texts`), parties
      named only by denials (`denied_ids`), the parties whose claims deny (`denied_by`), the target
      parties (`target_ids`) and what the target is (`target_kind`).
    """

    incident_id: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    time_precision: TimePrecision | None = None
    longitude: float | None = None
    latitude: float | None = None
    location_precision: LocationPrecision = LocationPrecision.UNKNOWN
    uncertainty_km: float | None = None
    region: BaseGeometry | None = None
    act_categories: tuple[str, ...] = ()
    perpetrator_ids: tuple[str, ...] = ()
    perpetrator_texts: tuple[str, ...] = ()
    denied_ids: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()
    target_ids: tuple[str, ...] = ()
    target_kind: str | None = None
    party_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.window_start is None) != (self.window_end is None):
            raise Invalid("give both ends of the time window, or neither", field="window_end")
        start, end = self.window_start, self.window_end
        if start is not None and end is not None and end < require_aware(start, field="window_start"):
            raise Invalid("the time window ends before it starts", code="end_before_start")
        if (self.longitude is None) != (self.latitude is None):
            raise Invalid("give both longitude and latitude, or neither", field="latitude")
        if self.uncertainty_km is not None and not (
            math.isfinite(self.uncertainty_km) and self.uncertainty_km >= 0
        ):
            raise Invalid("uncertainty_km must be a non-negative number", field="uncertainty_km")

    @property
    def has_point(self) -> bool:
        """Whether a position is known (at any precision other than unknown)."""
        return self.longitude is not None and self.location_precision is not LocationPrecision.UNKNOWN

    @property
    def radius_km(self) -> float:
        """How far from its point the event may have happened."""
        if self.uncertainty_km is not None:
            return self.uncertainty_km
        return LOCATION_RADIUS_KM.get(self.location_precision, 0.0)

    def name_of(self, party_id: str) -> str:
        """A party's name for traces: 'Name (id)', or the id when no name is known."""
        name = self.party_names.get(party_id)
        return f"{name} ({party_id})" if name and name != party_id else party_id
