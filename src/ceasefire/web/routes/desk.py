"""The analyst's desk: the inbox of messages and reports, bulk grouping, and the incident page.

Every page reads through the same services as its JSON twin (so a party's representative gets the
same 404 for another party's record as for a missing one), and every change goes through the
services that audit it. A form refused by a service is shown again with the message (422), after
the transaction is rolled back: nothing of a refused form is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ceasefire.agreements import repository as agreement_rows
from ceasefire.api.deps import SessionDep
from ceasefire.audit import list_entries
from ceasefire.audit.schemas import AuditEntryRead
from ceasefire.correlation import service as correlation
from ceasefire.determinations import service as determinations
from ceasefire.determinations.schemas import (
    ApplicabilityRead,
    DeterminationCreate,
    DeterminationRead,
    ProvisionRef,
)
from ceasefire.evidence import service as evidence
from ceasefire.evidence.schemas import EvidenceRead
from ceasefire.identity.rules import Permission, has_permission
from ceasefire.incidents import service as incidents
from ceasefire.incidents.repository import IncidentFilter
from ceasefire.incidents.schemas import IncidentRead
from ceasefire.incidents.stages import allowed_moves, needs_reason
from ceasefire.intake import reads
from ceasefire.intake import service as intake
from ceasefire.intake.schemas import MessageFilters, ReportFilters
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel, Finding, Grade, Publication, Stage
from ceasefire.kernel.errors import DomainError, ErrorKind, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import ActCategory
from ceasefire.web.auth import WebActor, web_require
from ceasefire.web.pairs import pair_views
from ceasefire.web.security import CsrfChecked
from ceasefire.web.templating import LOCAL_ZONE, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
UNLINKED = "unlinked"
Manager = Annotated[Actor, Depends(web_require(Permission.INCIDENT_MANAGE))]
Determiner = Annotated[Actor, Depends(web_require(Permission.DETERMINE))]
# Refusals a form shows next to its fields; the others (403, 404 of the page itself) get error pages.
_FORM_KINDS = {ErrorKind.INVALID, ErrorKind.CONFLICT, ErrorKind.NOT_FOUND, ErrorKind.TOO_LARGE}


def can(actor: Actor, permission: Permission) -> bool:
    """Whether the actor's role grants a permission (for showing or hiding controls)."""
    return has_permission(actor.role, permission)


def parse_page(raw: str | None, errors: dict[str, str]) -> int:
    if not raw:
        return 1
    if raw.isdigit() and 1 <= int(raw) <= 1_000_000:
        return int(raw)
    errors["page"] = "page must be a whole number from 1"
    return 1


def parse_day(raw: str | None, field: str, errors: dict[str, str], *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD day as the instant its Damascus day starts (or, for an end, the next day starts)."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[field] = "a day as YYYY-MM-DD"
        return None
    if not 1900 <= day.year <= 2999:
        errors[field] = "a year between 1900 and 2999"
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def parse_choice(raw: str | None, allowed: Sequence[str], field: str, errors: dict[str, str]) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        errors[field] = "not one of the choices"
        return None
    return raw


def parse_text(raw: str | None, field: str, errors: dict[str, str], limit: int = 200) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > limit or "\x00" in value:
        errors[field] = f"at most {limit} characters"
        return None
    return value


def query_string(params: Mapping[str, object]) -> str:
    """A query string of the non-empty parameters."""
    return urlencode({k: str(v) for k, v in params.items() if v not in (None, "", False)})


def see_other(session: Session, url: str) -> Response:
    """Commit, then send the browser on (303).

    The request's session is committed by its dependency only after the response is sent, so the
    page the browser loads next could be read before the change is stored: commit first.
    """
    session.commit()
    return RedirectResponse(url, status_code=303)


def _form_error(exc: DomainError) -> bool:
    return exc.kind in _FORM_KINDS


# ---------------------------------------------------------------------------------------------
# The inbox


def _inbox_filters(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The filters as typed (to show them again) and the problems found in them."""
    names = ("view", "channel", "stage", "since", "until", "party", "act", "q", "page")
    typed = {name: (request.query_params.get(name) or "").strip() for name in names}
    return typed, {}


def _inbox(
    request: Request,
    session: Session,
    actor: Actor,
    typed: Mapping[str, str],
    *,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    selected: Sequence[str] = (),
    bulk: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    errors = dict(errors or {})
    view = "messages" if typed.get("view") == "messages" else "reports"
    page = PageRequest(page=parse_page(typed.get("page"), errors), size=PAGE_SIZE)
    channel = parse_choice(typed.get("channel"), [c.value for c in Channel], "channel", errors)
    since = parse_day(typed.get("since"), "since", errors)
    until = parse_day(typed.get("until"), "until", errors, end=True)
    stage = parse_choice(typed.get("stage"), [UNLINKED, *(s.value for s in Stage)], "stage", errors)
    act = parse_choice(typed.get("act"), [a.value for a in ActCategory], "act", errors)
    party = parse_text(typed.get("party"), "party", errors, 64)
    text = parse_text(typed.get("q"), "q", errors)
    api_params: dict[str, object] = {
        "channel": channel,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "page": page.page if page.page > 1 else None,
        "size": PAGE_SIZE,
    }
    if view == "messages":
        found_messages = reads.list_messages(
            session, actor=actor, page=page, filters=MessageFilters(channel=channel, since=since, until=until)
        )
        items: Sequence[Any] = found_messages.items
        total, has_next = found_messages.total, found_messages.has_next
        alternate = "/api/v1/messages?" + query_string(api_params)
        groupings: dict[str, tuple[str, str]] = {}
    else:
        filters = ReportFilters.model_validate(
            {
                "unlinked": stage == UNLINKED,
                "stage": stage if stage and stage != UNLINKED else None,
                "act_category": act,
                "party_id": party,
                "since": since,
                "until": until,
                "channel": channel,
                "q": text,
                "sort": "received",
            }
        )
        # No count of every match: an inbox of a hundred thousand reports pages without one.
        found_reports = reads.list_reports(session, actor=actor, page=page, filters=filters, count=False)
        items, total, has_next = found_reports.items, found_reports.total, found_reports.has_next
        api_params |= {
            "unlinked": "true" if filters.unlinked else None,
            "stage": filters.stage.value if filters.stage else None,
            "act_category": act,
            "party_id": party,
            "q": text,
            "sort": "received",
        }
        alternate = "/api/v1/reports?" + query_string(api_params)
        see_incidents = can(actor, Permission.INCIDENT_READ_ALL)
        groupings = reads.grouping_of(session, [r.lineage_id for r in items]) if see_incidents else {}
    shown = {k: v for k, v in typed.items() if k != "page"}
    context = {
        "view": view,
        "items": items,
        "total": total,
        "exact_total": view == "messages",
        "page": page.page,
        "has_next": has_next,
        "prev_url": "/desk?" + query_string({**shown, "page": page.page - 1}) if page.page > 1 else None,
        "next_url": "/desk?" + query_string({**shown, "page": page.page + 1}) if has_next else None,
        "typed": typed,
        "filter_query": query_string(shown),
        "errors": errors,
        "form_error": form_error,
        "groupings": groupings,
        "selected": set(selected),
        "bulk": bulk or {},
        "may_manage": can(actor, Permission.INCIDENT_MANAGE),
        "channels": [c.value for c in Channel],
        "stages": [s.value for s in Stage],
        "acts": [a.value for a in ActCategory],
        "view_url": lambda v: "/desk?" + query_string({**shown, "view": v}),
    }
    if errors and status_code == 200:
        status_code = 422
    return render(request, "desk/inbox.html", context, status_code=status_code, alternate=alternate)


@router.get("/desk")
def desk_inbox(request: Request, session: SessionDep, actor: WebActor) -> Response:
    """The inbox: reports (or messages) newest first, filtered, with bulk actions for analysts."""
    typed, errors = _inbox_filters(request)
    return _inbox(request, session, actor, typed, errors=errors)


def _typed_from(query: str) -> dict[str, str]:
    names = ("view", "channel", "stage", "since", "until", "party", "act", "q", "page")
    pairs = dict(parse_qsl(query[:2000]))
    return {name: pairs.get(name, "").strip() for name in names}


@router.post("/desk/bulk")
def desk_bulk_action(
    request: Request,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    action: Annotated[str, Form(max_length=20)] = "",
    report_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    title: Annotated[str, Form(max_length=1000)] = "",
    incident_id: Annotated[str, Form(max_length=200)] = "",
    filters: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Group the selected reports into a new incident, or attach them to an existing one."""
    typed = _typed_from(filters)
    chosen = list(dict.fromkeys(r.strip() for r in report_id if r.strip()))[:500]
    bulk = {"action": action, "title": title, "incident_id": incident_id}
    problem: str | None = None
    if not chosen:
        problem = "Select at least one report."
    elif action not in ("group", "attach"):
        problem = "Choose what to do with the selected reports."
    else:
        try:
            with session.begin_nested():
                if action == "group":
                    incident = incidents.open_incident(session, report_ids=chosen, title=title, actor=actor)
                    target = incident.id
                else:
                    if not incident_id.strip():
                        raise DomainError("give the id of the incident to attach to", field="incident_id")
                    target = incident_id.strip()
                    for one in chosen:
                        incidents.link_report(session, incident_id=target, report_id=one, actor=actor)
        except DomainError as exc:
            if not _form_error(exc):
                raise
            problem = exc.message
        else:
            return see_other(session, f"/desk/incidents/{target}?done={action}")
    return _inbox(
        request, session, actor, typed, form_error=problem, selected=chosen, bulk=bulk, status_code=422
    )


# ---------------------------------------------------------------------------------------------
# Messages and reports


@router.get("/desk/messages/{message_id}")
def desk_message(
    request: Request, message_id: str, session: SessionDep, actor: WebActor, show_contact: bool = False
) -> Response:
    """A message as received, the reports derived from it, and (for few roles) its contact details."""
    message = reads.read_message(session, message_id=message_id, actor=actor)
    derived = reads.list_reports(
        session, actor=actor, page=PageRequest(size=200), filters=ReportFilters(message_id=message.id)
    ).items
    contact: str | None = None
    may_see_contact = can(actor, Permission.SENSITIVE_READ)
    if show_contact and may_see_contact and message.has_contact:
        cipher = request.app.state.cipher
        if cipher is not None:
            contact = intake.view_contact(session, message_id=message.id, actor=actor, cipher=cipher).contact
    context = {
        "message": message,
        "reports": derived,
        "contact": contact,
        "may_see_contact": may_see_contact,
    }
    return render(request, "desk/message.html", context, alternate=f"/api/v1/messages/{message.id}")


def _correlation(session: Session, actor: Actor, *, report_id: str = "", incident_id: str = "") -> Any:
    """What the correlator says of a report or an incident, for readers of correlation (else None)."""
    if not can(actor, Permission.INCIDENT_READ_ALL):
        return None
    if report_id:
        explanation = correlation.explain_report(session, report_id=report_id, actor=actor)
    else:
        explanation = correlation.explain_incident(session, incident_id=incident_id, actor=actor)
    return {"explanation": explanation, "rows": pair_views(session, explanation.pairs)}


def _evidence_reads(session: Session, actor: Actor, report_ids: Sequence[str]) -> list[EvidenceRead]:
    """The evidence the reports cite, each once, with its last fixity check (few items per report)."""
    seen: dict[str, EvidenceRead] = {}
    for report_id in report_ids:
        try:
            items = evidence.list_evidence(session, report_id=report_id, actor=actor)
        except NotFound:
            continue
        for item in items:
            if item.id not in seen:
                seen[item.id] = evidence.read_evidence(session, evidence_id=item.id, actor=actor)
    return list(seen.values())


def _report_page(
    request: Request,
    session: Session,
    actor: Actor,
    report_id: str,
    *,
    error: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    versions = reads.report_versions(session, report_id=report_id, actor=actor)
    current = versions.versions[-1]
    grouping = (
        reads.grouping_of(session, [current.lineage_id]).get(current.lineage_id)
        if can(actor, Permission.INCIDENT_READ_ALL)
        else None
    )
    context = {
        "versions": versions,
        "report": current,
        "evidence": _evidence_reads(session, actor, [current.lineage_id]),
        "grouping": grouping,
        "may_withdraw": current.state == "current",
        "correlation": _correlation(session, actor, report_id=current.lineage_id),
        "error": error,
        "reason": reason,
    }
    return render(
        request,
        "desk/report.html",
        context,
        status_code=status_code,
        alternate=f"/api/v1/reports/{current.lineage_id}/versions",
    )


@router.get("/desk/reports/{report_id}")
def desk_report(request: Request, report_id: str, session: SessionDep, actor: WebActor) -> Response:
    """A report: every version, its withdrawal, the evidence it cites and the incident grouping it."""
    return _report_page(request, session, actor, report_id)


@router.post("/desk/reports/{report_id}/withdraw")
def desk_withdraw_report(
    request: Request,
    report_id: str,
    session: SessionDep,
    actor: WebActor,
    _: CsrfChecked,
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Withdraw a report (its submitter, its party's representative or an admin); it stays, marked."""
    reads.get_report(session, report_id=report_id, actor=actor)  # 404 first, as the API does
    try:
        with session.begin_nested():
            if not reason.strip() or len(reason.strip()) > 2000:
                raise DomainError(
                    "say why the report is withdrawn (at most 2,000 characters)", field="reason"
                )
            withdrawal = intake.withdraw_report(
                session, report_id=report_id, reason=reason.strip(), actor=actor
            )
            incidents.refresh_for_report(session, withdrawal.lineage_id)
    except DomainError as exc:
        if not _form_error(exc):
            raise
        return _report_page(
            request, session, actor, report_id, error=exc.message, reason=reason, status_code=422
        )
    return see_other(session, f"/desk/reports/{withdrawal.lineage_id}?done=withdrawn")


# ---------------------------------------------------------------------------------------------
# Incidents


def _incident_list(
    request: Request,
    session: Session,
    actor: Actor,
    typed: Mapping[str, str],
    *,
    form_error: str | None = None,
    selected: Sequence[str] = (),
    bulk: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed.get("page"), errors), size=PAGE_SIZE)
    filters = IncidentFilter(
        stage=parse_choice(typed.get("stage"), [s.value for s in Stage], "stage", errors),
        grade=parse_choice(typed.get("grade"), [g.value for g in Grade], "grade", errors),
        publication=parse_choice(
            typed.get("publication"), [p.value for p in Publication], "publication", errors
        ),
        since=parse_day(typed.get("since"), "since", errors),
        until=parse_day(typed.get("until"), "until", errors, end=True),
        act_category=parse_choice(typed.get("act"), [a.value for a in ActCategory], "act", errors),
        party_id=parse_text(typed.get("party"), "party", errors, 64),
    )
    found = incidents.list_incidents(session, actor=actor, page=page, filters=filters)
    shown = {k: v for k, v in typed.items() if k != "page"}
    api = {
        "stage": filters.stage,
        "grade": filters.grade,
        "publication": filters.publication,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "act_category": filters.act_category,
        "party_id": filters.party_id,
        "page": page.page if page.page > 1 else None,
        "size": PAGE_SIZE,
    }
    base = "/desk/incidents?"
    context = {
        "items": found.items,
        "total": found.total,
        "page": page.page,
        "prev_url": base + query_string({**shown, "page": page.page - 1}) if page.page > 1 else None,
        "next_url": base + query_string({**shown, "page": page.page + 1}) if found.has_next else None,
        "typed": typed,
        "filter_query": query_string(shown),
        "errors": errors,
        "form_error": form_error,
        "selected": set(selected),
        "bulk": bulk or {},
        "may_manage": can(actor, Permission.INCIDENT_MANAGE),
        "stages": [s.value for s in Stage],
        "grades": [g.value for g in Grade],
        "publications": [p.value for p in Publication],
        "acts": [a.value for a in ActCategory],
    }
    if errors and status_code == 200:
        status_code = 422
    return render(
        request,
        "desk/incidents.html",
        context,
        status_code=status_code,
        alternate="/api/v1/incidents?" + query_string(api),
    )


_INCIDENT_FILTERS = ("stage", "grade", "publication", "since", "until", "act", "party", "page")


@router.get("/desk/incidents")
def desk_incidents(request: Request, session: SessionDep, actor: WebActor) -> Response:
    """Incidents the reader may see, latest event first, filtered by stage, grade, publication..."""
    typed = {name: (request.query_params.get(name) or "").strip() for name in _INCIDENT_FILTERS}
    return _incident_list(request, session, actor, typed)


@router.post("/desk/incidents/bulk")
def desk_incidents_bulk(
    request: Request,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    incident_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    to: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    filters: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Move the selected incidents to a workflow stage, all or none."""
    pairs = dict(parse_qsl(filters[:2000]))
    typed = {name: pairs.get(name, "").strip() for name in _INCIDENT_FILTERS}
    chosen = list(dict.fromkeys(i.strip() for i in incident_id if i.strip()))[:200]
    bulk = {"to": to, "reason": reason}
    problem: str | None = None
    if not chosen:
        problem = "Select at least one incident."
    elif to not in {s.value for s in Stage}:
        problem = "Choose the stage to move the selected incidents to."
    else:
        try:
            with session.begin_nested():
                why = _clean(reason, "reason")
                for one in chosen:
                    try:
                        incidents.advance_stage(
                            session, incident_id=one, to=Stage(to), reason=why, actor=actor
                        )
                    except DomainError as exc:
                        exc.message = f"{one}: {exc.message}"
                        raise
        except DomainError as exc:
            if not _form_error(exc):
                raise
            problem = exc.message
        else:
            return see_other(session, f"/desk/incidents?{filters[:2000]}")
    return _incident_list(
        request, session, actor, typed, form_error=problem, selected=chosen, bulk=bulk, status_code=422
    )


def _columns(incident: IncidentRead) -> list[dict[str, Any]]:
    """The claims in one column per side, each side's claims grouped by stance."""
    by_ref = {c.ref: c for c in incident.claims}
    columns = []
    for side in incident.sides:
        claims = [by_ref[ref] for ref in side.claims if ref in by_ref]
        sources = list(dict.fromkeys(c.source for c in claims))
        columns.append({"label": side.label, "claims": claims, "sources": sources})
    placed = {ref for side in incident.sides for ref in side.claims}
    rest = [c for c in incident.claims if c.ref not in placed]
    if rest:
        columns.append({"label": "—", "claims": rest, "sources": []})
    return columns


def _provision_choices(session: Session, verdicts: Sequence[ApplicabilityRead]) -> list[tuple[str, str]]:
    """(value, label) of every obligation of the agreements found in scope or uncertain."""
    choices: list[tuple[str, str]] = []
    for verdict in verdicts:
        if verdict.verdict == "out_of_scope":
            continue
        for obligation in agreement_rows.obligations(session, verdict.agreement_id):
            label = f"{verdict.agreement_name} — {obligation.kind}: {obligation.category}"
            choices.append((f"{verdict.agreement_id}|{obligation.category}", label))
    return choices


def _timeline(session: Session, incident_id: str, determination_ids: Sequence[str]) -> list[AuditEntryRead]:
    """The audit entries of the incident and of its determinations, newest first."""
    entries = list(
        list_entries(session, page=PageRequest(size=200), entity_type="incident", entity_id=incident_id).items
    )
    for determination_id in determination_ids:
        entries.extend(
            list_entries(
                session, page=PageRequest(size=20), entity_type="determination", entity_id=determination_id
            ).items
        )
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    return [AuditEntryRead.model_validate(e) for e in entries]


def _incident_page(
    request: Request,
    session: Session,
    actor: Actor,
    incident_id: str,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    incident = incidents.read_incident(session, incident_id=incident_id, actor=actor)
    verdicts = [
        ApplicabilityRead.of(r) for r in determinations.assess(session, incident_id=incident.id, actor=actor)
    ]
    found: list[DeterminationRead] = determinations.determinations_of(
        session, incident_id=incident.id, actor=actor
    )
    current = next((d for d in found if d.is_current), None)
    visible_reports = [c.lineage_id for c in incident.claims if not c.redacted]
    may_manage = can(actor, Permission.INCIDENT_MANAGE)
    may_determine = can(actor, Permission.DETERMINE)
    contradicting = {ref for c in incident.contradictions for ref in c.claims}
    parties = sorted(
        {
            p
            for c in incident.claims
            for p in (c.perpetrator_party_id, c.source_party_id, c.target_party_id)
            if p
        }
    )
    context = {
        "incident": incident,
        "columns": _columns(incident),
        "contradicting": contradicting,
        "verdicts": verdicts,
        "determinations": found,
        "current_determination": current,
        "evidence": _evidence_reads(session, actor, visible_reports),
        "timeline": _timeline(session, incident.id, [d.id for d in found])
        if can(actor, Permission.AUDIT_READ)
        else None,
        "may_manage": may_manage,
        "may_determine": may_determine,
        "moves": [s.value for s in Stage if s in allowed_moves(Stage(incident.stage))],
        "reason_moves": sorted(
            s.value for s in allowed_moves(Stage(incident.stage)) if needs_reason(Stage(incident.stage), s)
        ),
        "publications": [p.value for p in Publication],
        "findings": [f.value for f in Finding],
        "provision_choices": _provision_choices(session, verdicts) if may_determine else [],
        "parties": parties,
        "errors": dict(errors or {}),
        "values": dict(values or {}),
        "done": request.query_params.get("done"),
        "casualty_kinds": ("killed", "injured", "women_killed", "children_killed"),
        "correlation": _correlation(session, actor, incident_id=incident.id),
    }
    return render(
        request,
        "desk/incident.html",
        context,
        status_code=status_code,
        alternate=f"/api/v1/incidents/{incident.id}",
    )


@router.get("/desk/incidents/{incident_id}")
def desk_incident(request: Request, incident_id: str, session: SessionDep, actor: WebActor) -> Response:
    """The incident: claims side by side, contradictions, casualties, evidence, verdicts, findings."""
    return _incident_page(request, session, actor, incident_id)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    incident_id: str,
    form: str,
    exc: DomainError,
    values: Mapping[str, Any],
) -> Response:
    if not _form_error(exc) or (isinstance(exc, NotFound) and exc.field is None):
        raise exc
    return _incident_page(
        request,
        session,
        actor,
        incident_id,
        errors={form: exc.message},
        values={form: values},
        status_code=422,
    )


def _done(session: Session, incident_id: str, what: str, anchor: str) -> Response:
    return see_other(session, f"/desk/incidents/{incident_id}?done={what}#{anchor}")


@router.post("/desk/incidents/{incident_id}/stage")
def desk_move_stage(
    request: Request,
    incident_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    to: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Move the incident to another workflow stage."""
    try:
        with session.begin_nested():
            if to not in {s.value for s in Stage}:
                raise DomainError("choose a stage", field="to")
            incidents.advance_stage(
                session, incident_id=incident_id, to=Stage(to), reason=_clean(reason, "reason"), actor=actor
            )
    except DomainError as exc:
        return _refused(request, session, actor, incident_id, "stage", exc, {"to": to, "reason": reason})
    return _done(session, incident_id, "stage", "controls")


def _clean(value: str, field: str, limit: int = 2000) -> str | None:
    value = value.strip()
    if len(value) > limit:
        raise DomainError(f"at most {limit} characters", field=field)
    return value or None


@router.post("/desk/incidents/{incident_id}/publication")
def desk_set_publication(
    request: Request,
    incident_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    level: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Set who beyond the secretariat may see the incident."""
    try:
        with session.begin_nested():
            if level not in {p.value for p in Publication}:
                raise DomainError("choose a publication level", field="level")
            incidents.set_publication(
                session,
                incident_id=incident_id,
                level=Publication(level),
                reason=_clean(reason, "reason"),
                actor=actor,
            )
    except DomainError as exc:
        return _refused(
            request, session, actor, incident_id, "publication", exc, {"level": level, "reason": reason}
        )
    return _done(session, incident_id, "publication", "controls")


@router.post("/desk/incidents/{incident_id}/reports")
def desk_link_report(
    request: Request,
    incident_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    report_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Group one more report into the incident."""
    try:
        with session.begin_nested():
            if not report_id.strip():
                raise DomainError("give the id of a report", field="report_id")
            incidents.link_report(session, incident_id=incident_id, report_id=report_id.strip(), actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, incident_id, "link", exc, {"report_id": report_id})
    return _done(session, incident_id, "linked", "claims")


@router.post("/desk/incidents/{incident_id}/reports/{report_id}/unlink")
def desk_unlink_report(
    request: Request,
    incident_id: str,
    report_id: str,
    session: SessionDep,
    actor: Manager,
    _: CsrfChecked,
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Take a report out of the incident (the pairing is remembered as rejected)."""
    try:
        with session.begin_nested():
            incidents.unlink_report(
                session,
                incident_id=incident_id,
                report_id=report_id,
                actor=actor,
                reason=_clean(reason, "reason"),
            )
    except DomainError as exc:
        return _refused(request, session, actor, incident_id, "unlink", exc, {"reason": reason})
    return _done(session, incident_id, "unlinked", "claims")


@router.post("/desk/incidents/{incident_id}/determinations")
def desk_issue_determination(
    request: Request,
    incident_id: str,
    session: SessionDep,
    actor: Determiner,
    _: CsrfChecked,
    finding: Annotated[str, Form(max_length=40)] = "",
    responsible_party_id: Annotated[str, Form(max_length=200)] = "",
    provision: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    rationale: Annotated[str, Form(max_length=25_000)] = "",
    evidence_id: Annotated[list[str], Form()] = [],  # noqa: B006
    supersedes_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Issue a determination; it supersedes the current one (the form names it, as a guard)."""
    values = {
        "finding": finding,
        "responsible_party_id": responsible_party_id,
        "provisions": provision,
        "rationale": rationale,
        "evidence_ids": evidence_id,
    }
    try:
        with session.begin_nested():
            if finding not in {f.value for f in Finding}:
                raise DomainError("choose a finding", field="finding")
            if not rationale.strip():
                raise DomainError("give the rationale of the finding", field="rationale")
            refs = []
            for item in provision[:50]:
                agreement_id, _sep, category = item.partition("|")
                refs.append(ProvisionRef(agreement_id=agreement_id, category=category))
            data = DeterminationCreate(
                finding=Finding(finding),
                responsible_party_id=responsible_party_id.strip() or None,
                provisions=refs,
                rationale=rationale.strip()[:20_000],
                evidence_ids=[e for e in evidence_id if e.strip()][:200],
                supersedes_id=supersedes_id.strip() or None,
            )
            determinations.issue_determination(session, incident_id=incident_id, data=data, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, incident_id, "determination", exc, values)
    except ValidationError as exc:  # a pydantic refusal of a provision or an id
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ()))
        return _incident_page(
            request,
            session,
            actor,
            incident_id,
            errors={"determination": f"{where}: {problem.get('msg')}"},
            values={"determination": values},
            status_code=422,
        )
    return _done(session, incident_id, "determined", "determination")
