"""Correlation reads and requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PairStatus(StrEnum):
    """Where a scored pair stands."""

    ATTACHED = "attached"  # grouped by the machine (score at or above the attach threshold)
    OPEN = "open"  # proposed to an analyst
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class PairRead(BaseModel):
    """A report scored against an incident or another report, with the explanation of the score."""

    id: str
    report_id: str = Field(description="The report lineage (the id of its first version).")
    target_kind: str = Field(description="incident or report")
    target_id: str
    score: float
    status: PairStatus
    explanation: dict[str, Any] = Field(description="Signals, weights and contributions of the score.")
    run: str = Field(description="intake (one report) or batch")
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


class Decision(BaseModel):
    """An analyst's accept or reject of a proposal."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, max_length=2000, description="Why, for the audit trail.")


class Explanation(BaseModel):
    """How the correlator sees a report or an incident: its grouping and every scored pair."""

    subject_kind: str
    subject_id: str
    incident_id: str | None = Field(None, description="The incident the report is grouped into, if any.")
    linked_by: str | None = Field(None, description="manual, auto (the correlator) or batch.")
    pairs: list[PairRead]


class Outcome(BaseModel):
    """What correlating one report did."""

    report_id: str
    decision: str = Field(description="attach, propose, apart or skipped")
    incident_id: str | None = None
    best_score: float | None = None
    candidates: int = 0
    proposals: list[str] = Field(default_factory=list)


class RunSummary(BaseModel):
    """What a batch run did."""

    reports: int
    candidate_pairs: int
    incidents_opened: int
    reports_attached: int
    proposals: int
    indexed: int
    seconds: float


class RunStatus(StrEnum):
    """Where a batch run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunRead(BaseModel):
    """A batch run as a job: its status, how far it has got while it runs, and what it did."""

    id: str
    status: RunStatus
    requested_by: str
    via: str = Field(description="api, web or cli")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    phase: str | None = Field(None, description="While running: compare, group or index.")
    done: int = Field(0, description="While running: how much of the phase is done.")
    total: int = Field(0, description="While running: how much the phase has to do.")
    summary: RunSummary | None = Field(None, description="When done: what the run did.")
    error: str | None = Field(None, description="When failed: why.")
