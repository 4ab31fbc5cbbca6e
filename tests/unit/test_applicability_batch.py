"""Judging many incidents at once (whole-array verdicts) gives exactly the verdicts of the checks run
one by one, and leaves out of the candidates only agreements that are out of scope."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

from shapely.geometry import Polygon

from ceasefire.determinations.applicability import (
    AgreementFacts,
    Applicability,
    AreaShape,
    IncidentFacts,
    Reason,
    ScopeIndex,
    StanceFact,
    StanceTimeline,
    evaluate,
    evaluate_many,
    explain,
)
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import LocationPrecision, ScopeKind, Stance

EPOCH = datetime(2016, 1, 1, tzinfo=UTC)
PARTIES = [f"p{i}" for i in range(8)]
ACTS = ["shelling", "air_strike", "armed_attack", "abduction", "siege", "sniper_fire"]


def _polygon(rng: random.Random) -> Polygon:
    cx, cy, size = rng.uniform(36.0, 38.0), rng.uniform(33.0, 36.0), rng.uniform(0.05, 0.4)
    n = rng.randint(8, 40)
    ring = []
    for k in range(n):
        angle, radius = 2 * math.pi * k / n, size * rng.uniform(0.6, 1)
        ring.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return Polygon(ring)


def _stances(rng: random.Random, agreement_id: str, start: date) -> StanceTimeline:
    def draw() -> dict[str, StanceFact]:
        return {
            p: StanceFact(p, rng.choice(list(Stance)), agreement_id) for p in PARTIES if rng.random() < 0.7
        }

    segments = [(start + timedelta(days=rng.randint(-5, 5)), draw())]
    if rng.random() < 0.2:
        segments.append((start + timedelta(days=rng.randint(1, 60)), draw()))
    return StanceTimeline(segments)


def _agreements(rng: random.Random) -> list[AgreementFacts]:
    found = []
    for i in range(30):
        start = EPOCH + timedelta(days=rng.uniform(0, 200))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.uniform(1, 120))
        history: tuple[tuple[datetime, str], ...] = ()
        if rng.random() < 0.15:
            history = ((start + timedelta(days=3), "suspended"), (start + timedelta(days=6), "in_force"))
        nationwide = rng.random() < 0.4
        shapes = tuple(
            AreaShape(f"a{i}-{k}", f"Area {i}.{k}", _polygon(rng)) for k in range(rng.randint(1, 2))
        )
        found.append(
            AgreementFacts(
                id=f"g{i}",
                name=f"Agreement {i}",
                kind="local_reconciliation",
                starts_at=start,
                ends_at=end,
                timezone="Asia/Damascus" if rng.random() < 0.9 else "Europe/Istanbul",
                scope_kind=ScopeKind.NATIONWIDE if nationwide else ScopeKind.AREAS,
                included=() if nationwide else shapes,
                excluded=shapes[:1] if nationwide and rng.random() < 0.5 else (),
                prohibited=frozenset(rng.sample(ACTS, rng.randint(1, 3))),
                stances=_stances(rng, f"g{i}", start.date()),
                status_history=history,
            )
        )
    return found


def _incidents(rng: random.Random, count: int) -> list[IncidentFacts]:
    found = []
    for i in range(count):
        when = TimeWindow.around(EPOCH + timedelta(days=rng.uniform(0, 330)), rng.choice(list(TimePrecision)))
        timed = rng.random() > 0.05
        named = rng.random()
        found.append(
            IncidentFacts(
                incident_id=f"i{i}",
                window_start=when.start if timed else None,
                window_end=when.end if timed else None,
                time_precision=when.precision if timed else None,
                longitude=rng.uniform(36.0, 38.0),
                latitude=rng.uniform(33.0, 36.0),
                location_precision=rng.choice(list(LocationPrecision)),
                act_categories=tuple(rng.sample(ACTS, rng.randint(1, 2))),
                perpetrator_ids=()
                if named < 0.15
                else tuple(rng.sample(PARTIES, 1 if named < 0.7 else rng.randint(2, 3))),
                perpetrator_texts=("gunmen",) if rng.random() < 0.1 else (),
                target_ids=tuple(rng.sample(PARTIES, rng.choice((0, 0, 1, 2, 3)))),
            )
        )
    return found


def reference(result: Applicability) -> tuple[Verdict, tuple[Reason, ...]]:
    """The verdict the steps, run one by one with their details, give."""
    steps = explain(result.incident, result.agreement, result.place)
    if steps[-1].outcome is Verdict.OUT_OF_SCOPE:
        assert steps[-1].reason is not None
        return Verdict.OUT_OF_SCOPE, (steps[-1].reason,)
    doubts = tuple(s.reason for s in steps if s.outcome is Verdict.UNCERTAIN and s.reason is not None)
    return (Verdict.UNCERTAIN, doubts) if doubts else (Verdict.IN_SCOPE, ())


def test_batch_verdicts_equal_the_checks_run_one_by_one() -> None:
    rng = random.Random(27)
    agreements = _agreements(rng)
    index = ScopeIndex(agreements)
    incidents = _incidents(rng, 400)
    every = evaluate_many(incidents, agreements, index)
    candidates = evaluate_many(incidents, agreements, index, only_candidates=True)
    seen = set()
    for incident, results, listed in zip(incidents, every, candidates, strict=True):
        assert [r.agreement_id for r in results] == [a.id for a in agreements]
        for result in results:
            assert (result.verdict, result.reasons) == reference(result), (incident, result.agreement_id)
            seen.add(result.verdict)
        by_id = {r.agreement_id: (r.verdict, r.reasons) for r in results}
        assert all(by_id[r.agreement_id] == (r.verdict, r.reasons) for r in listed)
        left_out = set(by_id) - {r.agreement_id for r in listed}
        assert all(by_id[k][0] is Verdict.OUT_OF_SCOPE for k in left_out)
        single = evaluate(incident, agreements, index)
        assert [(r.verdict, r.reasons) for r in single] == [(r.verdict, r.reasons) for r in results]
    assert seen == set(Verdict)


def test_a_subset_of_the_indexed_agreements_can_be_judged() -> None:
    rng = random.Random(5)
    agreements = _agreements(rng)
    index = ScopeIndex(agreements)
    chosen = agreements[3:7]
    [results] = evaluate_many(_incidents(rng, 1), chosen, index)
    assert [r.agreement_id for r in results] == [a.id for a in chosen]
