"""Determination request and response models, and applicability as JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.determinations.applicability import Applicability
from ceasefire.kernel.claims import Finding, Verdict

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicabilityRead(BaseModel):
    """One agreement's verdict on an incident, its reasons and the trace of its checks."""

    agreement_id: str
    agreement_name: str
    agreement_kind: str
    verdict: Verdict
    reasons: list[str] = Field(
        description="Codes: the deciding one (out of scope) or every doubt (uncertain)."
    )
    summary: str = Field(description="The verdict and its reasons in words.")
    trace: list[str] = Field(description="Each check run, in order, as a sentence.")

    @classmethod
    def of(cls, result: Applicability) -> ApplicabilityRead:
        """The JSON view of a verdict (renders its trace)."""
        return cls(
            agreement_id=result.agreement.id,
            agreement_name=result.agreement.name,
            agreement_kind=result.agreement.kind,
            verdict=result.verdict,
            reasons=[r.value for r in result.reasons],
            summary=result.summary,
            trace=list(result.trace),
        )


class ProvisionRef(BaseModel):
    """A provision found breached: one obligation (by category) of one agreement."""

    model_config = _INPUT

    agreement_id: str = Field(min_length=1, max_length=64)
    category: str = Field(
        min_length=1, max_length=60, description="An obligation category of that agreement."
    )


class DeterminationCreate(BaseModel):
    """A finding on an incident. It supersedes the incident's current determination, if any."""

    model_config = _INPUT

    finding: Finding
    responsible_party_id: str | None = Field(None, min_length=1, max_length=64)
    provisions: list[ProvisionRef] = Field(
        default_factory=list, max_length=50, description="Provisions breached (a violation must cite one)."
    )
    rationale: str = Field(
        min_length=1, max_length=20_000, description="Why: the reasoning a diplomat can defend."
    )
    evidence_ids: list[str] = Field(default_factory=list, max_length=200, description="Evidence cited.")
    supersedes_id: str | None = Field(
        None,
        max_length=64,
        description="The determination this one revises; when given it must be the current one "
        "(guards against two analysts revising at once).",
    )

    @field_validator("evidence_ids")
    @classmethod
    def _ids_not_blank(cls, value: list[str]) -> list[str]:
        if any(not item.strip() or len(item) > 64 for item in value):
            raise ValueError("evidence ids are non-empty strings of at most 64 characters")
        return value


class ProvisionRead(BaseModel):
    """A provision cited as breached, with the obligation's kind and description."""

    agreement_id: str
    category: str
    kind: str
    description: str | None = None


class DeterminationRead(BaseModel):
    """A determination with its applicability snapshot and its place in the chain of revisions."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    incident_id: str
    finding: Finding
    responsible_party_id: str | None
    responsible_party_name: str | None = None
    provisions: list[ProvisionRead]
    rationale: str
    evidence_ids: list[str]
    applicability: list[ApplicabilityRead] = Field(
        description="The verdicts as they stood when it was issued."
    )
    decided_by: str
    decided_at: datetime
    supersedes_id: str | None
    superseded_by_id: str | None = None
    is_current: bool = False
