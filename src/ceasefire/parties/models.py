"""Parties, their aliases, dated stances toward agreements, and dated relations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceasefire.db.base import Base, CreatedAtMixin, SourcedMixin


class Party(CreatedAtMixin, SourcedMixin, Base):
    """An actor: armed forces, armed group, militia, co-chair, UN body, organisation, outlet."""

    __tablename__ = "party"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text, default=None)

    aliases: Mapped[list[PartyAlias]] = relationship(
        back_populates="party", lazy="raise", cascade="all, delete-orphan", order_by="PartyAlias.id"
    )


class PartyAlias(SourcedMixin, Base):
    """A name a party went by, in one language, possibly only between two dates."""

    __tablename__ = "party_alias"
    __table_args__ = (Index("ix_party_alias_normalized", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)

    party: Mapped[Party] = relationship(back_populates="aliases", lazy="raise")


class PartyStance(CreatedAtMixin, SourcedMixin, Base):
    """A party's stance toward an agreement from one date (to another, or open)."""

    __tablename__ = "party_stance"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class PartyRelation(CreatedAtMixin, SourcedMixin, Base):
    """subject <relation> object, for a dated period (e.g. Ahrar al-Sham intermingled with Nusra)."""

    __tablename__ = "party_relation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject_party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(40))
    object_party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
