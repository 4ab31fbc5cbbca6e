"""Applicability and determinations on the 2016 replay (a database of its own, loaded once): the
worked cases from stored claims, issuing and superseding findings, validation and who may see what."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements import effective_stances, stance_of
from ceasefire.agreements import repository as agreements_repo
from ceasefire.audit.models import AuditEntry
from ceasefire.determinations import service
from ceasefire.determinations.applicability import Reason
from ceasefire.determinations.catalog import agreement_catalog
from ceasefire.determinations.facts import StanceFact
from ceasefire.determinations.models import Determination
from ceasefire.determinations.schemas import DeterminationCreate
from ceasefire.evidence.models import Evidence
from ceasefire.incidents.models import Incident
from ceasefire.interchange.replay import replay_folder
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Finding, Verdict
from ceasefire.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ceasefire.kernel.time import TimePrecision
from ceasefire.parties import resolve_party
from ceasefire.parties.models import PartyStance
from tests import determinations_data as data

ANALYST = Actor(id="u-analyst", username="analyst1", role="analyst")


def store_case_1(session: Session, **options: Any) -> None:
    """Jobar: the opposition asserts government shelling, the government counter-accuses."""
    claims = [
        {
            "occurred": "2016-09-13T15:00+03:00",
            "source_party_id": "free-syrian-army",
            "submitter_party_id": "free-syrian-army",
            "act_category": "shelling",
            "perpetrator_party_id": "syrian-government-forces",
            "target_party_id": "free-syrian-army",
        },
        {
            "occurred": "2016-09-13T15:00+03:00",
            "source_party_id": "syrian-government-forces",
            "stance": "counter_accuses",
            "act_category": "armed_attack",
            "perpetrator_party_id": "free-syrian-army",
            "target_party_id": "syrian-government-forces",
        },
    ]
    data.store_incident(session, "case-1", claims, where=data.JOBAR, **options)


def store_cases(session: Session) -> None:
    """The worked cases 1-5 as the replay's cases.yaml reports them, grouped into incidents."""
    store_case_1(session)
    data.store_incident(
        session,
        "case-2",
        [
            {
                "occurred": "2016-09-17T00:00+03:00",
                "source_party_id": "us-led-coalition",
                "act_category": "air_strike",
                "perpetrator_party_id": "us-led-coalition",
                "target_party_id": "islamic-state",
            }
        ],
        where=data.DEIR_EZ_ZOR,
    )
    data.store_incident(
        session,
        "case-3",
        [
            {
                "occurred": "2016-02-22T00:00+02:00",
                "time_precision": "week",
                "act_category": "shelling",
                "perpetrator_party_id": "syrian-government-forces",
                "target_text": "a residential area of Homs city",
            }
        ],
        where=data.HOMS,
    )
    data.store_incident(
        session,
        "case-4",
        [
            {
                "occurred": "2016-05-03T00:00+03:00",
                "source_party_id": "afp",
                "act_category": "attack_on_medical_facility",
                "perpetrator_text": "rebels",
                "target_text": "al-Dabbeet maternity hospital",
            }
        ],
        where=data.AL_DABBEET,
    )
    strikes = {"act_category": "air_strike", "perpetrator_text": "Russian or Syrian government aircraft"}
    data.store_incident(
        session,
        "case-5",
        [
            {"occurred": "2016-10-23T00:00+03:00", "source_party_id": "the-telegraph", **strikes},
            {
                "occurred": "2016-10-24T00:00+03:00",
                "source_party_id": "lcc",
                "location_precision": "unknown",
                **strikes,
            },
            {
                "occurred": "2016-10-23T00:00+03:00",
                "time_precision": "week",
                "source_party_id": "russian-armed-forces",
                "stance": "denies",
                "act_category": "air_strike",
                "perpetrator_party_id": "russian-armed-forces",
            },
        ],
        where=data.ALEPPO,
    )


def test_the_catalogs_stance_timelines_agree_with_the_registry_day_by_day(replay: Session) -> None:
    catalog = agreement_catalog(replay)
    rows = replay.scalars(select(PartyStance)).all()
    parties = sorted({row.party_id for row in rows} | {"sarc"})
    edges = {row.valid_from for row in rows} | {row.valid_to for row in rows if row.valid_to}
    days = sorted(
        {date(2016, 2, 20) + timedelta(days=d) for d in range(0, 260, 5)}
        | edges
        | {d - timedelta(days=1) for d in edges}
        | {d + timedelta(days=1) for d in edges}
    )
    for agreement in catalog.agreements:
        stored = agreements_repo.get(replay, agreement.id)
        for day in days:
            expected = {e.party_id: e.stance for e in effective_stances(replay, agreement=stored, on=day)}
            for party in parties:
                found = agreement.stances.on(party, day)
                assert (found.stance if found else None) == expected.get(party), (agreement.id, party, day)
    # And one through the public lookup, inheritance included.
    inherited = stance_of(
        replay, agreement_id="coh-2016-aleppo", party_id="jaysh-al-islam", on=date(2016, 5, 10)
    )
    timeline = next(a for a in catalog.agreements if a.id == "coh-2016-aleppo").stances
    assert inherited is not None
    assert timeline.on("jaysh-al-islam", date(2016, 5, 10)) == StanceFact(
        "jaysh-al-islam", inherited.stance, "coh-2016", True, inherited.source
    )


EXPECTED = {
    "case-1": {"coh-2016": (Verdict.IN_SCOPE, ()), "sep-2016-arrangement": (Verdict.IN_SCOPE, ())},
    "case-2": {
        "coh-2016": (Verdict.OUT_OF_SCOPE, (Reason.TARGET_EXCLUDED,)),
        "sep-2016-arrangement": (Verdict.OUT_OF_SCOPE, (Reason.TARGET_EXCLUDED,)),
    },
    "case-3": {"coh-2016": (Verdict.UNCERTAIN, (Reason.TIME_STRADDLES_START,))},
    "case-4": {
        "coh-2016": (Verdict.UNCERTAIN, (Reason.PERPETRATOR_UNKNOWN,)),
        "coh-2016-aleppo": (Verdict.OUT_OF_SCOPE, (Reason.BEFORE_START,)),
        "aleppo-regime-of-calm-2016-05": (Verdict.OUT_OF_SCOPE, (Reason.BEFORE_START,)),
    },
    "case-5": {
        "coh-2016": (Verdict.UNCERTAIN, (Reason.PERPETRATOR_UNKNOWN,)),
        "coh-2016-aleppo": (Verdict.UNCERTAIN, (Reason.PERPETRATOR_UNKNOWN,)),
        "oct-2016-humanitarian-pause": (Verdict.OUT_OF_SCOPE, (Reason.AFTER_END,)),
        "sep-2016-arrangement": (Verdict.OUT_OF_SCOPE, (Reason.AFTER_END,)),
    },
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_worked_cases_from_stored_claims(replay: Session, case: str) -> None:
    store_cases(replay)
    found = {r.agreement_id: r for r in service.assess(replay, incident_id=case, actor=ANALYST)}
    assert len(found) == 7
    for agreement_id, (verdict, reasons) in EXPECTED[case].items():
        assert (found[agreement_id].verdict, found[agreement_id].reasons) == (verdict, reasons), agreement_id


REPLAY_CASES = {
    "case-1": "case-1-jobar-mutual-accusations",
    "case-2": "case-2-deir-al-zor-supply-routes",
    "case-3": "case-3-homs-week-of-22-february",
    "case-4": "case-4-al-dabbeet-hospital",
    "case-5": "case-5-aleppo-air-strikes-denied",
}


def replay_incident(session: Session, case_id: str) -> str:
    """The id of the incident the replay loaded for a worked case of cases.yaml (found by its title)."""
    cases = yaml.safe_load(replay_folder().joinpath("cases.yaml").read_text(encoding="utf-8"))
    title = next(i["title"] for i in cases["incidents"] if i["id"] == case_id)
    found = session.scalars(select(Incident.id).where(Incident.title == title)).all()
    assert len(found) == 1, title
    return found[0]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_replays_worked_cases_give_the_verdicts_of_the_brief(replay: Session, case: str) -> None:
    incident_id = replay_incident(replay, REPLAY_CASES[case])
    found = {r.agreement_id: r for r in service.assess(replay, incident_id=incident_id, actor=ANALYST)}
    for agreement_id, (verdict, reasons) in EXPECTED[case].items():
        assert (found[agreement_id].verdict, found[agreement_id].reasons) == (verdict, reasons), agreement_id
    if case == "case-3":
        assert (
            found["coh-2016"].summary
            == "uncertain — time precision straddles the start 2016-02-27 00:00 Damascus"
        )
    if case == "case-5":
        assert "denied by Russian Armed Forces (russian-armed-forces)" in found["coh-2016"].summary


def test_the_stored_facts_say_who_is_named_and_who_only_denies(replay: Session) -> None:
    store_cases(replay)
    facts = service.build_incident_facts(replay, "case-5")
    assert facts.perpetrator_ids == ()
    assert facts.perpetrator_texts == ("Russian or Syrian government aircraft",)
    assert facts.denied_ids == ("russian-armed-forces",)
    assert facts.time_precision is TimePrecision.DAY
    one = service.build_incident_facts(replay, "case-1")
    assert one.perpetrator_ids == ("syrian-government-forces", "free-syrian-army")
    assert one.act_categories == ("shelling", "armed_attack")
    assert one.party_names["free-syrian-army"] == "Free Syrian Army"
    coh = next(
        r for r in service.assess(replay, incident_id="case-5", actor=ANALYST) if r.agreement_id == "coh-2016"
    )
    assert "Russian Armed Forces (russian-armed-forces) named only in a denial" in coh.summary


def test_withdrawn_claims_no_longer_name_the_perpetrator(replay: Session) -> None:
    claim = {"occurred": "2016-09-14T10:00+03:00", "act_category": "shelling"}
    data.store_incident(
        replay,
        "withdrawn",
        [
            {**claim, "perpetrator_party_id": "jabhat-al-nusra", "withdrawn": True},
            {**claim, "perpetrator_party_id": "jaysh-al-islam"},
        ],
        where=data.JOBAR,
    )
    assert service.build_incident_facts(replay, "withdrawn").perpetrator_ids == ("jaysh-al-islam",)


def violation(**overrides: Any) -> DeterminationCreate:
    values: dict[str, Any] = {
        "finding": "violation",
        "responsible_party_id": "syrian-government-forces",
        "provisions": [{"agreement_id": "coh-2016", "category": "shelling"}],
        "rationale": "Two sides' accounts agree that shelling took place in Jobar on 13 September.",
    }
    values.update(overrides)
    return DeterminationCreate.model_validate(values)


def test_a_new_determination_supersedes_the_current_one_and_both_are_kept(replay: Session) -> None:
    store_case_1(replay)
    first = service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    assert first.supersedes_id is None
    assert first.decided_by == "analyst1"
    coh = next(a for a in first.applicability if a["agreement_id"] == "coh-2016")
    assert coh["verdict"] == "in_scope"
    assert coh["trace"][0].startswith("time: window 2016-09-13 00:00–2016-09-14 00:00 Damascus")
    assert first.provisions == [
        {
            "agreement_id": "coh-2016",
            "category": "shelling",
            "kind": "prohibited_act",
            "description": "Attacks with any weapons include mortar and artillery fire.",
        }
    ]
    revised = violation(
        finding="inconclusive", provisions=[], supersedes_id=first.id, rationale="Accounts conflict."
    )
    second = service.issue_determination(replay, incident_id="case-1", data=revised, actor=ANALYST)
    assert second.supersedes_id == first.id
    history = service.determinations_of(replay, incident_id="case-1", actor=ANALYST)
    assert [(d.id, d.finding, d.is_current, d.superseded_by_id) for d in history] == [
        (second.id, Finding.INCONCLUSIVE, True, None),
        (first.id, Finding.VIOLATION, False, second.id),
    ]
    current = service.current_determination(replay, incident_id="case-1", actor=ANALYST)
    assert current is not None
    assert current.id == second.id
    assert service.get_determination(replay, determination_id=first.id, actor=ANALYST).rationale.startswith(
        "Two sides"
    )
    audited = replay.scalars(select(AuditEntry).where(AuditEntry.action == "determination.issue")).all()
    assert {a.entity_id for a in audited} == {first.id, second.id}
    assert next(a for a in audited if a.entity_id == second.id).changes["supersedes_id"] == first.id


def test_revising_a_determination_that_is_no_longer_current_is_a_conflict(replay: Session) -> None:
    store_case_1(replay)
    first = service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    service.issue_determination(
        replay, incident_id="case-1", data=violation(supersedes_id=first.id), actor=ANALYST
    )
    with pytest.raises(Conflict) as stale:
        service.issue_determination(
            replay, incident_id="case-1", data=violation(supersedes_id=first.id), actor=ANALYST
        )
    assert (stale.value.code, stale.value.field) == ("stale_determination", "supersedes_id")


def _count(session: Session) -> int:
    return session.scalar(select(func.count(Determination.id))) or 0


@pytest.mark.parametrize(
    ("overrides", "error", "code", "field"),
    [
        (
            {"provisions": [{"agreement_id": "no-such-agreement", "category": "shelling"}]},
            NotFound,
            "agreement_not_found",
            "provisions.0.agreement_id",
        ),
        (
            {"provisions": [{"agreement_id": "coh-2016", "category": "siege"}]},
            Invalid,
            "unknown_provision",
            "provisions.0.category",
        ),
        (
            {"provisions": [{"agreement_id": "coh-2016", "category": "shelling"}] * 2},
            Invalid,
            "duplicate_provision",
            "provisions.1",
        ),
        (
            {"provisions": [{"agreement_id": "oct-2016-humanitarian-pause", "category": "air_strike"}]},
            Invalid,
            "provision_out_of_scope",
            "provisions.0.agreement_id",
        ),
        ({"provisions": []}, Invalid, "provisions_required", "provisions"),
        ({"finding": "no_violation"}, Invalid, "provisions_not_allowed", "provisions"),
        (
            {"finding": "no_violation", "provisions": []},
            Invalid,
            "responsible_party_not_allowed",
            "responsible_party_id",
        ),
        ({"responsible_party_id": "nobody"}, NotFound, "party_not_found", "responsible_party_id"),
        ({"evidence_ids": ["no-such-evidence"]}, NotFound, "evidence_not_found", "evidence_ids.0"),
    ],
)
def test_provisions_parties_and_evidence_are_checked_and_nothing_is_stored(
    replay: Session, overrides: dict[str, Any], error: type[Exception], code: str, field: str
) -> None:
    store_case_1(replay)
    with pytest.raises(error) as refused:
        service.issue_determination(replay, incident_id="case-1", data=violation(**overrides), actor=ANALYST)
    assert (refused.value.code, refused.value.field) == (code, field)  # type: ignore[attr-defined]
    assert _count(replay) == 0


def test_the_out_of_scope_refusal_says_why(replay: Session) -> None:
    store_cases(replay)
    data_ = violation(
        provisions=[{"agreement_id": "coh-2016", "category": "air_strike"}],
        responsible_party_id="us-led-coalition",
    )
    with pytest.raises(Invalid) as refused:
        service.issue_determination(replay, incident_id="case-2", data=data_, actor=ANALYST)
    assert "target excluded: Islamic State (islamic-state)" in refused.value.message


def test_cited_evidence_that_exists_is_kept_once(replay: Session) -> None:
    store_case_1(replay)
    replay.add(Evidence(id="ev-1", kind="url", source_url="https://example.org/jobar", collector="analyst"))
    replay.flush()
    issued = service.issue_determination(
        replay, incident_id="case-1", data=violation(evidence_ids=["ev-1", "ev-1"]), actor=ANALYST
    )
    assert issued.evidence_ids == ["ev-1"]


def test_another_partys_representative_gets_404_everywhere(replay: Session) -> None:
    store_case_1(replay)
    issued = service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    stranger = Actor(id="u-rep", username="rep", role="party_representative", party_id="ypg")
    with pytest.raises(NotFound):
        service.assess(replay, incident_id="case-1", actor=stranger)
    with pytest.raises(NotFound):
        service.determinations_of(replay, incident_id="case-1", actor=stranger)
    with pytest.raises(NotFound) as hidden:
        service.get_determination(replay, determination_id=issued.id, actor=stranger)
    assert hidden.value.code == "determination_not_found"
    with pytest.raises(NotFound):
        service.issue_determination(replay, incident_id="case-1", data=violation(), actor=stranger)
    with pytest.raises(NotFound):
        service.assess(replay, incident_id="no-such-incident", actor=ANALYST)


def test_the_accused_party_sees_applicability_but_cannot_determine(replay: Session) -> None:
    store_case_1(replay)
    accused = Actor(
        id="u-gov", username="gov", role="party_representative", party_id="syrian-government-forces"
    )
    assert service.assess(replay, incident_id="case-1", actor=accused)
    with pytest.raises(Forbidden):
        service.issue_determination(replay, incident_id="case-1", data=violation(), actor=accused)
    liaison = Actor(id="u-liaison", username="liaison", role="liaison_officer")
    with pytest.raises(Forbidden):
        service.issue_determination(replay, incident_id="case-1", data=violation(), actor=liaison)
    assert _count(replay) == 0


def test_a_party_sees_an_incident_published_to_the_parties(replay: Session) -> None:
    store_case_1(replay, publication="parties")
    other = Actor(id="u-ypg", username="ypg", role="party_representative", party_id="ypg")
    assert len(service.assess(replay, incident_id="case-1", actor=other)) == 7


def test_a_merged_incident_is_determined_through_the_one_it_was_merged_into(replay: Session) -> None:
    store_case_1(replay)
    incident = data.store_incident(replay, "duplicate", [], where=None)
    incident.merged_into_id = "case-1"
    replay.flush()
    with pytest.raises(Conflict) as merged:
        service.issue_determination(replay, incident_id="duplicate", data=violation(), actor=ANALYST)
    assert merged.value.code == "incident_merged"


def test_a_perpetrator_named_by_its_new_name_keeps_its_stance(replay: Session) -> None:
    """Jabhat Fatah al-Sham (from late July 2016) is Jabhat al-Nusra, excluded from the CoH."""
    [match, *_] = resolve_party(replay, "Jabhat Fatah al-Sham", on=date(2016, 9, 14))
    assert match.party_id == "jabhat-al-nusra"
    claim = {
        "occurred": "2016-09-14T10:00+03:00",
        "act_category": "shelling",
        "perpetrator_party_id": match.party_id,
    }
    data.store_incident(replay, "renamed", [claim], where=data.JOBAR)
    coh = next(
        r
        for r in service.assess(replay, incident_id="renamed", actor=ANALYST)
        if r.agreement_id == "coh-2016"
    )
    assert coh.reasons == (Reason.PERPETRATOR_NOT_BOUND,)
    assert "Jabhat al-Nusra (jabhat-al-nusra) is excluded (own record) on 2016-09-14" in coh.summary


def test_two_analysts_superseding_the_same_determination_at_once_conflict(
    replay: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_case_1(replay)
    first = service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    # The second analyst read the history before the first one's revision was stored.
    monkeypatch.setattr(service.repo, "determinations_of", lambda session, incident_id: [first])
    with pytest.raises(Conflict) as raced:
        service.issue_determination(replay, incident_id="case-1", data=violation(), actor=ANALYST)
    assert raced.value.code == "stale_determination"
    assert _count(replay) == 2
