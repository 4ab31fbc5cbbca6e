"""Intake rules without a database: claim checks, windows, idempotency, receipts, who may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ceasefire.intake import rules
from ceasefire.intake.rules import ReceiptState, Scope
from ceasefire.intake.schemas import MessageCreate, ReportSubmission
from ceasefire.kernel.actor import PUBLIC, SYSTEM, Actor
from ceasefire.kernel.claims import EventType, ReportState
from ceasefire.kernel.errors import Conflict, DomainError, Invalid
from ceasefire.kernel.time import TimePrecision
from ceasefire.kernel.vocab import LocationPrecision
from tests.factories import report_claim

NOW = datetime(2016, 3, 10, 12, 0, tzinfo=UTC)


def _nested(depth: int) -> list[Any]:
    value: list[Any] = [1]
    for _ in range(depth):
        value = [value]
    return value


DEEP = _nested(20)


def actor(role: str, *, party_id: str | None = None, user_id: str = "u1") -> Actor:
    return Actor(id=user_id, username=user_id, role=role, party_id=party_id)


def _error(call: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


# Casualties -------------------------------------------------------------------------------------


def test_a_lone_minimum_is_the_figure_and_absent_figures_stay_unknown() -> None:
    ranges = rules.casualty_ranges({"killed_min": 3, "injured_min": 10, "injured_max": 17})
    assert (ranges["killed_min"], ranges["killed_max"]) == (3, 3)
    assert (ranges["injured_min"], ranges["injured_max"]) == (10, 17)
    assert ranges["women_killed_min"] is None
    assert ranges["women_killed_max"] is None


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"killed_min": 5, "killed_max": 2}, "range_reversed", "killed_max"),
        ({"injured_max": 4}, "range_without_min", "injured_min"),
        (
            {"killed_min": 3, "killed_max": 4, "women_killed_min": 2, "women_killed_max": 6},
            "part_exceeds_total",
            "women_killed_max",
        ),
        (
            {"killed_min": 3, "killed_max": 4, "women_killed_min": 3, "children_killed_min": 2},
            "part_exceeds_total",
            "children_killed_min",
        ),
    ],
)
def test_inconsistent_casualty_figures_are_refused_naming_the_field(
    values: dict[str, int], code: str, field: str
) -> None:
    error = _error(rules.casualty_ranges, values)
    assert (error.code, error.field) == (code, field)


def test_women_and_children_may_be_given_without_a_total() -> None:
    ranges = rules.casualty_ranges({"children_killed_min": 4})
    assert (ranges["children_killed_min"], ranges["killed_max"]) == (4, None)


# Event types ------------------------------------------------------------------------------------


def test_a_sub_event_must_belong_to_its_event_type_and_the_error_lists_the_allowed_ones() -> None:
    assert rules.check_event_pair(EventType.BATTLES, "armed_clash") is EventType.BATTLES
    error = _error(rules.check_event_pair, EventType.BATTLES, "air_drone_strike")
    assert (error.code, error.field) == ("invalid_sub_event", "sub_event_type")
    assert "armed_clash" in error.details["allowed"]


def test_the_event_type_is_inferred_from_a_sub_event_and_unknown_sub_events_are_refused() -> None:
    inferred = rules.check_event_pair(None, "air_drone_strike")
    assert inferred is EventType.EXPLOSIONS_REMOTE_VIOLENCE
    assert rules.check_event_pair(None, None) is None
    assert _error(rules.check_event_pair, None, "carpet_bombing").code == "invalid_sub_event"


# Time -------------------------------------------------------------------------------------------


def test_an_act_in_the_future_or_after_the_message_arrived_is_refused() -> None:
    future = _error(rules.check_occurred_at, NOW + timedelta(hours=1), now=NOW, received_at=NOW)
    assert (future.code, future.field) == ("in_future", "occurred_at")
    late = _error(
        rules.check_occurred_at, NOW - timedelta(hours=1), now=NOW, received_at=NOW - timedelta(days=1)
    )
    assert late.code == "after_receipt"
    # A client clock a minute ahead of ours is not "the future".
    assert rules.check_occurred_at(NOW + timedelta(minutes=1), now=NOW, received_at=NOW)


def test_naive_times_are_refused_with_their_own_code() -> None:
    error = _error(rules.check_occurred_at, datetime(2016, 3, 5, 15, 0), now=NOW, received_at=NOW)
    assert (error.code, error.field) == ("naive_datetime", "occurred_at")
    assert _error(rules.check_received_at, datetime(2016, 3, 5), now=NOW).code == "naive_datetime"


def test_receipt_defaults_to_now_and_is_never_in_the_future() -> None:
    assert rules.check_received_at(None, now=NOW) == NOW
    error = _error(rules.check_received_at, NOW + timedelta(days=1), now=NOW)
    assert (error.code, error.field) == ("in_future", "received_at")


def test_a_day_counts_in_the_claims_own_time_zone() -> None:
    at = datetime(2016, 2, 27, 1, 0, tzinfo=UTC)  # 03:00 in Damascus
    damascus = rules.claim_window(at, TimePrecision.DAY, "Asia/Damascus")
    assert (damascus.start, damascus.end) == (
        datetime(2016, 2, 26, 22, 0, tzinfo=UTC),
        datetime(2016, 2, 27, 22, 0, tzinfo=UTC),
    )
    utc = rules.claim_window(at, TimePrecision.DAY, "UTC")
    assert utc.start == datetime(2016, 2, 27, tzinfo=UTC)
    exact = rules.claim_window(at, TimePrecision.EXACT, "Asia/Damascus")
    assert exact.start == exact.end == at
    assert _error(rules.claim_window, at, TimePrecision.DAY, "Mars/Olympus").code == "unknown_timezone"


# Places -----------------------------------------------------------------------------------------


def test_a_claim_needs_a_whole_point_or_a_place_or_a_name() -> None:
    assert _error(rules.check_point, 36.2, None).field == "longitude"
    assert _error(rules.check_somewhere, None, None, False).code == "location_missing"
    rules.check_somewhere(None, "somewhere near Aleppo", False)


def test_location_precision_is_the_given_one_else_the_points_or_the_places() -> None:
    given = rules.location_precision(LocationPrecision.DISTRICT, has_point=True, place_precision="town")
    assert given is LocationPrecision.DISTRICT
    assert (
        rules.location_precision(None, has_point=True, place_precision="town")
        is LocationPrecision.EXACT_POINT
    )
    assert rules.location_precision(None, has_point=False, place_precision="town") is LocationPrecision.TOWN
    assert rules.location_precision(None, has_point=False, place_precision=None) is LocationPrecision.UNKNOWN


@dataclass(frozen=True)
class Candidate:
    name: str
    method: str
    score: float


def test_a_party_name_resolves_only_to_a_lone_exact_or_near_certain_candidate() -> None:
    exact = Candidate("a", "exact", 100.0)
    assert rules.confident_party([exact]) is exact
    assert rules.confident_party([exact, Candidate("b", "exact", 100.0)]) is None
    close = Candidate("a", "fuzzy", 96.0)
    assert rules.confident_party([close, Candidate("b", "fuzzy", 80.0)]) is close
    assert rules.confident_party([close, Candidate("b", "fuzzy", 95.0)]) is None
    assert rules.confident_party([Candidate("a", "fuzzy", 90.0)]) is None
    assert rules.confident_party([]) is None


def test_a_place_name_resolves_only_when_one_place_holds_it_exactly() -> None:
    one = Candidate("a", "exact", 100.0)
    assert rules.unambiguous_place([one]) is one
    assert rules.unambiguous_place([one, Candidate("b", "exact", 100.0)]) is None
    assert rules.unambiguous_place([Candidate("a", "fuzzy", 99.0)]) is None


# Idempotency and receipts -----------------------------------------------------------------------


def test_the_request_digest_ignores_key_order_but_not_the_kind_or_the_content() -> None:
    first = rules.request_hash("report", {"a": 1, "b": [1, 2]})
    assert first == rules.request_hash("report", {"b": [1, 2], "a": 1})
    assert first != rules.request_hash("message", {"a": 1, "b": [1, 2]})
    assert first != rules.request_hash("report", {"a": 2, "b": [1, 2]})
    rules.check_replay(first, first, key="k")
    error = _error(rules.check_replay, first, "other", key="k")
    assert isinstance(error, Conflict)
    assert error.code == "idempotency_mismatch"


def test_reference_codes_are_readable_and_typed_back_in_any_form() -> None:
    codes = {rules.new_reference_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"CF-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code), code
    assert rules.normalize_reference_code("cf 7k3m q9td") == "CF-7K3M-Q9TD"
    assert rules.normalize_reference_code("7K3M-Q9TD") == "CF-7K3M-Q9TD"
    assert rules.normalize_reference_code("CF-7K3M-Q9T") is None
    assert rules.normalize_reference_code("CF-0K3M-Q9TD") is None  # 0 is never used
    assert rules.normalize_reference_code("\x00") is None


def test_a_receipt_tells_how_far_a_submission_went() -> None:
    assert rules.receipt_state(publications=set(), all_withdrawn=False) is ReceiptState.RECEIVED
    assert rules.receipt_state(publications={"internal"}, all_withdrawn=False) is ReceiptState.GROUPED
    assert (
        rules.receipt_state(publications={"internal", "public"}, all_withdrawn=True) is ReceiptState.PUBLISHED
    )
    assert rules.receipt_state(publications=set(), all_withdrawn=True) is ReceiptState.WITHDRAWN


def test_report_state_of_versions() -> None:
    assert rules.report_state(is_latest=True, lineage_withdrawn=False) is ReportState.CURRENT
    assert rules.report_state(is_latest=False, lineage_withdrawn=False) is ReportState.SUPERSEDED
    assert rules.report_state(is_latest=True, lineage_withdrawn=True) is ReportState.WITHDRAWN
    assert rules.report_state(is_latest=False, lineage_withdrawn=True) is ReportState.SUPERSEDED


# Who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        (actor("admin"), Scope.ALL),
        (actor("analyst"), Scope.ALL),
        (actor("liaison_officer"), Scope.ALL),
        (actor("humanitarian_coordinator"), Scope.OWN),
        (actor("observer"), Scope.OWN),
        (actor("party_representative", party_id="p"), Scope.PARTY),
        (PUBLIC, Scope.NONE),
        (SYSTEM, Scope.ALL),
    ],
)
def test_scopes_by_role(who: Actor, scope: Scope) -> None:
    assert rules.scope_of(who) is scope


def test_who_sees_corrects_and_withdraws_a_submission() -> None:
    rep_a = actor("party_representative", party_id="a", user_id="rep-a")
    colleague = actor("party_representative", party_id="a", user_id="rep-a2")
    rep_b = actor("party_representative", party_id="b", user_id="rep-b")
    observer = actor("observer", user_id="obs")
    liaison = actor("liaison_officer", user_id="lo")
    mine = {"submitted_by_user_id": "rep-a", "submitter_party_id": "a"}
    assert rules.may_see(colleague, **mine)
    assert not rules.may_see(rep_b, **mine)
    assert not rules.may_see(observer, **mine)
    assert rules.may_see(liaison, **mine)
    assert rules.may_withdraw(colleague, **mine)
    assert not rules.may_withdraw(liaison, **mine)
    assert rules.may_withdraw(actor("admin"), **mine)
    assert rules.may_correct(rep_a, submitted_by_user_id="rep-a")
    assert not rules.may_correct(colleague, submitted_by_user_id="rep-a")
    assert rules.may_correct(actor("analyst"), submitted_by_user_id="rep-a")
    assert not rules.may_withdraw(PUBLIC, submitted_by_user_id=None, submitter_party_id=None)


def test_a_party_representative_speaks_only_for_its_party_and_the_public_for_none() -> None:
    rep = actor("party_representative", party_id="a")
    rules.check_source_party(rep, "a")
    rules.check_source_party(rep, None)
    assert _error(rules.check_source_party, rep, "b").field == "source_party_id"
    assert _error(rules.check_source_party, PUBLIC, "a").code == "anonymous_party"
    rules.check_source_party(actor("analyst"), "b")


# Schemas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"narrative": "text with a \x00 NUL"},
        {"source_name": "lone \ud800 surrogate"},
        {"payload": {"deep": DEEP}},
        {"payload": {"x": float("nan")}},
        {"payload": {"bad\x00key": 1}},
        {"occurred_at": "0001-01-01T00:00:00+05:00"},
        {"killed_min": 10**12},
        {"latitude": float("inf"), "longitude": 37.0},
        {"timezone": "../../etc/passwd"},
        {"language": "english"},
        {"unknown_field": 1},
    ],
)
def test_submissions_no_database_could_store_are_refused_by_the_schema(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReportSubmission(**report_claim(**change))


def test_a_raw_message_needs_a_channel_and_empty_text_is_not_text() -> None:
    with pytest.raises(ValidationError):
        MessageCreate(body="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        MessageCreate(channel="sms", body="   ")  # type: ignore[arg-type]
    message = MessageCreate(channel="sms", body="  shelling now  ")  # type: ignore[arg-type]
    assert message.body == "shelling now"
    assert isinstance(_error(rules.check_message_content, None, None, {}), Invalid)
