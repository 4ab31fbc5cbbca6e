"""Pure agreement rules: time scope, local time, status history, parent/child order and stance periods."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.kernel.time import require_aware, zone
from ceasefire.kernel.vocab import AgreementStatus, ScopeKind

# After these an agreement no longer binds anyone, until a documented re-entry into force.
TERMINAL = frozenset({AgreementStatus.LAPSED, AgreementStatus.COLLAPSED})
# While the latest status is one of these, the agreement is not in force even inside its time scope.
NOT_IN_FORCE = frozenset({AgreementStatus.SUSPENDED, *TERMINAL})


class AreaMode(StrEnum):
    """Whether a listed area is part of an agreement's scope or carved out of it."""

    INCLUDE = "include"
    EXCLUDE = "exclude"


class StatusEntry(Protocol):
    """A status history entry (a stored row or anything shaped like one)."""

    @property
    def status(self) -> str: ...

    @property
    def at(self) -> datetime: ...


class StancePeriod(Protocol):
    """A stance record: one party's stance toward one agreement from a date to a date (inclusive)."""

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date | None: ...


S = TypeVar("S", bound=StancePeriod)
E = TypeVar("E", bound=StatusEntry)


# --- time scope and local time ---------------------------------------------------------------


def in_time_scope(agreement_start: datetime, agreement_end: datetime | None, instant: datetime) -> bool:
    """Whether an instant falls in [start, end); an agreement without an end stays open."""
    at = require_aware(instant, field="instant")
    start = require_aware(agreement_start, field="starts_at")
    end = require_aware(agreement_end, field="ends_at") if agreement_end is not None else None
    return start <= at and (end is None or at < end)


def check_time_scope(starts_at: datetime, ends_at: datetime | None) -> tuple[datetime, datetime | None]:
    """Validate a time scope (tz-aware, end not before start) and return it in UTC."""
    start = require_aware(starts_at, field="starts_at")
    end = require_aware(ends_at, field="ends_at") if ends_at is not None else None
    if end is not None and end < start:
        raise Invalid("ends_at is before starts_at", code="end_before_start", field="ends_at")
    return start, end


def local_time(instant: datetime, tz_name: str) -> datetime:
    """The instant as wall-clock time in the agreement's zone (offsets from the tz database)."""
    return require_aware(instant, field="instant").astimezone(zone(tz_name))


def local_date(instant: datetime, tz_name: str) -> date:
    """The calendar day an instant falls on in the agreement's zone."""
    return local_time(instant, tz_name).date()


def format_local(instant: datetime, tz_name: str) -> str:
    """Human display of an instant in a zone: '2016-02-27 00:00 Asia/Damascus (UTC+02:00)'."""
    local = local_time(instant, tz_name)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {tz_name} (UTC{offset[:3]}:{offset[3:]})"


def default_stance_day(start: datetime, end: datetime | None, tz_name: str, today: date) -> date:
    """The day stances are shown for when none is asked: today, clamped into the agreement's period."""
    first = local_date(start, tz_name)
    # The end instant is exclusive: the last day in scope is the day of the instant just before it.
    last = local_date(end - timedelta(microseconds=1), tz_name) if end is not None else None
    day = max(today, first)
    return min(day, last) if last is not None and last >= first else day


# --- parent and child ------------------------------------------------------------------------


def check_child_start(parent_start: datetime, child_start: datetime) -> None:
    """A child agreement (extension, regime of calm) starts within or after its parent, never before."""
    if child_start < parent_start:
        raise Invalid(
            "a child agreement cannot start before its parent agreement",
            code="child_before_parent",
            field="starts_at",
        )


# --- status history --------------------------------------------------------------------------


def check_status_change(
    history: Sequence[StatusEntry],
    *,
    status: AgreementStatus,
    at: datetime,
    agreement_start: datetime,
    documented: bool,
    field: str = "at",
) -> None:
    """Refuse a status change that would make the history inconsistent.

    - only `announced` may come before the agreement's start (the CoH was announced on 22 February
      and entered into force on 27 February); every other change is at or after the start;
    - changes are appended in time order: strictly after the latest recorded change;
    - `announced` can only open a history, and a change must change the status;
    - after `lapsed` or `collapsed` only a re-entry `in_force` is possible, and it must be
      documented (carry a source).
    """
    if status is not AgreementStatus.ANNOUNCED and at < agreement_start:
        raise Invalid(
            "a status change cannot precede the agreement's start", code="before_start", field=field
        )
    if not history:
        return
    latest = max(history, key=lambda entry: entry.at)
    if at <= latest.at:
        raise Invalid(
            f"status changes are recorded in order: the latest is at {latest.at.isoformat()}",
            code="status_out_of_order",
            field=field,
        )
    if status is AgreementStatus.ANNOUNCED:
        raise Invalid("an agreement is announced only once, first", code="bad_transition", field="status")
    if status == latest.status:
        raise Invalid(f"the agreement is already {status.value}", code="status_unchanged", field="status")
    if latest.status in TERMINAL and status is not AgreementStatus.IN_FORCE:
        raise Invalid(
            f"after {latest.status} only a re-entry into force can be recorded",
            code="bad_transition",
            field="status",
        )
    if latest.status in TERMINAL and not documented:
        raise Invalid(
            f"a re-entry into force after {latest.status} must cite its source",
            code="undocumented_reentry",
            field="source",
        )


def ordered_history(history: Iterable[E]) -> list[E]:
    """The history oldest first."""
    return sorted(history, key=lambda entry: entry.at)


def status_at(history: Iterable[StatusEntry], at: datetime) -> AgreementStatus | None:
    """The status in effect at an instant (the latest change at or before it), or None."""
    earlier = [entry for entry in history if entry.at <= at]
    if not earlier:
        return None
    return AgreementStatus(max(earlier, key=lambda entry: entry.at).status)


def is_in_force(start: datetime, end: datetime | None, history: Iterable[StatusEntry], at: datetime) -> bool:
    """In force = inside the time scope and not suspended, lapsed or collapsed at that instant.

    An agreement with no status recorded yet (or only `announced`) is in force by its own terms
    within its time scope; the status history can only take it out of force.
    """
    return in_time_scope(start, end, at) and status_at(history, at) not in NOT_IN_FORCE


# --- geographic scope ------------------------------------------------------------------------


def scope_problem(scope_kind: ScopeKind, modes: Sequence[AreaMode]) -> str | None:
    """Why a list of area modes does not fit the scope kind, or None when it fits."""
    if scope_kind is ScopeKind.NATIONWIDE and AreaMode.INCLUDE in modes:
        return "a nationwide agreement can only list areas it excludes"
    if scope_kind is ScopeKind.AREAS and AreaMode.INCLUDE not in modes:
        return "an agreement scoped to areas must include at least one area"
    return None


# --- stance periods --------------------------------------------------------------------------


def covers(period: StancePeriod, on: date) -> bool:
    """Whether a stance period (both ends inclusive) covers a day."""
    return period.valid_from <= on and (period.valid_to is None or on <= period.valid_to)


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def plan_stance(existing: Sequence[S], valid_from: date, valid_to: date | None) -> S | None:
    """Check a new stance period against one party's periods for one agreement.

    Periods never overlap. The one allowed exception: when the party's open-ended stance started
    earlier than the new one, the new stance supersedes it — that record is returned and the caller
    closes it the day before the new one starts. Any other overlap is a Conflict.
    """
    to_close: S | None = None
    for period in existing:
        if not _overlap(period.valid_from, period.valid_to, valid_from, valid_to):
            continue
        if period.valid_to is None and period.valid_from < valid_from and to_close is None:
            to_close = period
            continue
        span = f"{period.valid_from} to {period.valid_to or 'open'}"
        raise Conflict(
            f"this period overlaps the party's stance from {span}",
            code="stance_overlap",
            field="valid_from",
            details={
                "valid_from": period.valid_from.isoformat(),
                "valid_to": period.valid_to.isoformat() if period.valid_to else None,
            },
        )
    return to_close


def closing_day(new_valid_from: date) -> date:
    """The last day of a superseded open stance: the day before the new stance starts."""
    return new_valid_from - timedelta(days=1)


def stance_on(stances: Iterable[S], on: date) -> S | None:
    """The stance record covering a day, or None (periods do not overlap, so at most one does)."""
    for period in stances:
        if covers(period, on):
            return period
    return None
