"""GET /api/v1/audit: the audit trail, newest first, filterable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ceasefire.api.deps import AuditReader, SessionDep
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.audit import list_entries
from ceasefire.audit.schemas import AuditEntryRead
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.time import require_aware

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=PageOut[AuditEntryRead])
def list_audit_entries(
    request: Request,
    session: SessionDep,
    _: AuditReader,
    page: Annotated[PageRequest, Depends(page_params)],
    entity_type: str | None = Query(None, max_length=40),
    entity_id: str | None = Query(None, max_length=64),
    actor: str | None = Query(None, max_length=120),
    action: str | None = Query(None, max_length=60),
    since: datetime | None = Query(None, description="Only entries at or after this instant (tz-aware)."),
    until: datetime | None = Query(None, description="Only entries before this instant (tz-aware)."),
) -> PageOut[AuditEntryRead]:
    """List audit entries (who, when, what, why), newest first."""
    entries = list_entries(
        session,
        page=page,
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        action=action,
        since=require_aware(since, field="since") if since else None,
        until=require_aware(until, field="until") if until else None,
    )
    return page_out(request, entries, AuditEntryRead.model_validate)
