"""Batch correlation runs as jobs.

A run is requested (a row, status `queued`, audited), then carried out apart from the request
that asked for it: in the web server after the response has left, or in the foreground by the
command line. The work is one transaction (all of it lands, or none); the run's own status moves
in short transactions of its own (`running`, then `done` with the summary or `failed` with the
reason), so that anyone can follow it. One run at a time: a second request while one is queued or
running is refused. How far a run has got (phase, done, total) is kept in the memory of the
process carrying it out, and shown while it runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.correlation import service
from ceasefire.correlation.models import CorrelationRun
from ceasefire.correlation.rules import Thresholds
from ceasefire.correlation.schemas import RunRead, RunStatus, RunSummary
from ceasefire.identity.rules import Permission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, NotFound
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.paging import Page, PageRequest

log = logging.getLogger(__name__)
# A unit of work: a session whose transaction is committed at the end (rolled back on error).
Units = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[str, int, int], None]
ACTIVE = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)
INTERRUPTED = "interrupted: the process carrying the run out stopped before it finished"


@dataclass
class _Live:
    phase: str = ""
    done: int = 0
    total: int = 0


_live: dict[str, _Live] = {}
_lock = threading.Lock()


def _read(run: CorrelationRun) -> RunRead:
    with _lock:
        live = _live.get(run.id)
        phase, done, total = (live.phase, live.done, live.total) if live else ("", 0, 0)
    return RunRead(
        id=run.id,
        status=RunStatus(run.status),
        requested_by=run.requested_by,
        via=run.via,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        phase=phase or None,
        done=done,
        total=total,
        summary=RunSummary.model_validate(run.summary) if run.summary else None,
        error=run.error,
    )


def request_run(session: Session, *, actor: Actor, clock: Clock = utc_now) -> RunRead:
    """Ask for a batch run (the caller then carries it out with `execute`); refused while another
    run is queued or running."""
    service.require_permission(actor, Permission.INCIDENT_MANAGE)
    busy = session.scalars(
        select(CorrelationRun).where(CorrelationRun.status.in_(ACTIVE)).order_by(CorrelationRun.created_at)
    ).first()
    if busy is not None:
        raise Conflict(
            f"correlation run {busy.id} is {busy.status} (requested by {busy.requested_by}): "
            "one run at a time",
            code="run_in_progress",
        )
    run = CorrelationRun(
        id=new_id(),
        status=RunStatus.QUEUED.value,
        requested_by=actor.label,
        via=actor.via,
        created_at=clock(),
    )
    session.add(run)
    session.flush()
    record(
        session,
        actor=actor,
        action="correlation.run_requested",
        entity_type="correlation_run",
        entity_id=run.id,
        changes={"via": actor.via},
        clock=clock,
    )
    return _read(run)


def _set(units: Units, run_id: str, *, only_if: str | None = None, **values: object) -> int:
    """Update the run in a transaction of its own; how many rows changed (0 or 1)."""
    statement = update(CorrelationRun).where(CorrelationRun.id == run_id)
    if only_if is not None:
        statement = statement.where(CorrelationRun.status == only_if)
    with units() as session:
        changed: int = session.execute(statement.values(**values)).rowcount  # type: ignore[attr-defined]
    return changed


def execute(
    units: Units,
    run_id: str,
    *,
    thresholds: Thresholds,
    actor: Actor,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> RunRead:
    """Carry out a requested (queued) run: the work in one transaction of its own, the status in
    others. A failure is recorded on the run (and logged) and raised again."""
    # Claimed atomically: a run is carried out once, and only a queued one.
    if not _set(
        units, run_id, only_if=RunStatus.QUEUED.value, status=RunStatus.RUNNING.value, started_at=clock()
    ):
        raise Conflict(
            f"correlation run {run_id} is not queued (unknown, or already carried out)", code="run_not_queued"
        )
    live = _Live()
    with _lock:
        _live[run_id] = live

    def step(phase: str, done: int, total: int) -> None:
        with _lock:
            live.phase, live.done, live.total = phase, done, total
        if progress is not None:
            progress(phase, done, total)

    try:
        with units() as session:
            summary = service.run_batch(
                session, thresholds=thresholds, actor=actor, progress=step, clock=clock
            )
    except BaseException as exc:
        log.exception("correlation run %s failed", run_id)
        reason = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        _set(units, run_id, status=RunStatus.FAILED.value, finished_at=clock(), error=str(reason)[:2000])
        raise
    finally:
        with _lock:
            _live.pop(run_id, None)
    _set(
        units,
        run_id,
        status=RunStatus.DONE.value,
        finished_at=clock(),
        summary=summary.model_dump(mode="json"),
        error=None,
    )
    with units() as session:
        return _read(session.get_one(CorrelationRun, run_id))


def execute_quietly(
    units: Units, run_id: str, *, thresholds: Thresholds, actor: Actor, clock: Clock = utc_now
) -> None:
    """`execute` for a background task: the failure is on the run and in the log, not raised."""
    try:
        execute(units, run_id, thresholds=thresholds, actor=actor, clock=clock)
    except Exception:
        return


def get_run(session: Session, *, run_id: str, actor: Actor) -> RunRead:
    """One run, with how far it has got while it runs."""
    service.require_permission(actor, Permission.INCIDENT_READ_ALL)
    run = session.get(CorrelationRun, run_id)
    if run is None:
        raise NotFound("no such correlation run", code="run_not_found")
    return _read(run)


def list_runs(session: Session, *, actor: Actor, page: PageRequest) -> Page[RunRead]:
    """Runs, newest first."""
    service.require_permission(actor, Permission.INCIDENT_READ_ALL)
    total = session.scalar(select(func.count()).select_from(CorrelationRun)) or 0
    rows = session.scalars(
        select(CorrelationRun)
        .order_by(CorrelationRun.created_at.desc(), CorrelationRun.id)
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return Page([_read(r) for r in rows], total, page)


def fail_interrupted(session: Session, *, before: datetime, clock: Clock = utc_now) -> int:
    """Mark as failed the runs still queued or running that were requested before `before` (the
    start of this server): no process is carrying them out any more. How many."""
    with _lock:
        mine = set(_live)
    stale = session.scalars(
        select(CorrelationRun).where(CorrelationRun.status.in_(ACTIVE), CorrelationRun.created_at < before)
    ).all()
    count = 0
    for run in stale:
        if run.id in mine:
            continue
        run.status, run.finished_at, run.error = RunStatus.FAILED.value, clock(), INTERRUPTED
        count += 1
    session.flush()
    return count
