"""The pure incident rules: window, place, casualties, contradictions and grade."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ceasefire.incidents.contradictions import ContradictionKind
from ceasefire.incidents.rules import Casualties, ClaimFacts, Range, derive
from ceasefire.kernel.claims import ClaimStance, Grade
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import LocationPrecision

AFTERNOON = datetime(2016, 3, 5, 13, 0, tzinfo=UTC)  # 15:00 in Damascus


def claim(n: int, **overrides: Any) -> ClaimFacts:
    """A credible assertion by party `source{n}` of shelling on 5 March 2016 (day precision)."""
    source = overrides.pop("source", f"source{n}")
    data: dict[str, Any] = {
        "report_id": f"r{n}",
        "lineage_id": f"l{n}",
        "source_key": source,
        "source_party_id": source,
        "stance": ClaimStance.ASSERTS,
        "window": TimeWindow.around(AFTERNOON, TimePrecision.DAY),
        "act_category": "shelling",
    }
    data.update(overrides)
    return ClaimFacts(**data)


def unidentified(n: int, **overrides: Any) -> ClaimFacts:
    """A claim from a source known only by name (not in the registry)."""
    return claim(n, source=f"name:someone {n}", source_party_id=None, **overrides)


# Worked case 1: Jobar, an opposition report and a government counter-accusation the same afternoon.
JOBAR_SIDES = {"saa": "syrian-government", "syrian-government": "syrian-government", "faylaq": "faylaq"}


def test_worked_case_1_mutual_accusation_makes_the_incident_contested() -> None:
    opposition = claim(1, source="faylaq", perpetrator_party_id="saa", target_party_id="faylaq")
    government = claim(
        2,
        source="syrian-government",
        stance=ClaimStance.COUNTER_ACCUSES,
        perpetrator_text="armed terrorist groups",
        target_party_id="saa",
    )
    derived = derive([opposition, government], sides=JOBAR_SIDES)
    assert derived.grade is Grade.CONTESTED
    [mutual] = [c for c in derived.contradictions if c.kind is ContradictionKind.MUTUAL_ACCUSATION]
    assert mutual.claims == ("C1", "C2")
    assert mutual.report_ids == ("r1", "r2")
    assert mutual.contesting
    assert "each side accuses the other" in mutual.description
    assert any(r.startswith("mutual accusation: C1") for r in derived.reasons)


def test_cross_accusation_without_counter_stance_is_also_mutual() -> None:
    a = claim(1, source="faylaq", perpetrator_party_id="saa", target_party_id="faylaq")
    b = claim(2, source="syrian-government", perpetrator_party_id="faylaq", target_party_id="saa")
    derived = derive([a, b], sides=JOBAR_SIDES)
    assert [c.kind for c in derived.contradictions] == [ContradictionKind.MUTUAL_ACCUSATION]
    assert derived.grade is Grade.CONTESTED


# Worked case 5: the Russian MoD denies air strikes on Aleppo that other sources report.
ALEPPO_SIDES = {"russia": "russia", "russian-mod": "russia", "syrian-air-force": "russia"}


def test_worked_case_5_denial_against_assertions_is_contested_and_listed() -> None:
    claims = [
        claim(1, source="sohr", act_category="air_strike", perpetrator_party_id="russia"),
        claim(2, source="white-helmets", act_category="air_strike", perpetrator_party_id="syrian-air-force"),
        claim(3, source="russian-mod", stance=ClaimStance.DENIES, perpetrator_party_id="russia"),
    ]
    derived = derive(claims, sides=ALEPPO_SIDES)
    assert derived.grade is Grade.CONTESTED
    [denial] = derived.contradictions
    assert denial.kind is ContradictionKind.DENIAL
    assert denial.claims == ("C1", "C2", "C3")
    assert denial.description.startswith("C3 denies that 'russia' did it; C1, C2 say otherwise")
    assert any("without the dispute the grade would be corroborated" in r for r in derived.reasons)


def test_a_denial_of_another_sides_act_contradicts_nothing() -> None:
    claims = [
        claim(1, source="sohr", perpetrator_party_id="coalition"),
        claim(2, source="russian-mod", stance=ClaimStance.DENIES, perpetrator_party_id="russia"),
    ]
    derived = derive(claims, sides=ALEPPO_SIDES)
    assert derived.contradictions == ()
    assert derived.grade is Grade.SINGLE_SOURCE


def test_a_denial_naming_no_perpetrator_denies_the_event() -> None:
    claims = [claim(1, perpetrator_party_id="x"), claim(2, stance=ClaimStance.DENIES)]
    [denial] = derive(claims).contradictions
    assert denial.description.startswith("C2 denies that the event happened")


def test_an_unidentified_denial_is_listed_but_does_not_contest() -> None:
    claims = [claim(1, perpetrator_party_id="x"), unidentified(2, stance=ClaimStance.DENIES)]
    derived = derive(claims)
    [denial] = derived.contradictions
    assert not denial.contesting
    assert derived.grade is Grade.SINGLE_SOURCE


def test_competing_attributions_between_sides_contest() -> None:
    claims = [claim(1, perpetrator_party_id="russia"), claim(2, perpetrator_party_id="coalition")]
    derived = derive(claims)
    assert [c.kind for c in derived.contradictions] == [ContradictionKind.COMPETING_ATTRIBUTION]
    assert derived.grade is Grade.CONTESTED


def test_two_reports_from_one_side_are_not_corroboration() -> None:
    claims = [claim(1, source="army"), claim(2, source="army-spokesman"), claim(3, source="army")]
    derived = derive(claims, sides={"army": "army", "army-spokesman": "army"})
    assert derived.grade is Grade.SINGLE_SOURCE
    assert "reports from one side are not independent: they count once" in derived.reasons
    assert derived.reasons[0] == "one side only says it happened (S1: C1, C2, C3)"


def test_two_sides_agreeing_corroborate() -> None:
    derived = derive([claim(1, source="army"), claim(2, source="sohr")])
    assert derived.grade is Grade.CORROBORATED
    assert derived.reasons[0] == "2 independent sides say it happened (S1: C1; S2: C2)"


def test_monitor_observation_confirms() -> None:
    derived = derive([claim(1, source="mobile-team", is_monitor=True)])
    assert derived.grade is Grade.CONFIRMED
    assert derived.reasons == ("observed by a monitor: C1",)


def test_acknowledgement_by_the_perpetrators_side_confirms() -> None:
    claims = [
        claim(1, source="sohr", perpetrator_party_id="syrian-air-force"),
        claim(2, source="russian-mod", stance=ClaimStance.CONFIRMS, perpetrator_party_id="russia"),
    ]
    derived = derive(claims, sides=ALEPPO_SIDES)
    assert derived.grade is Grade.CONFIRMED
    assert derived.reasons == ("acknowledged by the responsible side: C2 comes from the alleged perpetrator",)


def test_verified_evidence_confirms_even_an_unidentified_source() -> None:
    derived = derive([unidentified(1, has_verified_evidence=True)])
    assert derived.grade is Grade.CONFIRMED
    assert derived.reasons == ("backed by verified evidence: C1",)


def test_only_unidentified_sources_leave_the_incident_unverified() -> None:
    derived = derive([unidentified(1), unidentified(2)])
    assert derived.grade is Grade.UNVERIFIED
    assert "sources not identified in the registry: C1, C2" in derived.reasons


def test_no_claims_is_unverified_and_all_withdrawn_or_dismissed_is_discounted() -> None:
    assert derive([]).grade is Grade.UNVERIFIED
    withdrawn = derive([claim(1, withdrawn=True), claim(2, withdrawn=True)])
    assert withdrawn.grade is Grade.DISCOUNTED
    assert withdrawn.reasons == ("every linked report was withdrawn (C1, C2)",)
    dismissed = derive([claim(1)], dismissed_because="duplicate of another incident")
    assert dismissed.grade is Grade.DISCOUNTED
    assert dismissed.reasons == ("the incident was dismissed: duplicate of another incident",)


def test_a_withdrawn_report_no_longer_corroborates() -> None:
    derived = derive([claim(1), claim(2, withdrawn=True)])
    assert derived.grade is Grade.SINGLE_SOURCE
    assert "withdrawn and not counted: C2" in derived.reasons


def killed(low: int, high: int) -> Casualties:
    return Casualties(killed=Range(low, high))


def test_conservative_casualty_rule_counts_credible_active_non_denying_claims() -> None:
    claims = [
        claim(1, casualties=Casualties(killed=Range(3, 5), children_killed=Range(1, 1))),
        claim(2, casualties=Casualties(killed=Range(4, 10), injured=Range(17, 17))),
        unidentified(3, casualties=killed(1, 1)),
        claim(4, stance=ClaimStance.DENIES, casualties=killed(0, 0)),
        claim(5, withdrawn=True, casualties=killed(40, 40)),
    ]
    casualties = derive(claims).casualties
    assert casualties.killed == Range(3, 10)
    assert casualties.injured == Range(17, 17)
    assert casualties.children_killed == Range(1, 1)
    assert casualties.women_killed is None
    notes = {f.claim: f.note for f in casualties.figures}
    assert notes == {
        "C1": None,
        "C2": None,
        "C3": "source not identified in the registry",
        "C4": "a denial",
        "C5": "withdrawn",
    }


def test_no_credible_figure_gives_no_range() -> None:
    assert derive([unidentified(1, casualties=killed(2, 2))]).casualties.killed is None


def test_incompatible_casualty_figures_are_listed_without_contesting() -> None:
    claims = [claim(1, casualties=killed(2, 2)), claim(2, casualties=killed(10, 12)), claim(3)]
    derived = derive(claims)
    [clash] = derived.contradictions
    assert clash.kind is ContradictionKind.CASUALTY_FIGURES
    assert clash.claims == ("C1", "C2")
    assert clash.description == "killed figures do not overlap: C1 2, C2 10-12"
    assert not clash.contesting
    assert derived.grade is Grade.CORROBORATED
    assert derived.casualties.killed == Range(2, 12)


def test_range_of_one_bound_and_overlap() -> None:
    assert Range.of(None, None) is None
    assert Range.of(3, None) == Range(3, 3)
    assert Range(1, 3).overlaps(Range(3, 9))
    assert not Range(1, 2).overlaps(Range(3, 9))


def test_window_is_the_intersection_with_the_finest_precision() -> None:
    exact = datetime(2016, 3, 5, 12, 30, tzinfo=UTC)
    claims = [
        claim(1, window=TimeWindow.around(AFTERNOON, TimePrecision.WEEK)),
        claim(2),
        claim(3, window=TimeWindow.around(exact, TimePrecision.EXACT)),
    ]
    window = derive(claims).window
    assert window is not None
    assert (window.start, window.end, window.precision, window.conflict) == (
        exact,
        exact,
        TimePrecision.EXACT,
        False,
    )


def test_windows_that_do_not_meet_give_the_span_flagged_as_a_conflict() -> None:
    next_day = datetime(2016, 3, 6, 13, 0, tzinfo=UTC)
    claims = [claim(1), claim(2, window=TimeWindow.around(next_day, TimePrecision.DAY))]
    window = derive(claims).window
    assert window is not None
    assert window.conflict
    assert window.start == datetime(2016, 3, 4, 22, 0, tzinfo=UTC)  # 5 March 00:00 Damascus (UTC+2)
    assert window.end == datetime(2016, 3, 6, 22, 0, tzinfo=UTC)
    assert window.precision is TimePrecision.DAY


def test_window_and_place_come_from_claims_that_assert_the_event() -> None:
    month = TimeWindow.around(AFTERNOON, TimePrecision.MONTH)
    claims = [claim(1), claim(2, stance=ClaimStance.DENIES, window=month, latitude=1.0, longitude=1.0)]
    derived = derive(claims)
    assert derived.window is not None
    assert derived.window.precision is TimePrecision.DAY
    assert derived.place is None


def test_place_is_the_most_precise_claim_with_the_spread_of_points() -> None:
    town = {"latitude": 33.525, "longitude": 36.335, "location_precision": LocationPrecision.TOWN}
    point = {"latitude": 33.530, "longitude": 36.340, "location_precision": LocationPrecision.EXACT_POINT}
    claims = [
        claim(1, place_id="jobar", **town),
        claim(2, **point),
        claim(3, place_id="damascus", location_precision=LocationPrecision.GOVERNORATE),
    ]
    place = derive(claims).place
    assert place is not None
    assert (place.claim, place.latitude, place.precision, place.points) == (
        "C2",
        33.530,
        LocationPrecision.EXACT_POINT,
        2,
    )
    assert place.spread_km == pytest.approx(0.72, abs=0.05)


def test_derived_json_holds_references_not_source_identities() -> None:
    derived = derive([claim(1, source="faylaq", source_name="Faylaq al-Rahman", casualties=killed(1, 2))])
    stored = derived.to_json()
    assert stored["grade"] == "single_source"
    assert stored["claims"][0] == {
        "ref": "C1",
        "report_id": "r1",
        "lineage_id": "l1",
        "side": "S1",
        "stance": "asserts",
        "credible": True,
        "withdrawn": False,
    }
    assert stored["casualties"]["killed"] == {"min": 1, "max": 2}
    assert "faylaq" not in repr(stored).lower()
