"""The clock port: services ask it for 'now' so that tests can fix time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time, tz-aware in UTC."""
    return datetime.now(UTC)


class FixedClock:
    """A clock that returns a set instant, advanced by hand (for tests and replays)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a tz-aware datetime")
        self.at = at

    def __call__(self) -> datetime:
        return self.at
