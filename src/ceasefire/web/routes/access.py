"""Humanitarian access pages: the movements board and its approval matrix, a movement, sieges,
corridors, notified sites, observation posts and the observer's daily log form.

Every page reads through the same services as its JSON twin (so a party's representative sees only
the movements its party must approve, its own column of the matrix, and the same 404 page for any
other movement or approval as for a missing one); every change goes through the services that audit
it. A form refused is shown again with the messages next to the fields (422), after the transaction
was rolled back: nothing of a refused form is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import repository as access_rows
from ceasefire.access import service as access
from ceasefire.access.models import Approval
from ceasefire.access.rules import (
    CROSSING_CATEGORIES,
    TRANSITIONS,
    AccessConstraint,
    ApprovalStatus,
    CorridorState,
    MovementKind,
    MovementStatus,
)
from ceasefire.access.schemas import (
    AcknowledgementCreate,
    ApprovalDecision,
    AuthorityChange,
    DailyLogCreate,
    MovementCreate,
    ObstructionCreate,
    StatusChange,
)
from ceasefire.agreements.models import Agreement
from ceasefire.api.deps import SessionDep
from ceasefire.identity.rules import Permission, has_permission, is_party_scoped
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import utc_now
from ceasefire.kernel.errors import DomainError, ErrorKind, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import ActCategory
from ceasefire.parties.models import Party
from ceasefire.places import resolver as place_resolver
from ceasefire.places import service as places
from ceasefire.places.models import Place
from ceasefire.web.auth import web_require
from ceasefire.web.routes.desk import parse_choice, parse_page, query_string, see_other
from ceasefire.web.security import CsrfChecked
from ceasefire.web.templating import LOCAL_ZONE, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
CARGO_ROWS = 4
INCIDENT_ROWS = 2
Reader = Annotated[Actor, Depends(web_require(Permission.REGISTRY_READ))]
Writer = Annotated[Actor, Depends(web_require(Permission.ACCESS_WRITE))]
Decider = Annotated[Actor, Depends(web_require(Permission.ACCESS_DECIDE))]
# Refusals a form shows next to its fields; the others (403, the 404 of the page itself) get error pages.
_FORM_KINDS = {ErrorKind.INVALID, ErrorKind.CONFLICT, ErrorKind.NOT_FOUND}
_COORDS = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
GEOJSON = "application/geo+json"


def can(actor: Actor, permission: Permission) -> bool:
    """Whether the actor's role grants a permission (for showing or hiding controls)."""
    return has_permission(actor.role, permission)


# ---------------------------------------------------------------------------------------------
# Reading form fields


def parse_at(raw: str | None, errors: dict[str, str], field: str = "at") -> datetime | None:
    """An instant typed on a page: a day (noon, Damascus), a local time (Damascus), or with an offset."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(12), tzinfo=LOCAL_ZONE)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        errors[field] = "a day (YYYY-MM-DD) or a local time (YYYY-MM-DDTHH:MM)"
        return None
    if not 1900 <= moment.year <= 2999:
        errors[field] = "a year between 1900 and 2999"
        return None
    return moment


def _clock(at: datetime | None) -> Callable[[], datetime]:
    return (lambda: at) if at is not None else utc_now


def _local_input(value: datetime | None) -> str:
    """An instant as a datetime-local field value, in Damascus time."""
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M") if value else ""


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _number(raw: str | None, field: str, errors: dict[str, str], *, whole: bool = True) -> Any:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        errors[field] = "a whole number" if whole else "a number"
        return None
    return number


def _pydantic_errors(exc: ValidationError, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Messages of a pydantic refusal by form field (loc joined with dots, renamed when asked)."""
    found: dict[str, str] = {}
    for problem in exc.errors():
        loc = ".".join(str(part) for part in problem.get("loc", ()))
        field = (names or {}).get(loc, loc) or "form"
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        found.setdefault(field, message)
    return found


def _getlist(form: Any, name: str, limit: int = 50) -> list[str]:
    return [str(v) for v in form.getlist(name)][:limit]


def _party_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(Party.id, Party.name).where(Party.id.in_(wanted))).all())


def _api_at(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


# ---------------------------------------------------------------------------------------------
# The movements board


@router.get("/access")
def access_board(request: Request, session: SessionDep, actor: Reader) -> Response:
    """The movements board: movements with the approval matrix, days waiting and lead-time warnings."""
    typed = {n: (request.query_params.get(n) or "").strip() for n in ("status", "at", "page")}
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed["page"], errors), size=PAGE_SIZE)
    status = parse_choice(typed["status"], [s.value for s in MovementStatus], "status", errors)
    at = parse_at(typed["at"], errors)
    found = access.movements_board(session, actor=actor, page=page, status=status, clock=_clock(at))
    details = access_rows.approvals_of(session, [r.id for r in found.items])
    scoped = is_party_scoped(actor.role)
    cells: dict[str, dict[str, Approval]] = {
        m: {a.party_id: a for a in rows if not scoped or a.party_id == actor.party_id}
        for m, rows in details.items()
    }
    columns = sorted({p for row in found.items for p in row.approvals})
    shown = {k: v for k, v in typed.items() if k != "page"}
    api = {
        "status": status,
        "at": _api_at(at),
        "page": page.page if page.page > 1 else None,
        "size": PAGE_SIZE,
    }
    context = {
        "rows": found.items,
        "cells": cells,
        "columns": columns,
        "names": _party_names(session, columns),
        "total": found.total,
        "page": page.page,
        "prev_url": "/access?" + query_string({**shown, "page": page.page - 1}) if page.page > 1 else None,
        "next_url": "/access?" + query_string({**shown, "page": page.page + 1}) if found.has_next else None,
        "typed": typed,
        "at_query": query_string({"at": typed["at"]}) if at else "",
        "errors": errors,
        "statuses": [s.value for s in MovementStatus],
        "may_write": can(actor, Permission.ACCESS_WRITE),
        "section": "movements",
    }
    return render(
        request,
        "access/board.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/movements?" + query_string(api),
    )


@router.get("/access/movements")
def access_movements(request: Request, session: SessionDep, actor: Reader) -> Response:
    """The movements board under its long address."""
    return access_board(request, session, actor)


# ---------------------------------------------------------------------------------------------
# A new movement


def _choices(session: Session) -> dict[str, Any]:
    from ceasefire.access.models import Checkpoint, Corridor

    return {
        "agreements": session.execute(select(Agreement.id, Agreement.name).order_by(Agreement.name)).all(),
        "corridors": session.execute(select(Corridor.id, Corridor.name).order_by(Corridor.name)).all(),
        "checkpoints": session.execute(
            select(Checkpoint.id, Checkpoint.name).order_by(Checkpoint.name)
        ).all(),
        "kinds": [k.value for k in MovementKind],
    }


def _new_form(
    request: Request,
    session: Session,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    resolved: Sequence[Mapping[str, Any]] = (),
    status_code: int = 200,
) -> Response:
    typed = {
        "kind": "convoy",
        "title": "",
        "requester": "",
        "route": "",
        "beneficiaries": "",
        "window_start": "",
        "window_end": "",
        "agreement_id": "",
        "corridor_id": "",
        "emergency": False,
        "submit": True,
        "source": "",
        "cargo": [{"item": "", "tonnes": "", "quantity": ""} for _ in range(CARGO_ROWS)],
    }
    typed.update(values or {})
    context = {
        "values": typed,
        "errors": dict(errors or {}),
        "resolved": resolved,
        "section": "movements",
        **_choices(session),
    }
    return render(
        request, "access/movement_new.html", context, status_code=status_code, alternate="/api/v1/movements"
    )


@router.get("/access/movements/new")
def access_new_movement(request: Request, session: SessionDep, actor: Writer) -> Response:
    """The form of a movement request (coordinators and observers)."""
    return _new_form(request, session)


def resolve_route(
    session: Session, text: str, errors: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The route typed as lines (place names or ids, or "latitude, longitude"), resolved in order.

    Answers the stops (what was typed, what it became) and the fields of the movement: the GeoJSON
    line, the origin and destination places and the places on the way.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:100]
    if len(lines) < 2:
        errors["route"] = "give at least two stops, one a line: a place, or latitude, longitude"
        return [], {}
    names = [line for line in lines if not _COORDS.match(line)]
    stops: list[dict[str, Any]] = []
    problems = []
    for line in lines:
        match = _COORDS.match(line)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                problems.append(f"{line}: not a latitude, longitude")
                continue
            stops.append({"typed": line, "place_id": None, "name": None, "lat": lat, "lon": lon})
            continue
        place = session.get(Place, line)
        if place is not None:
            stops.append(
                {
                    "typed": line,
                    "place_id": place.id,
                    "name": place.name,
                    "lat": place.latitude,
                    "lon": place.longitude,
                }
            )
            continue
        found = place_resolver.resolve_place(session, line, context=[n for n in names if n != line], limit=1)
        if not found:
            problems.append(f"{line}: no known place of that name")
            continue
        top = found[0]
        stops.append(
            {
                "typed": line,
                "place_id": top.place_id,
                "name": top.name,
                "lat": top.latitude,
                "lon": top.longitude,
            }
        )
    if problems:
        errors["route"] = "; ".join(problems)
        return stops, {}
    places_on = [s for s in stops if s["place_id"]]
    first, last = stops[0], stops[-1]
    fields = {
        "route": {"type": "LineString", "coordinates": [[s["lon"], s["lat"]] for s in stops]},
        "origin_place_id": first["place_id"],
        "destination_place_id": last["place_id"],
        "waypoints": [s["place_id"] for s in places_on if s is not first and s is not last],
    }
    return stops, fields


_MOVEMENT_FIELDS = {
    "window_start": "window_start",
    "window_end": "window_end",
    "beneficiaries": "beneficiaries",
    "title": "title",
    "requester": "requester",
    "kind": "kind",
    "route": "route",
}


@router.post("/access/movements/new")
async def access_create_movement(
    request: Request, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Store a movement request (submitted at once unless kept as a draft); a late one is warned about."""
    form = await request.form()

    def field(name: str, limit: int = 2000) -> str:
        return str(form.get(name) or "")[:limit]

    cargo_rows = list(
        zip(
            _getlist(form, "cargo_item", 200),
            _getlist(form, "cargo_tonnes", 200),
            _getlist(form, "cargo_quantity", 200),
            strict=False,
        )
    )
    values: dict[str, Any] = {
        "kind": field("kind", 40),
        "title": field("title", 400),
        "requester": field("requester", 400),
        "route": field("route", 10_000),
        "beneficiaries": field("beneficiaries", 20),
        "window_start": field("window_start", 40),
        "window_end": field("window_end", 40),
        "agreement_id": field("agreement_id", 200),
        "corridor_id": field("corridor_id", 200),
        "emergency": bool(form.get("emergency")),
        "submit": bool(form.get("submit")),
        "source": field("source", 400),
        "cargo": [{"item": i, "tonnes": t, "quantity": q} for i, t, q in cargo_rows]
        or [{"item": "", "tonnes": "", "quantity": ""}],
    }
    while len(values["cargo"]) < CARGO_ROWS:
        values["cargo"].append({"item": "", "tonnes": "", "quantity": ""})
    errors: dict[str, str] = {}
    start = parse_at(values["window_start"], errors, "window_start")
    end = parse_at(values["window_end"], errors, "window_end")
    if not values["window_start"]:
        errors["window_start"] = "when the movement may start"
    if not values["window_end"]:
        errors["window_end"] = "when the movement's window ends"
    beneficiaries = _number(values["beneficiaries"], "beneficiaries", errors)
    cargo = []
    for n, line in enumerate(values["cargo"]):
        if not line["item"].strip():
            if line["tonnes"].strip() or line["quantity"].strip():
                errors[f"cargo.{n}"] = "name the item"
            continue
        tonnes = _number(line["tonnes"], f"cargo.{n}", errors, whole=False)
        quantity = _number(line["quantity"], f"cargo.{n}", errors)
        cargo.append({"item": line["item"], "tonnes": tonnes, "quantity": quantity})
    stops, route_fields = resolve_route(session, values["route"], errors)
    if not errors:
        try:
            data = MovementCreate.model_validate(
                {
                    "kind": values["kind"],
                    "title": values["title"],
                    "requester": values["requester"],
                    "cargo": cargo,
                    "beneficiaries": beneficiaries,
                    "window_start": start,
                    "window_end": end,
                    "emergency": values["emergency"],
                    "submit": values["submit"],
                    "agreement_id": values["agreement_id"] or None,
                    "corridor_id": values["corridor_id"] or None,
                    "source": _text(values["source"]),
                    **route_fields,
                }
            )
        except ValidationError as exc:
            errors.update(_pydantic_errors(exc))
        else:
            try:
                with session.begin_nested():
                    movement = access.create_movement(session, data=data, actor=actor)
            except DomainError as exc:
                if exc.kind not in _FORM_KINDS:
                    raise
                errors[exc.field or "form"] = exc.message
            else:
                return see_other(session, f"/access/movements/{movement.id}?done=created")
    return _new_form(request, session, values=values, errors=errors, resolved=stops, status_code=422)


# ---------------------------------------------------------------------------------------------
# One movement


def _movement_page(
    request: Request,
    session: Session,
    actor: Actor,
    movement_id: str,
    *,
    errors: Mapping[str, Mapping[str, str]] | None = None,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    change: AuthorityChange | None = None,
    at: datetime | None = None,
    status_code: int = 200,
) -> Response:
    movement = access.read_movement(session, movement_id=movement_id, actor=actor, clock=_clock(at))
    place_ids = [
        p for p in (movement.origin_place_id, movement.destination_place_id, *movement.waypoints) if p
    ]
    place_names = (
        dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(place_ids))).all())
        if place_ids
        else {}
    )
    obstruction_parties = [o.party_id for o in movement.obstructions if o.party_id]
    may_decide = can(actor, Permission.ACCESS_DECIDE)
    may_write = can(actor, Permission.ACCESS_WRITE)
    status = MovementStatus(movement.status)
    moves = sorted(s for s in TRANSITIONS.get(status, frozenset()) if s != MovementStatus.CLEARED)
    context = {
        "movement": movement,
        "place_names": place_names,
        "party_names": _party_names(session, obstruction_parties),
        "may_decide": may_decide,
        "may_write": may_write,
        "moves": moves,
        "may_submit": may_write and status == MovementStatus.DRAFT,
        "may_recompute": may_write and status in access.OPEN,
        "may_answer": status in access.OPEN,
        "decisions": [s.value for s in ApprovalStatus if s != ApprovalStatus.PENDING],
        "constraints": [c.value for c in AccessConstraint],
        "checkpoint_ids": movement.checkpoint_ids,
        "errors": {k: dict(v) for k, v in (errors or {}).items()},
        "values": {k: dict(v) for k, v in (values or {}).items()},
        "change": change,
        "done": request.query_params.get("done"),
        "now_local": _local_input(utc_now()),
        "section": "movements",
    }
    return render(
        request,
        "access/movement.html",
        context,
        status_code=status_code,
        alternate=f"/api/v1/movements/{movement.id}",
    )


@router.get("/access/movements/{movement_id}")
def access_movement(request: Request, movement_id: str, session: SessionDep, actor: Reader) -> Response:
    """A movement: route on a map, cargo, window, approvals, timeline, obstructions and their forms."""
    errors: dict[str, str] = {}
    at = parse_at(request.query_params.get("at"), errors)
    return _movement_page(request, session, actor, movement_id, at=at)


@router.get("/access/movements/{movement_id}/route.geojson")
def access_movement_route(movement_id: str, session: SessionDep, actor: Reader) -> Response:
    """The movement's route as GeoJSON (its map), with the same 404 as the page."""
    movement = access.read_movement(session, movement_id=movement_id, actor=actor)
    feature = {
        "type": "Feature",
        "id": movement.id,
        "geometry": movement.route,
        "properties": {"name": movement.title, "kind": "route", "status": movement.status},
    }
    return JSONResponse({"type": "FeatureCollection", "features": [feature]}, media_type=GEOJSON)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    movement_id: str,
    form: str,
    exc: DomainError | ValidationError | dict[str, str],
    values: Mapping[str, Any],
) -> Response:
    if isinstance(exc, DomainError):
        if exc.kind not in _FORM_KINDS or (isinstance(exc, NotFound) and exc.field is None):
            raise exc
        problems = {exc.field or "form": exc.message}
    elif isinstance(exc, ValidationError):
        problems = _pydantic_errors(exc)
    else:
        problems = exc
    return _movement_page(
        request,
        session,
        actor,
        movement_id,
        errors={form: problems},
        values={form: values},
        status_code=422,
    )


def _done(session: Session, movement_id: str, what: str, anchor: str) -> Response:
    return see_other(session, f"/access/movements/{movement_id}?done={what}#{anchor}")


@router.post("/access/movements/{movement_id}/approvals/{approval_id}/decision")
async def access_decide(
    request: Request,
    movement_id: str,
    approval_id: str,
    session: SessionDep,
    actor: Decider,
    _: CsrfChecked,
) -> Response:
    """An authority's answer: a representative for its own party only (another party's: 404)."""
    access.read_movement(session, movement_id=movement_id, actor=actor)  # 404 first, as the API does
    approval = session.get(Approval, approval_id)
    if approval is None or approval.movement_id != movement_id:
        raise NotFound.of("approval", approval_id)
    form = await request.form()
    values = {
        "approval_id": approval_id,
        "status": str(form.get("status") or "")[:40],
        "conditions": str(form.get("conditions") or "")[:5000],
        "reason": str(form.get("reason") or "")[:5000],
    }
    try:
        data = ApprovalDecision.model_validate(
            {
                "status": values["status"],
                "conditions": _text(values["conditions"]),
                "reason": _text(values["reason"]),
            }
        )
    except ValidationError as exc:
        return _refused(request, session, actor, movement_id, "decision", exc, values)
    try:
        with session.begin_nested():
            access.decide_approval(session, approval_id=approval_id, data=data, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, movement_id, "decision", exc, values)
    return _done(session, movement_id, "decided", "approvals")


@router.post("/access/movements/{movement_id}/status")
async def access_change_status(
    request: Request, movement_id: str, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Move the movement along its life cycle; an attack files a report in the violation workflow."""
    access.read_movement(session, movement_id=movement_id, actor=actor)
    form = await request.form()
    names = (
        "status",
        "at",
        "note",
        "attack_occurred_at",
        "attack_latitude",
        "attack_longitude",
        "attack_perpetrator",
        "attack_killed",
        "attack_injured",
        "attack_narrative",
    )
    values = {n: str(form.get(n) or "")[:5000] for n in names}
    errors: dict[str, str] = {}
    at = parse_at(values["at"], errors)
    attack = None
    if values["status"] == MovementStatus.ATTACKED:
        occurred = parse_at(values["attack_occurred_at"], errors, "attack_occurred_at")
        if occurred is None and "attack_occurred_at" not in errors:
            errors["attack_occurred_at"] = "when the attack happened"
        attack = {
            "occurred_at": occurred,
            "latitude": _number(values["attack_latitude"], "attack_latitude", errors, whole=False),
            "longitude": _number(values["attack_longitude"], "attack_longitude", errors, whole=False),
            "perpetrator_text": _text(values["attack_perpetrator"]),
            "killed_min": _number(values["attack_killed"], "attack_killed", errors),
            "injured_min": _number(values["attack_injured"], "attack_injured", errors),
            "narrative": _text(values["attack_narrative"]),
        }
    if errors:
        return _refused(request, session, actor, movement_id, "status", errors, values)
    try:
        data = StatusChange.model_validate(
            {"status": values["status"], "at": at, "note": _text(values["note"]), "attack": attack}
        )
    except ValidationError as exc:
        return _refused(request, session, actor, movement_id, "status", exc, values)
    try:
        with session.begin_nested():
            access.change_status(session, movement_id=movement_id, data=data, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, movement_id, "status", exc, values)
    return _done(session, movement_id, "status", "timeline")


@router.post("/access/movements/{movement_id}/obstructions")
async def access_add_obstruction(
    request: Request, movement_id: str, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Record an obstruction the movement met, in an OCHA access-constraint category."""
    access.read_movement(session, movement_id=movement_id, actor=actor)
    form = await request.form()
    values = {
        n: str(form.get(n) or "")[:5000] for n in ("category", "at", "party_id", "description", "source")
    }
    errors: dict[str, str] = {}
    at = parse_at(values["at"], errors)
    if at is None and "at" not in errors:
        errors["at"] = "when the obstruction happened"
    if errors:
        return _refused(request, session, actor, movement_id, "obstruction", errors, values)
    try:
        data = ObstructionCreate.model_validate(
            {
                "category": values["category"],
                "at": at,
                "party_id": _text(values["party_id"]),
                "description": values["description"],
                "source": _text(values["source"]),
            }
        )
    except ValidationError as exc:
        return _refused(request, session, actor, movement_id, "obstruction", exc, values)
    try:
        with session.begin_nested():
            access.add_obstruction(session, movement_id=movement_id, data=data, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, movement_id, "obstruction", exc, values)
    return _done(session, movement_id, "obstruction", "obstructions")


@router.post("/access/movements/{movement_id}/submit")
def access_submit_movement(
    request: Request, movement_id: str, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Send a draft for approval: its authorities are computed, one pending approval each."""
    try:
        with session.begin_nested():
            access.submit_movement(session, movement_id=movement_id, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, movement_id, "submit", exc, {})
    return _done(session, movement_id, "submitted", "approvals")


@router.post("/access/movements/{movement_id}/recompute")
def access_recompute(
    request: Request, movement_id: str, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Recompute the authorities after control areas changed, and show what changed."""
    try:
        with session.begin_nested():
            change = access.recompute_authorities(session, movement_id=movement_id, actor=actor)
    except DomainError as exc:
        return _refused(request, session, actor, movement_id, "recompute", exc, {})
    session.commit()
    return _movement_page(request, session, actor, movement_id, change=change)


# ---------------------------------------------------------------------------------------------
# Besieged areas, corridors, notified sites


def _at_only(request: Request) -> tuple[str, datetime | None, dict[str, str]]:
    errors: dict[str, str] = {}
    typed = (request.query_params.get("at") or "").strip()
    return typed, parse_at(typed, errors), errors


@router.get("/access/besieged")
def access_besieged(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Besieged and hard-to-reach areas: population ranges and sources, days without aid, a map."""
    typed, at, errors = _at_only(request)
    areas = access.list_besieged_areas(session, at=at)
    besiegers = [p for b in areas for p in b.besieging_party_ids]
    context = {
        "areas": areas,
        "names": _party_names(session, besiegers),
        "typed": {"at": typed},
        "errors": errors,
        "section": "besieged",
    }
    return render(
        request,
        "access/besieged.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/besieged-areas?" + query_string({"at": _api_at(at)}),
    )


@router.get("/access/besieged.geojson")
def access_besieged_geojson(session: SessionDep, actor: Reader) -> Response:
    """The besieged areas' polygons as one GeoJSON FeatureCollection (the page's map)."""
    features = []
    for b in access.list_besieged_areas(session):
        feature = places.area_feature(places.get_area(session, area_id=b.area_id)).model_dump(mode="json")
        feature["properties"] = {**feature.get("properties", {}), "name": b.name, "kind": "besieged_area"}
        features.append(feature)
    return JSONResponse({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)


@router.get("/access/corridors")
def access_corridors(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Corridors: status now (declared and in schedule), schedule in local time, checkpoints, timeline."""
    typed, at, errors = _at_only(request)
    corridors = access.list_corridors(session, at=at)
    operators = [k.operator_party_id for c in corridors for k in c.checkpoints if k.operator_party_id]
    context = {
        "corridors": corridors,
        "names": _party_names(session, operators),
        "typed": {"at": typed},
        "errors": errors,
        "section": "corridors",
    }
    return render(
        request,
        "access/corridors.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/corridors?" + query_string({"at": _api_at(at)}),
    )


@router.get("/access/corridors.geojson")
def access_corridors_geojson(session: SessionDep, actor: Reader) -> Response:
    """The corridors' routes and checkpoints as one GeoJSON FeatureCollection (the page's map)."""
    features: list[dict[str, Any]] = []
    for c in access.list_corridors(session):
        features.append(
            {
                "type": "Feature",
                "id": c.id,
                "geometry": c.route,
                "properties": {"name": c.name, "kind": "corridor"},
            }
        )
        for k in c.checkpoints:
            point = {"type": "Point", "coordinates": [k.longitude, k.latitude]}
            features.append(
                {
                    "type": "Feature",
                    "id": k.id,
                    "geometry": point,
                    "properties": {"name": k.name, "kind": "checkpoint"},
                }
            )
    return JSONResponse({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)


def _sites_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    sites = access.list_sites(session, actor=actor)
    acknowledged = [a.party_id for s in sites for a in s.acknowledgements]
    scoped = is_party_scoped(actor.role)
    parties = (
        [] if scoped else session.execute(select(Party.id, Party.name).order_by(Party.name).limit(500)).all()
    )
    context = {
        "sites": sites,
        "names": _party_names(session, [*acknowledged, *([actor.party_id] if actor.party_id else [])]),
        "may_acknowledge": can(actor, Permission.ACCESS_DECIDE),
        "scoped": scoped,
        "own_party": actor.party_id,
        "parties": parties,
        "errors": dict(errors or {}),
        "done": request.query_params.get("done"),
        "section": "sites",
    }
    return render(request, "access/sites.html", context, status_code=status_code, alternate="/api/v1/sites")


@router.get("/access/sites")
def access_sites(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Notified humanitarian sites with each party's acknowledgement."""
    return _sites_page(request, session, actor)


@router.post("/access/sites/{site_id}/acknowledge")
async def access_acknowledge_site(
    request: Request, site_id: str, session: SessionDep, actor: Decider, _: CsrfChecked
) -> Response:
    """A party acknowledges a site notification (a representative for its own party)."""
    form = await request.form()
    party_id = _text(str(form.get("party_id") or "")[:200])
    try:
        with session.begin_nested():
            access.acknowledge_site(
                session, site_id=site_id, data=AcknowledgementCreate(party_id=party_id), actor=actor
            )
    except ValidationError as exc:
        return _sites_page(
            request,
            session,
            actor,
            errors={site_id: "; ".join(_pydantic_errors(exc).values())},
            status_code=422,
        )
    except DomainError as exc:
        if exc.kind not in _FORM_KINDS or (isinstance(exc, NotFound) and exc.field is None):
            raise
        return _sites_page(request, session, actor, errors={site_id: exc.message}, status_code=422)
    return see_other(session, f"/access/sites?done=acknowledged#site-{site_id}")


# ---------------------------------------------------------------------------------------------
# Observation posts and the daily log


@router.get("/observation")
def observation_posts(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Observation posts and the overdue list: days whose log is missing past its due time."""
    typed, at, errors = _at_only(request)
    posts = access.list_posts(session)
    overdue = access.overdue_logs(session, at=at)
    context = {
        "posts": posts,
        "overdue": overdue,
        "typed": {"at": typed},
        "errors": errors,
        "may_write": can(actor, Permission.ACCESS_WRITE),
        "section": "observation",
    }
    return render(
        request,
        "access/observation.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/observation-posts/overdue?" + query_string({"at": _api_at(at)}),
    )


def _empty_incident() -> dict[str, str]:
    return dict.fromkeys(("occurred_at", "act_category", "narrative", "perpetrator", "killed", "injured"), "")


def _log_page(
    request: Request,
    session: Session,
    actor: Actor,
    post_id: str,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from ceasefire.access.models import ObservationPost

    post = session.get(ObservationPost, post_id)
    if post is None:
        raise NotFound.of("observation post", post_id)
    logs = access.list_logs(session, post_id=post.id, all_versions=True)
    typed: dict[str, Any] = {
        "day": request.query_params.get("day", "")[:10],
        "weapons_handed_in": "0",
        "corridor_status": "",
        "movement_restrictions": "",
        "note": "",
        "crossings": dict.fromkeys(CROSSING_CATEGORIES, "0"),
        "incidents": [_empty_incident() for _ in range(INCIDENT_ROWS)],
    }
    typed.update(values or {})
    days = sorted({log.day for log in logs}, reverse=True)
    context = {
        "post": post,
        "logs": logs,
        "by_day": {d: [log for log in logs if log.day == d] for d in days},
        "days": days,
        "values": typed,
        "errors": dict(errors or {}),
        "categories": CROSSING_CATEGORIES,
        "corridor_states": [s.value for s in CorridorState],
        "acts": [a.value for a in ActCategory],
        "may_write": can(actor, Permission.ACCESS_WRITE),
        "done": request.query_params.get("done"),
        "section": "observation",
    }
    return render(
        request,
        "access/log.html",
        context,
        status_code=status_code,
        alternate=f"/api/v1/observation-posts/{post.id}/logs?all_versions=true",
    )


@router.get("/observation/posts/{post_id}/log")
def observation_log_form(request: Request, post_id: str, session: SessionDep, actor: Reader) -> Response:
    """The post's daily logs (every version) and, for observers and coordinators, the log form."""
    return _log_page(request, session, actor, post_id)


_LOG_NAMES = {f"crossings.{c}": f"crossings_{c}" for c in CROSSING_CATEGORIES}


@router.post("/observation/posts/{post_id}/log")
async def observation_submit_log(
    request: Request, post_id: str, session: SessionDep, actor: Writer, _: CsrfChecked
) -> Response:
    """Store the post's log for a day (again for the same day: a correction, the next version)."""
    form = await request.form()

    def field(name: str, limit: int = 5000) -> str:
        return str(form.get(name) or "")[:limit]

    incidents_typed = [
        dict(
            zip(
                ("occurred_at", "act_category", "narrative", "perpetrator", "killed", "injured"),
                row,
                strict=True,
            )
        )
        for row in zip(
            _getlist(form, "incident_occurred_at"),
            _getlist(form, "incident_act_category"),
            _getlist(form, "incident_narrative"),
            _getlist(form, "incident_perpetrator"),
            _getlist(form, "incident_killed"),
            _getlist(form, "incident_injured"),
            strict=False,
        )
    ]
    values: dict[str, Any] = {
        "day": field("day", 20),
        "weapons_handed_in": field("weapons_handed_in", 20),
        "corridor_status": field("corridor_status", 40),
        "movement_restrictions": field("movement_restrictions"),
        "note": field("note"),
        "crossings": {c: field(f"crossings_{c}", 20) for c in CROSSING_CATEGORIES},
        "incidents": incidents_typed or [_empty_incident()],
    }
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        errors["day"] = "the day the log covers, as YYYY-MM-DD"
    crossings = {
        c: _number(values["crossings"][c], f"crossings_{c}", errors) or 0 for c in CROSSING_CATEGORIES
    }
    weapons = _number(values["weapons_handed_in"], "weapons_handed_in", errors) or 0
    incidents = []
    for n, row in enumerate(values["incidents"]):
        if not any(v.strip() for v in row.values()):
            continue
        occurred = parse_at(row["occurred_at"], errors, f"incidents.{n}.occurred_at")
        if occurred is None and f"incidents.{n}.occurred_at" not in errors:
            errors[f"incidents.{n}.occurred_at"] = "when it happened"
        incidents.append(
            {
                "occurred_at": occurred,
                "act_category": row["act_category"],
                "narrative": row["narrative"],
                "perpetrator_text": _text(row["perpetrator"]),
                "killed_min": _number(row["killed"], f"incidents.{n}.killed_min", errors),
                "injured_min": _number(row["injured"], f"incidents.{n}.injured_min", errors),
            }
        )
    while len(values["incidents"]) < INCIDENT_ROWS:
        values["incidents"].append(_empty_incident())
    if not errors:
        try:
            data = DailyLogCreate.model_validate(
                {
                    "day": day,
                    "crossings": crossings,
                    "weapons_handed_in": weapons,
                    "corridor_status": values["corridor_status"] or None,
                    "movement_restrictions": _text(values["movement_restrictions"]),
                    "note": _text(values["note"]),
                    "incidents": incidents,
                }
            )
        except ValidationError as exc:
            errors.update(_pydantic_errors(exc, _LOG_NAMES))
        else:
            try:
                with session.begin_nested():
                    log = access.submit_log(session, post_id=post_id, data=data, actor=actor)
            except DomainError as exc:
                if exc.kind not in _FORM_KINDS or (isinstance(exc, NotFound) and exc.field is None):
                    raise
                errors[exc.field or "form"] = exc.message
            else:
                return see_other(
                    session, f"/observation/posts/{post_id}/log?done=v{log.version}#day-{log.day.isoformat()}"
                )
    return _log_page(request, session, actor, post_id, values=values, errors=errors, status_code=422)
