"""Audit trail read model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    """One audit entry as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    via: str
    action: str
    entity_type: str
    entity_id: str
    reason: str | None
    changes: dict[str, Any]
