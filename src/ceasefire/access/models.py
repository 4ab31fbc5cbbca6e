"""Tables of humanitarian access (all prefixed access_)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin, SourcedMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class AgreementApprover(CreatedAtMixin, SourcedMixin, Base):
    """A party an agreement names as approver of humanitarian movements made under it."""

    __tablename__ = "access_agreement_approver"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), primary_key=True)


class Movement(CreatedAtMixin, SourcedMixin, Base):
    """A convoy, medical evacuation or staff movement along a route, in a requested window."""

    __tablename__ = "access_movement"
    __table_args__ = (
        # The board: newest window first, with or without a status filter.
        Index("ix_access_movement_status_window", "status", "window_start", "id"),
        Index("ix_access_movement_window", "window_start", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    requester: Mapped[str] = mapped_column(String(200))
    cargo: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON)
    beneficiaries: Mapped[int | None] = mapped_column(Integer, default=None)
    route: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    origin_place_id: Mapped[str | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), default=None
    )
    destination_place_id: Mapped[str | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), default=None
    )
    waypoints: Mapped[list[str]] = mapped_column(PortableJSON)
    checkpoint_ids: Mapped[list[str]] = mapped_column(PortableJSON)
    corridor_id: Mapped[str | None] = mapped_column(
        ForeignKey("access_corridor.id", ondelete="RESTRICT"), default=None
    )
    agreement_id: Mapped[str | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="RESTRICT"), default=None
    )
    besieged_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("access_besieged_area.id", ondelete="RESTRICT"), default=None, index=True
    )
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    lead_time_warning: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(200))


class Approval(Base):
    """One required authority's answer to a movement (one record per authority)."""

    __tablename__ = "access_approval"
    __table_args__ = (UniqueConstraint("movement_id", "party_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    movement_id: Mapped[str] = mapped_column(ForeignKey("access_movement.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    basis: Mapped[list[str]] = mapped_column(PortableJSON)
    status: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str | None] = mapped_column(Text, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)


class MovementEvent(Base):
    """One step of a movement's status timeline (append-only)."""

    __tablename__ = "access_movement_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    movement_id: Mapped[str] = mapped_column(
        ForeignKey("access_movement.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text, default=None)
    checkpoint_id: Mapped[str | None] = mapped_column(String(64), default=None)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("report.id", ondelete="RESTRICT"), default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Obstruction(CreatedAtMixin, SourcedMixin, Base):
    """An obstruction a movement met, in an OCHA access-constraint category."""

    __tablename__ = "access_obstruction"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    movement_id: Mapped[str] = mapped_column(ForeignKey("access_movement.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), default=None)
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Site(CreatedAtMixin, SourcedMixin, Base):
    """A static humanitarian site notified to all parties (notification is not permission)."""

    __tablename__ = "access_site"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    operator: Mapped[str] = mapped_column(String(200))
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), default=None)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SiteAcknowledgement(Base):
    """A party's acknowledgement of a site notification."""

    __tablename__ = "access_site_acknowledgement"
    __table_args__ = (UniqueConstraint("site_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("access_site.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))


class SiteFlag(Base):
    """A report at a notified site: flagged "attack on a notified humanitarian site"."""

    __tablename__ = "access_site_flag"
    __table_args__ = (UniqueConstraint("report_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="RESTRICT"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("access_site.id", ondelete="RESTRICT"), index=True)
    flag: Mapped[str] = mapped_column(String(60))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Corridor(CreatedAtMixin, SourcedMixin, Base):
    """A corridor: route, purpose, operator, opening schedule in local time."""

    __tablename__ = "access_corridor"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(200))
    route: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), default=None)
    agreement_id: Mapped[str | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="RESTRICT"), default=None
    )
    round_the_clock: Mapped[bool] = mapped_column(Boolean, default=False)
    windows: Mapped[list[dict[str, str]]] = mapped_column(PortableJSON)
    timezone: Mapped[str] = mapped_column(String(64))


class CorridorStatus(Base):
    """One entry of a corridor's status timeline (append-only)."""

    __tablename__ = "access_corridor_status"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    corridor_id: Mapped[str] = mapped_column(
        ForeignKey("access_corridor.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text, default=None)
    source: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Checkpoint(CreatedAtMixin, SourcedMixin, Base):
    """A checkpoint on a corridor or a route, with its operator."""

    __tablename__ = "access_checkpoint"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200))
    operator_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None
    )
    corridor_id: Mapped[str | None] = mapped_column(
        ForeignKey("access_corridor.id", ondelete="RESTRICT"), default=None, index=True
    )
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), default=None)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class BesiegedArea(CreatedAtMixin, SourcedMixin, Base):
    """A besieged or hard-to-reach area over an area polygon of the registry."""

    __tablename__ = "access_besieged_area"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    besieging_party_ids: Mapped[list[str]] = mapped_column(PortableJSON)
    population: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON)


class ObservationPost(CreatedAtMixin, SourcedMixin, Base):
    """An observation post with its operator and reporting schedule (a daily log due by a local hour)."""

    __tablename__ = "access_observation_post"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200))
    operator_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None
    )
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), default=None)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    corridor_id: Mapped[str | None] = mapped_column(
        ForeignKey("access_corridor.id", ondelete="RESTRICT"), default=None
    )
    reports_to: Mapped[str | None] = mapped_column(String(200), default=None)
    due_hour: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date, default=None)


class DailyLog(Base):
    """One version of a post's log for one day (corrections are new versions; append-only)."""

    __tablename__ = "access_daily_log"
    __table_args__ = (UniqueConstraint("post_id", "day", "version"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    post_id: Mapped[str] = mapped_column(
        ForeignKey("access_observation_post.id", ondelete="RESTRICT"), index=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    crossings: Mapped[dict[str, int]] = mapped_column(PortableJSON)
    weapons_handed_in: Mapped[int] = mapped_column(Integer)
    corridor_status: Mapped[str | None] = mapped_column(String(20), default=None)
    movement_restrictions: Mapped[str | None] = mapped_column(Text, default=None)
    incident_report_ids: Mapped[list[str]] = mapped_column(PortableJSON)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
