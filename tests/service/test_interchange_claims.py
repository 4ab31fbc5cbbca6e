"""Importing reports and incidents: through the intake and incidents services, all or nothing,
idempotent by each report's key, conflicts refused, problems located by file, item and field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.identity import service as identity
from ceasefire.incidents.models import Incident, IncidentReport
from ceasefire.intake.models import Message, Report
from ceasefire.interchange import Conflicting, ImportReport, Rejected, import_bundle
from ceasefire.interchange.format import FORMAT, VERSION, Bundle, add_document
from ceasefire.kernel.actor import SYSTEM
from ceasefire.parties.models import Party
from tests.factories import make_party, make_report, make_user, report_claim


def _report(key: str, **overrides: Any) -> dict[str, Any]:
    item = {
        "id": key,
        "channel": "news_article",
        "received_at": "2016-03-05T20:00 Asia/Damascus",
        "subject": f"Article {key}",
        "source": f"Test outlet, article {key}",
    }
    return item | report_claim(**({"occurred_at": "2016-03-05T15:00 Asia/Damascus"} | overrides))


def _incident(key: str, *reports: str) -> dict[str, Any]:
    return {"id": key, "title": f"Incident {key}", "reports": list(reports), "source": "test"}


def _import(session: Session, dry_run: bool = False, **sections: Any) -> ImportReport:
    bundle = Bundle()
    add_document(bundle, {"format": FORMAT, "version": VERSION} | sections, file="claims.yaml")
    return import_bundle(session, bundle, actor=SYSTEM, dry_run=dry_run)


def _counts(session: Session) -> dict[str, int]:
    models = {"messages": Message, "reports": Report, "incidents": Incident, "links": IncidentReport}
    return {name: session.scalar(select(func.count()).select_from(m)) or 0 for name, m in models.items()}


def test_reports_and_incidents_import_once_and_then_are_recognised(session: Session) -> None:
    accuser, accused = make_party(session), make_party(session)
    reports = [
        _report("claim-a", source_party_id=accuser.id, perpetrator_party_id=accused.id),
        _report(
            "claim-b", source_party_id=accused.id, perpetrator_party_id=accuser.id, stance="counter_accuses"
        ),
    ]
    before = _counts(session)
    first = _import(session, reports=reports, incidents=[_incident("both", "claim-a", "claim-b")])
    assert (first.created["reports"], first.created["incidents"]) == (2, 1)
    stored = _counts(session)
    assert {k: stored[k] - before[k] for k in stored} == {
        "messages": 2,
        "reports": 2,
        "incidents": 1,
        "links": 2,
    }
    incident = session.scalars(select(Incident).order_by(Incident.created_at.desc())).first()
    assert incident is not None
    assert incident.grade == "contested"
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.create")
        )
        >= 2
    )

    audit = session.scalar(select(func.count()).select_from(AuditEntry))
    second = _import(session, reports=reports, incidents=[_incident("both", "claim-a", "claim-b")])
    assert second.total_created == 0
    assert (second.unchanged["reports"], second.unchanged["incidents"]) == (2, 1)
    assert _counts(session) == stored
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit


def test_the_stored_message_keeps_the_submission_and_cites_the_source(session: Session) -> None:
    _import(session, reports=[_report("cited", source_url="https://example.org/article")])
    message = session.scalar(select(Message).where(Message.idempotency_key == "interchange:cited"))
    assert message is not None
    assert message.channel == "news_article"
    assert message.received_at.isoformat() == "2016-03-05T18:00:00+00:00"  # 20:00 Damascus, UTC+2
    assert message.payload["payload"] == {
        "source": "Test outlet, article cited",
        "source_url": "https://example.org/article",
        "interchange_id": "cited",
    }


def test_a_report_changed_under_the_same_key_is_a_conflict_and_nothing_is_stored(session: Session) -> None:
    _import(session, reports=[_report("changing")])
    before = _counts(session)
    newcomer = {"id": "newcomer-party", "name": "Newcomer", "kind": "militia", "source": "test"}
    with pytest.raises(Conflicting) as caught:
        _import(session, parties=[newcomer], reports=[_report("changing", killed_min=5, killed_max=9)])
    [issue] = caught.value.issues
    assert (issue.file, issue.section, issue.index, issue.item_id) == (
        "claims.yaml",
        "reports",
        0,
        "changing",
    )
    assert _counts(session) == before
    assert session.get(Party, "newcomer-party") is None


def test_unknown_references_are_all_reported_before_anything_is_written(session: Session) -> None:
    before = _counts(session)
    reports = [
        _report("good"),
        _report("bad-party", source_party_id="no-such-party"),
        _report("bad-place", place_id="no-such-place", location_text=None),
    ]
    with pytest.raises(Rejected) as caught:
        _import(session, reports=reports, incidents=[_incident("lost", "good", "never-imported")])
    found = {(i.item_id, i.field, i.code) for i in caught.value.issues}
    assert found == {
        ("bad-party", "source_party_id", "party_not_found"),
        ("bad-place", "place_id", "place_not_found"),
        ("lost", "reports.1", "report_not_found"),
    }
    [lost] = [i for i in caught.value.issues if i.item_id == "lost"]
    assert (lost.file, lost.section, lost.index) == ("claims.yaml", "incidents", 0)
    assert _counts(session) == before


def test_schema_problems_name_the_field(session: Session) -> None:
    with pytest.raises(Rejected) as caught:
        _import(
            session,
            reports=[_report("naive", occurred_at="2016-03-05T15:00:00"), _report("no-id") | {"id": None}],
        )
    fields = {(i.item_id, i.field, i.code) for i in caught.value.issues}
    assert ("naive", "occurred_at", "naive_datetime") in fields
    assert any(item is None and field == "id" for item, field, _ in fields)


def test_an_incident_whose_reports_are_partly_grouped_elsewhere_is_a_conflict(session: Session) -> None:
    _import(session, reports=[_report("first")], incidents=[_incident("alone", "first")])
    before = _counts(session)
    with pytest.raises(Conflicting) as caught:
        _import(
            session,
            reports=[_report("first"), _report("second")],
            incidents=[_incident("pair", "first", "second")],
        )
    [issue] = caught.value.issues
    assert (issue.item_id, issue.field) == ("pair", "reports.0")
    assert "already grouped" in issue.message
    assert _counts(session) == before


def test_a_dry_run_counts_what_would_be_stored_and_stores_nothing(session: Session) -> None:
    before = _counts(session)
    report = _import(session, dry_run=True, reports=[_report("dry")], incidents=[_incident("dry-one", "dry")])
    assert (report.created["reports"], report.created["incidents"]) == (1, 1)
    assert _counts(session) == before


def test_an_incident_may_group_reports_an_earlier_import_stored(session: Session) -> None:
    _import(session, reports=[_report("early"), _report("late")])
    report = _import(session, incidents=[_incident("later", "early", "late")])
    assert report.created["incidents"] == 1
    # A report submitted through the API is not an import's: an import cannot name it.
    make_report(session)
    with pytest.raises(Rejected):
        _import(session, incidents=[_incident("api", "some-api-report")])


def test_report_keys_are_per_user_as_idempotency_keys_are(session: Session) -> None:
    _import(session, reports=[_report("mine")])
    other = identity.actor_for(make_user(session, role="analyst", password=None), via="cli")
    bundle = Bundle()
    add_document(
        bundle,
        {"format": FORMAT, "version": VERSION, "incidents": [_incident("theirs", "mine")]},
        file="b.yaml",
    )
    before = _counts(session)
    with pytest.raises(Rejected) as caught:
        import_bundle(session, bundle, actor=other)
    [issue] = caught.value.issues
    assert (issue.item_id, issue.field, issue.code) == ("theirs", "reports.0", "report_not_found")
    assert _counts(session) == before
