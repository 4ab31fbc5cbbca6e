"""Places (named points and lines with alternate names) and areas (polygons with a validity period)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ceasefire.db.base import Base, CreatedAtMixin, SourcedMixin
from ceasefire.db.types import PortableJSON, UTCDateTime


class Place(CreatedAtMixin, SourcedMixin, Base):
    """A gazetteer entry: admin unit, town, district of a city, road, base, hospital, crossing."""

    __tablename__ = "place"
    __table_args__ = (Index("ix_place_bbox", "longitude", "latitude"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200), default=None)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    origin: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), default=None, index=True
    )
    governorate_id: Mapped[str | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), default=None, index=True
    )
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    geometry: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    precision: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None] = mapped_column(Integer, default=None)
    pcode: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    geonames_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    coordinate_source: Mapped[str | None] = mapped_column(Text, default=None)

    names: Mapped[list[PlaceName]] = relationship(
        back_populates="place", lazy="raise", cascade="all, delete-orphan", order_by="PlaceName.id"
    )


class PlaceName(Base):
    """One name of a place in one language (primary names are repeated here for lookup)."""

    __tablename__ = "place_name"
    __table_args__ = (Index("ix_place_name_normalized", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(40))

    place: Mapped[Place] = relationship(back_populates="names", lazy="raise")


class Area(CreatedAtMixin, SourcedMixin, Base):
    """A named polygon (GeoJSON, WGS 84) of a kind, valid for a period; bbox kept for coarse filters."""

    __tablename__ = "area"
    __table_args__ = (Index("ix_area_bbox", "min_lon", "min_lat", "max_lon", "max_lat"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    geometry: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), default=None, index=True
    )
