"""Evidence items (files stored content-addressed, URL references), their links and custody log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class Evidence(CreatedAtMixin, Base):
    """A file (by SHA-256 of its bytes) or a URL capture, with when and by whom it was collected."""

    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=None)
    media_type: Mapped[str | None] = mapped_column(String(120), default=None)
    declared_media_type: Mapped[str | None] = mapped_column(String(120), default=None)
    original_filename: Mapped[str | None] = mapped_column(String(300), default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    collector: Mapped[str] = mapped_column(String(200))
    uploaded_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), default=None
    )
    message_id: Mapped[str | None] = mapped_column(
        ForeignKey("message.id", ondelete="RESTRICT"), default=None, index=True
    )
    description: Mapped[str | None] = mapped_column(Text, default=None)


class ReportEvidence(CreatedAtMixin, Base):
    """Evidence cited by a report lineage."""

    __tablename__ = "report_evidence"
    __table_args__ = (UniqueConstraint("report_lineage_id", "evidence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_lineage_id: Mapped[str] = mapped_column(String(64), index=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"), index=True)


class CustodyEvent(Base):
    """One step in an evidence item's chain of custody (append-only)."""

    __tablename__ = "custody_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(30))
    fixity_ok: Mapped[bool | None] = mapped_column(Boolean, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
