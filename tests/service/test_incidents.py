"""The incidents service: grouping, derivation from current reports, stages, publication, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.incidents import service
from ceasefire.incidents.derivation import refresh_for_report
from ceasefire.incidents.models import Incident
from ceasefire.incidents.repository import IncidentFilter
from ceasefire.incidents.schemas import PairDecisionKind
from ceasefire.intake import service as intake
from ceasefire.intake.schemas import ReportClaim
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.claims import Grade, Publication, Stage
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from tests.factories import make_incident, report_claim
from tests.incidents_data import (
    aleppo,
    authenticate_evidence_of,
    government_side,
    jobar,
    neutral_sources,
    report,
)


def actions(session: Session, incident_id: str) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity_id == incident_id).order_by(AuditEntry.id)
    return list(session.scalars(query))


def test_worked_case_1_jobar_reports_make_one_contested_incident(session: Session) -> None:
    case = jobar(session)
    incident = make_incident(session, reports=[case.opposition, case.government], title="Jobar shelling")
    read = service.read_incident(session, incident_id=incident.id, actor=SYSTEM)
    assert read.grade is Grade.CONTESTED
    assert incident.grade == "contested"  # the stored cache agrees
    [mutual] = read.contradictions
    assert mutual.kind == "mutual_accusation"
    assert mutual.claims == ["C1", "C2"]
    assert mutual.report_ids == [case.opposition.id, case.government.id]
    assert [c.stance.value for c in read.claims] == ["asserts", "counter_accuses"]
    assert [s.by_stance for s in read.sides] == [{"asserts": ["C1"]}, {"counter_accuses": ["C2"]}]
    # The exact time of one claim lies inside the other's day: the window narrows to it.
    assert read.window is not None
    assert read.window.start == read.window.end == datetime(2016, 3, 5, 13, 0, tzinfo=UTC)
    assert read.window.claims == ["C1", "C2"]


def test_worked_case_5_denial_against_strike_reports_is_contested_and_listed(session: Session) -> None:
    case = aleppo(session)
    incident = make_incident(session, reports=[*case.strikes, case.denial])
    read = service.read_incident(session, incident_id=incident.id, actor=SYSTEM)
    assert read.grade is Grade.CONTESTED
    [denial] = read.contradictions
    assert denial.kind == "denial"
    assert denial.report_ids == [*(r.id for r in case.strikes), case.denial.id]
    assert denial.description == "C3 denies that 'russia' did it; C1, C2 say otherwise"
    assert read.grade_reasons[0] == f"denial: {denial.description}"
    # The denial's week is not the time of the strikes: the window is the day they report.
    assert read.window is not None
    assert read.window.start == datetime(2016, 10, 22, 21, 0, tzinfo=UTC)


def test_two_reports_from_one_side_are_a_single_source(session: Session) -> None:
    government_side(session)
    reports = [report(session, source_party_id="saa"), report(session, source_party_id="syrian-government")]
    incident = make_incident(session, reports=reports)
    assert incident.grade == Grade.SINGLE_SOURCE
    assert "reports from one side are not independent: they count once" in incident.derived["reasons"]


def test_two_sides_agreeing_corroborate(session: Session) -> None:
    government_side(session)
    neutral_sources(session)
    reports = [report(session, source_party_id="saa"), report(session, source_party_id="white-helmets")]
    incident = make_incident(session, reports=reports)
    assert incident.grade == Grade.CORROBORATED


def test_a_monitors_observation_confirms(session: Session) -> None:
    neutral_sources(session)
    incident = make_incident(session, reports=[report(session, source_party_id="mobile-team")])
    assert incident.grade == Grade.CONFIRMED
    assert incident.derived["reasons"] == ["observed by a monitor: C1"]


def test_authenticated_evidence_confirms_once_cited(session: Session) -> None:
    item = report(session, source_name="A resident of Jobar")
    incident = make_incident(session, reports=[item])
    assert incident.grade == Grade.UNVERIFIED
    authenticate_evidence_of(session, item)
    read = service.read_incident(session, incident_id=incident.id, actor=SYSTEM)
    assert read.grade is Grade.CONFIRMED
    assert read.claims[0].verified_evidence
    assert incident.grade == Grade.CONFIRMED  # reading brought the cache up to date


def test_corrections_and_withdrawals_show_in_the_incident(session: Session) -> None:
    government_side(session)
    neutral_sources(session)
    first = report(session, source_party_id="saa", killed_min=2, killed_max=3)
    second = report(session, source_party_id="white-helmets", killed_min=4, killed_max=4)
    incident = make_incident(session, reports=[first, second])
    assert (incident.grade, incident.killed_min, incident.killed_max) == (Grade.CORROBORATED, 2, 4)

    claim = ReportClaim(**report_claim(source_party_id="saa", source_name=None, killed_min=5, killed_max=5))
    intake.correct_report(session, report_id=first.id, data=claim, note="figures revised", actor=SYSTEM)
    read = service.read_incident(session, incident_id=incident.id, actor=SYSTEM)
    assert read.casualties.killed is not None
    assert (read.casualties.killed.min, read.casualties.killed.max) == (4, 5)
    assert read.claims[0].version == 2

    intake.withdraw_report(session, report_id=second.id, reason="sent in error", actor=SYSTEM)
    # A list re-derives the stale incidents it shows (here: changed behind the API's back)...
    listed = service.list_incidents(session, actor=SYSTEM, page=PageRequest())
    assert [(i.id, i.grade) for i in listed.items] == [(incident.id, Grade.SINGLE_SOURCE)]
    # ...so that the filters, which read the stored fields, find it under its new grade.
    page = service.list_incidents(
        session, actor=SYSTEM, page=PageRequest(), filters=IncidentFilter(grade="single_source")
    )
    assert [i.id for i in page.items] == [incident.id]
    assert incident.killed_min == 5
    assert refresh_for_report(session, second.lineage_id) is incident


def test_open_refuses_unknown_duplicate_superseded_withdrawn_and_grouped_reports(session: Session) -> None:
    government_side(session)
    free = report(session, source_party_id="saa")
    with pytest.raises(NotFound) as unknown:
        service.open_incident(session, report_ids=[free.id, "nope"], title="x", actor=SYSTEM)
    assert unknown.value.field == "report_ids.1"
    with pytest.raises(Invalid) as twice:
        service.open_incident(session, report_ids=[free.id, free.id], title="x", actor=SYSTEM)
    assert twice.value.code == "duplicate_report"

    old = report(session, source_party_id="saa")
    claim = ReportClaim(**report_claim(source_party_id="saa", source_name=None))
    intake.correct_report(session, report_id=old.id, data=claim, note="time", actor=SYSTEM)
    with pytest.raises(Conflict) as superseded:
        service.open_incident(session, report_ids=[old.id], title="x", actor=SYSTEM)
    assert superseded.value.code == "report_superseded"

    gone = report(session, source_party_id="saa")
    intake.withdraw_report(session, report_id=gone.id, reason="error", actor=SYSTEM)
    with pytest.raises(Conflict) as withdrawn:
        service.open_incident(session, report_ids=[gone.id], title="x", actor=SYSTEM)
    assert withdrawn.value.code == "report_withdrawn"

    first = make_incident(session, reports=[free])
    with pytest.raises(Conflict) as grouped:
        service.open_incident(session, report_ids=[free.id], title="x", actor=SYSTEM)
    assert grouped.value.code == "report_already_linked"
    assert grouped.value.details == {"incident_id": first.id}
    assert session.scalar(select(Incident).where(Incident.title == "x")) is None


def test_link_and_unlink_are_audited_and_unlinking_rejects_the_pairing(session: Session) -> None:
    government_side(session)
    neutral_sources(session)
    a, b = report(session, source_party_id="saa"), report(session, source_party_id="white-helmets")
    incident = make_incident(session, reports=[a])
    service.link_report(session, incident_id=incident.id, report_id=b.id, actor=SYSTEM)
    assert incident.grade == Grade.CORROBORATED
    service.unlink_report(session, incident_id=incident.id, report_id=b.id, actor=SYSTEM, reason="other day")
    assert incident.grade == Grade.SINGLE_SOURCE
    assert service.is_rejected(session, report_lineage_id=b.lineage_id, incident_id=incident.id)
    assert actions(session, incident.id) == ["incident.open", "incident.link", "incident.unlink"]

    with pytest.raises(NotFound) as not_here:
        service.unlink_report(session, incident_id=incident.id, report_id=b.id, actor=SYSTEM)
    assert not_here.value.code == "report_not_linked"
    with pytest.raises(Conflict) as last:
        service.unlink_report(session, incident_id=incident.id, report_id=a.id, actor=SYSTEM)
    assert last.value.code == "last_report"
    # A machine may not re-pair what an analyst rejected; an analyst may.
    with pytest.raises(Conflict) as machine:
        service.link_report(session, incident_id=incident.id, report_id=b.id, actor=SYSTEM, method="auto")
    assert machine.value.code == "pair_rejected"
    service.link_report(session, incident_id=incident.id, report_id=b.id, actor=SYSTEM)
    assert not service.is_rejected(session, report_lineage_id=b.lineage_id, incident_id=incident.id)


def test_merge_moves_reports_ends_the_source_as_merged_and_is_audited(session: Session) -> None:
    case = jobar(session)
    source = make_incident(session, reports=[case.government])
    target = make_incident(session, reports=[case.opposition])
    with pytest.raises(Invalid) as no_reason:
        service.merge_incidents(session, source_id=source.id, target_id=target.id, reason=" ", actor=SYSTEM)
    assert no_reason.value.code == "reason_required"
    service.merge_incidents(
        session, source_id=source.id, target_id=target.id, reason="same event", actor=SYSTEM
    )
    assert (source.stage, source.merged_into_id, source.stage_reason) == ("merged", target.id, "same event")
    assert target.grade == Grade.CONTESTED
    assert actions(session, source.id)[-1] == actions(session, target.id)[-1] == "incident.merge"
    history = service.stage_history(session, incident_id=source.id, actor=SYSTEM)
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, Stage.NEW), (Stage.NEW, Stage.MERGED)]
    with pytest.raises(Conflict) as again:
        service.merge_incidents(session, source_id=source.id, target_id=target.id, reason="x", actor=SYSTEM)
    assert again.value.code == "incident_not_open"
    with pytest.raises(Invalid):
        service.merge_incidents(session, source_id=target.id, target_id=target.id, reason="x", actor=SYSTEM)


def test_split_moves_reports_to_a_new_incident_and_is_audited(session: Session) -> None:
    case = jobar(session)
    incident = make_incident(session, reports=[case.opposition, case.government])
    with pytest.raises(Invalid) as everything:
        service.split_incident(
            session,
            incident_id=incident.id,
            report_ids=[case.opposition.id, case.government.id],
            title="all",
            actor=SYSTEM,
        )
    assert everything.value.code == "split_takes_all"
    new = service.split_incident(
        session, incident_id=incident.id, report_ids=[case.government.id], title="Rebel attack", actor=SYSTEM
    )
    assert incident.grade == Grade.SINGLE_SOURCE
    read = service.read_incident(session, incident_id=new.id, actor=SYSTEM)
    assert [c.report_id for c in read.claims] == [case.government.id]
    assert actions(session, incident.id)[-1] == actions(session, new.id)[-1] == "incident.split"
    lineage = case.government.lineage_id
    assert service.is_rejected(session, report_lineage_id=lineage, incident_id=incident.id)
    assert not service.is_rejected(session, report_lineage_id=lineage, incident_id=new.id)


def test_stage_machine_moves_refuses_and_dismissal_discounts(session: Session) -> None:
    incident = make_incident(session, reports=[report(session)])
    service.advance_stage(session, incident_id=incident.id, to=Stage.TRIAGE, reason=None, actor=SYSTEM)
    with pytest.raises(Conflict) as skip:
        service.advance_stage(session, incident_id=incident.id, to=Stage.CLOSED, reason="done", actor=SYSTEM)
    assert skip.value.code == "invalid_transition"
    assert (skip.value.details["from"], skip.value.details["to"]) == ("triage", "closed")
    with pytest.raises(Invalid) as merge:
        service.advance_stage(session, incident_id=incident.id, to=Stage.MERGED, reason="x", actor=SYSTEM)
    assert merge.value.code == "merge_required"

    service.dismiss(session, incident_id=incident.id, reason="duplicate of a hoax", actor=SYSTEM)
    assert (incident.stage, incident.grade) == ("dismissed", Grade.DISCOUNTED)
    assert incident.derived["reasons"] == ["the incident was dismissed: duplicate of a hoax"]
    with pytest.raises(Conflict):
        service.link_report(session, incident_id=incident.id, report_id=report(session).id, actor=SYSTEM)
    service.advance_stage(
        session, incident_id=incident.id, to=Stage.TRIAGE, reason="not a hoax", actor=SYSTEM
    )
    assert incident.grade == Grade.UNVERIFIED
    assert actions(session, incident.id).count("incident.stage") == 3


def test_publication_is_set_audited_and_refused_on_a_merged_incident(session: Session) -> None:
    case = jobar(session)
    a = make_incident(session, reports=[case.opposition])
    b = make_incident(session, reports=[case.government])
    service.set_publication(session, incident_id=a.id, level=Publication.PUBLIC, actor=SYSTEM, reason="ok")
    assert a.publication == "public"
    assert actions(session, a.id)[-1] == "incident.publish"
    service.merge_incidents(session, source_id=b.id, target_id=a.id, reason="same", actor=SYSTEM)
    with pytest.raises(Conflict) as merged:
        service.set_publication(session, incident_id=b.id, level=Publication.PUBLIC, actor=SYSTEM)
    assert merged.value.code == "incident_merged"


def test_pair_decisions_are_recorded_and_exposed(session: Session) -> None:
    incident = make_incident(session)
    other = report(session)
    assert not service.is_rejected(session, report_lineage_id=other.lineage_id, incident_id=incident.id)
    decision = service.record_pair_decision(
        session, report_id=other.id, incident_id=incident.id, decision=PairDecisionKind.REJECT, actor=SYSTEM
    )
    assert decision.decision == "reject"
    assert service.is_rejected(session, report_lineage_id=other.lineage_id, incident_id=incident.id)
    assert actions(session, incident.id)[-1] == "incident.decide_pair"


def test_incident_claims_give_facts_with_sides_for_other_domains(session: Session) -> None:
    case = jobar(session)
    incident = make_incident(session, reports=[case.opposition, case.government])
    facts = service.incident_claims(session, incident.id)
    assert [(f.source_party_id, f.source_side) for f in facts] == [
        ("faylaq", "faylaq"),
        ("syrian-government", "saa"),  # a side is named by the smallest party id in it
    ]
    with pytest.raises(NotFound):
        service.incident_claims(session, "nope")
