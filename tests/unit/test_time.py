"""Time values: zones, naive datetimes, windows with a precision."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.time import TimePrecision, TimeWindow, local_midnight, require_aware


def test_damascus_midnight_follows_the_tz_database() -> None:
    assert local_midnight(date(2016, 2, 27), "Asia/Damascus") == datetime(2016, 2, 26, 22, tzinfo=UTC)
    # Summer time from 25 March 2016: UTC+3.
    assert local_midnight(date(2016, 5, 5), "Asia/Damascus") == datetime(2016, 5, 4, 21, tzinfo=UTC)


def test_naive_datetimes_are_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as caught:
        require_aware(datetime(2016, 2, 27), field="starts_at")
    assert caught.value.field == "starts_at"
    assert caught.value.code == "naive_datetime"


def test_a_week_window_straddles_the_coh_start() -> None:
    start = local_midnight(date(2016, 2, 27), "Asia/Damascus")
    week = TimeWindow.around(datetime(2016, 2, 23, 10, tzinfo=UTC), TimePrecision.WEEK)
    assert week.start == local_midnight(date(2016, 2, 22), "Asia/Damascus")
    assert week.straddles(start)
    day = TimeWindow.around(datetime(2016, 2, 23, 10, tzinfo=UTC), TimePrecision.DAY)
    assert not day.straddles(start)


def test_a_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(Invalid):
        TimeWindow(datetime(2016, 3, 2, tzinfo=UTC), datetime(2016, 3, 1, tzinfo=UTC))
