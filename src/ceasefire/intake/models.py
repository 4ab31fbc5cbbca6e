"""Messages (raw, as received) and reports (structured claims, versioned, withdrawable)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, CreatedAtMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class Message(CreatedAtMixin, Base):
    """One inbound item on one channel, stored exactly as received and never edited."""

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("submitter_key", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(30), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    submitted_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), default=None, index=True
    )
    submitter_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None, index=True
    )
    # Who submitted, as the idempotency scope: a user id, or "public".
    submitter_key: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    submitter_name: Mapped[str | None] = mapped_column(String(200), default=None)
    contact_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    subject: Mapped[str | None] = mapped_column(String(300), default=None)
    body: Mapped[str | None] = mapped_column(Text, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    # A follow-up: the earlier message whose sender added this one by its reference code. The id of
    # an immutable row, like report lineages (no foreign key: SQLite cannot add one to a filled table).
    adds_to_message_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)


class Report(CreatedAtMixin, Base):
    """One version of one source's structured claim about an event; rows are never edited.

    Versions of one report share `lineage_id` (the id of the first version); the newest version
    is current unless the lineage has been withdrawn.
    """

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("lineage_id", "version"),
        Index("ix_report_when", "occurred_start", "occurred_end"),
        Index("ix_report_where", "longitude", "latitude"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lineage_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[str | None] = mapped_column(
        ForeignKey("report.id", ondelete="RESTRICT"), default=None
    )
    message_id: Mapped[str] = mapped_column(ForeignKey("message.id", ondelete="RESTRICT"), index=True)
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), default=None
    )
    # The source of the claim: a registered party where known, else a name.
    source_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None, index=True
    )
    source_name: Mapped[str] = mapped_column(String(300))
    stance: Mapped[str] = mapped_column(String(20))
    # When: the claimed instant and the window it stands for at its precision (UTC, half-open).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_precision: Mapped[str] = mapped_column(String(10))
    occurred_start: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_end: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where.
    place_id: Mapped[str | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), default=None, index=True
    )
    location_text: Mapped[str | None] = mapped_column(String(300), default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    location_precision: Mapped[str] = mapped_column(String(20))
    # What.
    act_category: Mapped[str] = mapped_column(String(60), index=True)
    event_type: Mapped[str | None] = mapped_column(String(40), default=None)
    sub_event_type: Mapped[str | None] = mapped_column(String(60), default=None)
    # Who.
    perpetrator_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None, index=True
    )
    perpetrator_text: Mapped[str | None] = mapped_column(String(300), default=None)
    target_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None, index=True
    )
    target_text: Mapped[str | None] = mapped_column(String(300), default=None)
    # Casualties as ranges; None where the source gave no figure.
    killed_min: Mapped[int | None] = mapped_column(Integer, default=None)
    killed_max: Mapped[int | None] = mapped_column(Integer, default=None)
    injured_min: Mapped[int | None] = mapped_column(Integer, default=None)
    injured_max: Mapped[int | None] = mapped_column(Integer, default=None)
    women_killed_min: Mapped[int | None] = mapped_column(Integer, default=None)
    women_killed_max: Mapped[int | None] = mapped_column(Integer, default=None)
    children_killed_min: Mapped[int | None] = mapped_column(Integer, default=None)
    children_killed_max: Mapped[int | None] = mapped_column(Integer, default=None)
    narrative: Mapped[str | None] = mapped_column(Text, default=None)
    correction_note: Mapped[str | None] = mapped_column(Text, default=None)


class ReportWithdrawal(CreatedAtMixin, Base):
    """A submitter's withdrawal of a report lineage; the report stays, marked withdrawn."""

    __tablename__ = "report_withdrawal"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    lineage_id: Mapped[str] = mapped_column(String(64), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), default=None
    )
    reason: Mapped[str] = mapped_column(Text)
