"""The worked cases 1-5 of the brief (section 5), loaded with the 2016 replay as reports and
incidents, give exactly the grades, contradictions and applicability verdicts the brief states.

The replay is loaded once per module into a database of the dialect under test; each test reads
it in a rolled-back session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.cli.demo import registry_counts, workflow_counts
from ceasefire.determinations import service as determinations
from ceasefire.determinations.applicability import Applicability
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import IncidentReport
from ceasefire.incidents.schemas import IncidentRead
from ceasefire.intake import service as intake
from ceasefire.intake.models import Message, Report
from ceasefire.intake.schemas import ReportClaim
from ceasefire.interchange import load_replay
from ceasefire.interchange.claims import idempotency_key
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.claims import Verdict

CASE_REPORTS = {
    1: ["case-1-opposition-reports-shelling-of-jobar", "case-1-government-reports-rebel-attack-in-jobar"],
    2: ["case-2-coalition-strikes-near-deir-al-zor"],
    3: ["case-3-homs-shelling-week-of-22-february"],
    4: ["case-4-rockets-hit-al-dabbeet-hospital"],
    5: [
        "case-5-telegraph-air-strikes-resume-on-aleppo",
        "case-5-lcc-documents-deaths-on-24-october",
        "case-5-russian-mod-denies-flights-near-aleppo",
    ],
}


def report_of(session: Session, key: str) -> Report:
    """The current version of the replay report with that key."""
    message = session.scalar(select(Message).where(Message.idempotency_key == idempotency_key(key)))
    assert message is not None, key
    lineage = session.scalar(select(Report.lineage_id).where(Report.message_id == message.id))
    assert lineage is not None, key
    return intake.current_version(session, lineage)


def incident_of(session: Session, case: int) -> IncidentRead:
    """The incident of a worked case, as the secretariat reads it."""
    lineages = [report_of(session, key).lineage_id for key in CASE_REPORTS[case]]
    links = session.scalars(select(IncidentReport).where(IncidentReport.report_lineage_id.in_(lineages)))
    [incident_id] = {link.incident_id for link in links}
    return incidents.read_incident(session, incident_id=incident_id, actor=SYSTEM)


def verdicts(session: Session, case: int) -> dict[str, Applicability]:
    """Applicability of every agreement to a worked case's incident."""
    incident = incident_of(session, case)
    return {a.agreement_id: a for a in determinations.assess(session, incident_id=incident.id, actor=SYSTEM)}


def test_loading_the_replay_again_stores_nothing_new(replay: Session) -> None:
    before = registry_counts(replay) | workflow_counts(replay)
    links = replay.scalar(select(func.count()).select_from(IncidentReport))
    audit = replay.scalar(select(func.count()).select_from(AuditEntry))
    assert workflow_counts(replay) == {"messages": 8, "reports": 8, "incidents": 5}

    summary = load_replay(replay, actor=SYSTEM)

    assert summary.total_created == 0
    assert summary.registry.unchanged["reports"] == 8
    assert summary.registry.unchanged["incidents"] == 5
    assert registry_counts(replay) | workflow_counts(replay) == before
    assert replay.scalar(select(func.count()).select_from(IncidentReport)) == links
    assert replay.scalar(select(func.count()).select_from(AuditEntry)) == audit


def test_each_report_is_a_claim_of_its_source_citing_where_it_was_published(replay: Session) -> None:
    sources = {key: report_of(replay, key) for keys in CASE_REPORTS.values() for key in keys}
    assert sources["case-1-opposition-reports-shelling-of-jobar"].source_party_id == "free-syrian-army"
    assert sources["case-1-government-reports-rebel-attack-in-jobar"].stance == "counter_accuses"
    assert sources["case-2-coalition-strikes-near-deir-al-zor"].source_party_id == "us-led-coalition"
    denial = sources["case-5-russian-mod-denies-flights-near-aleppo"]
    assert (denial.source_party_id, denial.stance) == ("russian-armed-forces", "denies")
    assert sources["case-5-lcc-documents-deaths-on-24-october"].source_party_id == "lcc"
    for key, report in sources.items():
        message = replay.get(Message, report.message_id)
        assert message is not None
        # The message keeps the submission as received; its payload cites the public source.
        citation = message.payload["payload"]
        assert citation["source"], key
        assert citation["interchange_id"] == key
        assert message.received_at < datetime(2017, 1, 1, tzinfo=UTC), key
    assert replay.get(Message, denial.message_id).channel == "news_article"  # type: ignore[union-attr]


def test_case_1_jobar_two_counter_accusing_reports_one_contested_incident_in_scope(replay: Session) -> None:
    incident = incident_of(replay, 1)
    assert len(incident.claims) == 2
    assert incident.grade == "contested"
    [contradiction] = incident.contradictions
    assert contradiction.kind == "mutual_accusation"
    assert contradiction.claims == ["C1", "C2"]
    coh = verdicts(replay, 1)["coh-2016"]
    assert coh.verdict is Verdict.IN_SCOPE
    perpetrator = next(step for step in coh.trace if step.startswith("perpetrator:"))
    assert "Syrian government forces (syrian-government-forces) is committed" in perpetrator
    assert "Free Syrian Army (free-syrian-army) is committed" in perpetrator


def test_case_2_strike_on_islamic_state_supply_routes_is_out_of_scope_target_excluded(
    replay: Session,
) -> None:
    coh = verdicts(replay, 2)["coh-2016"]
    assert coh.verdict is Verdict.OUT_OF_SCOPE
    assert [r.value for r in coh.reasons] == ["target_excluded"]
    assert "Islamic State (islamic-state) is excluded" in coh.summary


def test_case_3_a_week_straddling_the_start_of_the_coh_is_uncertain(replay: Session) -> None:
    incident = incident_of(replay, 3)
    assert incident.window is not None
    assert incident.window.precision == "week"
    coh = verdicts(replay, 3)["coh-2016"]
    assert coh.verdict is Verdict.UNCERTAIN
    assert [r.value for r in coh.reasons] == ["time_straddles_start"]
    assert coh.summary == "uncertain — time precision straddles the start 2016-02-27 00:00 Damascus"


def test_case_4_al_dabbeet_hospital_coh_applies_if_the_perpetrator_is_committed(replay: Session) -> None:
    incident = incident_of(replay, 4)
    [claim] = incident.claims
    assert claim.act_category == "attack_on_medical_facility"
    assert incident.casualties.killed is not None
    assert (incident.casualties.killed.min, incident.casualties.killed.max) == (3, 3)
    assert incident.casualties.injured is not None
    assert incident.casualties.injured.min == 17
    found = verdicts(replay, 4)
    calm = found["aleppo-regime-of-calm-2016-05"]
    assert (calm.verdict, [r.value for r in calm.reasons]) == (Verdict.OUT_OF_SCOPE, ["before_start"])
    # "Rebels" names no registered party: whether the CoH applies depends on who fired.
    coh = found["coh-2016"]
    assert (coh.verdict, [r.value for r in coh.reasons]) == (Verdict.UNCERTAIN, ["perpetrator_unknown"])
    act = next(step for step in coh.trace if step.startswith("act:"))
    assert "attack on medical facility is prohibited" in act

    # Should a source name a committed party, the CoH applies.
    report = report_of(replay, "case-4-rockets-hit-al-dabbeet-hospital")
    claim_data = {
        name: getattr(report, name)
        for name in ReportClaim.model_fields
        if name not in ("evidence_ids", "timezone") and getattr(report, name, None) is not None
    }
    correction = ReportClaim.model_validate({**claim_data, "perpetrator_party_id": "jaysh-al-islam"})
    intake.correct_report(
        replay, report_id=report.id, data=correction, note="test: a committed party named", actor=SYSTEM
    )
    incidents.refresh(replay, incidents.get_incident(replay, incident.id))
    after = verdicts(replay, 4)
    assert after["coh-2016"].verdict is Verdict.IN_SCOPE
    assert after["aleppo-regime-of-calm-2016-05"].verdict is Verdict.OUT_OF_SCOPE


def test_case_5_the_ministry_denial_contests_the_incident_and_is_listed(replay: Session) -> None:
    incident = incident_of(replay, 5)
    assert incident.grade == "contested"
    by_source = {c.source_party_id: c for c in incident.claims}
    assert by_source["russian-armed-forces"].stance == "denies"
    assert {by_source["the-telegraph"].stance, by_source["lcc"].stance} == {"asserts"}
    [denial] = [c for c in incident.contradictions if c.kind == "denial"]
    denier = by_source["russian-armed-forces"].ref
    assert denial.contesting
    assert set(denial.claims) == {by_source["the-telegraph"].ref, by_source["lcc"].ref, denier}
    assert denial.description.startswith(f"{denier} denies")
    assert any("denial" in reason for reason in incident.grade_reasons)
