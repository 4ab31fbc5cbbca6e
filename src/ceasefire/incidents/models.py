"""Incidents, the reports grouped into them, stage history and correlation proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class Incident(CreatedAtMixin, Base):
    """One real-world event under examination.

    Stage and publication are set by named workflow verbs. The derived columns (window, place,
    casualties, grade) are a cache recomputed from the reports by the service on every change,
    never typed over; they exist so lists and maps can filter without recomputing.
    """

    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_window", "window_start", "window_end"),
        Index("ix_incident_point", "longitude", "latitude"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(20), index=True)
    stage_reason: Mapped[str | None] = mapped_column(Text, default=None)
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), default=None
    )
    publication: Mapped[str] = mapped_column(String(20), index=True)
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), default=None
    )
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    location_precision: Mapped[str | None] = mapped_column(String(20), default=None)
    killed_min: Mapped[int | None] = mapped_column(Integer, default=None)
    killed_max: Mapped[int | None] = mapped_column(Integer, default=None)
    injured_min: Mapped[int | None] = mapped_column(Integer, default=None)
    injured_max: Mapped[int | None] = mapped_column(Integer, default=None)
    grade: Mapped[str] = mapped_column(String(20), index=True)
    derived: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    derived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class IncidentReport(CreatedAtMixin, Base):
    """A report lineage grouped into an incident (a report belongs to at most one incident)."""

    __tablename__ = "incident_report"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"), index=True)
    report_lineage_id: Mapped[str] = mapped_column(String(64), unique=True)
    linked_by: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(20), default="manual")


class StageChange(Base):
    """One transition of an incident's workflow stage (append-only)."""

    __tablename__ = "incident_stage_change"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20), default=None)
    to_stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class PairDecision(CreatedAtMixin, Base):
    """An analyst's accept/reject of a report-incident pairing, so machines never undo it."""

    __tablename__ = "pair_decision"
    __table_args__ = (UniqueConstraint("report_lineage_id", "incident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_lineage_id: Mapped[str] = mapped_column(String(64), index=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(120))
