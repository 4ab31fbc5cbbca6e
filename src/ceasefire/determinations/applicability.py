"""Applicability: does an agreement apply to an incident? Pure rules, no database, no I/O.

For each agreement the checks run in order — time, place, act, perpetrator, target — and the first
that puts the incident out of scope decides (the later ones are not run: a stance before the
agreement's start, say, means nothing). Checks that cannot decide for lack of precision make the
verdict uncertain, with every such reason listed; otherwise the incident is in scope.

- time: the claimed window against the periods the agreement was in force (its time scope minus
  suspensions, lapses and collapse), in UTC, shown in the agreement's zone;
- place: see `scope` (a point, a disc at the location's precision, or an admin region);
- act: an alleged act category is prohibited, directly or as an armed attack (an obligation
  prohibiting "armed_attack" covers every attack with weapons, as the 2016 terms "attacks with any
  weapons" did);
- perpetrator: bound = committed on every local day of the window that falls in force (own stance
  record, else inherited from a parent agreement); excluded, rejected or no stance = not bound.
  Claims naming several perpetrators: in scope when all are bound, out when none is, else
  uncertain (disputed). No claim naming one = uncertain (unknown): a party that only denies, as the
  Russian defence ministry did on 25 October 2016 when others reported air strikes on Aleppo, is
  not thereby named as the perpetrator;
- target: a target party excluded on those days puts the act out of scope (the CoH never protected
  Daesh); when the claims name an excluded and a protected target, it is uncertain (disputed).

An unknown time or place, a window straddling a start or end, a place whose precision straddles an
area's edge, and a stance that changes within the window are reasons for uncertainty, never
guesses. How it runs: checks.py holds the checks one agreement at a time (the reference), scope.py
the spatial index, fastpath.py the same verdicts as whole-array operations over a batch of
incidents; `evaluate` judges one incident, `evaluate_many` a batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ceasefire.determinations.checks import (
    Check,
    Reason,
    Step,
    days_memo,
    decide,
    explain,
)
from ceasefire.determinations.facts import (
    LOCATION_RADIUS_KM,
    AgreementFacts,
    AreaShape,
    IncidentFacts,
    Period,
    StanceFact,
    StanceTimeline,
    in_force_periods,
)
from ceasefire.determinations.fastpath import FALLBACK, Batch, pair_keys, verdict_of
from ceasefire.determinations.scope import ATTACKS, OUT, Located, PlaceVerdict, ScopeIndex
from ceasefire.determinations.trace import render_step, render_summary
from ceasefire.kernel.claims import Verdict

__all__ = [
    "ATTACKS",
    "LOCATION_RADIUS_KM",
    "AgreementFacts",
    "Applicability",
    "AreaShape",
    "Check",
    "IncidentFacts",
    "Period",
    "Reason",
    "ScopeIndex",
    "StanceFact",
    "StanceTimeline",
    "Step",
    "evaluate",
    "evaluate_many",
    "explain",
    "in_force_periods",
]


class Applicability:
    """The verdict on one agreement for one incident, with its reasons and a readable trace.

    Judging computes the verdict and reasons only; the steps behind them (and the trace) are worked
    out again, with their details, the first time someone reads them.
    """

    __slots__ = ("_steps", "agreement", "incident", "place", "reasons", "verdict")

    def __init__(
        self,
        agreement: AgreementFacts,
        incident: IncidentFacts,
        verdict: Verdict,
        reasons: tuple[Reason, ...],
        place: PlaceVerdict,
    ) -> None:
        self.agreement = agreement
        self.incident = incident
        self.verdict = verdict
        self.reasons = reasons
        self.place = place
        self._steps: tuple[Step, ...] | None = None

    def __repr__(self) -> str:
        reasons = ", ".join(r.value for r in self.reasons)
        return f"<Applicability {self.agreement.id}: {self.verdict.value} ({reasons})>"

    @property
    def agreement_id(self) -> str:
        """The agreement judged."""
        return self.agreement.id

    @property
    def reason(self) -> Reason | None:
        """The deciding reason (out of scope), or the first reason for uncertainty; None in scope."""
        return self.reasons[0] if self.reasons else None

    @property
    def steps(self) -> tuple[Step, ...]:
        """The checks run, in order, with the facts behind each outcome."""
        if self._steps is None:
            self._steps = explain(self.incident, self.agreement, self.place)
        return self._steps

    @property
    def trace(self) -> tuple[str, ...]:
        """Each check as a sentence a person can read, in the order run."""
        return tuple(render_step(step, self.incident, self.agreement) for step in self.steps)

    @property
    def summary(self) -> str:
        """The verdict with its reasons in words."""
        return render_summary(self)


_FAST: dict[int, tuple[Verdict, tuple[Reason, ...]]] = {}
BATCH = 4096  # incidents judged together (the arrays are batch x agreements)
FEW = 16  # below this many incidents, every pair goes through `decide`


def _fast_verdict(key: int) -> tuple[Verdict, tuple[Reason, ...]]:
    found = _FAST.get(key)
    if found is None:
        verdict, codes = verdict_of(key)
        found = _FAST[key] = (verdict, tuple(Reason(code) for code in codes))
    return found


def _pairs(
    located: Sequence[Located], index: ScopeIndex, wanted: NDArray[np.bool_] | None, only_candidates: bool
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """The (incident, agreement) pairs to judge, their fast-path keys, and whether each prohibits an act."""
    incidents = [item.incident for item in located]
    possible = np.stack([index.time_possible(i) for i in incidents])
    acts = np.stack([index.act_prohibited(i) for i in incidents])
    place = np.stack([item.codes() for item in located])
    mask = possible & acts & (place != OUT) if only_candidates else np.ones_like(possible)
    if wanted is not None:
        mask &= wanted[None, :]
    which, positions = mask.nonzero()
    pair_acts = acts[which, positions]
    if len(located) < FEW:
        # Whole-array verdicts pay off over many incidents; a few are judged one pair at a time.
        return which, positions, np.full(len(which), FALLBACK, dtype=np.int64), pair_acts
    keys = pair_keys(
        index.tables,
        Batch(index.tables, incidents),
        which,
        positions,
        possible=possible[which, positions],
        place=place[which, positions],
        acts=pair_acts,
        span_start=index.span_start,
        span_end=index.span_end,
    )
    return which, positions, keys, pair_acts


def _judge(
    located: Sequence[Located], agreements: Sequence[AgreementFacts], index: ScopeIndex, only_candidates: bool
) -> list[list[Applicability]]:
    wanted = None
    if agreements is not index.agreements and agreements is not index.source:
        wanted = np.zeros(len(index), dtype=bool)
        wanted[[index.position[a.id] for a in agreements]] = True
    which, positions, keys, acts = _pairs(located, index, wanted, only_candidates)
    counts = np.bincount(which, minlength=len(located)).tolist()
    pairs = zip(positions.tolist(), keys.tolist(), acts.tolist(), strict=True)
    found: list[list[Applicability]] = []
    for item, count in zip(located, counts, strict=True):
        incident, days_of = item.incident, days_memo()
        results = []
        for position, key, act in itertools.islice(pairs, count):
            agreement, place = index.agreements[position], item.verdict(position)
            if key == FALLBACK:
                verdict, reasons = decide(incident, agreement, place, days_of, act_known=act)
            else:
                verdict, reasons = _fast_verdict(key)
            results.append(Applicability(agreement, incident, verdict, reasons, place))
        found.append(results)
    return found


def evaluate(
    incident: IncidentFacts,
    agreements: Sequence[AgreementFacts],
    index: ScopeIndex,
    *,
    only_candidates: bool = False,
) -> list[Applicability]:
    """The verdict of every agreement on the incident, in the index's order.

    `agreements` must be indexed by `index` (build it once with ScopeIndex(agreements)). With
    `only_candidates`, the agreements the index rules out wholesale, with whole-array tests, are
    left out of the answer: those in force at no instant of the window (before start, after end or
    not in force), those whose scope the place lies outside of (outside area) and those that
    prohibit none of the alleged acts (act not prohibited). Every other one is judged in full. Large
    registries use it to list only what could apply.
    """
    return evaluate_many([incident], agreements, index, only_candidates=only_candidates)[0]


def evaluate_many(
    incidents: Sequence[IncidentFacts],
    agreements: Sequence[AgreementFacts],
    index: ScopeIndex,
    *,
    only_candidates: bool = False,
) -> list[list[Applicability]]:
    """`evaluate` for many incidents: placed with bulk tree queries, judged with whole-array tests."""
    found: list[list[Applicability]] = []
    for first in range(0, len(incidents), BATCH):
        located = index.locate_many(incidents[first : first + BATCH])
        found += _judge(located, agreements, index, only_candidates)
    return found
