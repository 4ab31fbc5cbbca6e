"""The correlation service on the database: one report at a time (the intake path), decisions,
explanations, batch runs and the ACLED import."""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.correlation import acled, metrics, repository, rules, service, synthetic
from ceasefire.correlation.models import CorrelationEntry, CorrelationPair
from ceasefire.correlation.rules import Item, Thresholds
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import IncidentReport
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.errors import Conflict, Forbidden
from ceasefire.kernel.paging import PageRequest
from tests.factories import make_party, make_report

THRESHOLDS = Thresholds()
OPENING = Thresholds(opens_incidents=True)
ANALYST = Actor(id="analyst-1", username="analyst-1", role="analyst", via="cli")
REP = Actor(id="rep-1", username="rep-1", role="party_representative", via="api", party_id="x")


def jobar(session: Session, **overrides: Any) -> Report:
    data: dict[str, Any] = {
        "source_name": "Jobar local council",
        "occurred_at": "2016-03-05T15:00:00+02:00",
        "time_precision": "exact",
        "latitude": 33.5326,
        "longitude": 36.3322,
        "location_text": "Jobar",
        "perpetrator_text": "Syrian Arab Army",
        "target_text": "Jaysh al-Islam",
        "narrative": "Artillery shells fell on Jobar, three killed.",
    }
    data.update(overrides)
    return make_report(session, **data)


def correlate(session: Session, report: Report, thresholds: Thresholds = THRESHOLDS) -> Any:
    return service.correlate_report(session, report=report, thresholds=thresholds)


def link_of(session: Session, report: Report) -> str | None:
    return session.scalar(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id == report.lineage_id)
    )


def test_a_lone_report_is_filed_and_left_apart(session: Session) -> None:
    report = jobar(session)
    outcome = correlate(session, report)
    assert outcome.decision == "apart"
    entry = session.scalars(select(CorrelationEntry).where(CorrelationEntry.ref == report.lineage_id)).one()
    assert entry.kind == "report"
    assert "shelling" in entry.categories


COUNTER: dict[str, Any] = {
    "source_name": "Syrian Arab News Agency",
    "occurred_at": "2016-03-05T16:00:00+02:00",
    "location_text": "Joubar",
    "perpetrator_text": "Jaysh al-Islam",
    "target_text": "Syrian Arab Army",
    "narrative": "Terrorists fired mortars from Joubar, three soldiers killed.",
}


def test_by_default_two_ungrouped_reports_are_proposed_not_opened(session: Session) -> None:
    first = jobar(session)
    correlate(session, first)
    outcome = correlate(session, jobar(session, **COUNTER))
    assert outcome.decision == "propose"
    assert link_of(session, first) is None
    page = service.list_pairs(session, actor=ANALYST, statuses=["open"], page=PageRequest())  # type: ignore[list-item]
    [pair] = page.items
    assert pair.score >= THRESHOLDS.attach
    assert "left to an analyst" in pair.explanation["note"]
    accepted = service.accept(session, pair_id=pair.id, actor=ANALYST)
    assert link_of(session, first) == accepted.explanation["incident_id"]


def test_two_reports_of_one_event_are_grouped_with_the_reason_kept(session: Session) -> None:
    first = jobar(session)
    correlate(session, first, OPENING)
    # The other side's counter-accusation, spelled differently, an hour later.
    second = jobar(session, **COUNTER)
    outcome = correlate(session, second, OPENING)
    assert outcome.decision == "attach", outcome
    incident_id = link_of(session, first)
    assert incident_id is not None
    assert incident_id == link_of(session, second) == outcome.incident_id
    explained = service.explain_report(session, report_id=second.id, actor=ANALYST)
    assert explained.linked_by == "auto"
    [pair] = explained.pairs
    assert pair.status == "attached"
    assert pair.explanation["counter_accusation"] is True
    assert set(pair.explanation["weights"]) == {"time", "place", "category", "actors", "text"}
    # A third report of the event joins the incident, found through the index.
    third = jobar(session, source_name="Monitoring group", perpetrator_text=None, time_precision="day")
    assert correlate(session, third).incident_id == incident_id
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == third.lineage_id)))
    assert "correlation.attach" in actions
    # Indexed once, as the incident (not as the reports grouped into it).
    assert session.scalar(select(func.count()).select_from(CorrelationEntry)) == 1


def test_a_doubtful_pair_is_proposed_and_a_rejection_is_remembered(session: Session) -> None:
    first = jobar(session)
    correlate(session, first)
    doubtful = jobar(
        session,
        occurred_at="2016-03-05T17:00:00+02:00",
        act_category="rocket_fire",
        perpetrator_text=None,
        target_text=None,
        narrative=None,
        location_text=None,
        location_precision="district",
    )
    outcome = correlate(session, doubtful)
    assert outcome.decision == "propose", outcome
    page = service.list_pairs(session, actor=ANALYST, statuses=["open"], page=PageRequest())  # type: ignore[list-item]
    [proposal] = page.items
    assert THRESHOLDS.propose <= proposal.score < THRESHOLDS.attach
    with pytest.raises(Forbidden):
        service.reject(session, pair_id=proposal.id, actor=REP)
    rejected = service.reject(session, pair_id=proposal.id, actor=ANALYST, reason="different shelling")
    assert rejected.status == "rejected"
    assert rejected.decided_by == "analyst-1"
    with pytest.raises(Conflict):
        service.accept(session, pair_id=proposal.id, actor=ANALYST)
    # Seen again (a reindex, a correction): never proposed again, never grouped by a batch run.
    again = correlate(session, doubtful)
    assert again.proposals == []
    assert again.decision == "apart"
    service.run_batch(session, thresholds=Thresholds(attach=0.3, propose=0.2), actor=ANALYST)
    assert link_of(session, doubtful) is None or link_of(session, doubtful) != link_of(session, first)


def test_accepting_a_proposal_groups_the_reports(session: Session) -> None:
    first = jobar(session)
    correlate(session, first)
    doubtful = jobar(
        session,
        occurred_at="2016-03-05T17:00:00+02:00",
        act_category="rocket_fire",
        perpetrator_text=None,
        target_text=None,
        narrative=None,
        location_text=None,
        location_precision="district",
    )
    [pair_id] = correlate(session, doubtful).proposals
    accepted = service.accept(session, pair_id=pair_id, actor=ANALYST)
    assert accepted.status == "accepted"
    assert link_of(session, first) is not None
    assert link_of(session, first) == link_of(session, doubtful)


def test_an_accepted_link_is_never_undone_by_the_machine(session: Session) -> None:
    far = jobar(session, latitude=36.2021, longitude=37.1343, location_text="Aleppo")
    near = jobar(session)
    incident = incidents.open_incident(
        session, report_ids=[far.id, near.id], title="Analyst's", actor=ANALYST
    )
    service.run_batch(session, thresholds=THRESHOLDS, actor=ANALYST)
    assert link_of(session, far) == incident.id == link_of(session, near)


def test_correlation_skips_a_report_already_grouped(session: Session) -> None:
    report = jobar(session)
    incidents.open_incident(session, report_ids=[report.id], title="Manual", actor=ANALYST)
    assert correlate(session, report).decision == "skipped"


def test_a_closed_incident_is_not_attached_to(session: Session) -> None:
    first, second = jobar(session), jobar(session, source_name="Other witness")
    incident = incidents.open_incident(session, report_ids=[first.id], title="Closed", actor=ANALYST)
    service.refile_incident(session, incident.id)
    incidents.dismiss(session, incident_id=incident.id, reason="duplicate", actor=ANALYST)
    service.refile_incident(session, incident.id)
    assert correlate(session, second).decision in ("apart", "propose")
    assert link_of(session, second) is None


def test_batch_run_groups_a_synthetic_dataset(session: Session) -> None:
    data = synthetic.generate(120, seed=42)
    reports = [make_report(session, **data.claim(i)) for i in range(len(data))]
    summary = service.run_batch(session, thresholds=THRESHOLDS, actor=ANALYST)
    assert summary.reports == 120
    assert summary.incidents_opened > 10
    rows = session.execute(select(IncidentReport.report_lineage_id, IncidentReport.incident_id))
    lineage_to_incident = dict(rows.all())
    predicted = [lineage_to_incident.get(r.lineage_id, r.lineage_id) for r in reports]
    quality = metrics.quality(data.truth, np.unique(predicted, return_inverse=True)[1])
    assert quality.bcubed_f1 > 0.8, quality
    # Indexed afterwards: incidents and the reports left apart.
    indexed = session.scalar(select(func.count()).select_from(CorrelationEntry))
    assert indexed == len(set(predicted))
    # A second run changes nothing.
    again = service.run_batch(session, thresholds=THRESHOLDS, actor=ANALYST)
    assert again.incidents_opened == 0
    assert again.reports_attached == 0


def test_explaining_needs_the_secretariat(session: Session) -> None:
    report = jobar(session)
    with pytest.raises(Forbidden):
        service.explain_report(session, report_id=report.id, actor=REP)
    with pytest.raises(Forbidden):
        service.run_batch(session, thresholds=THRESHOLDS, actor=REP)


HEADER = ",".join(acled.COLUMNS)


def acled_row(event_id: str, **overrides: str) -> str:
    values = {
        "event_id_cnty": event_id,
        "event_date": "2016-03-05",
        "year": "2016",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Military Forces of Syria (2000-2024)",
        "actor2": "Jaysh al-Islam",
        "iso": "760",
        "region": "Middle East",
        "country": "Syria",
        "admin1": "Damascus",
        "location": "Jobar",
        "latitude": "33.5326",
        "longitude": "36.3322",
        "geo_precision": "1",
        "source": "SOHR",
        "source_scale": "National",
        "notes": 'Regime forces shelled Jobar, "three killed".',
        "fatalities": "3",
        "timestamp": "1459287321",
    }
    values.update(overrides)
    out = io.StringIO()
    import csv

    csv.writer(out).writerow([values.get(c, "") for c in acled.COLUMNS])
    return out.getvalue().strip("\r\n")


def test_acled_import_lists_unreadable_rows_goes_on_and_never_duplicates(session: Session) -> None:
    make_party(session, name="Jaysh al-Islam")
    rows = [
        acled_row("SYR1"),
        acled_row("SYR2", event_date="5 March 2016", time_precision="2", geo_precision="2", fatalities=""),
        acled_row("SYR3", latitude="north"),
        acled_row("SYR4", event_date="2016-02-30"),
        acled_row("SYR1"),
        acled_row("SYR5", sub_event_type="Not a sub-event"),
    ]
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    result = acled.import_acled(session, io.StringIO(text), actor=SYSTEM)
    assert (result.rows, result.created) == (6, 2)
    assert [(p.row, p.event_id) for p in result.problems] == [
        (4, "SYR3"),
        (5, "SYR4"),
        (6, "SYR1"),
        (7, "SYR5"),
    ]
    assert "latitude" in result.problems[0].reason
    assert "date" in result.problems[1].reason
    reports = list(session.scalars(select(Report).where(Report.lineage_id.in_(result.lineage_ids))))
    first = next(r for r in reports if r.time_precision == "day")
    assert first.source_name == "SOHR"
    assert first.stance == "asserts"
    assert first.act_category == "shelling"
    assert first.killed_min == first.killed_max == 3
    assert first.perpetrator_text == "Military Forces of Syria (2000-2024)"
    assert first.perpetrator_party_id is None
    assert first.target_party_id is not None  # resolved against the registry
    assert first.location_precision == "town"
    weekly = next(r for r in reports if r.time_precision == "week")
    assert weekly.location_precision == "district"
    assert weekly.killed_min is None
    again = acled.import_acled(session, io.StringIO(text), actor=SYSTEM)
    assert again.created == 0
    assert again.already == 3


def test_acled_import_refuses_a_file_that_is_not_an_export(session: Session) -> None:
    from ceasefire.kernel.errors import Invalid

    with pytest.raises(Invalid, match="not an ACLED export"):
        acled.import_acled(session, io.StringIO("a,b\n1,2\n"), actor=SYSTEM)


def test_pairs_are_stored_once_per_pairing(session: Session) -> None:
    first = jobar(session)
    correlate(session, first)
    doubtful = jobar(
        session,
        occurred_at="2016-03-05T17:00:00+02:00",
        act_category="rocket_fire",
        perpetrator_text=None,
        target_text=None,
        narrative=None,
        location_text=None,
        location_precision="district",
    )
    correlate(session, doubtful)
    correlate(session, doubtful)
    count = session.scalar(select(func.count()).select_from(CorrelationPair))
    assert count == 1


def _random_item(rng: random.Random, ref: str) -> Item:
    located = rng.random() < 0.9
    actors = ["p:gov", "p:opp", "t:militia", ""]
    perpetrator, target = rng.choice(actors), rng.choice(actors)
    return Item(
        kind=rng.choice(["incident", "report"]),
        ref=ref,
        t_center=rules.hours(synthetic.START) + rng.uniform(0, 2000),
        t_half=rng.choice([0.0, 1.5, 12.0, 84.0, 372.0, 1500.0]),
        latitude=35 + rng.uniform(-2, 2) if located else None,
        longitude=37 + rng.uniform(-2, 2) if located else None,
        radius_km=rng.choice(list(rules.RADIUS_KM.values())) if located else rules.UNLOCATED_RADIUS_KM,
        categories=frozenset(rng.sample(["shelling", "air_strike", "abduction", "other"], rng.randint(1, 2))),
        perpetrators=frozenset({perpetrator} - {""}),
        targets=frozenset({target} - {""}),
        text=f"text {ref}",
    )


def _filed_where_found(looks: list[tuple[list[int], int, int]], homes: dict[int, int]) -> bool:
    """The index's definition: some key an item looks up (looks: rules.search_keys) is one the
    other item is filed under (homes: its filed keys and home level), with a home level in range."""
    for keys, low, high in looks:
        for key in keys:
            home = homes.get(key)
            if home is not None and (home <= high if low == 0 else home == high):
                return True
    return False


def test_the_index_lookup_finds_exactly_the_entries_filed_where_an_item_looks(session: Session) -> None:
    rng = random.Random(11)
    filed = [_random_item(rng, f"e{i}") for i in range(2000)]
    repository.file_many(session, filed)
    session.flush()
    homes = {(f.kind, f.ref): dict(rules.filed_keys(f)) for f in filed}
    lookups = [_random_item(rng, f"q{i}") for i in range(80)] + filed[:40]
    by_ref = {f.ref: f for f in filed}
    met = 0
    for looked_up in lookups:
        found = repository.candidates(session, looked_up)
        looks = list(rules.search_keys(looked_up))
        itself = (looked_up.kind, looked_up.ref)
        expected = {
            (f.kind, f.ref)
            for f in filed
            if _filed_where_found(looks, homes[f.kind, f.ref]) and (f.kind, f.ref) != itself
        }
        assert sorted((f.kind, f.ref) for f in found) == sorted(expected)
        assert all(f == by_ref[f.ref] for f in found)  # the entries come back as they were filed
        # and every pair that scores is among them (vague items meet only items of their blocks; an
        # item without a place looks only among those without one, the others look for it)
        for other in filed if looked_up.latitude is not None else []:
            if other.ref == looked_up.ref or rules.score(looked_up, other) is None:
                continue
            vague = max(rules.home_level(looked_up).number, rules.home_level(other).number)
            if vague >= rules.BLOCKED_FROM and set(rules.blocks(looked_up)).isdisjoint(rules.blocks(other)):
                continue
            met += 1
            assert (other.kind, other.ref) in expected
    assert met > 100
