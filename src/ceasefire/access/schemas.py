"""Requests and reads of humanitarian access (inputs refuse unknown fields; bad input is a 4xx)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ceasefire.access.rules import (
    AccessConstraint,
    ApprovalStatus,
    CorridorPurpose,
    CorridorState,
    MovementKind,
    MovementStatus,
    SiegeStatus,
    SiteKind,
)
from ceasefire.intake.schemas import Figure, Id, Instant, Line, Name, Narrative, Note, Payload, Zone
from ceasefire.kernel.time import DAMASCUS
from ceasefire.kernel.vocab import ActCategory

Tonnes = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CargoLine(_In):
    """One line of cargo."""

    item: Name
    tonnes: Tonnes | None = None
    quantity: Figure | None = None


class MovementCreate(_In):
    """A movement request; `submit` sends it for approval at once (else it stays a draft)."""

    id: Id | None = Field(None, description="An id of your own (default: generated).")
    kind: MovementKind
    title: Line
    requester: Name = Field(description="The requesting organisation.")
    cargo: list[CargoLine] = Field(default_factory=list, max_length=200)
    beneficiaries: Figure | None = None
    route: Payload = Field(description="GeoJSON LineString, WGS 84, origin to destination.")
    origin_place_id: Id | None = None
    destination_place_id: Id | None = None
    waypoints: list[Id] = Field(default_factory=list, max_length=100, description="Place ids on the way.")
    checkpoint_ids: list[Id] = Field(default_factory=list, max_length=100)
    corridor_id: Id | None = None
    agreement_id: Id | None = Field(None, description="The agreement whose named approvers must approve.")
    window_start: Instant
    window_end: Instant
    emergency: bool = False
    submit: bool = False
    source: Line | None = None
    source_url: Line | None = None


class ApprovalRead(_Out):
    """One authority's answer."""

    id: str
    party_id: str
    party_name: str | None = None
    basis: list[str]
    status: str
    conditions: str | None
    reason: str | None
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str | None


class MovementEventRead(_Out):
    """One step of the status timeline."""

    status: str
    at: datetime
    note: str | None
    checkpoint_id: str | None
    report_id: str | None
    recorded_by: str


class ObstructionRead(_Out):
    """An obstruction met."""

    id: str
    category: str
    at: datetime
    party_id: str | None
    description: str
    source: str | None


class MovementRead(_Out):
    """A movement with its approvals, timeline, obstructions and computed waiting."""

    id: str
    kind: str
    title: str
    requester: str
    cargo: list[dict[str, Any]]
    beneficiaries: int | None
    route: dict[str, Any]
    origin_place_id: str | None
    destination_place_id: str | None
    waypoints: list[str]
    checkpoint_ids: list[str]
    corridor_id: str | None
    agreement_id: str | None
    besieged_area_id: str | None
    window_start: datetime
    window_end: datetime
    emergency: bool
    status: str
    status_at: datetime
    submitted_at: datetime | None
    delivered_at: datetime | None
    lead_time_warning: str | None
    days_waiting: int | None
    cleared: bool
    source: str | None
    source_url: str | None
    approvals: list[ApprovalRead]
    timeline: list[MovementEventRead]
    obstructions: list[ObstructionRead]


class BoardRow(BaseModel):
    """One line of the movements board: the movement and its approval matrix row."""

    id: str
    kind: str
    title: str
    requester: str
    status: str
    window_start: datetime
    window_end: datetime
    emergency: bool
    submitted_at: datetime | None
    days_waiting: int | None
    lead_time_warning: str | None
    approvals: dict[str, str] = Field(description="Authority (party id) -> approval status.")


class ApprovalDecision(_In):
    """An authority's answer (a party representative answers for its own party only)."""

    status: ApprovalStatus
    conditions: Note | None = None
    reason: Note | None = None
    at: Instant | None = None

    @model_validator(mode="after")
    def _explained(self) -> ApprovalDecision:
        if self.status == ApprovalStatus.PENDING:
            raise ValueError("a decision is granted, conditional, denied or expired")
        if self.status == ApprovalStatus.CONDITIONAL and not self.conditions:
            raise ValueError("a conditional approval states its conditions")
        if self.status == ApprovalStatus.DENIED and not self.reason:
            raise ValueError("a denial states its reason")
        return self


class AttackDetails(_In):
    """What is known of an attack on a movement (it becomes a report in the violation workflow)."""

    occurred_at: Instant
    latitude: Lat | None = None
    longitude: Lon | None = None
    place_id: Id | None = None
    perpetrator_party_id: Id | None = None
    perpetrator_text: Line | None = None
    killed_min: Figure | None = None
    killed_max: Figure | None = None
    injured_min: Figure | None = None
    injured_max: Figure | None = None
    narrative: Narrative | None = None


class StatusChange(_In):
    """A move along the life cycle (attacked needs `attack`)."""

    status: MovementStatus
    at: Instant | None = None
    note: Note | None = None
    checkpoint_id: Id | None = None
    attack: AttackDetails | None = None

    @model_validator(mode="after")
    def _attack(self) -> StatusChange:
        if (self.status == MovementStatus.ATTACKED) != (self.attack is not None):
            raise ValueError("`attack` is given exactly when the status is attacked")
        return self


class ObstructionCreate(_In):
    """An obstruction in an OCHA access-constraint category."""

    category: AccessConstraint
    at: Instant
    party_id: Id | None = None
    description: Note
    source: Line | None = None


class AuthorityChange(BaseModel):
    """What a recomputation of required authorities changed."""

    movement_id: str
    added: list[str]
    removed: list[str]
    kept: list[str]
    status: str


class ApproverCreate(_In):
    """A party an agreement names as approver of movements under it."""

    agreement_id: Id
    party_id: Id
    source: Line | None = None


class SiteCreate(_In):
    """A static humanitarian site to notify to all parties."""

    id: Id | None = None
    name: Name
    kind: SiteKind
    operator: Name
    place_id: Id | None = None
    latitude: Lat | None = None
    longitude: Lon | None = None
    radius_m: Annotated[float, Field(gt=0, le=5_000, allow_inf_nan=False)] = 150
    notified_at: Instant
    source: Line | None = None
    source_url: Line | None = None


class AcknowledgementCreate(_In):
    """A party's acknowledgement (a representative acknowledges for its own party)."""

    party_id: Id | None = None
    at: Instant | None = None


class AcknowledgementRead(_Out):
    """One party's acknowledgement."""

    party_id: str
    acknowledged_at: datetime
    recorded_by: str


class SiteRead(_Out):
    """A notified site and its acknowledgements."""

    id: str
    name: str
    kind: str
    operator: str
    place_id: str | None
    latitude: float
    longitude: float
    radius_m: float
    notified_at: datetime
    source: str | None
    acknowledgements: list[AcknowledgementRead]
    flagged_report_ids: list[str]


class TimeWindow(_In):
    """An opening window in local time (end before start runs past midnight)."""

    start: Clock
    end: Clock


class CorridorCreate(_In):
    """A corridor: route, purpose, operator, opening schedule in local time."""

    id: Id | None = None
    name: Name
    purpose: CorridorPurpose
    operator: Name
    route: Payload
    place_id: Id | None = None
    agreement_id: Id | None = None
    round_the_clock: bool = False
    windows: list[TimeWindow] = Field(default_factory=list, max_length=24)
    timezone: Zone = DAMASCUS
    source: Line | None = None
    source_url: Line | None = None


class CorridorStatusCreate(_In):
    """A declared or observed corridor status."""

    status: CorridorState
    at: Instant
    note: Note | None = None
    source: Line | None = None


class CorridorStatusRead(_Out):
    """One entry of the status timeline."""

    status: str
    at: datetime
    note: str | None
    source: str | None
    recorded_by: str


class CheckpointCreate(_In):
    """A checkpoint on a corridor or a route."""

    id: Id | None = None
    name: Name
    operator: Name
    operator_party_id: Id | None = None
    corridor_id: Id | None = None
    place_id: Id | None = None
    latitude: Lat | None = None
    longitude: Lon | None = None
    source: Line | None = None
    source_url: Line | None = None


class CheckpointRead(_Out):
    """A checkpoint."""

    id: str
    name: str
    operator: str
    operator_party_id: str | None
    corridor_id: str | None
    place_id: str | None
    latitude: float
    longitude: float
    source: str | None


class CorridorRead(_Out):
    """A corridor with its status now (declared status and schedule), timeline and checkpoints."""

    id: str
    name: str
    purpose: str
    operator: str
    route: dict[str, Any]
    place_id: str | None
    agreement_id: str | None
    round_the_clock: bool
    windows: list[dict[str, str]]
    timezone: str
    source: str | None
    declared_status: str | None
    in_schedule: bool
    open_now: bool
    timeline: list[CorridorStatusRead]
    checkpoints: list[CheckpointRead]


class PopulationEstimate(_In):
    """A population figure or range from a named source."""

    min: Figure
    max: Figure | None = None
    source: Line

    @model_validator(mode="after")
    def _ordered(self) -> PopulationEstimate:
        if self.max is not None and self.max < self.min:
            raise ValueError("max must not be below min")
        return self


class BesiegedAreaCreate(_In):
    """A besieged or hard-to-reach area over a registered area polygon."""

    id: Id | None = None
    area_id: Id
    name: Name
    status: SiegeStatus = SiegeStatus.BESIEGED
    since: Instant
    besieging_party_ids: list[Id] = Field(default_factory=list, max_length=50)
    population: list[PopulationEstimate] = Field(min_length=1, max_length=20)
    source: Line | None = None
    source_url: Line | None = None


class BesiegedAreaRead(_Out):
    """A besieged area with the population range and the days since the last delivered movement."""

    id: str
    area_id: str
    name: str
    status: str
    since: datetime
    besieging_party_ids: list[str]
    population: list[dict[str, Any]]
    population_min: int | None
    population_max: int | None
    days_besieged: int
    last_delivery_at: datetime | None
    days_without_aid: int
    source: str | None


class PostCreate(_In):
    """An observation post and its reporting schedule (the log for a day is due by due_hour next day)."""

    id: Id | None = None
    name: Name
    operator: Name
    operator_party_id: Id | None = None
    place_id: Id | None = None
    latitude: Lat | None = None
    longitude: Lon | None = None
    corridor_id: Id | None = None
    reports_to: Name | None = None
    due_hour: Annotated[int, Field(ge=0, le=23)] = 8
    timezone: Zone = DAMASCUS
    active_from: date
    active_to: date | None = None
    source: Line | None = None
    source_url: Line | None = None


class PostRead(_Out):
    """An observation post."""

    id: str
    name: str
    operator: str
    operator_party_id: str | None
    place_id: str | None
    latitude: float
    longitude: float
    corridor_id: str | None
    reports_to: str | None
    due_hour: int
    timezone: str
    active_from: date
    active_to: date | None
    source: str | None


class Crossings(_In):
    """Crossings counted at the post by category."""

    civilians: Figure = 0
    wounded: Figure = 0
    combatants_surrendering: Figure = 0
    trucks: Figure = 0


class ObservedIncident(_In):
    """An incident the post observed (it becomes a report on the observation-post channel)."""

    occurred_at: Instant
    act_category: ActCategory
    narrative: Narrative
    place_id: Id | None = None
    latitude: Lat | None = None
    longitude: Lon | None = None
    perpetrator_party_id: Id | None = None
    perpetrator_text: Line | None = None
    killed_min: Figure | None = None
    killed_max: Figure | None = None
    injured_min: Figure | None = None
    injured_max: Figure | None = None


class DailyLogCreate(_In):
    """The daily log form (a second log for the same day is a correction: a new version)."""

    day: date
    crossings: Crossings = Field(default_factory=Crossings)
    weapons_handed_in: Figure = 0
    corridor_status: CorridorState | None = None
    movement_restrictions: Note | None = None
    incidents: list[ObservedIncident] = Field(default_factory=list, max_length=50)
    note: Note | None = None


class DailyLogRead(_Out):
    """One version of a daily log."""

    id: str
    post_id: str
    day: date
    version: int
    crossings: dict[str, int]
    weapons_handed_in: int
    corridor_status: str | None
    movement_restrictions: str | None
    incident_report_ids: list[str]
    note: str | None
    recorded_by: str
    recorded_at: datetime


class OverdueLog(BaseModel):
    """A post whose log for a day is missing past its due time."""

    post_id: str
    post_name: str
    operator: str
    day: date
    due_at: datetime
