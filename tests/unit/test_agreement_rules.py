"""Pure agreement rules: time scope in local time, status history, parent order, stance periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from ceasefire.agreements import rules
from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.kernel.vocab import AgreementStatus, ScopeKind

COH_START = datetime(2016, 2, 26, 22, tzinfo=UTC)  # 2016-02-27 00:00 Damascus (UTC+2 in winter)


@dataclass
class Change:
    status: str
    at: datetime


@dataclass
class Period:
    valid_from: date
    valid_to: date | None
    stance: str = "committed"


def test_the_coh_starts_at_damascus_midnight_and_is_shown_so() -> None:
    start = datetime.fromisoformat("2016-02-27T00:00:00+02:00")
    assert rules.check_time_scope(start, None) == (COH_START, None)
    assert rules.format_local(COH_START, "Asia/Damascus") == "2016-02-27 00:00 Asia/Damascus (UTC+02:00)"
    assert rules.local_date(COH_START, "Asia/Damascus") == date(2016, 2, 27)
    assert rules.local_date(COH_START, "UTC") == date(2016, 2, 26)


def test_damascus_summer_time_comes_from_the_tz_database() -> None:
    # 25 March 2016 onward Damascus is UTC+3; 28 October back to UTC+2.
    assert rules.format_local(datetime(2016, 3, 24, 12, tzinfo=UTC), "Asia/Damascus").endswith("(UTC+02:00)")
    assert rules.format_local(datetime(2016, 5, 5, 12, tzinfo=UTC), "Asia/Damascus").endswith("(UTC+03:00)")
    assert rules.format_local(datetime(2016, 10, 29, 12, tzinfo=UTC), "Asia/Damascus").endswith("(UTC+02:00)")
    # The regime of calm of 5 May starts at 00:00 local = 21:00 UTC the day before.
    assert rules.local_time(datetime(2016, 5, 4, 21, tzinfo=UTC), "Asia/Damascus").hour == 0


def test_time_scope_is_half_open_and_may_stay_open() -> None:
    end = datetime(2016, 5, 6, 21, tzinfo=UTC)
    assert not rules.in_time_scope(COH_START, None, datetime(2016, 2, 26, 21, 59, tzinfo=UTC))
    assert rules.in_time_scope(COH_START, None, COH_START)
    assert rules.in_time_scope(COH_START, None, datetime(2030, 1, 1, tzinfo=UTC))
    assert rules.in_time_scope(COH_START, end, datetime(2016, 5, 6, 20, 59, tzinfo=UTC))
    assert not rules.in_time_scope(COH_START, end, end)


def test_time_scope_refuses_naive_instants_and_an_end_before_the_start() -> None:
    with pytest.raises(Invalid) as naive:
        rules.in_time_scope(COH_START, None, datetime(2016, 3, 1))
    assert naive.value.code == "naive_datetime"
    with pytest.raises(Invalid) as backwards:
        rules.check_time_scope(COH_START, datetime(2016, 2, 1, tzinfo=UTC))
    assert (backwards.value.code, backwards.value.field) == ("end_before_start", "ends_at")


def _check(history: list[Change], status: AgreementStatus, at: datetime, *, documented: bool = True) -> None:
    rules.check_status_change(history, status=status, at=at, agreement_start=COH_START, documented=documented)


def test_status_changes_must_come_in_order_and_not_before_the_start() -> None:
    history = [Change("in_force", COH_START), Change("suspended", datetime(2016, 9, 19, tzinfo=UTC))]
    with pytest.raises(Invalid) as out_of_order:
        _check(history, AgreementStatus.COLLAPSED, datetime(2016, 9, 1, tzinfo=UTC))
    assert (out_of_order.value.code, out_of_order.value.field) == ("status_out_of_order", "at")
    with pytest.raises(Invalid) as early:
        _check([], AgreementStatus.IN_FORCE, datetime(2016, 2, 22, tzinfo=UTC))
    assert early.value.code == "before_start"
    # Only an announcement may precede the start.
    _check([], AgreementStatus.ANNOUNCED, datetime(2016, 2, 22, tzinfo=UTC))
    _check(history, AgreementStatus.IN_FORCE, datetime(2016, 9, 20, tzinfo=UTC))


def test_after_collapse_only_a_documented_reentry_into_force() -> None:
    history = [Change("in_force", COH_START), Change("collapsed", datetime(2016, 9, 19, tzinfo=UTC))]
    later = datetime(2016, 10, 1, tzinfo=UTC)
    with pytest.raises(Invalid) as suspended:
        _check(history, AgreementStatus.SUSPENDED, later)
    assert suspended.value.code == "bad_transition"
    with pytest.raises(Invalid) as undocumented:
        _check(history, AgreementStatus.IN_FORCE, later, documented=False)
    assert (undocumented.value.code, undocumented.value.field) == ("undocumented_reentry", "source")
    _check(history, AgreementStatus.IN_FORCE, later, documented=True)


def test_a_status_change_must_change_the_status() -> None:
    with pytest.raises(Invalid) as same:
        _check([Change("in_force", COH_START)], AgreementStatus.IN_FORCE, datetime(2016, 3, 1, tzinfo=UTC))
    assert same.value.code == "status_unchanged"


def test_suspension_takes_an_agreement_out_of_force_within_its_scope() -> None:
    history = [Change("in_force", COH_START), Change("suspended", datetime(2016, 9, 19, tzinfo=UTC))]
    assert rules.is_in_force(COH_START, None, history, datetime(2016, 5, 1, tzinfo=UTC))
    assert not rules.is_in_force(COH_START, None, history, datetime(2016, 9, 20, tzinfo=UTC))
    assert rules.status_at(history, datetime(2016, 1, 1, tzinfo=UTC)) is None
    # Announced only: in force by its own terms once its time scope begins.
    assert rules.is_in_force(
        COH_START, None, [Change("announced", datetime(2016, 2, 22, tzinfo=UTC))], COH_START
    )


def test_a_child_cannot_start_before_its_parent() -> None:
    rules.check_child_start(COH_START, datetime(2016, 5, 4, 21, tzinfo=UTC))
    rules.check_child_start(COH_START, COH_START)
    with pytest.raises(Invalid) as early:
        rules.check_child_start(COH_START, datetime(2016, 2, 20, tzinfo=UTC))
    assert (early.value.code, early.value.field) == ("child_before_parent", "starts_at")


def test_scope_kinds_and_area_modes_must_fit() -> None:
    inc, exc = rules.AreaMode.INCLUDE, rules.AreaMode.EXCLUDE
    assert rules.scope_problem(ScopeKind.NATIONWIDE, [exc]) is None
    assert rules.scope_problem(ScopeKind.NATIONWIDE, [inc]) is not None
    assert rules.scope_problem(ScopeKind.AREAS, [exc]) is not None
    assert rules.scope_problem(ScopeKind.AREAS, [inc, exc]) is None


def test_a_later_stance_closes_the_open_one() -> None:
    open_one = Period(date(2016, 2, 26), None)
    assert rules.plan_stance([open_one], date(2016, 9, 12), None) is open_one
    assert rules.closing_day(date(2016, 9, 12)) == date(2016, 9, 11)


@pytest.mark.parametrize(
    ("existing", "new_from", "new_to"),
    [
        ([Period(date(2016, 2, 26), date(2016, 6, 30))], date(2016, 6, 1), None),  # into a closed period
        ([Period(date(2016, 2, 26), None)], date(2016, 2, 26), None),  # same start as the open one
        (
            [Period(date(2016, 3, 1), None)],
            date(2016, 2, 1),
            date(2016, 3, 5),
        ),  # before and into the open one
        ([Period(date(2016, 3, 1), date(2016, 3, 31))], date(2016, 2, 1), None),  # open over a later period
    ],
)
def test_other_overlaps_are_conflicts(existing: list[Period], new_from: date, new_to: date | None) -> None:
    with pytest.raises(Conflict) as caught:
        rules.plan_stance(existing, new_from, new_to)
    assert caught.value.code == "stance_overlap"


def test_adjacent_periods_do_not_overlap() -> None:
    assert rules.plan_stance([Period(date(2016, 2, 26), date(2016, 7, 27))], date(2016, 7, 28), None) is None


def test_stance_on_picks_the_period_covering_the_day_ends_inclusive() -> None:
    first, second = Period(date(2016, 2, 26), date(2016, 7, 27)), Period(date(2016, 7, 28), None, "rejected")
    assert rules.stance_on([first, second], date(2016, 7, 27)) is first
    assert rules.stance_on([first, second], date(2016, 7, 28)) is second
    assert rules.stance_on([first, second], date(2016, 2, 25)) is None


def test_stances_are_shown_for_today_clamped_into_the_agreement() -> None:
    end = datetime(2016, 5, 6, 21, tzinfo=UTC)  # 7 May 00:00 Damascus, exclusive
    start = datetime(2016, 5, 4, 21, tzinfo=UTC)
    assert rules.default_stance_day(start, end, "Asia/Damascus", date(2026, 1, 1)) == date(2016, 5, 6)
    assert rules.default_stance_day(start, end, "Asia/Damascus", date(2016, 1, 1)) == date(2016, 5, 5)
    assert rules.default_stance_day(start, None, "Asia/Damascus", date(2026, 1, 1)) == date(2026, 1, 1)
