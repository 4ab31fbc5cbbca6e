"""Applicability throughput: 100,000 synthetic incidents judged against 200 agreements with polygon scopes.

Measures the CPU time of one process (one core) to judge incidents with `evaluate_many` /
`evaluate` and a `ScopeIndex` (STRtree over every scope polygon, prepared geometries, distance
bounds, arrays of in-force spans and prohibited acts, whole-array verdicts), against a naive
baseline in the same run: the same rules, but every polygon of every agreement tested with shapely's
`covers`/`intersects` on unprepared copies for every incident, no index, no prefilter. The baseline
runs on a subsample and its per-incident rate is extrapolated. For reference, a smarter naive loop
(polygons only for the agreements in force) is measured too. Every verdict of ours on the subsample
is compared with the baseline's: they must be identical.

"Candidates listed" answers with the agreements that could apply: those not out of scope by time,
place or prohibited act (judged in full, every check); the others are out of scope by the
whole-array tests and not listed. "Every agreement listed" answers with all 200 verdicts.

Synthetic data over Syria's bounding box (35.7-42.4 E, 32.3-37.3 N), 2012-2024: 200 agreements, a
third nationwide with 0-3 excluded areas, the rest scoped to 1-3 areas; star-shaped polygons of
20-200 vertices, 5-80 km across; open-ended, short (days) and long (months to years) time scopes,
some suspended or collapsed; 40 parties with stances that sometimes change mid-way. Incidents: exact,
day, week and month time precision; exact point, town, district, governorate and unknown location
precision; 0-2 perpetrators and 0-1 target.

Run: python -m benchmarks.applicability [--incidents N] [--baseline N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from benchmarks.harness import Measurement, as_dict, render_table, write_results
from ceasefire.determinations.applicability import (
    AgreementFacts,
    Applicability,
    AreaShape,
    IncidentFacts,
    ScopeIndex,
    evaluate,
    evaluate_many,
)
from ceasefire.determinations.checks import (
    check_act,
    check_perpetrator,
    check_place,
    check_target,
    check_time,
    local_days,
)
from ceasefire.determinations.facts import StanceFact, StanceTimeline
from ceasefire.determinations.scope import PlaceVerdict, ellipse
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import ActCategory, LocationPrecision, ScopeKind, Stance

GOALS = {"incidents_per_second": 10_000, "speedup": 20.0}
WEST, SOUTH, EAST, NORTH = 35.7, 32.3, 42.4, 37.3
EPOCH = datetime(2012, 1, 1, tzinfo=UTC)
YEARS = 13
ACTS = [a.value for a in ActCategory]
PARTIES = [f"party-{i}" for i in range(40)]


def polygon(rng: random.Random) -> Polygon:
    """A star-shaped polygon of 20-200 vertices, 5-80 km across, somewhere in the box."""
    cx, cy = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
    size = rng.uniform(0.025, 0.4)
    n = rng.randint(20, 200)
    ring = []
    for k in range(n):
        angle = 2 * math.pi * k / n
        r = size * rng.uniform(0.6, 1.0)
        ring.append((cx + r * math.cos(angle) / math.cos(math.radians(cy)), cy + r * math.sin(angle)))
    return Polygon(ring)


def stances(rng: random.Random, agreement_id: str, start: date) -> StanceTimeline:
    """Random stances of the parties; in one agreement of ten they change half-way through a year."""
    weights = [(Stance.COMMITTED, 50), (Stance.EXCLUDED, 5), (Stance.REJECTED, 10), (Stance.UNKNOWN, 10)]

    def draw() -> dict[str, StanceFact]:
        chosen = {}
        for party in PARTIES:
            if rng.random() < 0.25:
                continue
            stance = rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
            chosen[party] = StanceFact(party, stance, agreement_id)
        return chosen

    segments = [(start, draw())]
    if rng.random() < 0.1:
        segments.append((start + timedelta(days=rng.randint(1, 365)), draw()))
    return StanceTimeline(segments)


def agreements(rng: random.Random, count: int = 200) -> list[AgreementFacts]:
    """A registry of agreements with random scopes, periods, obligations and stances."""
    found = []
    for i in range(count):
        nationwide = rng.random() < 1 / 3
        start = EPOCH + timedelta(days=rng.uniform(0, 365 * (YEARS - 1)))
        kind = rng.random()
        length = (
            None
            if kind < 0.25
            else timedelta(days=rng.uniform(1, 10) if kind < 0.5 else rng.uniform(30, 1000))
        )
        end = start + length if length is not None else None
        history: tuple[tuple[datetime, str], ...] = ((start, "in_force"),)
        if rng.random() < 0.1:
            span = length or timedelta(days=500)
            history += ((start + span * 0.5, rng.choice(["suspended", "collapsed"])),)
        acts = rng.sample(ACTS, rng.randint(2, 6))
        if rng.random() < 0.5:
            acts.append(ActCategory.ARMED_ATTACK.value)
        shapes = [AreaShape(f"area-{i}-{k}", f"Area {i}.{k}", polygon(rng)) for k in range(rng.randint(1, 3))]
        found.append(
            AgreementFacts(
                id=f"agreement-{i}",
                name=f"Agreement {i}",
                kind="local_reconciliation",
                starts_at=start,
                ends_at=end,
                timezone="Asia/Damascus",
                scope_kind=ScopeKind.NATIONWIDE if nationwide else ScopeKind.AREAS,
                included=() if nationwide else tuple(shapes),
                excluded=tuple(shapes[: rng.randint(0, 3)]) if nationwide else (),
                prohibited=frozenset(acts),
                stances=stances(rng, f"agreement-{i}", start.date()),
                status_history=history,
            )
        )
    return found


_TIME = [
    (TimePrecision.EXACT, 20),
    (TimePrecision.DAY, 50),
    (TimePrecision.WEEK, 20),
    (TimePrecision.MONTH, 10),
]
_PLACE = [
    (LocationPrecision.EXACT_POINT, 30),
    (LocationPrecision.TOWN, 40),
    (LocationPrecision.DISTRICT, 20),
    (LocationPrecision.GOVERNORATE, 7),
    (LocationPrecision.UNKNOWN, 3),
]


def incidents(rng: random.Random, count: int) -> list[IncidentFacts]:
    """Random incidents: times, places and precisions, acts, perpetrators and targets."""
    found = []
    for i in range(count):
        at = EPOCH + timedelta(seconds=rng.uniform(0, YEARS * 365 * 86400))
        when = TimeWindow.around(at, rng.choices(*zip(*_TIME, strict=True))[0])
        place = rng.choices(*zip(*_PLACE, strict=True))[0]
        named = rng.random()
        perpetrators = () if named < 0.1 else tuple(rng.sample(PARTIES, 1 if named < 0.85 else 2))
        found.append(
            IncidentFacts(
                incident_id=f"incident-{i}",
                window_start=when.start,
                window_end=when.end,
                time_precision=when.precision,
                longitude=rng.uniform(WEST, EAST),
                latitude=rng.uniform(SOUTH, NORTH),
                location_precision=place,
                act_categories=tuple(rng.sample(ACTS, rng.choice((1, 1, 2)))),
                perpetrator_ids=perpetrators,
                perpetrator_texts=("unidentified gunmen",) if rng.random() < 0.05 else (),
                target_ids=(rng.choice(PARTIES),) if rng.random() < 0.4 else (),
            )
        )
    return found


# --- the naive baseline ----------------------------------------------------------------------


def _spot(geometry: BaseGeometry, incident: IncidentFacts, region: BaseGeometry | None) -> str:
    if region is None:
        return "inside" if geometry.covers(Point(incident.longitude, incident.latitude)) else "outside"
    if geometry.covers(region):
        return "inside"
    return "edge" if geometry.intersects(region) else "outside"


def naive_place(
    agreement: AgreementFacts, incident: IncidentFacts, region: BaseGeometry | None
) -> PlaceVerdict:
    """The place verdict by testing every polygon of the agreement (unprepared, no index)."""
    if not incident.has_point:
        bare = agreement.scope_kind is ScopeKind.NATIONWIDE and not agreement.excluded
        return PlaceVerdict("nationwide" if bare else "unknown")
    excluded = [(s, _spot(s.geometry, incident, region)) for s in agreement.excluded]
    for shape, spot in excluded:
        if spot == "inside":
            return PlaceVerdict("excluded", shape.area_id, shape.name)
    if agreement.scope_kind is ScopeKind.NATIONWIDE:
        included = PlaceVerdict("nationwide")
    else:
        spots = [(s, _spot(s.geometry, incident, region)) for s in agreement.included]
        inside = [s for s, spot in spots if spot == "inside"]
        edges = [s for s, spot in spots if spot == "edge"]
        if inside:
            included = PlaceVerdict("inside", inside[0].area_id, inside[0].name)
        elif not edges:
            included = PlaceVerdict("outside", None, ", ".join(s.name for s in agreement.included))
        elif (
            len(edges) > 1
            and region is not None
            and shapely.union_all([s.geometry for s in edges]).covers(region)
        ):
            included = PlaceVerdict("inside", None, ", ".join(s.name for s in edges))
        else:
            included = PlaceVerdict("edge", edges[0].area_id, edges[0].name)
    if included.spot in ("inside", "nationwide"):
        for shape, spot in excluded:
            if spot == "edge":
                return PlaceVerdict("edge", shape.area_id, shape.name)
    return included


def naive_evaluate(
    incident: IncidentFacts, registry: Sequence[AgreementFacts], *, time_first: bool = False
) -> list[tuple[Verdict, tuple[str, ...]]]:
    """Every agreement judged with the same rules, places tested polygon by polygon, unprepared.

    As the brief defines the baseline, every polygon is tested for every incident; with `time_first`
    the place is only tested for agreements in force during the window (a smarter naive loop).
    """
    region = None
    if incident.has_point and incident.radius_km > 0:
        region = ellipse(float(incident.longitude or 0), float(incident.latitude or 0), incident.radius_km)
    places = None if time_first else [naive_place(a, incident, region) for a in registry]
    found: list[tuple[Verdict, tuple[str, ...]]] = []
    for n, agreement in enumerate(registry):
        time_step, span = check_time(incident, agreement)
        steps = [time_step]
        if time_step.outcome is not Verdict.OUT_OF_SCOPE:
            days = local_days(span, agreement.timezone) if span is not None else None
            place = places[n] if places is not None else naive_place(agreement, incident, region)
            steps.append(check_place(place))
            if steps[-1].outcome is not Verdict.OUT_OF_SCOPE:
                steps.append(check_act(incident, agreement))
            if steps[-1].outcome is not Verdict.OUT_OF_SCOPE:
                steps.append(check_perpetrator(incident, agreement, days))
            if steps[-1].outcome is not Verdict.OUT_OF_SCOPE:
                steps.append(check_target(incident, agreement, days))
        last = steps[-1]
        if last.outcome is Verdict.OUT_OF_SCOPE:
            found.append((Verdict.OUT_OF_SCOPE, (str(last.reason),)))
            continue
        doubts = tuple(str(s.reason) for s in steps if s.outcome is Verdict.UNCERTAIN)
        found.append((Verdict.UNCERTAIN if doubts else Verdict.IN_SCOPE, doubts))
    return found


def unprepared(registry: Sequence[AgreementFacts]) -> list[AgreementFacts]:
    """The same agreements over fresh, never prepared copies of their polygons."""

    def copy(shapes: tuple[AreaShape, ...]) -> tuple[AreaShape, ...]:
        return tuple(
            AreaShape(s.area_id, s.name, shapely.from_wkb(shapely.to_wkb(s.geometry))) for s in shapes
        )

    return [
        AgreementFacts(
            id=a.id,
            name=a.name,
            kind=a.kind,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            timezone=a.timezone,
            scope_kind=a.scope_kind,
            included=copy(a.included),
            excluded=copy(a.excluded),
            prohibited=a.prohibited,
            stances=a.stances,
            status_history=a.status_history,
        )
        for a in registry
    ]


def _key(result: Applicability) -> tuple[Verdict, tuple[str, ...]]:
    return result.verdict, tuple(str(r) for r in result.reasons)


def measure(case: str, run: Callable[[], int], *, repeats: int = 3) -> Measurement:
    """Like harness.measure, but timing the CPU time of this process: the machine may be shared,
    and the goal is a rate on one core, which CPU time measures whatever else runs beside it."""
    operations = run()
    result = Measurement(case, operations)
    for _ in range(repeats):
        start = time.process_time()
        run()
        result.seconds.append(time.process_time() - start)
    return result


def run(judge: Callable[[IncidentFacts], object], batch: Sequence[IncidentFacts]) -> Callable[[], int]:
    def go() -> int:
        for incident in batch:
            judge(incident)
        return len(batch)

    return go


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=1_000, help="incidents in the baseline's subsample")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per case (median reported)")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    registry = agreements(rng, args.agreements)
    batch = incidents(rng, args.incidents)
    index = ScopeIndex(registry)
    polygons = sum(len(a.included) + len(a.excluded) for a in registry)
    vertices = sum(len(s.geometry.exterior.coords) - 1 for a in registry for s in (*a.included, *a.excluded))
    naive_registry = unprepared(registry)
    sample = batch[: args.baseline]
    full_sample = batch[: max(args.baseline * 10, 10_000)]
    one_by_one = batch[: max(args.baseline * 20, 20_000)]

    # The verdicts must not depend on the method: compare every (incident, agreement) of the sample.
    mismatches = 0
    listed = 0
    bulk = evaluate_many(sample, registry, index, only_candidates=True)
    for incident, bulk_listed in zip(sample, bulk, strict=True):
        ours = [_key(r) for r in evaluate(incident, registry, index)]
        theirs = naive_evaluate(incident, naive_registry)
        mismatches += sum(1 for a, b in zip(ours, theirs, strict=True) if a != b)
        by_id = dict(zip((a.id for a in registry), ours, strict=True))
        candidates = {
            r.agreement_id: _key(r) for r in evaluate(incident, registry, index, only_candidates=True)
        }
        listed += len(candidates)
        mismatches += sum(1 for k, v in candidates.items() if by_id[k] != v)
        mismatches += sum(1 for r in bulk_listed if by_id[r.agreement_id] != _key(r))
        mismatches += abs(len(bulk_listed) - len(candidates))
        # Every agreement left out of the candidates is out of scope.
        mismatches += sum(
            1 for k, v in by_id.items() if k not in candidates and v[0] is not Verdict.OUT_OF_SCOPE
        )

    # The registry and 100,000 incidents are built once and live for the whole run: moving them out
    # of the cyclic garbage collector's sight (as a long-running service would after loading) keeps
    # its passes from rescanning them while verdicts are made.
    gc.collect()
    gc.freeze()
    r = args.repeats

    def bulk_run() -> int:
        for start in range(0, len(batch), 10_000):
            evaluate_many(batch[start : start + 10_000], registry, index, only_candidates=True)
        return len(batch)

    bulk_case = measure(
        "evaluate_many + ScopeIndex (bulk tree queries), candidates listed", bulk_run, repeats=r
    )
    single_case = measure(
        "evaluate + ScopeIndex, one incident at a time, candidates listed",
        run(lambda i: evaluate(i, registry, index, only_candidates=True), one_by_one),
        repeats=r,
    )
    full_case = measure(
        "evaluate_many + ScopeIndex, every agreement listed",
        lambda: len(evaluate_many(full_sample, registry, index)),
        repeats=r,
    )
    base = measure(
        "baseline: every polygon for every incident, unprepared, no index",
        run(lambda i: naive_evaluate(i, naive_registry), sample),
        repeats=r,
    )
    smarter = measure(
        "naive, polygons only for agreements in force (for reference)",
        run(lambda i: naive_evaluate(i, naive_registry, time_first=True), sample),
        repeats=r,
    )
    cases: list[Measurement] = [bulk_case, single_case, full_case, base, smarter]

    rows = [
        (
            m.case,
            f"{m.operations:,}",
            f"{m.median_seconds * 1e6 / m.operations:.1f}",
            f"{m.per_second:,.0f}",
            f"{m.per_second / base.per_second:.1f}x",
        )
        for m in cases
    ]
    title = (
        f"Applicability: {len(batch):,} incidents x {len(registry)} agreements "
        f"({polygons} polygons, {vertices:,} vertices); CPU time of one process; "
        f"baseline on {len(sample):,} incidents"
    )
    table = render_table(
        title, rows, ("case", "incidents", "median µs/incident", "incidents/s", "vs baseline")
    )
    rate, speedup = bulk_case.per_second, bulk_case.per_second / base.per_second
    single_rate = single_case.per_second
    verdict = [
        (
            "incidents/s (evaluate_many, candidates listed)",
            f"{rate:,.0f}",
            f">= {GOALS['incidents_per_second']:,}",
            _met(rate >= GOALS["incidents_per_second"]),
        ),
        (
            "speed-up vs baseline",
            f"{speedup:.1f}x",
            f">= {GOALS['speedup']:.0f}x",
            _met(speedup >= GOALS["speedup"]),
        ),
        (
            "incidents/s (evaluate, one at a time)",
            f"{single_rate:,.0f}",
            f">= {GOALS['incidents_per_second']:,}",
            _met(single_rate >= GOALS["incidents_per_second"]),
        ),
        (
            "speed-up vs the naive loop that skips agreements not in force",
            f"{bulk_case.per_second / smarter.per_second:.1f}x",
            "(for reference)",
            "",
        ),
        ("verdicts differing from the baseline's", f"{mismatches}", "0", _met(mismatches == 0)),
        (
            "agreements listed per incident (candidates)",
            f"{listed / len(sample):.1f}",
            f"of {len(registry)}",
            "",
        ),
    ]
    table += "\n" + render_table("Goals", verdict, ("measure", "value", "goal", "status"))
    print(table)
    write_results(
        "applicability",
        {
            "cases": [as_dict(m) for m in cases],
            "incidents_per_second": rate,
            "speedup": speedup,
            "single_incidents_per_second": single_rate,
            "every_agreement_listed_per_second": full_case.per_second,
            "speedup_vs_time_first_naive": bulk_case.per_second / smarter.per_second,
            "mismatches": mismatches,
            "candidates_per_incident": listed / len(sample),
            "polygons": polygons,
            "vertices": vertices,
            "goals": GOALS,
        },
        table,
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
