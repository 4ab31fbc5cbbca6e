"""Time values: tz-aware instants, local-time helpers and time windows with a precision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ceasefire.kernel.errors import Invalid

DAMASCUS = "Asia/Damascus"


class TimePrecision(StrEnum):
    """How precisely a claimed time is known (ACLED time_precision 1-3, plus exact time)."""

    EXACT = "exact"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def require_aware(value: datetime, *, field: str) -> datetime:
    """Refuse naive datetimes: an instant without a zone is ambiguous in this domain."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise Invalid(
            f"{field} must carry a time zone offset (naive datetimes are ambiguous)",
            code="naive_datetime",
            field=field,
        )
    return value.astimezone(UTC)


def zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    """Return the IANA zone of that name, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown time zone {name!r}", code="unknown_timezone", field=field) from exc


def local_midnight(day: date, tz_name: str) -> datetime:
    """Return 00:00 local time of a day in a zone, as a UTC instant."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz_name)).astimezone(UTC)


def check_order(start: datetime | date | None, end: datetime | date | None, *, field: str) -> None:
    """Raise when an end comes before its start."""
    if start is not None and end is not None and end < start:
        raise Invalid(f"{field} ends before it starts", code="end_before_start", field=field)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open UTC interval [start, end) with the precision the claim had."""

    start: datetime
    end: datetime
    precision: TimePrecision = TimePrecision.EXACT

    def __post_init__(self) -> None:
        require_aware(self.start, field="start")
        require_aware(self.end, field="end")
        if self.end < self.start:
            raise Invalid("time window ends before it starts", code="end_before_start", field="end")

    @classmethod
    def around(cls, at: datetime, precision: TimePrecision, tz_name: str = DAMASCUS) -> TimeWindow:
        """The window a claimed instant stands for at its precision, in local days of the zone."""
        at = require_aware(at, field="at")
        if precision is TimePrecision.EXACT:
            return cls(at, at, precision)
        local_day = at.astimezone(zone(tz_name)).date()
        if precision is TimePrecision.DAY:
            first, days = local_day, 1
        elif precision is TimePrecision.WEEK:
            first, days = local_day - timedelta(days=local_day.weekday()), 7
        else:
            first = local_day.replace(day=1)
            nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            days = (nxt - first).days
        return cls(
            local_midnight(first, tz_name),
            local_midnight(first + timedelta(days=days), tz_name),
            precision,
        )

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Tell whether this window meets [start, end) (end None = open)."""
        return self.end >= start and (end is None or self.start < end)

    def straddles(self, instant: datetime) -> bool:
        """Tell whether the instant falls strictly inside the window."""
        return self.start < instant < self.end
