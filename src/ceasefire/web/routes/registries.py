"""The registries (parties, agreements, places) and the audit trail, as pages for signed-in staff.

Read views over the same services as their JSON twins: every account may read the registries, the
audit trail is the secretariat's (admin, analyst, liaison officer).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ceasefire.agreements import service as agreements
from ceasefire.api.deps import SessionDep
from ceasefire.audit import list_entries
from ceasefire.audit.schemas import AuditEntryRead
from ceasefire.identity.rules import Permission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import AgreementKind, PartyKind, PlaceKind
from ceasefire.parties import service as parties
from ceasefire.parties.schemas import PartySummary
from ceasefire.places import resolver as place_resolver
from ceasefire.places import service as places
from ceasefire.places.schemas import PlaceRead, PlaceSummary
from ceasefire.web.auth import web_require
from ceasefire.web.routes.desk import parse_choice, parse_day, parse_page, parse_text, query_string
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
Reader = Annotated[Actor, Depends(web_require(Permission.REGISTRY_READ))]
AuditReader = Annotated[Actor, Depends(web_require(Permission.AUDIT_READ))]


def _typed(request: Request, *names: str) -> dict[str, str]:
    return {name: (request.query_params.get(name) or "").strip() for name in names}


def _pages(base: str, shown: dict[str, str], page: int, has_next: bool) -> dict[str, str | None]:
    return {
        "prev_url": f"{base}?" + query_string({**shown, "page": page - 1}) if page > 1 else None,
        "next_url": f"{base}?" + query_string({**shown, "page": page + 1}) if has_next else None,
    }


@router.get("/registries/parties")
def registry_parties(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Parties by name, with their aliases; filtered by kind and text."""
    typed = _typed(request, "kind", "q", "page")
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed["page"], errors), size=PAGE_SIZE)
    kind = parse_choice(typed["kind"], [k.value for k in PartyKind], "kind", errors)
    q = parse_text(typed["q"], "q", errors)
    found = parties.list_parties(session, page=page, kind=PartyKind(kind) if kind else None, q=q)
    shown = {k: v for k, v in typed.items() if k != "page"}
    context = {
        "items": [PartySummary.model_validate(p) for p in found.items],
        "total": found.total,
        "page": page.page,
        "typed": typed,
        "errors": errors,
        "kinds": [k.value for k in PartyKind],
        **_pages("/registries/parties", shown, page.page, found.has_next),
    }
    api = query_string(
        {"kind": kind, "q": q, "page": page.page if page.page > 1 else None, "size": PAGE_SIZE}
    )
    return render(
        request,
        "registries/parties.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/parties?" + api,
    )


@router.get("/registries/parties/{party_id}")
def registry_party(request: Request, party_id: str, session: SessionDep, actor: Reader) -> Response:
    """A party: aliases by language with dates, stances per agreement over time, relations."""
    party = parties.read_party(session, party_id=party_id)
    by_language: dict[str, list[object]] = {}
    for alias in party.aliases:
        by_language.setdefault(alias.language, []).append(alias)
    by_agreement: dict[str, list[object]] = {}
    for stance in sorted(party.stances, key=lambda s: (s.agreement_id, s.valid_from)):
        by_agreement.setdefault(stance.agreement_id, []).append(stance)
    context = {"party": party, "aliases": by_language, "stances": by_agreement}
    return render(request, "registries/party.html", context, alternate=f"/api/v1/parties/{party.id}")


@router.get("/registries/agreements")
def registry_agreements(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Agreements by start, filtered by kind."""
    typed = _typed(request, "kind", "page")
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed["page"], errors), size=PAGE_SIZE)
    kind = parse_choice(typed["kind"], [k.value for k in AgreementKind], "kind", errors)
    found = agreements.list_agreements(session, page=page, kind=AgreementKind(kind) if kind else None)
    shown = {k: v for k, v in typed.items() if k != "page"}
    context = {
        "items": found.items,
        "total": found.total,
        "page": page.page,
        "typed": typed,
        "errors": errors,
        "kinds": [k.value for k in AgreementKind],
        **_pages("/registries/agreements", shown, page.page, found.has_next),
    }
    api = query_string({"kind": kind, "page": page.page if page.page > 1 else None, "size": PAGE_SIZE})
    return render(
        request,
        "registries/agreements.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/agreements?" + api,
    )


@router.get("/registries/agreements/{agreement_id}")
def registry_agreement(request: Request, agreement_id: str, session: SessionDep, actor: Reader) -> Response:
    """An agreement: time scope, obligations, status history, parties and its scope on a map."""
    agreement = agreements.read_agreement(session, agreement_id=agreement_id)
    context = {"agreement": agreement}
    return render(
        request, "registries/agreement.html", context, alternate=f"/api/v1/agreements/{agreement.id}"
    )


@router.get("/registries/agreements/{agreement_id}/scope.geojson")
def registry_agreement_scope(agreement_id: str, session: SessionDep, actor: Reader) -> Response:
    """The areas of an agreement's geographic scope as one GeoJSON FeatureCollection (for its map)."""
    agreement = agreements.read_agreement(session, agreement_id=agreement_id)
    features = []
    for area in agreement.areas:
        feature = places.area_feature(places.get_area(session, area_id=area.area_id))
        data = feature.model_dump(mode="json")
        data["properties"] = {**data.get("properties", {}), "mode": area.mode.value, "scope": area.mode.value}
        features.append(data)
    return JSONResponse(
        {"type": "FeatureCollection", "features": features}, media_type="application/geo+json"
    )


@router.get("/registries/places")
def registry_places(request: Request, session: SessionDep, actor: Reader) -> Response:
    """Places by name (filtered by kind and text), and what the place resolver makes of the text."""
    typed = _typed(request, "kind", "q", "page")
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed["page"], errors), size=PAGE_SIZE)
    kind = parse_choice(typed["kind"], [k.value for k in PlaceKind], "kind", errors)
    q = parse_text(typed["q"], "q", errors, 300)
    found = places.list_places(session, page=page, kind=PlaceKind(kind) if kind else None, q=q)
    candidates = place_resolver.resolve_place(session, q, limit=5) if q else []
    shown = {k: v for k, v in typed.items() if k != "page"}
    context = {
        "items": [PlaceSummary.model_validate(p) for p in found.items],
        "candidates": candidates,
        "total": found.total,
        "page": page.page,
        "typed": typed,
        "errors": errors,
        "kinds": [k.value for k in PlaceKind],
        **_pages("/registries/places", shown, page.page, found.has_next),
    }
    api = query_string(
        {"kind": kind, "q": q, "page": page.page if page.page > 1 else None, "size": PAGE_SIZE}
    )
    return render(
        request,
        "registries/places.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/places?" + api,
    )


@router.get("/registries/places/{place_id}")
def registry_place(request: Request, place_id: str, session: SessionDep, actor: Reader) -> Response:
    """A place: names by language, hierarchy, coordinates and provenance."""
    place = PlaceRead.model_validate(places.get_place(session, place_id=place_id))
    return render(request, "registries/place.html", {"place": place}, alternate=f"/api/v1/places/{place.id}")


@router.get("/audit")
def audit_trail(request: Request, session: SessionDep, actor: AuditReader) -> Response:
    """The audit trail, newest first, filtered by entity, actor, action and days."""
    typed = _typed(request, "entity_type", "entity_id", "actor", "action", "since", "until", "page")
    errors: dict[str, str] = {}
    page = PageRequest(page=parse_page(typed["page"], errors), size=PAGE_SIZE)
    filters = {
        "entity_type": parse_text(typed["entity_type"], "entity_type", errors, 40),
        "entity_id": parse_text(typed["entity_id"], "entity_id", errors, 64),
        "actor": parse_text(typed["actor"], "actor", errors, 120),
        "action": parse_text(typed["action"], "action", errors, 60),
    }
    since = parse_day(typed["since"], "since", errors)
    until = parse_day(typed["until"], "until", errors, end=True)
    found = list_entries(session, page=page, since=since, until=until, **filters)
    shown = {k: v for k, v in typed.items() if k != "page"}
    context = {
        "items": [AuditEntryRead.model_validate(e) for e in found.items],
        "total": found.total,
        "page": page.page,
        "typed": typed,
        "errors": errors,
        **_pages("/audit", shown, page.page, found.has_next),
    }
    api = {
        **filters,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "page": page.page if page.page > 1 else None,
        "size": PAGE_SIZE,
    }
    return render(
        request,
        "registries/audit.html",
        context,
        status_code=422 if errors else 200,
        alternate="/api/v1/audit?" + query_string(api),
    )
