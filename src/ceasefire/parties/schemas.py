"""Party request and response models (inputs refuse unknown fields)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ceasefire.kernel.ids import is_slug
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import AliasKind, PartyKind, RelationKind

# Any ISO 639-1/639-2 style code is accepted; these are the languages the registry is kept in.
KNOWN_LANGUAGES = ("en", "ar", "ru", "fr", "tr", "ku")
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"

_Source = Field(default=None, max_length=500, description="Who says so (outlet, document, organisation).")
_SourceUrl = Field(default=None, max_length=2000, description="Where the source can be read.")


def _ends_after_start(value: date | None, info: ValidationInfo) -> date | None:
    """Refuse a period whose end date precedes its start date."""
    start = info.data.get("valid_from")
    if value is not None and start is not None and value < start:
        raise ValueError("valid_to is before valid_from")
    return value


class AliasCreate(BaseModel):
    """A name a party goes (or went) by, in one language, optionally only between two dates."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=200)
    language: str = Field(
        default="en",
        pattern=LANGUAGE_PATTERN,
        description=f"ISO 639 code, 2-3 lower-case letters ({', '.join(KNOWN_LANGUAGES)}, ...).",
    )
    kind: AliasKind = AliasKind.ALTERNATE_SPELLING
    valid_from: date | None = Field(default=None, description="First day the name was in use.")
    valid_to: date | None = Field(default=None, description="Last day the name was in use.")
    source: str | None = _Source
    source_url: str | None = _SourceUrl

    @field_validator("value")
    @classmethod
    def _has_letters(cls, value: str) -> str:
        if not normalize_name(value):
            raise ValueError("an alias needs at least one letter or digit")
        return value.strip()

    @field_validator("language", mode="before")
    @classmethod
    def _lower_language(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    _valid_to_after_start = field_validator("valid_to")(_ends_after_start)


class PartyCreate(BaseModel):
    """A new party with its aliases; without an id, one is made from the name."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=64, description="Slug id, e.g. jabhat-al-nusra.")
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    description: str | None = Field(default=None, max_length=10_000)
    source: str | None = _Source
    source_url: str | None = _SourceUrl
    aliases: list[AliasCreate] = Field(default_factory=list, max_length=500)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not is_slug(value):
            raise ValueError("id must be a slug: lower-case letters, digits and inner hyphens")
        return value

    @field_validator("name")
    @classmethod
    def _name_has_letters(cls, value: str) -> str:
        if not normalize_name(value):
            raise ValueError("a name needs at least one letter or digit")
        return value.strip()


class RelationCreate(BaseModel):
    """subject (the party in the path) <relation> object, for a dated period."""

    model_config = ConfigDict(extra="forbid")

    relation: RelationKind
    object_party_id: str = Field(min_length=1, max_length=64)
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = _Source
    source_url: str | None = _SourceUrl
    note: str | None = Field(default=None, max_length=10_000)

    _valid_to_after_start = field_validator("valid_to")(_ends_after_start)


class AliasRead(BaseModel):
    """An alias as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    value: str
    normalized: str
    language: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    source: str | None
    source_url: str | None


class StanceRead(BaseModel):
    """A party's stance toward an agreement over a period (recorded by the agreements domain)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    party_id: str
    agreement_id: str
    stance: str
    valid_from: date
    valid_to: date | None
    note: str | None
    source: str | None
    source_url: str | None
    created_at: datetime


class RelationRead(BaseModel):
    """A dated relation between two parties."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_party_id: str
    relation: str
    object_party_id: str
    valid_from: date | None
    valid_to: date | None
    note: str | None
    source: str | None
    source_url: str | None
    created_at: datetime


class PartySummary(BaseModel):
    """A party in a list: its names, without stances and relations."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    description: str | None
    source: str | None
    source_url: str | None
    created_at: datetime
    aliases: list[AliasRead]


class PartyRead(PartySummary):
    """A party with its aliases, stances and relations (both directions)."""

    stances: list[StanceRead]
    relations: list[RelationRead]


class CandidateRead(BaseModel):
    """One ranked answer of name resolution, with why it was chosen."""

    model_config = ConfigDict(from_attributes=True)

    party_id: str
    party_name: str
    matched_alias: str
    language: str
    alias_kind: str
    score: float
    method: str
    in_use: bool
    name_on: str | None = Field(description="The party's name in use on the date asked about.")
    explanation: str
