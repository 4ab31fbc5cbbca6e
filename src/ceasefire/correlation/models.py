"""The space-time index of what new reports are compared with, and the scored pairs (explained)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class CorrelationEntry(Base):
    """An incident or an unattached report as the correlator compares it (a cache of its claims)."""

    __tablename__ = "correlation_entry"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # incident | report
    ref: Mapped[str] = mapped_column(String(64))  # incident id | report lineage id
    t_center: Mapped[float] = mapped_column(Float)  # hours since the epoch
    t_half: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    radius_km: Mapped[float] = mapped_column(Float)
    categories: Mapped[str] = mapped_column(String(400))  # "|"-joined
    perpetrators: Mapped[str] = mapped_column(String(1000), default="")
    targets: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(String(1000), default="")


class CorrelationCell(Base):
    """Where an entry is filed: one row per (level, time bucket, grid cell, block) key.

    The primary key is (key, home, entry_id): a lookup (keys and a range of home levels) is one
    range of it per key and needs no other column, so the entries' ids come from the index alone.
    """

    __tablename__ = "correlation_cell"
    __table_args__ = (
        PrimaryKeyConstraint("key", "home", "entry_id"),
        Index("ix_correlation_cell_entry", "entry_id"),
    )

    key: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("correlation_entry.id", ondelete="CASCADE"), autoincrement=False
    )
    home: Mapped[int] = mapped_column(SmallInteger, autoincrement=False)


class CorrelationPair(CreatedAtMixin, Base):
    """A report scored against an incident or another report: attached by the machine, proposed to
    an analyst, or decided by one (accepted, rejected); the score's signals and weights kept."""

    __tablename__ = "correlation_pair"
    __table_args__ = (UniqueConstraint("report_lineage_id", "target_kind", "target_ref"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_lineage_id: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_ref: Mapped[str] = mapped_column(String(64), index=True)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), index=True)
    run: Mapped[str] = mapped_column(String(10), default="intake")  # intake | batch
    decided_by: Mapped[str | None] = mapped_column(String(120), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reason: Mapped[str | None] = mapped_column(String(2000), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class CorrelationRun(CreatedAtMixin, Base):
    """A batch run of the correlator, as a job: requested, running, done or failed, with what it
    did (the summary) or why it failed."""

    __tablename__ = "correlation_run"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # queued | running | done | failed
    requested_by: Mapped[str] = mapped_column(String(120))
    via: Mapped[str] = mapped_column(String(10))  # api | web | cli
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    summary: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, default=None)
    error: Mapped[str | None] = mapped_column(String(2000), default=None)
