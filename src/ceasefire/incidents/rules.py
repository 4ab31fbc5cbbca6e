"""What an incident is, derived from its claims (pure): when, where, how many, who disputes what, grade.

Nothing here is typed in by a person; the service stores the result as a cache on the incident.

- **Time window**: the intersection of the windows the claims stand for (each claimed time at its
  precision), with the finest precision among them; when the windows do not all meet, the span from
  the earliest start to the latest end, with the coarsest precision, flagged as a time conflict.
- **Place**: the location of the most precise claim (exact point, then town, district,
  governorate), credible claims first, then the oldest; `spread_km` is how far the other claimed
  points lie from it.
- **Casualties** (the conservative rule of the brief, "the lowest credible reported figure"): for
  each measure (killed, injured, women killed, children killed) the incident's range runs from the
  lowest minimum to the highest maximum reported by the *counted* claims: credible (see
  `ClaimFacts.credible`), not withdrawn, and not denials. Its low end is the headline figure. Claims
  that are not counted still appear in the per-source table with the reason. No counted figure
  gives no range.
- Denials, withdrawn claims and everything else take part in contradictions and the grade as
  described in contradictions.py and grading.py. The basis of window and place is the claims that
  describe the event (assert, confirm or counter-accuse; all active claims when none does): a
  denial's time frame is the period it covers, not the time of the event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceasefire.incidents.contradictions import Contradiction, ContradictionKind, find_contradictions
from ceasefire.incidents.facts import MEASURES, Casualties, ClaimFacts, ClaimSet, Range, source_key_for
from ceasefire.incidents.grading import grade
from ceasefire.incidents.sides import assign_sides, side_of
from ceasefire.incidents.stages import check_transition
from ceasefire.kernel.claims import ClaimStance, Grade
from ceasefire.kernel.time import TimePrecision
from ceasefire.kernel.vocab import LocationPrecision
from ceasefire.places.rules import distance_km

__all__ = [
    "Casualties",
    "ClaimFacts",
    "Contradiction",
    "ContradictionKind",
    "Derived",
    "DerivedCasualties",
    "DerivedPlace",
    "DerivedWindow",
    "Figure",
    "Range",
    "assign_sides",
    "check_transition",
    "derive",
    "side_of",
    "source_key_for",
]

TIME_ORDER = (TimePrecision.EXACT, TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH)
PLACE_ORDER = (
    LocationPrecision.EXACT_POINT,
    LocationPrecision.TOWN,
    LocationPrecision.DISTRICT,
    LocationPrecision.GOVERNORATE,
    LocationPrecision.UNKNOWN,
)
CASUALTY_RULE = (
    "incident range = lowest minimum to highest maximum reported by credible, active, non-denying "
    "claims; the lowest figure is the conservative one"
)


@dataclass(frozen=True, slots=True)
class DerivedWindow:
    """When the incident happened, as far as its claims tell."""

    start: datetime
    end: datetime
    precision: TimePrecision
    conflict: bool
    claims: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DerivedPlace:
    """Where the incident happened: the most precise claimed location."""

    latitude: float | None
    longitude: float | None
    precision: LocationPrecision
    place_id: str | None
    claim: str
    spread_km: float | None
    points: int


@dataclass(frozen=True, slots=True)
class Figure:
    """One claim's casualty figures and whether the incident's range counts them."""

    claim: str
    side: str
    stance: ClaimStance
    casualties: Casualties
    counted: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class DerivedCasualties:
    """The incident's ranges by the conservative rule, and every claim's own figures."""

    killed: Range | None = None
    injured: Range | None = None
    women_killed: Range | None = None
    children_killed: Range | None = None
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """How the derivation refers to one claim."""

    ref: str
    report_id: str
    lineage_id: str
    side: str
    stance: ClaimStance
    credible: bool
    withdrawn: bool


@dataclass(frozen=True, slots=True)
class Derived:
    """Everything the rules derive for one incident."""

    claims: tuple[ClaimRef, ...]
    window: DerivedWindow | None
    place: DerivedPlace | None
    casualties: DerivedCasualties
    contradictions: tuple[Contradiction, ...]
    grade: Grade
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON stored on the incident (references and side labels, no source identities)."""
        window = self.window
        return {
            "claims": [_claim_json(c) for c in self.claims],
            "window": None
            if window is None
            else {
                "start": window.start.isoformat(),
                "end": window.end.isoformat(),
                "precision": window.precision.value,
                "conflict": window.conflict,
                "claims": list(window.claims),
            },
            "place": None if self.place is None else _place_json(self.place),
            "casualties": _casualties_json(self.casualties),
            "contradictions": [_contradiction_json(c) for c in self.contradictions],
            "grade": self.grade.value,
            "reasons": list(self.reasons),
        }


def _range_json(value: Range | None) -> dict[str, int] | None:
    return None if value is None else {"min": value.low, "max": value.high}


def _claim_json(claim: ClaimRef) -> dict[str, Any]:
    return {
        "ref": claim.ref,
        "report_id": claim.report_id,
        "lineage_id": claim.lineage_id,
        "side": claim.side,
        "stance": claim.stance.value,
        "credible": claim.credible,
        "withdrawn": claim.withdrawn,
    }


def _place_json(place: DerivedPlace) -> dict[str, Any]:
    return {
        "latitude": place.latitude,
        "longitude": place.longitude,
        "precision": place.precision.value,
        "place_id": place.place_id,
        "claim": place.claim,
        "spread_km": place.spread_km,
        "points": place.points,
    }


def _casualties_json(casualties: DerivedCasualties) -> dict[str, Any]:
    figures = [
        {
            "claim": f.claim,
            "side": f.side,
            "stance": f.stance.value,
            "counted": f.counted,
            "note": f.note,
            **{m: _range_json(getattr(f.casualties, m)) for m in MEASURES},
        }
        for f in casualties.figures
    ]
    ranges = {m: _range_json(getattr(casualties, m)) for m in MEASURES}
    return {**ranges, "rule": CASUALTY_RULE, "figures": figures}


def _contradiction_json(contradiction: Contradiction) -> dict[str, Any]:
    return {
        "kind": contradiction.kind.value,
        "claims": list(contradiction.claims),
        "report_ids": list(contradiction.report_ids),
        "description": contradiction.description,
        "contesting": contradiction.contesting,
    }


def _window_meets(windows: Sequence[tuple[datetime, datetime]], at: datetime) -> bool:
    return all(start <= at and (at < end or start == end) for start, end in windows)


def derive_window(claims: ClaimSet, basis: Sequence[ClaimFacts]) -> DerivedWindow | None:
    """The intersection of the claimed windows, or their span flagged as a conflict."""
    if not basis:
        return None
    spans = [(c.window.start, c.window.end) for c in basis]
    precisions = sorted((c.window.precision for c in basis), key=TIME_ORDER.index)
    refs = claims.refs(basis)
    start, end = max(s for s, _ in spans), min(e for _, e in spans)
    if start < end or (start == end and _window_meets(spans, start)):
        return DerivedWindow(start, end, precisions[0], conflict=False, claims=refs)
    return DerivedWindow(
        min(s for s, _ in spans), max(e for _, e in spans), precisions[-1], conflict=True, claims=refs
    )


def derive_place(claims: ClaimSet, basis: Sequence[ClaimFacts]) -> DerivedPlace | None:
    """The most precise claimed location, with how far the other claimed points lie from it."""
    located = [c for c in basis if c.has_point or c.place_id is not None]
    if not located:
        return None
    order = {c.lineage_id: i for i, c in enumerate(basis)}
    best = min(
        located,
        key=lambda c: (
            PLACE_ORDER.index(c.location_precision),
            not c.has_point,
            not c.credible,
            order[c.lineage_id],
        ),
    )
    points = [c for c in basis if c.has_point]
    spread = None
    if best.has_point and len(points) > 1:
        lon, lat = best.longitude or 0.0, best.latitude or 0.0
        spread = max(distance_km(lon, lat, c.longitude or 0.0, c.latitude or 0.0) for c in points)
    return DerivedPlace(
        best.latitude,
        best.longitude,
        best.location_precision,
        best.place_id,
        claims.ref(best),
        None if spread is None else round(spread, 3),
        len(points),
    )


def _not_counted(claim: ClaimFacts) -> str | None:
    """Why a claim's figures are left out of the incident's range (None when they count)."""
    if claim.withdrawn:
        return "withdrawn"
    if claim.stance is ClaimStance.DENIES:
        return "a denial"
    if not claim.credible:
        return "source not identified in the registry"
    return None


def derive_casualties(claims: ClaimSet) -> DerivedCasualties:
    """The incident's casualty ranges by the conservative rule, and the per-claim table."""
    figures = tuple(
        Figure(
            claims.ref(c),
            claims.side_label(c),
            c.stance,
            c.casualties,
            _not_counted(c) is None,
            _not_counted(c),
        )
        for c in claims.claims
    )
    ranges: dict[str, Range | None] = {}
    for measure in MEASURES:
        given = [r for f in figures if f.counted and (r := getattr(f.casualties, measure)) is not None]
        ranges[measure] = Range(min(r.low for r in given), max(r.high for r in given)) if given else None
    return DerivedCasualties(**ranges, figures=figures)


def derive(
    claims: Sequence[ClaimFacts],
    *,
    sides: Mapping[str, str] | None = None,
    dismissed_because: str | None = None,
) -> Derived:
    """Derive window, place, casualties, contradictions and grade from an incident's claims.

    `claims` come in the incident's order (they are referred to as C1, C2, ... in that order);
    `sides` maps party ids (sources, perpetrators, targets) to their sides; a party missing from
    it is its own side. `dismissed_because` is the reason of a dismissal (the grade is then
    discounted).
    """
    claim_set = ClaimSet(claims, sides or {})
    basis = [c for c in claim_set.active if c.accuses] or claim_set.active
    contradictions = find_contradictions(claim_set)
    grade_, reasons = grade(claim_set, contradictions, dismissed_because=dismissed_because)
    refs = tuple(
        ClaimRef(
            claim_set.ref(c),
            c.report_id,
            c.lineage_id,
            claim_set.side_label(c),
            c.stance,
            c.credible,
            c.withdrawn,
        )
        for c in claim_set.claims
    )
    return Derived(
        claims=refs,
        window=derive_window(claim_set, basis),
        place=derive_place(claim_set, basis),
        casualties=derive_casualties(claim_set),
        contradictions=tuple(contradictions),
        grade=grade_,
        reasons=tuple(reasons),
    )
