"""Agreements API: list, read (with stances on a day), create, stances, status history, obligations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from ceasefire.agreements import service, stances
from ceasefire.agreements.rules import local_time
from ceasefire.agreements.schemas import (
    AgreementCreate,
    AgreementRead,
    AgreementSummary,
    ObligationCreate,
    ObligationRead,
    StanceCreate,
    StanceRead,
    StatusChangeCreate,
    StatusChangeRead,
)
from ceasefire.api.deps import Reader, SessionDep, Writer
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import AgreementKind

router = APIRouter(prefix="/agreements", tags=["agreements"])


@router.get("", response_model=PageOut[AgreementSummary])
def list_agreements(
    request: Request,
    session: SessionDep,
    _: Reader,
    page: Annotated[PageRequest, Depends(page_params)],
    kind: AgreementKind | None = Query(None),
    in_force_on: datetime | None = Query(
        None, description="Only agreements in force at this tz-aware instant (time scope and status)."
    ),
    parent_id: str | None = Query(None, max_length=64, description="Only children of this agreement."),
) -> PageOut[AgreementSummary]:
    """List agreements by start, filtered by kind, parent, and being in force at an instant."""
    found = service.list_agreements(
        session, page=page, kind=kind, in_force_on=in_force_on, parent_id=parent_id
    )
    return page_out(request, found, lambda item: item)


@router.get("/{agreement_id}", response_model=AgreementRead)
def get_agreement(
    agreement_id: str,
    session: SessionDep,
    _: Reader,
    on: date | None = Query(
        None,
        description="Day the committed/excluded/rejected lists are computed for (default: today, "
        "clamped into the agreement's period).",
    ),
) -> AgreementRead:
    """One agreement: local times, status history, scope, roles, obligations and stances on a day."""
    return service.read_agreement(session, agreement_id=agreement_id, on=on)


@router.post("", response_model=AgreementRead, status_code=status.HTTP_201_CREATED)
def create_agreement(data: AgreementCreate, session: SessionDep, actor: Writer) -> AgreementRead:
    """Create an agreement with its scope, roles, obligations and initial status (all or nothing)."""
    agreement = service.create_agreement(session, data=data, actor=actor)
    return service.read_agreement(session, agreement_id=agreement.id)


@router.get("/{agreement_id}/stances", response_model=list[StanceRead])
def list_agreement_stances(
    agreement_id: str,
    session: SessionDep,
    _: Reader,
    party_id: str | None = Query(None, max_length=64, description="Only this party's records."),
) -> list[StanceRead]:
    """The agreement's own stance records (not those inherited from a parent), by party then start."""
    rows = stances.list_stances(session, agreement_id=agreement_id, party_id=party_id)
    return [StanceRead.model_validate(r) for r in rows]


@router.post("/{agreement_id}/stances", response_model=StanceRead, status_code=status.HTTP_201_CREATED)
def record_agreement_stance(
    agreement_id: str, data: StanceCreate, session: SessionDep, actor: Writer
) -> StanceRead:
    """Record a party's sourced stance; it closes the party's open stance that began earlier."""
    row = stances.record_stance(session, agreement_id=agreement_id, data=data, actor=actor)
    return StanceRead.model_validate(row)


@router.post("/{agreement_id}/status", response_model=StatusChangeRead, status_code=status.HTTP_201_CREATED)
def change_agreement_status(
    agreement_id: str, data: StatusChangeCreate, session: SessionDep, actor: Writer
) -> StatusChangeRead:
    """Append a status change (in time order; after lapse or collapse only a sourced re-entry)."""
    change = service.change_status(session, agreement_id=agreement_id, data=data, actor=actor)
    tz = service.get_agreement(session, agreement_id).timezone
    return StatusChangeRead.model_validate(change).model_copy(update={"at_local": local_time(change.at, tz)})


@router.post(
    "/{agreement_id}/obligations", response_model=ObligationRead, status_code=status.HTTP_201_CREATED
)
def add_agreement_obligation(
    agreement_id: str, data: ObligationCreate, session: SessionDep, actor: Writer
) -> ObligationRead:
    """Add a prohibited act category or a required action to an agreement."""
    obligation = service.add_obligation(session, agreement_id=agreement_id, data=data, actor=actor)
    return ObligationRead.model_validate(obligation)
