"""Determinations: findings on incidents, each superseding the previous one (all kept)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base
from ceasefire.db.types import PortableJSON, UTCDateTime


class Determination(Base):
    """A finding on an incident with its applicability snapshot; revisable only by a new one."""

    __tablename__ = "determination"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"), index=True)
    supersedes_id: Mapped[str | None] = mapped_column(
        ForeignKey("determination.id", ondelete="RESTRICT"), default=None, unique=True
    )
    finding: Mapped[str] = mapped_column(String(20))
    responsible_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None
    )
    provisions: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON, default=list)
    rationale: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    applicability: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
