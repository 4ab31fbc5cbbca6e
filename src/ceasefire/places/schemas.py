"""Place and area request and response models (inputs refuse unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.kernel.ids import is_slug
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import AliasKind, AreaKind, LocationPrecision, PlaceKind

LANGUAGE_PATTERN = r"^[a-z]{2,3}$"

_Source = Field(default=None, max_length=500, description="Who says so (dataset, outlet, document).")
_SourceUrl = Field(default=None, max_length=2000, description="Where the source can be read.")


def _slug_or_none(value: str | None) -> str | None:
    if value is not None and not is_slug(value):
        raise ValueError("id must be a slug: lower-case letters, digits and inner hyphens")
    return value


class PlaceGeometry(BaseModel):
    """A GeoJSON Point or LineString in WGS 84 ([longitude, latitude] positions)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point", "LineString"]
    coordinates: list[Any] = Field(min_length=1, max_length=10_000)


class AreaGeometry(BaseModel):
    """A GeoJSON Polygon or MultiPolygon in WGS 84; rings closed, valid (no self-intersection)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(min_length=1, max_length=10_000)
    bbox: list[float] | None = None


class PlaceNameCreate(BaseModel):
    """Another name of a place, in one language."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=300)
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN, description="ISO 639 code (en, ar, ru).")
    kind: AliasKind = AliasKind.ALTERNATE_SPELLING

    @field_validator("value")
    @classmethod
    def _has_letters(cls, value: str) -> str:
        if not normalize_name(value):
            raise ValueError("a name needs at least one letter or digit")
        return value.strip()

    @field_validator("language", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class PlaceCreate(BaseModel):
    """A new place: a point (latitude/longitude, or a Point) or a line (a LineString)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=64, description="Slug id; made from the name if absent.")
    name: str = Field(min_length=1, max_length=200, description="Name in English (Latin script).")
    name_ar: str | None = Field(default=None, max_length=200, description="Name in Arabic.")
    kind: PlaceKind
    parent_id: str | None = Field(default=None, max_length=64, description="The unit or place it lies in.")
    governorate_id: str | None = Field(default=None, max_length=64, description="Default: the parent's.")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geometry: PlaceGeometry | None = None
    precision: LocationPrecision = LocationPrecision.TOWN
    population: int | None = Field(default=None, ge=0)
    pcode: str | None = Field(default=None, max_length=20)
    geonames_id: int | None = Field(default=None, ge=1)
    coordinate_source: str | None = Field(default=None, max_length=2000)
    source: str | None = _Source
    source_url: str | None = _SourceUrl
    names: list[PlaceNameCreate] = Field(default_factory=list, max_length=500)

    _slug = field_validator("id")(_slug_or_none)


class PlaceNameRead(BaseModel):
    """One stored name of a place."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    value: str
    language: str
    kind: str


class PlaceSummary(BaseModel):
    """A place as lists show it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    name_ar: str | None
    kind: str
    origin: str
    parent_id: str | None
    governorate_id: str | None
    latitude: float
    longitude: float
    precision: str
    population: int | None


class PlaceRead(PlaceSummary):
    """A place with its geometry, provenance and every name."""

    geometry: dict[str, Any]
    pcode: str | None
    geonames_id: int | None
    coordinate_source: str | None
    source: str | None
    source_url: str | None
    created_at: datetime
    names: list[PlaceNameRead]


class PlaceCandidateRead(BaseModel):
    """One ranked answer of the resolver, with the reasons for its score."""

    place_id: str
    name: str
    kind: str
    governorate_id: str | None
    latitude: float
    longitude: float
    score: float
    matched_name: str
    language: str
    method: str
    name_score: float
    context_boost: float
    prior: float
    explanation: list[str]


class AreaCreate(BaseModel):
    """A new area: a polygon of a kind, optionally held by a party, valid for a period."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=64, description="Slug id; made from the name if absent.")
    name: str = Field(min_length=1, max_length=200)
    kind: AreaKind
    description: str | None = Field(default=None, max_length=10_000)
    geometry: AreaGeometry
    valid_from: datetime | None = Field(default=None, description="Start (tz-aware); open if absent.")
    valid_to: datetime | None = Field(default=None, description="End, exclusive (tz-aware); open if absent.")
    party_id: str | None = Field(default=None, max_length=64, description="Controlling party, if any.")
    source: str | None = _Source
    source_url: str | None = _SourceUrl

    _slug = field_validator("id")(_slug_or_none)


class AreaRead(BaseModel):
    """An area as stored, with its bounding box."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    description: str | None
    geometry: dict[str, Any]
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    valid_from: datetime | None
    valid_to: datetime | None
    party_id: str | None
    source: str | None
    source_url: str | None
    created_at: datetime


class AreaFeature(BaseModel):
    """An area as a GeoJSON Feature (RFC 7946)."""

    type: Literal["Feature"] = "Feature"
    id: str
    bbox: list[float]
    geometry: dict[str, Any]
    properties: dict[str, Any]


class AreaFeatureCollection(BaseModel):
    """Areas as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[AreaFeature]
