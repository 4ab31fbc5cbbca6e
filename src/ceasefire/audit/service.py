"""Append to and read the audit trail; callers pass the session of the change being audited."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.paging import Page, PageRequest


def _jsonable(value: Any) -> Any:
    """Make a change value storable as JSON (dates as ISO strings, enums as values)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: dict[str, Any] | None = None,
    reason: str | None = None,
    clock: Clock = utc_now,
    flush: bool = True,
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it lands if and only if the change does).

    flush=False leaves the entry pending, for a caller recording several changes in one flush.
    """
    entry = AuditEntry(
        at=clock(),
        actor=actor.label,
        via=actor.via,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        reason=reason,
        changes=_jsonable(changes or {}),
    )
    session.add(entry)
    if flush:
        session.flush()
    return entry


def list_entries(
    session: Session,
    *,
    page: PageRequest,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEntry]:
    """The newest entries first, filtered by entity, actor, action or time."""
    query = select(AuditEntry)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(page.offset).limit(page.size)).all()
    return Page(items=rows, total=total, request=page)
