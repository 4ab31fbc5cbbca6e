"""Applicability in words: each check as a sentence, times in the agreement's zone.

Kept apart from the rules so judging stays cheap: a trace is rendered only when someone reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ceasefire.determinations.facts import AgreementFacts, IncidentFacts, Period, StanceFact
from ceasefire.determinations.scope import PlaceVerdict
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import zone

if TYPE_CHECKING:
    from ceasefire.determinations.applicability import Applicability
    from ceasefire.determinations.checks import Step

_ARROW = {Verdict.IN_SCOPE: "in scope", Verdict.OUT_OF_SCOPE: "out of scope", Verdict.UNCERTAIN: "uncertain"}
_CAUSES = {
    "end": "its time scope ends",
    "suspended": "suspended",
    "lapsed": "lapsed",
    "collapsed": "collapsed",
}


def zone_label(tz_name: str) -> str:
    """The short name of a zone: 'Asia/Damascus' -> 'Damascus'."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def local(instant: datetime, tz_name: str, *, full: bool = False) -> str:
    """'2016-02-27 00:00 Damascus' (or '... Asia/Damascus' with full)."""
    return f"{instant.astimezone(zone(tz_name)):%Y-%m-%d %H:%M} {tz_name if full else zone_label(tz_name)}"


def _offset(instant: datetime, tz_name: str) -> str:
    text = instant.astimezone(zone(tz_name)).strftime("%z")
    return f"UTC{text[:3]}:{text[3:]}"


def window(incident: IncidentFacts, tz_name: str) -> str:
    """The incident's time in the zone, with its UTC offset(s) and precision."""
    start, end = incident.window_start, incident.window_end
    assert start is not None
    assert end is not None
    if start == end:
        return f"{local(start, tz_name)} ({_offset(start, tz_name)}, exact time)"
    offsets = sorted({_offset(start, tz_name), _offset(end, tz_name)})
    precision = f"{incident.time_precision.value} precision" if incident.time_precision else "a window"
    first = f"{start.astimezone(zone(tz_name)):%Y-%m-%d %H:%M}"
    return f"window {first}–{local(end, tz_name)} ({'/'.join(offsets)}, {precision})"


def _period(p: Period, tz: str) -> str:
    until = f"to {local(p.end, tz)}" if p.end is not None else "open-ended"
    return f"from {local(p.start, tz)} {until}"


def location(incident: IncidentFacts) -> str:
    """Where the incident is said to be, with its precision."""
    if incident.region is not None:
        return "the region given for the incident"
    if not incident.has_point:
        return "location unknown"
    point = f"({incident.longitude:.4f} E, {incident.latitude:.4f} N)"
    if incident.radius_km <= 0:
        return f"the point {point}"
    precision = _words(incident.location_precision.value)
    return f"{precision} precision (within {incident.radius_km:g} km of {point})"


def _words(code: str) -> str:
    return code.replace("_", " ")


def _days(days: tuple[date, date] | None) -> str:
    if days is None:
        return "no date"
    return f"on {days[0]}" if days[0] == days[1] else f"from {days[0]} to {days[1]}"


def _fact(fact: StanceFact | None) -> str:
    if fact is None:
        return "has no stance (unknown)"
    origin = f"inherited from {fact.from_agreement_id}" if fact.inherited else "own record"
    return f"is {fact.stance.value} ({origin})"


def _party(
    incident: IncidentFacts, pid: str, history: Sequence[tuple[date, StanceFact | None]], days: Any
) -> str:
    name = incident.name_of(pid)
    if not history:
        return name
    if len(history) == 1:
        return f"{name} {_fact(history[0][1])} {_days(days)}"
    changes = ", then ".join(f"from {day} {_fact(fact).removeprefix('is ')}" for day, fact in history)
    return f"{name}: {changes}"


def _parties(incident: IncidentFacts, found: Sequence[tuple[str, Any]], days: Any) -> str:
    return "; ".join(_party(incident, pid, history, days) for pid, history in found)


def _time(step: Step, incident: IncidentFacts, tz: str) -> str:
    if not step.detail and step.reason is not None and step.reason.value == "time_unknown":
        return "no claim gives a time"
    if not step.detail:
        return "the agreement was never in force"
    win, p = window(incident, tz), step.detail[0]
    reason = step.reason.value if step.reason else None
    if reason is None:
        return f"{win} falls within the period in force {_period(p, tz)}"
    if reason == "before_start":
        return f"{win} is before the start {local(p.start, tz, full=True)}"
    if reason == "after_end":
        return (
            f"{win} is after the end {local(p.end, tz, full=True)} ({_CAUSES.get(p.end_cause, p.end_cause)})"
        )
    if reason == "not_in_force":
        before, after = step.detail
        return (
            f"{win} falls after {local(before.end, tz)} ({_CAUSES.get(before.end_cause, before.end_cause)}) "
            f"and before the re-entry into force {local(after.start, tz)}"
        )
    edge = p.start if reason == "time_straddles_start" else p.end
    which = "start" if reason == "time_straddles_start" else "end"
    return f"{win} straddles the {which} {local(edge, tz, full=True)}"


def _place(step: Step, incident: IncidentFacts, agreement: AgreementFacts) -> str:
    place: PlaceVerdict = step.detail[0]
    where, area = (
        location(incident),
        f"{place.area_name} ({place.area_id})" if place.area_id else place.area_name,
    )
    if place.spot == "nationwide":
        minus = ", minus " + ", ".join(s.name for s in agreement.excluded) if agreement.excluded else ""
        if not (incident.has_point or incident.region is not None):
            return "location unknown, but the scope is nationwide with no excluded areas"
        return f"{where} lies in the scope (nationwide{minus})"
    return {
        "inside": f"{where} lies inside {area}, an area of the scope",
        "outside": f"{where} lies outside every area of the scope ({place.area_name})",
        "excluded": f"{where} lies inside {area}, an area excluded from the scope",
        "edge": f"{where} straddles the edge of {area}",
        "unknown": "location unknown, and the scope is limited to areas or has excluded areas",
    }[place.spot]


def _act(step: Step, agreement: AgreementFacts) -> str:
    if step.outcome is Verdict.IN_SCOPE:
        act, rule = step.detail
        how = "" if act == rule else " as an armed attack"
        return f"{_words(act)} is prohibited{how}"
    acts = ", ".join(_words(a) for a in step.detail[0]) or "no act alleged"
    banned = ", ".join(_words(a) for a in sorted(agreement.prohibited)) or "none"
    return f"{acts}: not among the prohibited acts ({banned})"


def _unknown_notes(incident: IncidentFacts, detail: tuple[Any, ...]) -> list[str]:
    """What is known of an unknown perpetrator: names no party matched, parties only denials name."""
    texts, denied, deniers = detail
    notes = []
    if texts:
        notes.append(
            "named only as " + ", ".join(f"'{t}'" for t in texts) + ", which no registered party matches"
        )
    if denied:
        notes.append(", ".join(incident.name_of(d) for d in denied) + " named only in a denial")
    if deniers:
        notes.append("denied by " + ", ".join(incident.name_of(d) for d in deniers))
    return notes


def _perpetrator(step: Step, incident: IncidentFacts) -> str:
    reason = step.reason.value if step.reason else None
    if reason == "perpetrator_unknown":
        notes = "; ".join(_unknown_notes(incident, step.detail))
        return "no claim names a registered party as perpetrator" + (f"; {notes}" if notes else "")
    found, texts, days = step.detail
    named = _parties(incident, found, days)
    if texts:
        named += "; also named: " + ", ".join(f"'{t}'" for t in texts)
    several = "the claims name several perpetrators: " if len(found) + len(texts) > 1 else ""
    tail = {
        None: "bound",
        "perpetrator_not_bound": "not bound",
        "perpetrator_disputed": "not all of them are bound",
        "stance_changes_in_window": "a stance changes within the window",
        "time_unknown": "stances not checked without a date",
    }[reason]
    return f"{several}{named}: {tail}"


def _target(step: Step, incident: IncidentFacts) -> str:
    found, days = step.detail
    if not found:
        kind = f" ({incident.target_kind})" if incident.target_kind else ""
        return f"no target party named{kind}: not excluded"
    tail = {
        None: "not excluded",
        "target_excluded": "excluded",
        "target_disputed": "some targets excluded, some not",
        "stance_changes_in_window": "a stance changes within the window",
    }[step.reason.value if step.reason else None]
    return f"{_parties(incident, found, days)}: {tail}"


def render_step(step: Step, incident: IncidentFacts, agreement: AgreementFacts) -> str:
    """One check as a sentence: 'time: ... → uncertain (time straddles start)'."""
    tz = agreement.timezone
    text = {
        "time": lambda: _time(step, incident, tz),
        "place": lambda: _place(step, incident, agreement),
        "act": lambda: _act(step, agreement),
        "perpetrator": lambda: _perpetrator(step, incident),
        "target": lambda: _target(step, incident),
    }[step.check.value]()
    reason = f" ({_words(step.reason.value)})" if step.reason is not None else ""
    return f"{step.check.value}: {text} → {_ARROW[step.outcome]}{reason}"


def _reason_phrase(step: Step, incident: IncidentFacts, agreement: AgreementFacts) -> str:
    tz, reason = agreement.timezone, step.reason.value if step.reason else ""
    detail = step.detail
    if reason == "time_straddles_start":
        return f"time precision straddles the start {local(detail[0].start, tz)}"
    if reason == "time_straddles_end":
        return f"time precision straddles the end {local(detail[0].end, tz)}"
    if reason == "before_start":
        return f"before start: the agreement starts {local(detail[0].start, tz)}"
    if reason == "after_end":
        cause = _CAUSES.get(detail[0].end_cause, detail[0].end_cause)
        return f"after end: the agreement ended {local(detail[0].end, tz)} ({cause})"
    if reason == "location_straddles_edge":
        return f"location precision straddles the edge of {detail[0].area_name}"
    if reason == "outside_area":
        place: PlaceVerdict = detail[0]
        where = (
            f"inside the excluded {place.area_name}"
            if place.spot == "excluded"
            else f"not in {place.area_name}"
        )
        return f"outside area: {where}"
    if reason in ("perpetrator_not_bound", "perpetrator_disputed", "target_excluded", "target_disputed"):
        found = detail[0]
        return f"{_words(reason)}: {_parties(incident, found, detail[-1])}"
    if reason == "perpetrator_unknown":
        notes = _unknown_notes(incident, detail)
        return f"perpetrator unknown ({'; '.join(notes)})" if notes else "perpetrator unknown"
    if reason == "act_not_prohibited":
        return f"act not prohibited: {', '.join(_words(a) for a in detail[0]) or 'no act alleged'}"
    return _words(reason)


def render_summary(result: Applicability) -> str:
    """The verdict and its reasons: 'uncertain — time precision straddles the start ...'."""
    if result.verdict is Verdict.IN_SCOPE:
        return "in scope"
    phrases = [
        _reason_phrase(step, result.incident, result.agreement)
        for step in result.steps
        if step.reason is not None and step.outcome is result.verdict
    ]
    return f"{_ARROW[result.verdict]} — {'; '.join(phrases)}"
