"""Agreement request and response models.

Time checks that need a stable error code (naive datetimes, an end before its start, unknown
zones) are made by the service through `rules`, so the API, the CLI and imports answer alike.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ceasefire.agreements.rules import AreaMode, scope_problem
from ceasefire.kernel.ids import SLUG_PATTERN
from ceasefire.kernel.time import DAMASCUS
from ceasefire.kernel.vocab import (
    ActCategory,
    AgreementKind,
    AgreementRole,
    AgreementStatus,
    ObligationKind,
    RequiredAction,
    ScopeKind,
    Stance,
)

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_CATEGORIES: dict[str, frozenset[str]] = {
    ObligationKind.PROHIBITED_ACT: frozenset(ActCategory),
    ObligationKind.REQUIRED_ACTION: frozenset(RequiredAction),
}


class Sourced(BaseModel):
    """Where a registry item comes from."""

    model_config = _INPUT

    source: str | None = Field(None, max_length=500)
    source_url: str | None = Field(None, max_length=2000)


class AreaScopeIn(BaseModel):
    """An area listed in an agreement's scope: included in it, or carved out of it."""

    model_config = _INPUT

    area_id: str = Field(min_length=1, max_length=64)
    mode: AreaMode = AreaMode.INCLUDE


class PartyRoleIn(Sourced):
    """A party's formal role in an agreement (commitment is a dated stance, not a role)."""

    party_id: str = Field(min_length=1, max_length=64)
    role: AgreementRole


class ObligationCreate(Sourced):
    """What an agreement prohibits (an ActCategory) or requires (a RequiredAction)."""

    kind: ObligationKind
    category: str = Field(min_length=1, max_length=60)
    description: str | None = Field(None, max_length=5000)

    @field_validator("category")
    @classmethod
    def _category_fits_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is not None and value not in _CATEGORIES[kind]:
            allowed = ", ".join(sorted(_CATEGORIES[kind]))
            raise ValueError(f"{value!r} is not a category of {kind}; expected one of: {allowed}")
        return value


class AgreementCreate(Sourced):
    """A new agreement with its scope, parties, obligations and initial status, stored as a whole."""

    id: str | None = Field(
        None, max_length=64, pattern=SLUG_PATTERN, description="Slug; made from the name if absent."
    )
    name: str = Field(min_length=1, max_length=300)
    kind: AgreementKind
    parent_id: str | None = Field(None, max_length=64)
    description: str | None = Field(None, max_length=10000)
    starts_at: datetime = Field(description="Tz-aware instant, e.g. 2016-02-27T00:00:00+02:00.")
    ends_at: datetime | None = Field(None, description="Tz-aware instant (exclusive); null = open end.")
    timezone: str = Field(DAMASCUS, max_length=64, description="IANA zone the agreement's times are set in.")
    scope_kind: ScopeKind
    areas: list[AreaScopeIn] = Field(default_factory=list, max_length=500)
    parties: list[PartyRoleIn] = Field(default_factory=list, max_length=500)
    obligations: list[ObligationCreate] = Field(default_factory=list, max_length=200)
    status: AgreementStatus = Field(AgreementStatus.IN_FORCE, description="Initial status.")
    status_at: datetime | None = Field(
        None, description="When the initial status began (default: starts_at)."
    )

    @field_validator("areas")
    @classmethod
    def _areas_fit_scope(cls, value: list[AreaScopeIn], info: ValidationInfo) -> list[AreaScopeIn]:
        ids = [a.area_id for a in value]
        if len(set(ids)) != len(ids):
            raise ValueError("an area is listed twice")
        scope_kind = info.data.get("scope_kind")
        problem = scope_problem(scope_kind, [a.mode for a in value]) if scope_kind else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("parties")
    @classmethod
    def _no_repeated_roles(cls, value: list[PartyRoleIn]) -> list[PartyRoleIn]:
        pairs = [(p.party_id, p.role) for p in value]
        if len(set(pairs)) != len(pairs):
            raise ValueError("a party is listed twice with the same role")
        return value


class StanceCreate(BaseModel):
    """A claim about a party's stance toward an agreement over a period; claims always cite a source."""

    model_config = _INPUT

    party_id: str = Field(min_length=1, max_length=64)
    stance: Stance
    valid_from: date
    valid_to: date | None = Field(None, description="Last day the stance held (inclusive); null = open.")
    source: str = Field(min_length=1, max_length=500)
    source_url: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=5000)


class StatusChangeCreate(Sourced):
    """A new entry in an agreement's status history."""

    status: AgreementStatus
    at: datetime = Field(description="Tz-aware instant the status took effect.")
    note: str | None = Field(None, max_length=5000)


class StatusChangeRead(BaseModel):
    """One entry of the status history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: AgreementStatus
    at: datetime
    at_local: datetime | None = None
    note: str | None
    source: str | None
    source_url: str | None


class ObligationRead(BaseModel):
    """An obligation as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ObligationKind
    category: str
    description: str | None
    source: str | None
    source_url: str | None


class AgreementAreaRead(BaseModel):
    """An area of the agreement's scope."""

    area_id: str
    area_name: str
    mode: AreaMode


class AgreementPartyRead(BaseModel):
    """A party's formal role in the agreement."""

    party_id: str
    party_name: str
    role: AgreementRole
    source: str | None
    source_url: str | None


class StanceRead(BaseModel):
    """A stored stance record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    party_id: str
    agreement_id: str
    stance: Stance
    valid_from: date
    valid_to: date | None
    source: str | None
    source_url: str | None
    note: str | None
    created_at: datetime


class EffectiveStance(BaseModel):
    """A party's stance toward an agreement on a day, and which record it comes from."""

    party_id: str
    party_name: str
    stance: Stance
    stance_id: int
    from_agreement_id: str
    inherited: bool
    valid_from: date
    valid_to: date | None
    source: str | None
    explanation: str


class AgreementSummary(BaseModel):
    """An agreement in a list."""

    id: str
    name: str
    kind: AgreementKind
    parent_id: str | None
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    scope_kind: ScopeKind
    status: AgreementStatus | None = Field(description="Latest recorded status.")


class AgreementRead(AgreementSummary):
    """An agreement with its local times, history, scope, parties, obligations and stances on a day."""

    starts_local: datetime
    ends_local: datetime | None
    description: str | None
    source: str | None
    source_url: str | None
    created_at: datetime
    children: list[str]
    status_history: list[StatusChangeRead]
    obligations: list[ObligationRead]
    areas: list[AgreementAreaRead]
    parties: list[AgreementPartyRead]
    stances_on: date = Field(description="The day the stance lists below are computed for.")
    committed_parties: list[EffectiveStance]
    excluded_parties: list[EffectiveStance]
    rejected_parties: list[EffectiveStance]
