"""Correlation API: proposals (list, accept, reject), the explanation of a report's or an
incident's grouping, and batch runs as jobs (start, list, follow). The secretariat reads; analysts
decide and run. Party representatives have no access (the pairs name other parties' reports).
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from ceasefire.api.deps import SessionDep, require
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.correlation import jobs, service
from ceasefire.correlation.rules import Thresholds
from ceasefire.correlation.schemas import Decision, Explanation, Outcome, PairRead, PairStatus, RunRead
from ceasefire.identity.rules import Permission
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.paging import PageRequest
from ceasefire.settings import Settings

router = APIRouter(tags=["correlation"])
T = TypeVar("T")

Reader = Annotated[Actor, Depends(require(Permission.INCIDENT_READ_ALL))]
Manager = Annotated[Actor, Depends(require(Permission.INCIDENT_MANAGE))]
Paging = Annotated[PageRequest, Depends(page_params)]


def _same(item: T) -> T:
    return item


def thresholds_of(settings: Settings) -> Thresholds:
    """The correlation thresholds in force (settings), as the domain takes them."""
    attach, propose, cap, opens = settings.correlation_thresholds()
    return Thresholds(attach=attach, propose=propose, max_proposals=cap, opens_incidents=opens)


def carry_out_after_response(
    request: Request, background: BackgroundTasks, run_id: str, actor: Actor
) -> None:
    """Carry a requested batch run out once the response has left (its own units of work)."""
    background.add_task(
        jobs.execute_quietly,
        request.app.state.units,
        run_id,
        thresholds=thresholds_of(request.app.state.settings),
        actor=actor,
    )


def correlate_new(request: Request, session: Session, report: Report) -> Outcome | None:
    """Correlate a report just received, in the same transaction (unless switched off)."""
    settings: Settings = request.app.state.settings
    if not settings.correlation_on_intake:
        return None
    thresholds = thresholds_of(settings)
    return service.correlate_report(session, report=report, thresholds=thresholds, actor=SYSTEM, new=True)


def refile_changed(request: Request, session: Session, lineage_id: str) -> None:
    """Keep the index current after a correction or withdrawal."""
    settings: Settings = request.app.state.settings
    if settings.correlation_on_intake:
        service.refile_report(session, lineage_id)


@router.get("/correlation/proposals", response_model=PageOut[PairRead])
def list_correlation_pairs(
    request: Request,
    session: SessionDep,
    actor: Reader,
    page: Paging,
    status: Annotated[list[PairStatus] | None, Query(description="Statuses to list (default: open).")] = None,
) -> PageOut[PairRead]:
    """Scored pairs, best first: by default the open proposals awaiting an analyst."""
    statuses = status or [PairStatus.OPEN]
    return page_out(request, service.list_pairs(session, actor=actor, statuses=statuses, page=page), _same)


@router.post("/correlation/proposals/{pair_id}/accept", response_model=PairRead)
def accept_proposal(
    pair_id: str, session: SessionDep, actor: Manager, data: Decision | None = None
) -> PairRead:
    """Accept a proposal: the report joins the incident, or the two reports are grouped."""
    return service.accept(session, pair_id=pair_id, actor=actor, reason=data.reason if data else None)


@router.post("/correlation/proposals/{pair_id}/reject", response_model=PairRead)
def reject_proposal(
    pair_id: str, session: SessionDep, actor: Manager, data: Decision | None = None
) -> PairRead:
    """Reject a proposal: the pair is never proposed or grouped by the machine again."""
    return service.reject(session, pair_id=pair_id, actor=actor, reason=data.reason if data else None)


@router.get("/reports/{report_id}/correlation", response_model=Explanation)
def explain_report_correlation(report_id: str, session: SessionDep, actor: Reader) -> Explanation:
    """How a report was grouped (or not): its incident and every scored pair, with signals and weights."""
    return service.explain_report(session, report_id=report_id, actor=actor)


@router.get("/incidents/{incident_id}/correlation", response_model=Explanation)
def explain_incident_correlation(incident_id: str, session: SessionDep, actor: Reader) -> Explanation:
    """The scored pairs naming an incident: reports attached, proposed or decided."""
    return service.explain_incident(session, incident_id=incident_id, actor=actor)


@router.post("/correlation/runs", response_model=RunRead, status_code=202)
def run_correlation(
    request: Request, response: Response, session: SessionDep, actor: Manager, background: BackgroundTasks
) -> RunRead:
    """Start a batch run (re-correlate every report) as a job: 202 with the run, carried out after
    the response; follow it at `Location`. 409 while another run is queued or running."""
    run = jobs.request_run(session, actor=actor)
    carry_out_after_response(request, background, run.id, actor)
    response.headers["Location"] = f"/api/v1/correlation/runs/{run.id}"
    return run


@router.get("/correlation/runs", response_model=PageOut[RunRead])
def list_correlation_runs(
    request: Request, session: SessionDep, actor: Reader, page: Paging
) -> PageOut[RunRead]:
    """Batch runs, newest first."""
    return page_out(request, jobs.list_runs(session, actor=actor, page=page), _same)


@router.get("/correlation/runs/{run_id}", response_model=RunRead)
def get_correlation_run(run_id: str, session: SessionDep, actor: Reader) -> RunRead:
    """One batch run: queued, running (with its phase and progress), done (with its summary) or failed."""
    return jobs.get_run(session, run_id=run_id, actor=actor)
