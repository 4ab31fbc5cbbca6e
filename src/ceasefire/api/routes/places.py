"""Places API: list, read, create, add names, and resolve a name (with context) to candidates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from ceasefire.api.deps import Reader, SessionDep, Writer
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import resolver, service
from ceasefire.places.schemas import (
    PlaceCandidateRead,
    PlaceCreate,
    PlaceNameCreate,
    PlaceNameRead,
    PlaceRead,
    PlaceSummary,
)

router = APIRouter(prefix="/places", tags=["places"])


@router.get("", response_model=PageOut[PlaceSummary])
def list_places(
    request: Request,
    session: SessionDep,
    _: Reader,
    page: Annotated[PageRequest, Depends(page_params)],
    kind: PlaceKind | None = Query(None, description="Only places of this kind."),
    governorate: str | None = Query(None, max_length=64, description="Only places in this governorate (id)."),
    q: str | None = Query(None, max_length=200, description="Text found in any of a place's names."),
) -> PageOut[PlaceSummary]:
    """List places by name."""
    places = service.list_places(session, page=page, kind=kind, governorate_id=governorate, q=q)
    return page_out(request, places, PlaceSummary.model_validate)


@router.get("/resolve", response_model=list[PlaceCandidateRead])
def resolve_place_name(
    session: SessionDep,
    _: Reader,
    q: str = Query(..., min_length=1, max_length=300, description="A place name in any spelling."),
    context: list[str] = Query(
        default_factory=list,
        max_length=20,
        description="A governorate (id or name) or places named nearby in the same text; repeatable.",
    ),
    limit: int = Query(5, ge=1, le=50, description="Most candidates to return."),
) -> list[PlaceCandidateRead]:
    """Rank the places a name may denote, using context to choose between homonyms; explained."""
    candidates = resolver.resolve_place(session, q, context=context, limit=limit)
    return [PlaceCandidateRead.model_validate(c, from_attributes=True) for c in candidates]


@router.get("/{place_id}", response_model=PlaceRead)
def read_place(place_id: str, session: SessionDep, _: Reader) -> PlaceRead:
    """One place with its geometry, provenance and names."""
    return PlaceRead.model_validate(service.get_place(session, place_id=place_id))


@router.post("", response_model=PlaceRead, status_code=status.HTTP_201_CREATED)
def create_place(data: PlaceCreate, session: SessionDep, actor: Writer) -> PlaceRead:
    """Register a place (a point, or a line such as a road); its names are indexed for resolving."""
    return PlaceRead.model_validate(service.create_place(session, data=data, actor=actor))


@router.post("/{place_id}/names", response_model=PlaceNameRead, status_code=status.HTTP_201_CREATED)
def add_place_name(place_id: str, data: PlaceNameCreate, session: SessionDep, actor: Writer) -> PlaceNameRead:
    """Give a place another name in a language."""
    name = service.add_place_name(session, place_id=place_id, data=data, actor=actor)
    return PlaceNameRead.model_validate(name)
