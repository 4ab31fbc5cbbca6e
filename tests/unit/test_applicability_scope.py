"""Places against scopes (points, precision discs, admin regions, exclusions) and the status history."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from shapely.geometry import Point, Polygon, box

from ceasefire.determinations.applicability import (
    AgreementFacts,
    AreaShape,
    IncidentFacts,
    Reason,
    ScopeIndex,
    StanceTimeline,
    evaluate,
    in_force_periods,
)
from ceasefire.determinations.scope import ellipse
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import LocationPrecision, ScopeKind, Stance
from tests.determinations_data import incident, replay_agreements, window

START = datetime(2017, 1, 1, tzinfo=UTC)
DAY = window("2017-03-01T12:00+02:00", TimePrecision.DAY)


def agreement(agreement_id: str = "a", **overrides: object) -> AgreementFacts:
    values: dict[str, object] = {
        "id": agreement_id,
        "name": f"Agreement {agreement_id}",
        "kind": "cessation_of_hostilities",
        "starts_at": START,
        "ends_at": None,
        "timezone": "Asia/Damascus",
        "scope_kind": ScopeKind.NATIONWIDE,
        "prohibited": frozenset({"shelling"}),
        "stances": StanceTimeline.constant({"army": Stance.COMMITTED}, agreement_id=agreement_id),
    }
    values.update(overrides)
    return AgreementFacts(**values)  # type: ignore[arg-type]


def at(
    lon: float, lat: float, precision: LocationPrecision = LocationPrecision.EXACT_POINT, **extra: object
) -> IncidentFacts:
    return IncidentFacts(
        incident_id="i",
        window_start=DAY.start,
        window_end=DAY.end,
        time_precision=DAY.precision,
        longitude=lon,
        latitude=lat,
        location_precision=precision,
        act_categories=("shelling",),
        perpetrator_ids=("army",),
        **extra,  # type: ignore[arg-type]
    )


def judge(facts: IncidentFacts, *agreements: AgreementFacts) -> list[tuple[Verdict, tuple[Reason, ...]]]:
    return [(r.verdict, r.reasons) for r in evaluate(facts, agreements, ScopeIndex(agreements))]


def test_a_town_precision_point_near_the_edge_of_aleppo_straddles_it() -> None:
    aleppo = {a.id: a for a in replay_agreements()}["coh-2016-aleppo"]
    claims = {"act_categories": ("shelling",), "perpetrator_ids": ("syrian-government-forces",)}
    when = window("2016-05-10T12:00+03:00", TimePrecision.DAY)
    east_edge = (37.30, 36.19)  # ~0.9 km east of the polygon's easternmost vertex

    def result_at(
        where: tuple[float, float], precision: LocationPrecision
    ) -> tuple[Verdict, tuple[Reason, ...], str]:
        [r] = evaluate(incident("e", when, where, precision, **claims), [aleppo], ScopeIndex([aleppo]))
        return r.verdict, r.reasons, r.trace[1]

    verdict, reasons, line = result_at(east_edge, LocationPrecision.TOWN)
    assert (verdict, reasons) == (Verdict.UNCERTAIN, (Reason.LOCATION_STRADDLES_EDGE,))
    assert line == (
        "place: town precision (within 3 km of (37.3000 E, 36.1900 N)) straddles the edge of "
        "Aleppo city and its surroundings (aleppo-city) → uncertain (location straddles edge)"
    )
    assert result_at(east_edge, LocationPrecision.EXACT_POINT)[:2] == (
        Verdict.OUT_OF_SCOPE,
        (Reason.OUTSIDE_AREA,),
    )
    assert result_at((37.16, 36.20), LocationPrecision.TOWN)[:2] == (Verdict.IN_SCOPE, ())
    # A governorate-precision report from the city centre could be anywhere within ~65 km.
    assert result_at((37.16, 36.20), LocationPrecision.GOVERNORATE)[1] == (Reason.LOCATION_STRADDLES_EDGE,)
    assert result_at((36.5, 36.2), LocationPrecision.TOWN)[1] == (Reason.OUTSIDE_AREA,)


def test_a_nationwide_scope_minus_an_excluded_area() -> None:
    enclave = AreaShape("enclave", "Besieged enclave", box(36.0, 33.0, 36.2, 33.2))
    nationwide = agreement(excluded=(enclave,))
    assert judge(at(37.0, 35.0), nationwide) == [(Verdict.IN_SCOPE, ())]
    inside = evaluate(at(36.1, 33.1), [nationwide], ScopeIndex([nationwide]))[0]
    assert (inside.verdict, inside.reasons) == (Verdict.OUT_OF_SCOPE, (Reason.OUTSIDE_AREA,))
    assert inside.summary == "out of scope — outside area: inside the excluded Besieged enclave"
    assert "lies inside Besieged enclave (enclave), an area excluded from the scope" in inside.trace[1]
    # 1 km outside the enclave, at town precision: it may have happened inside it.
    near = at(36.21, 33.1, LocationPrecision.TOWN)
    assert judge(near, nationwide) == [(Verdict.UNCERTAIN, (Reason.LOCATION_STRADDLES_EDGE,))]
    # With no location at all, the exclusion makes the place uncertain.
    unknown = at(36.21, 33.1, LocationPrecision.UNKNOWN)
    assert judge(unknown, nationwide) == [(Verdict.UNCERTAIN, (Reason.LOCATION_UNKNOWN,))]
    assert judge(unknown, agreement()) == [(Verdict.IN_SCOPE, ())]


def test_an_area_scope_minus_an_excluded_area_inside_it() -> None:
    scoped = agreement(
        scope_kind=ScopeKind.AREAS,
        included=(AreaShape("province", "Province", box(36.0, 33.0, 37.0, 34.0)),),
        excluded=(AreaShape("town", "Town", box(36.4, 33.4, 36.6, 33.6)),),
    )
    assert judge(at(36.2, 33.2), scoped) == [(Verdict.IN_SCOPE, ())]
    assert judge(at(36.5, 33.5), scoped) == [(Verdict.OUT_OF_SCOPE, (Reason.OUTSIDE_AREA,))]
    assert judge(at(38.0, 33.5), scoped) == [(Verdict.OUT_OF_SCOPE, (Reason.OUTSIDE_AREA,))]


def test_a_region_crossing_from_one_included_area_into_another_is_inside() -> None:
    west = AreaShape("west", "West", box(36.0, 33.0, 36.5, 34.0))
    east = AreaShape("east", "East", box(36.5, 33.0, 37.0, 34.0))
    scoped = agreement(scope_kind=ScopeKind.AREAS, included=(west, east))
    assert judge(at(36.5, 33.5, LocationPrecision.TOWN), scoped) == [(Verdict.IN_SCOPE, ())]
    assert judge(at(36.98, 33.5, LocationPrecision.TOWN), scoped)[0][1] == (Reason.LOCATION_STRADDLES_EDGE,)


def test_an_admin_region_is_tested_as_given() -> None:
    scoped = agreement(
        scope_kind=ScopeKind.AREAS, included=(AreaShape("p", "Province", box(36.0, 33.0, 37.0, 34.0)),)
    )
    inside = at(36.5, 33.5, LocationPrecision.DISTRICT, region=box(36.2, 33.2, 36.4, 33.4))
    across = at(36.5, 33.5, LocationPrecision.DISTRICT, region=box(36.8, 33.2, 37.4, 33.4))
    assert judge(inside, scoped) == [(Verdict.IN_SCOPE, ())]
    assert judge(across, scoped) == [(Verdict.UNCERTAIN, (Reason.LOCATION_STRADDLES_EDGE,))]


def _random_polygon(rng: random.Random) -> Polygon:
    """A star-shaped polygon of 20-60 vertices around a random centre."""
    cx, cy = rng.uniform(36.0, 41.0), rng.uniform(32.5, 37.0)
    n = rng.randint(20, 60)
    points = []
    for k in range(n):
        angle = 2 * math.pi * k / n
        radius = rng.uniform(0.1, 0.6)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return Polygon(points)


def test_the_index_places_points_exactly_as_testing_every_polygon_would() -> None:
    """The fast path (STRtree, prepared geometries, distance bounds) against brute force on the
    precision disc of every incident."""
    rng = random.Random(2016)
    polygons = [_random_polygon(rng) for _ in range(40)]
    agreements = [
        agreement(f"a{i}", scope_kind=ScopeKind.AREAS, included=(AreaShape(f"p{i}", f"P{i}", p),))
        for i, p in enumerate(polygons)
    ]
    index = ScopeIndex(agreements)
    precisions = [LocationPrecision.EXACT_POINT, LocationPrecision.TOWN, LocationPrecision.DISTRICT]
    for _ in range(300):
        lon, lat, precision = rng.uniform(35.7, 42.4), rng.uniform(32.3, 37.3), rng.choice(precisions)
        facts = at(lon, lat, precision)
        found = {r.agreement_id: r for r in evaluate(facts, agreements, index)}
        region = ellipse(lon, lat, facts.radius_km) if facts.radius_km else None
        for a, polygon in zip(agreements, polygons, strict=True):
            if region is None:
                expected = Verdict.IN_SCOPE if polygon.covers(Point(lon, lat)) else Verdict.OUT_OF_SCOPE
            elif polygon.covers(region):
                expected = Verdict.IN_SCOPE
            else:
                expected = Verdict.UNCERTAIN if polygon.intersects(region) else Verdict.OUT_OF_SCOPE
            assert found[a.id].verdict is expected, (lon, lat, precision, a.id)


def test_only_candidates_leaves_out_what_the_index_rules_out_and_changes_no_verdict() -> None:
    agreements = replay_agreements()
    index = ScopeIndex(agreements)
    facts = incident(
        "c",
        window("2016-09-13T15:00+03:00", TimePrecision.DAY),
        (36.337111, 33.531),
        act_categories=("shelling",),
        perpetrator_ids=("syrian-government-forces",),
    )
    every = {r.agreement_id: (r.verdict, r.reasons) for r in evaluate(facts, agreements, index)}
    some = {
        r.agreement_id: (r.verdict, r.reasons)
        for r in evaluate(facts, agreements, index, only_candidates=True)
    }
    # In force on 13 September and nationwide; the others ended, had not begun or lie far from Jobar.
    assert set(some) == {"coh-2016", "sep-2016-arrangement"}
    assert all(every[k] == v for k, v in some.items())
    assert all(v[0] is Verdict.OUT_OF_SCOPE for k, v in every.items() if k not in some)


def test_suspension_and_reentry_make_gaps_in_force() -> None:
    history = (
        (START, "in_force"),
        (START + timedelta(days=30), "suspended"),
        (START + timedelta(days=40), "in_force"),
        (START + timedelta(days=90), "collapsed"),
    )
    periods = in_force_periods(START, None, history)
    assert [(p.start, p.end, p.start_cause, p.end_cause) for p in periods] == [
        (START, START + timedelta(days=30), "start", "suspended"),
        (START + timedelta(days=40), START + timedelta(days=90), "in_force", "collapsed"),
    ]
    suspended = agreement(status_history=history)
    gap = START + timedelta(days=35)
    result = evaluate(
        IncidentFacts(
            "g",
            gap,
            gap,
            TimePrecision.EXACT,
            37.0,
            35.0,
            LocationPrecision.EXACT_POINT,
            act_categories=("shelling",),
            perpetrator_ids=("army",),
        ),
        [suspended],
        ScopeIndex([suspended]),
    )[0]
    assert result.reasons == (Reason.NOT_IN_FORCE,)
    assert "(suspended) and before the re-entry into force" in result.trace[0]
    week = TimeWindow(START + timedelta(days=38), START + timedelta(days=45), TimePrecision.WEEK)
    straddling = evaluate(
        IncidentFacts(
            "w",
            week.start,
            week.end,
            week.precision,
            37.0,
            35.0,
            LocationPrecision.EXACT_POINT,
            act_categories=("shelling",),
            perpetrator_ids=("army",),
        ),
        [suspended],
        ScopeIndex([suspended]),
    )[0]
    assert straddling.reasons == (Reason.TIME_STRADDLES_START,)
    late = START + timedelta(days=100)
    after = evaluate(
        IncidentFacts(
            "l",
            late,
            late,
            TimePrecision.EXACT,
            37.0,
            35.0,
            LocationPrecision.EXACT_POINT,
            act_categories=("shelling",),
            perpetrator_ids=("army",),
        ),
        [suspended],
        ScopeIndex([suspended]),
    )[0]
    assert after.reasons == (Reason.AFTER_END,)
    assert "(collapsed)" in after.summary
