"""Incident request and response models.

Three views of one incident: the secretariat's (`IncidentRead`, everything), a party's or another
outside reader's (`IncidentRead` with other reporters' identities withheld: `redacted` claims), and
the public's (`PublicIncidentRead`: no reporters at all, no report or message ids).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ceasefire.kernel.claims import ClaimStance, Grade, Publication, Stage
from ceasefire.kernel.time import TimePrecision
from ceasefire.kernel.vocab import LocationPrecision

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_ID = Field(min_length=1, max_length=64)
_REASON = Field(None, max_length=2000)


class IncidentCreate(BaseModel):
    """Open an incident grouping reports (each given by the id of its current version)."""

    model_config = _INPUT

    report_ids: list[str] = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=300)


class ReportLink(BaseModel):
    """Group one more report into an incident."""

    model_config = _INPUT

    report_id: str = _ID


class MergeRequest(BaseModel):
    """Merge this incident into another: its reports move there, and it ends as merged."""

    model_config = _INPUT

    into_id: str = _ID
    reason: str = Field(min_length=1, max_length=2000)


class SplitRequest(BaseModel):
    """Move some of an incident's reports into a new incident."""

    model_config = _INPUT

    report_ids: list[str] = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=300)
    reason: str | None = _REASON


class StageMove(BaseModel):
    """Move an incident to another workflow stage (backward moves and dismissals need a reason)."""

    model_config = _INPUT

    to: Stage
    reason: str | None = _REASON


class PublicationChange(BaseModel):
    """Who may see the incident beyond the secretariat."""

    model_config = _INPUT

    level: Publication
    reason: str | None = _REASON


class PairDecisionKind(StrEnum):
    """An analyst's word on a report-incident pairing."""

    ACCEPT = "accept"
    REJECT = "reject"


class RangeRead(BaseModel):
    """A casualty figure from `min` to `max`."""

    min: int
    max: int


class CasualtiesRead(BaseModel):
    """Casualty figures (null where none was given)."""

    killed: RangeRead | None = None
    injured: RangeRead | None = None
    women_killed: RangeRead | None = None
    children_killed: RangeRead | None = None


class FigureRead(BaseModel):
    """One claim's figures and whether the incident's range counts them (and why not)."""

    claim: str
    side: str
    stance: ClaimStance
    counted: bool
    note: str | None
    casualties: CasualtiesRead


class IncidentCasualties(CasualtiesRead):
    """The incident's ranges by the conservative rule, with every claim's own figures."""

    rule: str
    figures: list[FigureRead]


class WindowRead(BaseModel):
    """When the incident happened (UTC, half-open), as its claims tell."""

    start: datetime
    end: datetime
    precision: TimePrecision
    conflict: bool = Field(description="True when the claimed windows do not meet: this is their span.")
    claims: list[str]


class PlaceRead(BaseModel):
    """Where the incident happened: the most precise claimed location."""

    latitude: float | None
    longitude: float | None
    precision: LocationPrecision
    place_id: str | None
    claim: str
    spread_km: float | None = Field(description="How far the farthest other claimed point lies from it.")
    points: int


class PublicContradictionRead(BaseModel):
    """Claims that cannot all be right."""

    kind: str
    claims: list[str]
    description: str
    contesting: bool


class ContradictionRead(PublicContradictionRead):
    """A contradiction with the ids of the report versions involved."""

    report_ids: list[str]


class SideRead(BaseModel):
    """The claims of one side (sources that are not independent of each other), by stance."""

    label: str
    claims: list[str]
    by_stance: dict[str, list[str]]


class ClaimFields(BaseModel):
    """What a claim says, shown to everyone who may see the incident."""

    ref: str
    side: str
    stance: ClaimStance
    withdrawn: bool
    occurred_start: datetime
    occurred_end: datetime
    time_precision: TimePrecision
    place_id: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    location_precision: LocationPrecision
    act_category: str
    event_type: str | None
    sub_event_type: str | None
    perpetrator_party_id: str | None
    perpetrator_text: str | None
    target_party_id: str | None
    target_text: str | None
    casualties: CasualtiesRead


class ClaimRead(ClaimFields):
    """A claim with its report and, unless withheld from this reader, who made and sent it."""

    report_id: str
    lineage_id: str
    version: int
    occurred_at: datetime
    source: str = Field(description='The source\'s name, or "withheld" (other reporters, unregistered).')
    source_party_id: str | None
    credible: bool
    monitor: bool
    verified_evidence: bool
    message_id: str | None
    submitter_party_id: str | None
    submitted_by_user_id: str | None
    narrative: str | None
    redacted: bool = Field(description="True when this reader may not know who reported the claim.")


class StageChangeRead(BaseModel):
    """One move of the workflow stage."""

    model_config = ConfigDict(from_attributes=True)

    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    actor: str | None
    reason: str | None


class IncidentBase(BaseModel):
    """What every view of an incident shows."""

    id: str
    title: str
    stage: Stage
    grade: Grade
    grade_reasons: list[str]
    window: WindowRead | None
    place: PlaceRead | None
    casualties: IncidentCasualties


class IncidentRead(IncidentBase):
    """An incident with its claims side by side, contradictions, grade reasons and stage history."""

    stage_reason: str | None
    merged_into_id: str | None
    publication: Publication
    contradictions: list[ContradictionRead]
    sides: list[SideRead]
    claims: list[ClaimRead]
    history: list[StageChangeRead]
    created_at: datetime
    derived_at: datetime | None


class PublicIncidentRead(IncidentBase):
    """A published incident: what was claimed, never by whom."""

    contradictions: list[PublicContradictionRead]
    claims: list[ClaimFields]


class PublicIncidentSummary(BaseModel):
    """A published incident in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    stage: Stage
    grade: Grade
    window_start: datetime | None
    window_end: datetime | None
    latitude: float | None
    longitude: float | None
    location_precision: LocationPrecision | None
    killed_min: int | None
    killed_max: int | None
    injured_min: int | None
    injured_max: int | None


class IncidentSummary(PublicIncidentSummary):
    """An incident in a list."""

    publication: Publication
    merged_into_id: str | None
    reports: int
    contradictions: int
    created_at: datetime


class IncidentReportRead(BaseModel):
    """A report lineage grouped into an incident."""

    model_config = ConfigDict(from_attributes=True)

    incident_id: str
    report_lineage_id: str
    linked_by: str
    method: str
    created_at: datetime


class PairDecisionRead(BaseModel):
    """An analyst's decision on a report-incident pairing."""

    model_config = ConfigDict(from_attributes=True)

    report_lineage_id: str
    incident_id: str
    decision: PairDecisionKind
    actor: str
    created_at: datetime
