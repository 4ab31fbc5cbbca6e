"""Verdicts for a batch of incidents with whole-array operations, for the common case.

`applicability.decide` is the reference. For an agreement with one in-force period, stances that
never change, and the zone most agreements share, and for an incident naming at most two
perpetrators and two targets, the same checks in the same order reduce to array operations over
every (incident, agreement) pair of a batch at once: time against the in-force spans, place codes
from the spatial index, prohibited acts from a matrix, and the perpetrators' and targets' stances
from a party x agreement matrix. Every other pair (a window straddling a boundary, a suspension,
a stance that changes, an unknown time) is marked FALLBACK for `decide`. The tests and the
benchmark check that both agree.

A pair's outcome is a key: the deciding out-of-scope reason x 32 + the doubts as bits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ceasefire.determinations.facts import AgreementFacts, IncidentFacts
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import zone
from ceasefire.kernel.vocab import Stance

FALLBACK = -1
OUT_REASONS = (
    "",
    "before_start",
    "after_end",
    "outside_area",
    "act_not_prohibited",
    "perpetrator_not_bound",
    "target_excluded",
)
DOUBTS = (
    "location_straddles_edge",
    "location_unknown",
    "perpetrator_unknown",
    "perpetrator_disputed",
    "target_disputed",
)
_COMMITTED, _EXCLUDED, _OTHER = 1, 2, 3  # stance codes in the matrix (0: no stance)
_EDGE, _OUT, _UNKNOWN = 1, 2, 3  # place codes (see scope)
Ints = NDArray[np.int64]


class VerdictTables:
    """Per-agreement arrays the whole-array verdicts need, built once with the index."""

    def __init__(self, agreements: Sequence[AgreementFacts]) -> None:
        count = len(agreements)
        zones = Counter(a.timezone for a in agreements)
        self.zone = zones.most_common(1)[0][0] if zones else "UTC"
        constant = [a.stances.constant_from() for a in agreements]
        self.eligible = np.array(
            [
                len(a.periods) == 1 and c is not None and a.timezone == self.zone
                for a, c in zip(agreements, constant, strict=True)
            ],
            dtype=bool,
        )
        self.since = np.array([c[0].toordinal() if c is not None else 0 for c in constant], dtype=np.int64)
        parties = sorted({pid for c in constant if c is not None for pid in c[1]})
        self.party = {pid: k for k, pid in enumerate(parties)}
        self.nobody = len(parties)  # the last row: parties without any stance
        self.stances = np.zeros((len(parties) + 1, count), dtype=np.int8)
        codes = {Stance.COMMITTED: _COMMITTED, Stance.EXCLUDED: _EXCLUDED}
        for i, c in enumerate(constant):
            for pid, fact in (c[1] if c is not None else {}).items():
                self.stances[self.party[pid], i] = codes.get(fact.stance, _OTHER)

    def pair_rows(self, party_ids: Sequence[str]) -> tuple[int, int] | None:
        """Matrix rows of up to two parties (one repeated when alone); None for more than two."""
        rows = [self.party.get(pid, self.nobody) for pid in party_ids]
        if len(rows) > 2:
            return None
        return (rows[0], rows[-1]) if rows else (self.nobody, self.nobody)


class Batch:
    """Per-incident arrays of a batch."""

    def __init__(self, tables: VerdictTables, incidents: Sequence[IncidentFacts]) -> None:
        count = len(incidents)
        self.start = np.full(count, np.nan)
        self.end = np.full(count, np.nan)
        self.first_day = np.zeros(count, dtype=np.int64)
        self.usable = np.ones(count, dtype=bool)
        self.named = np.zeros(count, dtype=bool)
        self.texts = np.zeros(count, dtype=bool)
        self.targeted = np.zeros(count, dtype=bool)
        self.who = np.zeros((count, 4), dtype=np.int64)
        tz = zone(tables.zone)
        for k, incident in enumerate(incidents):
            if incident.window_start is None or incident.window_end is None:
                self.usable[k] = False
                continue
            self.start[k], self.end[k] = incident.window_start.timestamp(), incident.window_end.timestamp()
            self.first_day[k] = incident.window_start.astimezone(tz).date().toordinal()
            perpetrators, targets = (
                tables.pair_rows(incident.perpetrator_ids),
                tables.pair_rows(incident.target_ids),
            )
            if perpetrators is None or targets is None:
                self.usable[k] = False
                continue
            self.who[k] = (*perpetrators, *targets)
            self.named[k] = bool(incident.perpetrator_ids)
            self.texts[k] = bool(incident.perpetrator_texts)
            self.targeted[k] = bool(incident.target_ids)


def pair_keys(
    tables: VerdictTables,
    batch: Batch,
    which: Ints,
    positions: Ints,
    *,
    possible: NDArray[np.bool_],
    place: NDArray[np.int8],
    acts: NDArray[np.bool_],
    span_start: NDArray[np.float64],
    span_end: NDArray[np.float64],
) -> Ints:
    """The key of every (incident `which`, agreement `positions`) pair; `possible`, `place` and
    `acts` are given per pair."""
    start, end = batch.start[which], batch.end[which]
    first, last = span_start[positions], span_end[positions]
    exact = start == end
    ok = tables.eligible[positions] & batch.usable[which]
    before = np.where(exact, start < first, end <= first)
    out = np.where(possible, 0, np.where(before, 1, 2)).astype(np.int64)
    inside = possible & (first <= start) & (exact | (end <= last))
    ok &= inside | ~possible  # a window straddling a boundary: decide clips it to the period
    out = np.where((out == 0) & (place == _OUT), 3, out)
    out = np.where((out == 0) & ~acts, 4, out)
    doubts = np.where(place == _EDGE, 1, np.where(place == _UNKNOWN, 2, 0)).astype(np.int64)
    ok &= (out != 0) | (tables.since[positions] <= batch.first_day[which])
    stances, rows = tables.stances, batch.who[which]
    pending = out == 0
    bound = [stances[rows[:, k], positions] == _COMMITTED for k in (0, 1)]
    every, some = bound[0] & bound[1], bound[0] | bound[1]
    named, texts = batch.named[which], batch.texts[which]
    doubts |= np.where(pending & ~named, 4, 0)
    doubts |= np.where(pending & named & (texts | (some & ~every)), 8, 0)
    out = np.where(pending & named & ~texts & ~some, 5, out)
    pending = out == 0
    excluded = [stances[rows[:, k], positions] == _EXCLUDED for k in (2, 3)]
    every, some = excluded[0] & excluded[1], excluded[0] | excluded[1]
    targeted = batch.targeted[which]
    out = np.where(pending & targeted & every, 6, out)
    doubts |= np.where(pending & targeted & some & ~every, 16, 0)
    keys: Ints = np.where(ok, out * 32 + np.where(out == 0, doubts, 0), FALLBACK)
    return keys


_VERDICTS: dict[int, tuple[Verdict, tuple[str, ...]]] = {}


def verdict_of(key: int) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict and reason codes a key stands for."""
    found = _VERDICTS.get(key)
    if found is None:
        out, bits = divmod(key, 32)
        if out:
            found = (Verdict.OUT_OF_SCOPE, (OUT_REASONS[out],))
        else:
            doubts = tuple(reason for k, reason in enumerate(DOUBTS) if bits & (1 << k))
            found = (Verdict.UNCERTAIN, doubts) if doubts else (Verdict.IN_SCOPE, ())
        _VERDICTS[key] = found
    return found
