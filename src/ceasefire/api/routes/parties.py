"""Parties API: list, read, create, add aliases and relations, and resolve names on a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from ceasefire.api.deps import Reader, SessionDep, Writer
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PartyKind
from ceasefire.parties import resolver, service
from ceasefire.parties.schemas import (
    AliasCreate,
    AliasRead,
    CandidateRead,
    PartyCreate,
    PartyRead,
    PartySummary,
    RelationCreate,
    RelationRead,
    StanceRead,
)

router = APIRouter(prefix="/parties", tags=["parties"])


@router.get("", response_model=PageOut[PartySummary])
def list_parties(
    request: Request,
    session: SessionDep,
    _: Reader,
    page: Annotated[PageRequest, Depends(page_params)],
    kind: PartyKind | None = Query(None, description="Only parties of this kind."),
    q: str | None = Query(None, max_length=200, description="Text found in any of a party's names."),
) -> PageOut[PartySummary]:
    """List parties by name, with their aliases."""
    parties = service.list_parties(session, page=page, kind=kind, q=q)
    return page_out(request, parties, PartySummary.model_validate)


@router.get("/resolve", response_model=list[CandidateRead])
def resolve_party_name(
    session: SessionDep,
    _: Reader,
    name: str = Query(..., min_length=1, max_length=200, description="A party name in any spelling."),
    on: date | None = Query(None, description="The day the name was used (YYYY-MM-DD)."),
    limit: int = Query(5, ge=1, le=50, description="Most candidates to return."),
) -> list[CandidateRead]:
    """Rank the parties a name may denote (on a date), exactly or fuzzily, each with an explanation."""
    candidates = resolver.resolve_party(session, name, on=on, limit=limit)
    return [CandidateRead.model_validate(c) for c in candidates]


@router.get("/{party_id}", response_model=PartyRead)
def read_party(party_id: str, session: SessionDep, _: Reader) -> PartyRead:
    """One party with its aliases, stances and relations."""
    return service.read_party(session, party_id=party_id)


@router.post("", response_model=PartyRead, status_code=status.HTTP_201_CREATED)
def create_party(data: PartyCreate, session: SessionDep, actor: Writer) -> PartyRead:
    """Create a party with its aliases (its name is stored as an official alias too)."""
    party = service.create_party(session, data=data, actor=actor)
    return service.read_party(session, party_id=party.id)


@router.post("/{party_id}/aliases", response_model=AliasRead, status_code=status.HTTP_201_CREATED)
def add_party_alias(party_id: str, data: AliasCreate, session: SessionDep, actor: Writer) -> AliasRead:
    """Give a party another name (refused when another party holds it on overlapping dates)."""
    return AliasRead.model_validate(service.add_alias(session, party_id=party_id, data=data, actor=actor))


@router.get("/{party_id}/relations", response_model=list[RelationRead])
def list_party_relations(party_id: str, session: SessionDep, _: Reader) -> list[RelationRead]:
    """A party's dated relations, where it is subject or object."""
    return [RelationRead.model_validate(r) for r in service.list_relations(session, party_id=party_id)]


@router.post("/{party_id}/relations", response_model=RelationRead, status_code=status.HTTP_201_CREATED)
def add_party_relation(
    party_id: str, data: RelationCreate, session: SessionDep, actor: Writer
) -> RelationRead:
    """Record a dated relation from this party to another."""
    relation = service.add_relation(session, party_id=party_id, data=data, actor=actor)
    return RelationRead.model_validate(relation)


@router.get("/{party_id}/stances", response_model=list[StanceRead])
def list_party_stances(party_id: str, session: SessionDep, _: Reader) -> list[StanceRead]:
    """A party's dated stances toward every agreement."""
    return [StanceRead.model_validate(s) for s in service.list_stances(session, party_id=party_id)]
