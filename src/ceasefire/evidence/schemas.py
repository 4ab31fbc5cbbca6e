"""Evidence request and response models (inputs refuse unknown fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.evidence.rules import MAX_URL_LENGTH

_Collector = Field(
    min_length=1, max_length=200, description="Who collected the evidence (person or organisation)."
)
_CapturedAt = Field(
    description="When the evidence was captured (with a time zone offset; not in the future)."
)
_MessageId = Field(default=None, max_length=64, description="The message this evidence came with.")
_ReportId = Field(default=None, max_length=64, description="A report (any version) this evidence supports.")
_Description = Field(default=None, max_length=10_000, description="What the evidence shows.")


def _blank_is_none(value: object) -> object:
    """An empty optional form field (as browsers send them) means the field was not given."""
    return None if isinstance(value, str) and not value.strip() else value


class EvidenceFileCreate(BaseModel):
    """The fields sent with an uploaded file (multipart form fields next to `file`)."""

    model_config = ConfigDict(extra="forbid")

    collector: str = _Collector
    captured_at: datetime = _CapturedAt
    message_id: str | None = _MessageId
    report_id: str | None = _ReportId
    description: str | None = _Description

    _blanks = field_validator("message_id", "report_id", "description", mode="before")(_blank_is_none)


class EvidenceUrlCreate(BaseModel):
    """A reference to evidence published at an http(s) URL."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=MAX_URL_LENGTH, description="Where the evidence can be seen (http or https).")
    collector: str = _Collector
    captured_at: datetime = _CapturedAt
    message_id: str | None = _MessageId
    report_id: str | None = _ReportId
    description: str | None = _Description

    _blanks = field_validator("message_id", "report_id", "description", mode="before")(_blank_is_none)


class EvidenceLinkCreate(BaseModel):
    """Cite stored evidence in a report."""

    model_config = ConfigDict(extra="forbid")

    evidence_id: str = Field(min_length=1, max_length=64, description="The evidence to cite.")


class CustodyEventRead(BaseModel):
    """One step of the chain of custody."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    fixity_ok: bool | None
    note: str | None
    detail: dict[str, Any]


class FixityRead(BaseModel):
    """The outcome of the last check of a stored file's SHA-256."""

    ok: bool
    checked_at: datetime
    checked_by: str
    action: str


class EvidenceSummary(BaseModel):
    """An evidence item without its custody log."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    sha256: str | None
    size_bytes: int | None
    media_type: str | None
    declared_media_type: str | None
    original_filename: str | None
    source_url: str | None
    captured_at: datetime | None
    collector: str
    uploaded_by_user_id: str | None
    message_id: str | None
    description: str | None
    created_at: datetime


class EvidenceRead(EvidenceSummary):
    """An evidence item with the reports citing it, its last fixity check and its custody log."""

    type_mismatch: bool = Field(description="Whether the declared type differs from the sniffed one.")
    report_lineage_ids: list[str]
    fixity: FixityRead | None
    custody: list[CustodyEventRead]


class ReportEvidenceRead(BaseModel):
    """A report lineage citing an evidence item."""

    model_config = ConfigDict(from_attributes=True)

    report_lineage_id: str
    evidence_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FixityProblem:
    """A stored file that failed its check during a verification run."""

    evidence_id: str
    sha256: str
    fixity: str


@dataclass(slots=True)
class VerifyReport:
    """The outcome of re-checking every stored file: how many matched, which failed or are missing."""

    checked: int = 0
    ok: int = 0
    failed: list[FixityProblem] = field(default_factory=list)
    missing: list[FixityProblem] = field(default_factory=list)

    @property
    def problems(self) -> list[FixityProblem]:
        """Every item that did not pass, failed first."""
        return [*self.failed, *self.missing]
