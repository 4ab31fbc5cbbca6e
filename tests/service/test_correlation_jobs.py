"""Batch correlation runs as jobs: requested (one at a time), carried out apart from the request,
followed, and marked failed when they fail or when the process carrying them out stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.correlation import jobs, service
from ceasefire.correlation.models import CorrelationRun
from ceasefire.correlation.rules import Thresholds
from ceasefire.correlation.schemas import RunStatus
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import utc_now
from ceasefire.kernel.errors import Conflict, Forbidden, NotFound
from ceasefire.kernel.paging import PageRequest
from tests.factories import make_report

ANALYST = Actor(id="analyst-1", username="analyst-1", role="analyst", via="api")
REP = Actor(id="rep-1", username="rep-1", role="party_representative", via="api", party_id="x")


def units_of(session: Session) -> jobs.Units:
    @contextmanager
    def unit() -> Iterator[Session]:
        yield session
        session.commit()

    return unit


def test_a_run_is_requested_carried_out_and_followed(session: Session) -> None:
    make_report(session, source_name="Jobar council", location_text="Jobar", latitude=33.53, longitude=36.33)
    make_report(session, source_name="SANA", location_text="Joubar", latitude=33.53, longitude=36.33)
    run = jobs.request_run(session, actor=ANALYST)
    assert run.status is RunStatus.QUEUED
    seen: list[str] = []
    finished = jobs.execute(
        units_of(session),
        run.id,
        thresholds=Thresholds(),
        actor=ANALYST,
        progress=lambda phase, done, total: seen.append(phase),
    )
    assert finished.status is RunStatus.DONE
    assert finished.summary is not None
    assert finished.summary.reports == 2
    assert finished.started_at is not None
    assert finished.finished_at is not None
    assert finished.error is None
    assert "compare" in seen
    again = jobs.get_run(session, run_id=run.id, actor=ANALYST)
    assert again.summary == finished.summary
    listed = jobs.list_runs(session, actor=ANALYST, page=PageRequest())
    assert [r.id for r in listed.items] == [run.id]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "correlation_run"))
    assert list(actions) == ["correlation.run_requested"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "correlation.run")) is not None


def test_one_run_at_a_time(session: Session) -> None:
    first = jobs.request_run(session, actor=ANALYST)
    with pytest.raises(Conflict, match=first.id) as refused:
        jobs.request_run(session, actor=ANALYST)
    assert refused.value.code == "run_in_progress"
    jobs.execute(units_of(session), first.id, thresholds=Thresholds(), actor=ANALYST)
    # A run is carried out once, and only a queued one.
    with pytest.raises(Conflict) as again:
        jobs.execute(units_of(session), first.id, thresholds=Thresholds(), actor=ANALYST)
    assert again.value.code == "run_not_queued"
    with pytest.raises(Conflict):
        jobs.execute(units_of(session), "no-such-run", thresholds=Thresholds(), actor=ANALYST)
    assert jobs.get_run(session, run_id=first.id, actor=ANALYST).status is RunStatus.DONE
    second = jobs.request_run(session, actor=ANALYST)
    assert second.id != first.id


def test_a_failed_run_says_why_and_frees_the_way(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    run = jobs.request_run(session, actor=ANALYST)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "run_batch", broken)
    with pytest.raises(RuntimeError):
        jobs.execute(units_of(session), run.id, thresholds=Thresholds(), actor=ANALYST)
    failed = jobs.get_run(session, run_id=run.id, actor=ANALYST)
    assert failed.status is RunStatus.FAILED
    assert failed.error == "RuntimeError: the disk is full"
    assert failed.summary is None
    # execute_quietly (the web server's background task) records the failure without raising.
    quiet = jobs.request_run(session, actor=ANALYST)
    jobs.execute_quietly(units_of(session), quiet.id, thresholds=Thresholds(), actor=ANALYST)
    assert jobs.get_run(session, run_id=quiet.id, actor=ANALYST).status is RunStatus.FAILED


def test_runs_left_by_a_stopped_server_are_marked_failed(session: Session) -> None:
    old = jobs.request_run(session, actor=ANALYST, clock=lambda: utc_now() - timedelta(hours=1))
    assert jobs.fail_interrupted(session, before=utc_now() - timedelta(minutes=1)) == 1
    stale = jobs.get_run(session, run_id=old.id, actor=ANALYST)
    assert stale.status is RunStatus.FAILED
    assert stale.error == jobs.INTERRUPTED
    fresh = jobs.request_run(session, actor=ANALYST)
    assert jobs.fail_interrupted(session, before=utc_now() - timedelta(minutes=1)) == 0
    assert session.get_one(CorrelationRun, fresh.id).status == RunStatus.QUEUED.value


def test_runs_are_for_the_secretariat(session: Session) -> None:
    with pytest.raises(Forbidden):
        jobs.request_run(session, actor=REP)
    with pytest.raises(Forbidden):
        jobs.list_runs(session, actor=REP, page=PageRequest())
    run = jobs.request_run(session, actor=ANALYST)
    with pytest.raises(Forbidden):
        jobs.get_run(session, run_id=run.id, actor=REP)
    with pytest.raises(NotFound):
        jobs.get_run(session, run_id="no-such-run", actor=ANALYST)
