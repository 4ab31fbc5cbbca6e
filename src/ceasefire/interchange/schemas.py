"""Interchange items: the domains' Create schemas, plus the ids and references an exchange needs.

An exchanged item must carry its id (it is how an import recognises what it already holds), and
items that the API addresses through a path (a stance under its agreement, a relation under its
subject party) carry that reference as a field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.agreements.schemas import AgreementCreate, StanceCreate, StatusChangeCreate
from ceasefire.intake.schemas import ReportSubmission
from ceasefire.kernel.ids import SLUG_PATTERN, is_slug
from ceasefire.parties.schemas import PartyCreate, RelationCreate
from ceasefire.places.schemas import AreaCreate, PlaceCreate


def _required_slug(value: str) -> str:
    if not is_slug(value):
        raise ValueError("id must be a slug: lower-case letters, digits and inner hyphens")
    return value


class PartyItem(PartyCreate):
    """A party with its aliases (PartyCreate with a required id)."""

    id: str = Field(max_length=64)

    _id = field_validator("id")(_required_slug)


class PlaceItem(PlaceCreate):
    """A place with its names (PlaceCreate with a required id)."""

    id: str = Field(max_length=64)

    _id = field_validator("id")(_required_slug)


class AreaItem(AreaCreate):
    """An area (AreaCreate with a required id); exchanged as a GeoJSON Feature."""

    id: str = Field(max_length=64)

    _id = field_validator("id")(_required_slug)


class AgreementItem(AgreementCreate):
    """An agreement (AgreementCreate with a required id) and the status changes after its first."""

    id: str = Field(max_length=64, pattern=SLUG_PATTERN)
    status_history: list[StatusChangeCreate] = Field(
        default_factory=list, max_length=500, description="Later status changes, oldest first."
    )


class StanceItem(StanceCreate):
    """A stance claim with the agreement it is about."""

    agreement_id: str = Field(min_length=1, max_length=64)


class RelationItem(RelationCreate):
    """A relation with its subject party."""

    subject_party_id: str = Field(min_length=1, max_length=64)


class ReportItem(ReportSubmission):
    """A report as received: the message's fields and the claim (ReportSubmission), a key and the
    public source it was taken from (cited in the stored message's payload)."""

    id: str = Field(max_length=64, description="The item's key: the submission's idempotency key.")
    source: str = Field(min_length=1, max_length=500, description="The public source of the message.")
    source_url: str | None = Field(None, max_length=2000)

    _id = field_validator("id")(_required_slug)

    def submission(self) -> ReportSubmission:
        """The submission the intake service receives: the citation goes into the payload."""
        data = self.model_dump(exclude_unset=True, exclude={"id", "source", "source_url"})
        citation = {"source": self.source, "source_url": self.source_url, "interchange_id": self.id}
        data["payload"] = {**self.payload, **{k: v for k, v in citation.items() if v is not None}}
        return ReportSubmission.model_validate(data)


class IncidentItem(BaseModel):
    """An incident grouping reports of the same import (or stored earlier) by their keys."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=64, description="The item's key (the stored incident gets its own id).")
    title: str = Field(min_length=1, max_length=300)
    reports: list[str] = Field(min_length=1, max_length=500, description="Keys of report items.")
    source: str = Field(min_length=1, max_length=500, description="The public source of the grouping.")
    source_url: str | None = Field(None, max_length=2000)

    _id = field_validator("id")(_required_slug)


ITEM_MODELS: dict[str, type[BaseModel]] = {
    "parties": PartyItem,
    "places": PlaceItem,
    "areas": AreaItem,
    "agreements": AgreementItem,
    "stances": StanceItem,
    "relations": RelationItem,
    "reports": ReportItem,
    "incidents": IncidentItem,
}
"""The item model of each section."""


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do): items created and items already held."""

    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total_created(self) -> int:
        """Items stored by this import."""
        return sum(self.created.values())

    @property
    def total_unchanged(self) -> int:
        """Items skipped because an identical one was already stored."""
        return sum(self.unchanged.values())

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for JSON output and the audit trail)."""
        return {
            "files": self.files,
            "created": self.created,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }
