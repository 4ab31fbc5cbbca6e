"""The correlation desk: the proposals the correlator leaves to analysts, their signals, the
analysts' accept and reject, and batch runs (jobs: started here, followed here).

Like the JSON API (`/api/v1/correlation/...`) it is for the secretariat: liaison officers read,
analysts and administrators decide and run; party representatives, coordinators and observers get
the 403 page. Every decision goes through the correlation service, which audits it; a refused one
(already decided, the two reports in different incidents...) is shown again with the message (422)
after the transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ceasefire.api.deps import SessionDep
from ceasefire.api.routes.correlation import carry_out_after_response
from ceasefire.correlation import jobs, service
from ceasefire.correlation.schemas import PairStatus, RunRead
from ceasefire.identity.rules import Permission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import Conflict, DomainError, ErrorKind, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.web.auth import web_require
from ceasefire.web.pairs import pair_views
from ceasefire.web.routes.desk import PAGE_SIZE, can, parse_choice, parse_page, query_string, see_other
from ceasefire.web.security import CsrfChecked
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Actor, Depends(web_require(Permission.INCIDENT_READ_ALL))]
Manager = Annotated[Actor, Depends(web_require(Permission.INCIDENT_MANAGE))]
STATUSES = [s.value for s in (PairStatus.OPEN, PairStatus.ACCEPTED, PairStatus.REJECTED, PairStatus.ATTACHED)]
_FILTERS = ("status", "page")
_FORM_KINDS = {ErrorKind.INVALID, ErrorKind.CONFLICT, ErrorKind.NOT_FOUND}


def _last_run(session: Session, actor: Actor) -> RunRead | None:
    """The latest batch run (a job: queued, running, done or failed)."""
    found = jobs.list_runs(session, actor=actor, page=PageRequest(size=1))
    return found.items[0] if found.items else None


def _proposals(
    request: Request,
    session: Session,
    actor: Actor,
    typed: Mapping[str, str],
    *,
    form_error: str | None = None,
    failed_pair: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed.get("page"), errors), size=PAGE_SIZE)
    status = parse_choice(typed.get("status"), STATUSES, "status", errors) or PairStatus.OPEN.value
    found = service.list_pairs(session, actor=actor, statuses=[PairStatus(status)], page=page)
    shown = {k: v for k, v in typed.items() if k != "page"}
    base = "/desk/correlation?"
    context = {
        "rows": pair_views(session, found.items),
        "total": found.total,
        "page": page.page,
        "prev_url": base + query_string({**shown, "page": page.page - 1}) if page.page > 1 else None,
        "next_url": base + query_string({**shown, "page": page.page + 1}) if found.has_next else None,
        "status": status,
        "statuses": STATUSES,
        "typed": typed,
        "filter_query": query_string(typed),
        "errors": errors,
        "form_error": form_error,
        "failed_pair": failed_pair,
        "reason": reason,
        "may_decide": can(actor, Permission.INCIDENT_MANAGE),
        "done": request.query_params.get("done"),
        "done_incident": request.query_params.get("incident"),
        "last_run": _last_run(session, actor),
    }
    if errors and status_code == 200:
        status_code = 422
    api = {"status": status, "page": page.page if page.page > 1 else None, "size": PAGE_SIZE}
    return render(
        request,
        "desk/correlation.html",
        context,
        status_code=status_code,
        alternate="/api/v1/correlation/proposals?" + query_string(api),
    )


@router.get("/desk/correlation")
def desk_correlation(request: Request, session: SessionDep, actor: Reader) -> Response:
    """The correlator's proposals, best score first, each with the signals of its score."""
    typed = {name: (request.query_params.get(name) or "").strip() for name in _FILTERS}
    return _proposals(request, session, actor, typed)


def _typed_from(filters: str) -> dict[str, str]:
    pairs = dict(parse_qsl(filters[:2000]))
    return {name: pairs.get(name, "").strip() for name in _FILTERS}


def _back(typed: Mapping[str, str], **extra: str) -> str:
    return "/desk/correlation?" + query_string({**typed, **extra})


def _decide(
    request: Request,
    session: Session,
    actor: Actor,
    pair_id: str,
    *,
    accept: bool,
    reason: str,
    filters: str,
) -> Response:
    typed = _typed_from(filters)
    why = reason.strip() or None
    try:
        with session.begin_nested():
            if why is not None and len(why) > 2000:
                raise DomainError("at most 2,000 characters", field="reason")
            if accept:
                decided = service.accept(session, pair_id=pair_id, actor=actor, reason=why)
            else:
                decided = service.reject(session, pair_id=pair_id, actor=actor, reason=why)
    except DomainError as exc:
        # A proposal that does not exist is the 404 page; other refusals are shown on the list.
        if exc.kind not in _FORM_KINDS or (isinstance(exc, NotFound) and exc.field is None):
            raise
        return _proposals(
            request,
            session,
            actor,
            typed,
            form_error=exc.message,
            failed_pair=pair_id,
            reason=reason,
            status_code=422,
        )
    extra = {"done": "accepted" if accept else "rejected"}
    if accept and decided.explanation.get("incident_id"):
        extra["incident"] = str(decided.explanation["incident_id"])
    return see_other(session, _back({k: v for k, v in typed.items() if k != "done"}, **extra))


@router.post("/desk/correlation/{pair_id}/accept")
def desk_accept_proposal(
    request: Request,
    pair_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    reason: Annotated[str, Form(max_length=5000)] = "",
    filters: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Accept a proposal: the report joins the incident, or the two reports are grouped."""
    return _decide(request, session, actor, pair_id, accept=True, reason=reason, filters=filters)


@router.post("/desk/correlation/{pair_id}/reject")
def desk_reject_proposal(
    request: Request,
    pair_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    reason: Annotated[str, Form(max_length=5000)] = "",
    filters: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Reject a proposal: the pair is never proposed, nor grouped by the machine, again."""
    return _decide(request, session, actor, pair_id, accept=False, reason=reason, filters=filters)


@router.post("/desk/correlation/run")
def desk_run_correlation(
    request: Request, session: SessionDep, actor: Manager, _: CsrfChecked, background: BackgroundTasks
) -> Response:
    """Start a batch run (a job, carried out after the response); the page then follows it. While
    another run is queued or running, the page says so (422) and nothing is started."""
    try:
        with session.begin_nested():
            run = jobs.request_run(session, actor=actor)
    except Conflict as exc:
        typed = dict.fromkeys(_FILTERS, "")
        return _proposals(request, session, actor, typed, form_error=exc.message, status_code=422)
    carry_out_after_response(request, background, run.id, actor)
    return see_other(session, "/desk/correlation?done=run#run")
