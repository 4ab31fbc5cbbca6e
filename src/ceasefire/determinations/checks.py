"""The checks of applicability, in order — time, place, act, perpetrator, target — each as an
outcome (verdict and reason) and, when someone reads it, as a step with the facts behind it.

`decide` gives the verdict of one agreement on one incident; `explain` the steps behind it. See
applicability.py for the rules in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from ceasefire.determinations.facts import AgreementFacts, IncidentFacts, Period
from ceasefire.determinations.scope import ATTACKS, PlaceVerdict
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import zone
from ceasefire.kernel.vocab import ActCategory, Stance

# Longest stretch of days checked one by one for stance changes (a month window is 31 days).
MAX_STANCE_DAYS = 62


class Check(StrEnum):
    """The checks, in the order they run."""

    TIME = "time"
    PLACE = "place"
    ACT = "act"
    PERPETRATOR = "perpetrator"
    TARGET = "target"


class Reason(StrEnum):
    """Why an incident is out of scope of an agreement, or why that is uncertain."""

    BEFORE_START = "before_start"
    AFTER_END = "after_end"
    NOT_IN_FORCE = "not_in_force"
    OUTSIDE_AREA = "outside_area"
    ACT_NOT_PROHIBITED = "act_not_prohibited"
    PERPETRATOR_NOT_BOUND = "perpetrator_not_bound"
    TARGET_EXCLUDED = "target_excluded"
    TIME_UNKNOWN = "time_unknown"
    TIME_STRADDLES_START = "time_straddles_start"
    TIME_STRADDLES_END = "time_straddles_end"
    LOCATION_UNKNOWN = "location_unknown"
    LOCATION_STRADDLES_EDGE = "location_straddles_edge"
    PERPETRATOR_UNKNOWN = "perpetrator_unknown"
    PERPETRATOR_DISPUTED = "perpetrator_disputed"
    TARGET_DISPUTED = "target_disputed"
    STANCE_CHANGES_IN_WINDOW = "stance_changes_in_window"


class Step(NamedTuple):
    """One check's outcome with the raw facts behind it (rendered to text only when read)."""

    check: Check
    outcome: Verdict
    reason: Reason | None
    detail: tuple[Any, ...]


Outcome = tuple[Verdict, Reason | None]
PASS: Outcome = (Verdict.IN_SCOPE, None)
Days = tuple[date, date] | None


# --- time ------------------------------------------------------------------------------------


def _gap(periods: Sequence[Period], start: datetime, end: datetime, exact: bool) -> Step:
    """The window lies in no in-force period: before the first, after the last, or between two."""
    if (start < periods[0].start) if exact else (end <= periods[0].start):
        return Step(Check.TIME, Verdict.OUT_OF_SCOPE, Reason.BEFORE_START, (periods[0],))
    last = periods[-1]
    if last.end is not None and start >= last.end:
        return Step(Check.TIME, Verdict.OUT_OF_SCOPE, Reason.AFTER_END, (last,))
    before = max((p for p in periods if p.end is not None and p.end <= start), key=lambda p: p.start)
    after = next(p for p in periods if p.start >= (start if exact else end))
    return Step(Check.TIME, Verdict.OUT_OF_SCOPE, Reason.NOT_IN_FORCE, (before, after))


def check_time(
    incident: IncidentFacts, agreement: AgreementFacts
) -> tuple[Step, tuple[datetime, datetime] | None]:
    """The time step, and the part of the window that falls in force (for the stance checks)."""
    start, end, periods = incident.window_start, incident.window_end, agreement.periods
    if start is None or end is None:
        return Step(Check.TIME, Verdict.UNCERTAIN, Reason.TIME_UNKNOWN, ()), None
    if not periods:
        return Step(Check.TIME, Verdict.OUT_OF_SCOPE, Reason.NOT_IN_FORCE, ()), None
    exact = start == end
    overlap: list[Period] = []
    for p in periods:
        starts_before_its_end = p.end is None or start < p.end
        if exact:
            if p.start <= start and starts_before_its_end:
                return Step(Check.TIME, Verdict.IN_SCOPE, None, (p,)), (start, end)
        elif p.start < end and starts_before_its_end:
            if p.start <= start and (p.end is None or end <= p.end):
                return Step(Check.TIME, Verdict.IN_SCOPE, None, (p,)), (start, end)
            overlap.append(p)
    if not overlap:
        return _gap(periods, start, end, exact), None
    lo = max(start, overlap[0].start)
    hi = min(end, overlap[-1].end) if overlap[-1].end is not None else end
    for p in overlap:
        if start < p.start < end:
            return Step(Check.TIME, Verdict.UNCERTAIN, Reason.TIME_STRADDLES_START, (p,)), (lo, hi)
    return Step(Check.TIME, Verdict.UNCERTAIN, Reason.TIME_STRADDLES_END, (overlap[-1],)), (lo, hi)


def local_days(span: tuple[datetime, datetime], tz_name: str) -> tuple[date, date]:
    """The first and last local calendar day of a span [start, end) (an instant: its own day)."""
    tz = zone(tz_name)
    first = span[0].astimezone(tz).date()
    last = (span[1] - timedelta(microseconds=1)).astimezone(tz).date() if span[1] > span[0] else first
    return first, min(last, first + timedelta(days=MAX_STANCE_DAYS))


# --- place and act ---------------------------------------------------------------------------

_PLACE_OUTCOMES: dict[str, Outcome] = {
    "nationwide": PASS,
    "inside": PASS,
    "outside": (Verdict.OUT_OF_SCOPE, Reason.OUTSIDE_AREA),
    "excluded": (Verdict.OUT_OF_SCOPE, Reason.OUTSIDE_AREA),
    "edge": (Verdict.UNCERTAIN, Reason.LOCATION_STRADDLES_EDGE),
    "unknown": (Verdict.UNCERTAIN, Reason.LOCATION_UNKNOWN),
}


def check_place(place: PlaceVerdict) -> Step:
    """The place step from where the incident lies relative to the agreement's scope."""
    outcome, reason = _PLACE_OUTCOMES[place.spot]
    return Step(Check.PLACE, outcome, reason, (place,))


def prohibited_act(incident: IncidentFacts, agreement: AgreementFacts) -> tuple[str, str] | None:
    """The first alleged act the agreement prohibits and the obligation that does, or None."""
    prohibited = agreement.prohibited
    for act in incident.act_categories:
        if act in prohibited:
            return act, act
    if ActCategory.ARMED_ATTACK in prohibited:
        for act in incident.act_categories:
            if act in ATTACKS:
                return act, ActCategory.ARMED_ATTACK.value
    return None


def check_act(incident: IncidentFacts, agreement: AgreementFacts) -> Step:
    """In scope when an alleged act is prohibited, directly or as an armed attack."""
    found = prohibited_act(incident, agreement)
    if found is None:
        return Step(Check.ACT, Verdict.OUT_OF_SCOPE, Reason.ACT_NOT_PROHIBITED, (incident.act_categories,))
    return Step(Check.ACT, Verdict.IN_SCOPE, None, found)


# --- who -------------------------------------------------------------------------------------


def perpetrator_outcome(incident: IncidentFacts, agreement: AgreementFacts, days: Days) -> Outcome:
    """Bound = committed every day; see the module docstring for several or no perpetrators."""
    named = incident.perpetrator_ids
    if not named:
        return Verdict.UNCERTAIN, Reason.PERPETRATOR_UNKNOWN
    if days is None:
        return Verdict.UNCERTAIN, Reason.TIME_UNKNOWN
    stances = agreement.stances
    bound = [stances.holds(pid, Stance.COMMITTED, days[0], days[1]) for pid in named]
    if None in bound:
        return Verdict.UNCERTAIN, Reason.STANCE_CHANGES_IN_WINDOW
    if incident.perpetrator_texts or (True in bound and False in bound):
        return Verdict.UNCERTAIN, Reason.PERPETRATOR_DISPUTED
    if all(bound):
        return PASS
    return Verdict.OUT_OF_SCOPE, Reason.PERPETRATOR_NOT_BOUND


def target_outcome(incident: IncidentFacts, agreement: AgreementFacts, days: Days) -> Outcome:
    """Out of scope when every named target party is excluded; uncertain when only some are."""
    if not incident.target_ids or days is None:
        return PASS
    stances = agreement.stances
    excluded = [stances.holds(pid, Stance.EXCLUDED, days[0], days[1]) for pid in incident.target_ids]
    if None in excluded:
        return Verdict.UNCERTAIN, Reason.STANCE_CHANGES_IN_WINDOW
    if all(excluded):
        return Verdict.OUT_OF_SCOPE, Reason.TARGET_EXCLUDED
    if any(excluded):
        return Verdict.UNCERTAIN, Reason.TARGET_DISPUTED
    return PASS


def _histories(agreement: AgreementFacts, parties: Sequence[str], days: Days) -> tuple[Any, ...]:
    if days is None:
        return tuple((pid, ()) for pid in parties)
    return tuple((pid, tuple(agreement.stances.during(pid, days[0], days[1]))) for pid in parties)


def check_perpetrator(incident: IncidentFacts, agreement: AgreementFacts, days: Days) -> Step:
    """The perpetrator step, with each named party's stances over the days in force."""
    outcome, reason = perpetrator_outcome(incident, agreement, days)
    if reason is Reason.PERPETRATOR_UNKNOWN:
        detail: tuple[Any, ...] = (incident.perpetrator_texts, incident.denied_ids, incident.denied_by)
    else:
        detail = (_histories(agreement, incident.perpetrator_ids, days), incident.perpetrator_texts, days)
    return Step(Check.PERPETRATOR, outcome, reason, detail)


def check_target(incident: IncidentFacts, agreement: AgreementFacts, days: Days) -> Step:
    """The target step, with each named target party's stances over the days in force."""
    outcome, reason = target_outcome(incident, agreement, days)
    parties = incident.target_ids if days is not None else ()
    return Step(Check.TARGET, outcome, reason, (_histories(agreement, parties, days), days))


# --- the verdict -----------------------------------------------------------------------------

DaysOf = Callable[[tuple[datetime, datetime], str], tuple[date, date]]


def decide(
    incident: IncidentFacts,
    agreement: AgreementFacts,
    place: PlaceVerdict,
    days_of: DaysOf = local_days,
    *,
    act_known: bool = False,
) -> tuple[Verdict, tuple[Reason, ...]]:
    """The verdict and reasons: the checks in order, the first out-of-scope one decides.

    The same outcomes as `explain`'s steps, without their details (`act_known`: the caller has
    already found that the agreement prohibits one of the acts).
    """
    time_step, span = check_time(incident, agreement)
    if time_step.outcome is Verdict.OUT_OF_SCOPE:
        return Verdict.OUT_OF_SCOPE, (time_step.reason,)  # type: ignore[return-value]
    place_outcome, place_reason = _PLACE_OUTCOMES[place.spot]
    if place_outcome is Verdict.OUT_OF_SCOPE:
        return Verdict.OUT_OF_SCOPE, (place_reason,)  # type: ignore[return-value]
    if not act_known and prohibited_act(incident, agreement) is None:
        return Verdict.OUT_OF_SCOPE, (Reason.ACT_NOT_PROHIBITED,)
    days = days_of(span, agreement.timezone) if span is not None else None
    who, who_reason = perpetrator_outcome(incident, agreement, days)
    if who is Verdict.OUT_OF_SCOPE:
        return Verdict.OUT_OF_SCOPE, (who_reason,)  # type: ignore[return-value]
    target, target_reason = target_outcome(incident, agreement, days)
    if target is Verdict.OUT_OF_SCOPE:
        return Verdict.OUT_OF_SCOPE, (target_reason,)  # type: ignore[return-value]
    doubts = tuple(r for r in (time_step.reason, place_reason, who_reason, target_reason) if r is not None)
    return (Verdict.UNCERTAIN, doubts) if doubts else (Verdict.IN_SCOPE, ())


def explain(incident: IncidentFacts, agreement: AgreementFacts, place: PlaceVerdict) -> tuple[Step, ...]:
    """The steps behind `decide`, with their details, up to the one that decides."""
    time_step, span = check_time(incident, agreement)
    steps = [time_step]
    if time_step.outcome is not Verdict.OUT_OF_SCOPE:
        days = local_days(span, agreement.timezone) if span is not None else None
        checks: list[Callable[[], Step]] = [
            lambda: check_place(place),
            lambda: check_act(incident, agreement),
            lambda: check_perpetrator(incident, agreement, days),
            lambda: check_target(incident, agreement, days),
        ]
        for check in checks:
            steps.append(check())
            if steps[-1].outcome is Verdict.OUT_OF_SCOPE:
                break
    return tuple(steps)


def days_memo() -> DaysOf:
    """local_days, remembered for the span and zone most agreements share."""
    memo: dict[tuple[tuple[datetime, datetime], str], tuple[date, date]] = {}

    def days_of(span: tuple[datetime, datetime], tz_name: str) -> tuple[date, date]:
        found = memo.get((span, tz_name))
        if found is None:
            found = memo[(span, tz_name)] = local_days(span, tz_name)
        return found

    return days_of
