"""Agreements, their parties' formal roles, geographic scope, obligations and status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin, SourcedMixin
from ceasefire.db.types import UTCDateTime


class Agreement(CreatedAtMixin, SourcedMixin, Base):
    """A CoH, extension, regime of calm, pause, local reconciliation or deconfliction arrangement."""

    __tablename__ = "agreement"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="RESTRICT"), default=None, index=True
    )
    description: Mapped[str | None] = mapped_column(Text, default=None)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    timezone: Mapped[str] = mapped_column(String(64))
    scope_kind: Mapped[str] = mapped_column(String(20))


class AgreementParty(SourcedMixin, Base):
    """A party's formal role in an agreement (signatory, co-chair, guarantor, monitor)."""

    __tablename__ = "agreement_party"
    __table_args__ = (UniqueConstraint("agreement_id", "party_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class AgreementArea(Base):
    """An area included in, or carved out of, an agreement's geographic scope."""

    __tablename__ = "agreement_area"
    __table_args__ = (UniqueConstraint("agreement_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    mode: Mapped[str] = mapped_column(String(10))


class Obligation(SourcedMixin, Base):
    """What an agreement prohibits (an act category) or requires (an action)."""

    __tablename__ = "obligation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text, default=None)


class AgreementStatusChange(SourcedMixin, Base):
    """An entry in an agreement's status history (in force, suspended, lapsed, collapsed)."""

    __tablename__ = "agreement_status"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text, default=None)
