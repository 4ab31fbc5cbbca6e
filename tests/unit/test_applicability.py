"""Applicability rules on the 2016 replay's agreements: the brief's worked cases 1-5, time zones,
precisions straddling boundaries, and the status history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ceasefire.determinations.applicability import (
    AgreementFacts,
    Applicability,
    Reason,
    ScopeIndex,
    StanceFact,
    StanceTimeline,
    evaluate,
)
from ceasefire.kernel.claims import Verdict
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import LocationPrecision, ScopeKind, Stance
from tests import determinations_data as data
from tests.determinations_data import incident, replay_agreements, window


def verdicts(facts: object) -> dict[str, Applicability]:
    agreements = replay_agreements()
    return {r.agreement_id: r for r in evaluate(facts, agreements, ScopeIndex(agreements))}  # type: ignore[arg-type]


def test_every_agreement_gets_a_verdict_with_a_trace() -> None:
    found = verdicts(data.case_1())
    assert set(found) == {a.id for a in replay_agreements()}
    for result in found.values():
        assert result.trace[0].startswith("time: ")
        assert result.summary


def test_case_1_jobar_is_in_scope_of_the_coh_for_both_parties() -> None:
    found = verdicts(data.case_1())
    coh = found["coh-2016"]
    assert (coh.verdict, coh.reasons) == (Verdict.IN_SCOPE, ())
    assert coh.summary == "in scope"
    perpetrator = next(line for line in coh.trace if line.startswith("perpetrator:"))
    assert (
        "Syrian government forces (syrian-government-forces) is committed (own record) on 2016-09-13"
        in perpetrator
    )
    assert "Free Syrian Army (free-syrian-army) is committed (own record) on 2016-09-13" in perpetrator
    assert perpetrator.endswith("→ in scope")
    # The September arrangement, in force since the evening of 12 September, applies too; the FSA's
    # commitment is inherited from the CoH.
    september = found["sep-2016-arrangement"]
    assert september.verdict is Verdict.IN_SCOPE
    assert "inherited from coh-2016" in " ".join(september.trace)
    assert found["castello-road-corridor-2016"].reasons == (Reason.OUTSIDE_AREA,)
    assert found["oct-2016-humanitarian-pause"].reasons == (Reason.BEFORE_START,)


def test_case_2_a_strike_on_islamic_state_is_out_of_scope_target_excluded() -> None:
    found = verdicts(data.case_2())
    for agreement_id in ("coh-2016", "sep-2016-arrangement"):
        result = found[agreement_id]
        assert (result.verdict, result.reasons) == (Verdict.OUT_OF_SCOPE, (Reason.TARGET_EXCLUDED,))
        assert result.summary.startswith("out of scope — target excluded: Islamic State (islamic-state)")
        assert result.trace[-1].endswith("→ out of scope (target excluded)")
    # The coalition itself is bound: only the target puts the strike out of scope.
    assert found["coh-2016"].trace[3].endswith("→ in scope")


def test_case_3_a_week_precision_straddles_the_start_of_the_coh() -> None:
    result = verdicts(data.case_3())["coh-2016"]
    assert (result.verdict, result.reasons) == (Verdict.UNCERTAIN, (Reason.TIME_STRADDLES_START,))
    assert result.summary == "uncertain — time precision straddles the start 2016-02-27 00:00 Damascus"
    assert result.trace[0] == (
        "time: window 2016-02-22 00:00–2016-02-29 00:00 Damascus (UTC+02:00, week precision) "
        "straddles the start 2016-02-27 00:00 Asia/Damascus → uncertain (time straddles start)"
    )
    # The government's stance is checked on the days of the week that fall in force only.
    assert "committed (own record) from 2016-02-27 to 2016-02-28" in result.trace[3]


def test_case_4_the_hospital_attack_is_prohibited_and_the_regime_of_calm_not_yet_in_force() -> None:
    found = verdicts(data.case_4())
    coh = found["coh-2016"]
    assert coh.trace[2] == "act: attack on medical facility is prohibited → in scope"
    assert (coh.verdict, coh.reasons) == (Verdict.UNCERTAIN, (Reason.PERPETRATOR_UNKNOWN,))
    assert "named only as 'rebels', which no registered party matches" in coh.trace[3]
    calm = found["aleppo-regime-of-calm-2016-05"]
    assert (calm.verdict, calm.reasons) == (Verdict.OUT_OF_SCOPE, (Reason.BEFORE_START,))
    assert calm.summary == "out of scope — before start: the agreement starts 2016-05-05 00:00 Damascus"
    assert found["coh-2016-aleppo"].reasons == (Reason.BEFORE_START,)


@pytest.mark.parametrize(
    ("perpetrator", "verdict", "reasons"),
    [
        ("jaysh-al-islam", Verdict.IN_SCOPE, ()),
        ("jabhat-al-nusra", Verdict.OUT_OF_SCOPE, (Reason.PERPETRATOR_NOT_BOUND,)),
        ("ahrar-al-sham", Verdict.OUT_OF_SCOPE, (Reason.PERPETRATOR_NOT_BOUND,)),
    ],
)
def test_case_4_the_coh_applies_if_the_perpetrator_is_a_committed_party(
    perpetrator: str, verdict: Verdict, reasons: tuple[Reason, ...]
) -> None:
    result = verdicts(data.case_4(perpetrator))["coh-2016"]
    assert (result.verdict, result.reasons) == (verdict, reasons)


def test_case_5_a_denial_does_not_name_the_perpetrator_so_it_stays_unknown() -> None:
    found = verdicts(data.case_5())
    for agreement_id in ("coh-2016", "coh-2016-aleppo"):
        result = found[agreement_id]
        assert (result.verdict, result.reasons) == (Verdict.UNCERTAIN, (Reason.PERPETRATOR_UNKNOWN,))
        assert "Russian Armed Forces (russian-armed-forces) named only in a denial" in result.summary
    pause = found["oct-2016-humanitarian-pause"]
    assert pause.reasons == (Reason.AFTER_END,)
    assert "is after the end 2016-10-22 19:00 Asia/Damascus" in pause.trace[0]
    september = found["sep-2016-arrangement"]
    assert september.reasons == (Reason.AFTER_END,)
    assert (
        september.summary
        == "out of scope — after end: the agreement ended 2016-09-19 19:00 Damascus (collapsed)"
    )


def test_case_5_when_the_claims_name_the_air_forces_they_are_bound() -> None:
    facts = data.case_5()
    named = incident(
        "case-5b",
        TimeWindow(facts.window_start, facts.window_end, TimePrecision.DAY),  # type: ignore[arg-type]
        data.ALEPPO,
        act_categories=("air_strike",),
        perpetrator_ids=("russian-armed-forces", "syrian-government-forces"),
    )
    assert verdicts(named)["coh-2016"].verdict is Verdict.IN_SCOPE


def test_damascus_summer_time_decides_the_start_of_the_regime_of_calm() -> None:
    """5 May 2016 in Damascus is UTC+3: 21:30 UTC on 4 May is already 00:30 on 5 May."""
    inside = datetime(2016, 5, 4, 21, 30, tzinfo=UTC)
    before = datetime(2016, 5, 4, 20, 30, tzinfo=UTC)  # 23:30 on 4 May, Damascus
    claims = {"act_categories": ("air_strike",), "perpetrator_ids": ("syrian-government-forces",)}
    exact = LocationPrecision.EXACT_POINT
    calm = verdicts(incident("dst", TimeWindow(inside, inside), data.ALEPPO, exact, **claims))
    result = calm["aleppo-regime-of-calm-2016-05"]
    assert result.verdict is Verdict.IN_SCOPE
    assert result.trace[0].startswith("time: 2016-05-05 00:30 Damascus (UTC+03:00, exact time) falls within")
    early = verdicts(incident("dst", TimeWindow(before, before), data.ALEPPO, exact, **claims))
    assert early["aleppo-regime-of-calm-2016-05"].reasons == (Reason.BEFORE_START,)
    assert (
        early["aleppo-regime-of-calm-2016-05"]
        .trace[0]
        .startswith("time: 2016-05-04 23:30 Damascus (UTC+03:00")
    )


def test_the_coh_starts_at_damascus_winter_midnight() -> None:
    start = datetime(2016, 2, 26, 22, tzinfo=UTC)  # 27 Feb 00:00, UTC+2
    claims = {"act_categories": ("shelling",), "perpetrator_ids": ("syrian-government-forces",)}
    at_start = verdicts(incident("t", TimeWindow(start, start), data.HOMS, **claims))["coh-2016"]
    assert at_start.verdict is Verdict.IN_SCOPE
    just_before = start.replace(hour=21, minute=59)
    earlier = verdicts(incident("t", TimeWindow(just_before, just_before), data.HOMS, **claims))["coh-2016"]
    assert earlier.reasons == (Reason.BEFORE_START,)
    day = verdicts(incident("t", window("2016-02-27T10:00+02:00", TimePrecision.DAY), data.HOMS, **claims))
    assert day["coh-2016"].verdict is Verdict.IN_SCOPE
    previous_day = verdicts(
        incident("t", window("2016-02-26T10:00+02:00", TimePrecision.DAY), data.HOMS, **claims)
    )
    assert previous_day["coh-2016"].reasons == (Reason.BEFORE_START,)


def test_a_window_straddling_the_end_is_uncertain() -> None:
    claims = {"act_categories": ("air_strike",), "perpetrator_ids": ("syrian-government-forces",)}
    # The week of 17 October holds the end of the pause (22 Oct 19:00) and its start (20 Oct 08:00).
    week = verdicts(
        incident("w", window("2016-10-17T00:00+03:00", TimePrecision.WEEK), data.ALEPPO, **claims)
    )
    assert week["oct-2016-humanitarian-pause"].reasons[0] is Reason.TIME_STRADDLES_START
    day = verdicts(incident("d", window("2016-10-22T12:00+03:00", TimePrecision.DAY), data.ALEPPO, **claims))
    pause = day["oct-2016-humanitarian-pause"]
    assert pause.reasons[0] is Reason.TIME_STRADDLES_END
    assert "time precision straddles the end 2016-10-22 19:00 Damascus" in pause.summary


def test_unknown_time_and_place_are_uncertain_not_guessed() -> None:
    facts = incident(
        "u", None, None, act_categories=("shelling",), perpetrator_ids=("syrian-government-forces",)
    )
    found = verdicts(facts)
    coh = found["coh-2016"]
    # The CoH is nationwide with no excluded area: only the time is in doubt.
    assert (coh.verdict, coh.reasons[0]) == (Verdict.UNCERTAIN, Reason.TIME_UNKNOWN)
    assert Reason.LOCATION_UNKNOWN not in coh.reasons
    assert Reason.LOCATION_UNKNOWN in found["coh-2016-aleppo"].reasons


def test_acts_the_agreement_does_not_prohibit_are_out_of_scope() -> None:
    facts = incident(
        "a",
        window("2016-05-10T00:00+03:00", TimePrecision.DAY),
        data.ALEPPO,
        act_categories=("abduction",),
        perpetrator_ids=("syrian-government-forces",),
    )
    coh = verdicts(facts)["coh-2016"]
    assert coh.reasons == (Reason.ACT_NOT_PROHIBITED,)
    assert coh.trace[2].startswith("act: abduction: not among the prohibited acts (air strike, armed attack,")


def test_sniper_fire_is_prohibited_as_an_armed_attack() -> None:
    facts = incident(
        "s",
        window("2016-09-14T00:00+03:00", TimePrecision.DAY),
        data.JOBAR,
        act_categories=("sniper_fire",),
        perpetrator_ids=("syrian-government-forces",),
    )
    result = verdicts(facts)["coh-2016"]
    assert result.verdict is Verdict.IN_SCOPE
    assert result.trace[2] == "act: sniper fire is prohibited as an armed attack → in scope"


def test_claims_naming_a_bound_and_an_unbound_perpetrator_are_disputed() -> None:
    # Ahrar al-Sham rejected the September arrangement on 11 September.
    facts = incident(
        "r",
        window("2016-09-13T20:00+03:00", TimePrecision.DAY),
        data.ALEPPO,
        act_categories=("shelling",),
        perpetrator_ids=("syrian-government-forces", "ahrar-al-sham"),
    )
    result = verdicts(facts)["sep-2016-arrangement"]
    assert (result.verdict, result.reasons) == (Verdict.UNCERTAIN, (Reason.PERPETRATOR_DISPUTED,))
    assert "Ahrar al-Sham (ahrar-al-sham) is rejected (own record) on 2016-09-13" in result.summary


def test_a_perpetrator_that_rejected_the_arrangement_is_not_bound_by_it() -> None:
    facts = incident(
        "m",
        window("2016-09-01T00:00+03:00", TimePrecision.MONTH),
        data.ALEPPO,
        act_categories=("shelling",),
        perpetrator_ids=("jaysh-al-islam",),
    )
    found = verdicts(facts)
    # The month straddles the arrangement's start, but on every day it was in force (12-19 September)
    # Jaysh al-Islam had rejected it; the CoH, which it committed to, still applies.
    september = found["sep-2016-arrangement"]
    assert september.reasons == (Reason.PERPETRATOR_NOT_BOUND,)
    assert september.trace[0].endswith("→ uncertain (time straddles start)")
    assert "is rejected (own record) from 2016-09-12 to 2016-09-19" in september.trace[3]
    assert found["coh-2016"].verdict is Verdict.IN_SCOPE


def test_a_stance_that_changes_within_the_window_is_uncertain() -> None:
    committed = {"brigade": StanceFact("brigade", Stance.COMMITTED, "local")}
    rejected = {"brigade": StanceFact("brigade", Stance.REJECTED, "local")}
    agreement = AgreementFacts(
        id="local",
        name="Local truce",
        kind="local_reconciliation",
        starts_at=datetime(2017, 1, 1, tzinfo=UTC),
        ends_at=None,
        timezone="Asia/Damascus",
        scope_kind=ScopeKind.NATIONWIDE,
        prohibited=frozenset({"shelling"}),
        stances=StanceTimeline([(date(2017, 1, 1), committed), (date(2017, 1, 10), rejected)]),
    )
    facts = incident(
        "w",
        window("2017-01-09T00:00+02:00", TimePrecision.WEEK),
        data.HOMS,
        act_categories=("shelling",),
        perpetrator_ids=("brigade",),
    )
    [result] = evaluate(facts, [agreement], ScopeIndex([agreement]))
    assert (result.verdict, result.reasons) == (Verdict.UNCERTAIN, (Reason.STANCE_CHANGES_IN_WINDOW,))
    assert "brigade: from 2017-01-09 committed (own record), then from 2017-01-10 rejected" in result.trace[3]


def test_targets_some_excluded_some_protected_are_disputed() -> None:
    facts = incident(
        "t",
        window("2016-09-17T00:00+03:00", TimePrecision.DAY),
        data.DEIR_EZ_ZOR,
        act_categories=("air_strike",),
        perpetrator_ids=("us-led-coalition",),
        target_ids=("islamic-state", "syrian-government-forces"),
    )
    result = verdicts(facts)["coh-2016"]
    assert (result.verdict, result.reasons) == (Verdict.UNCERTAIN, (Reason.TARGET_DISPUTED,))
