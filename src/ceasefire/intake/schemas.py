"""Intake request and response models: messages as received, structured claims, and their reads.

Inputs refuse unknown fields and anything a database could not store (NUL characters, lone
surrogates, non-finite numbers, over-long text, absurd nesting), so bad input is a 4xx, never a 500.
Domain rules (casualty ranges, event pairs, dates in the future) are checked in `rules`.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ceasefire.intake.rules import ReceiptState
from ceasefire.kernel.claims import Channel, ClaimStance, EventType, ReportState, Stage
from ceasefire.kernel.time import DAMASCUS, TimePrecision
from ceasefire.kernel.vocab import ActCategory, LocationPrecision

MAX_FIGURE = 1_000_000
MAX_PAYLOAD_DEPTH = 16
MAX_PAYLOAD_NODES = 5_000
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def storable_text(value: str) -> str:
    """Refuse text no database stores faithfully: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


def _plausible(value: datetime) -> datetime:
    """Refuse years no report can be about (and that overflow time-zone arithmetic)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def _walk(value: Any, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError(f"payload may hold at most {MAX_PAYLOAD_NODES} values")
    if depth > MAX_PAYLOAD_DEPTH:
        raise ValueError(f"payload may nest at most {MAX_PAYLOAD_DEPTH} levels")
    if isinstance(value, str):
        storable_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("payload numbers must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_text(str(key))
            _walk(item, depth + 1, budget)
    elif isinstance(value, list):
        for item in value:
            _walk(item, depth + 1, budget)
    elif not (value is None or isinstance(value, bool | int | float)):
        raise ValueError("payload must be JSON")


def _json_payload(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse payloads JSON columns cannot store, or that are absurdly deep or large."""
    _walk(value, 0, [MAX_PAYLOAD_NODES])
    return value


_Storable = AfterValidator(storable_text)
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), _Storable]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), _Storable]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _Storable]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), _Storable]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _Storable]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), _Storable]
Narrative = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), _Storable
]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000), _Storable]
Instant = Annotated[datetime, AfterValidator(_plausible)]
Figure = Annotated[int, Field(ge=0, le=MAX_FIGURE)]
Payload = Annotated[dict[str, Any], AfterValidator(_json_payload)]
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$"
Zone = Annotated[str, StringConstraints(pattern=ZONE_PATTERN, max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class ReportClaim(BaseModel):
    """One source's structured claim: when, where, what, who, casualties, stance and source."""

    model_config = ConfigDict(extra="forbid")

    source_party_id: Id | None = Field(None, description="The registered party making the claim.")
    source_name: Line | None = Field(
        None, description="Who makes the claim, as given (resolved against the party registry)."
    )
    stance: ClaimStance = Field(ClaimStance.ASSERTS, description="What the claim does with the event.")
    occurred_at: Instant = Field(description="When the act happened (with a time zone offset).")
    time_precision: TimePrecision = Field(description="How precisely the time is known.")
    timezone: Zone = Field(DAMASCUS, description="IANA zone whose local days the precision counts in.")
    place_id: Id | None = Field(None, description="A place of the gazetteer.")
    location_text: Line | None = Field(None, description="Where, as given (resolved against the gazetteer).")
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    location_precision: LocationPrecision | None = Field(
        None, description="How precisely the place is known (default: from the place or point given)."
    )
    act_category: ActCategory
    event_type: EventType | None = Field(None, description="ACLED event type.")
    sub_event_type: Short | None = Field(None, description="ACLED sub-event type of the event type.")
    perpetrator_party_id: Id | None = Field(None, description="The alleged perpetrator, if registered.")
    perpetrator_text: Line | None = Field(None, description="The alleged perpetrator, as named.")
    target_party_id: Id | None = Field(None, description="The target, if a registered party.")
    target_text: Line | None = Field(None, description="The target, as named.")
    killed_min: Figure | None = Field(None, description="Fewest killed (the figure, when one is given).")
    killed_max: Figure | None = Field(None, description="Most killed (default: killed_min).")
    injured_min: Figure | None = None
    injured_max: Figure | None = None
    women_killed_min: Figure | None = None
    women_killed_max: Figure | None = None
    children_killed_min: Figure | None = None
    children_killed_max: Figure | None = None
    narrative: Narrative | None = Field(None, description="The claim in the source's words.")
    evidence_ids: list[Id] = Field(default_factory=list, max_length=50, description="Evidence cited.")


class MessageFields(BaseModel):
    """What a message carries besides its channel and time of receipt."""

    model_config = ConfigDict(extra="forbid")

    submitter_name: Name | None = Field(None, description="Who sent it, as they gave their name.")
    contact: Contact | None = Field(
        None, description="How to reach the sender; encrypted at rest, shown to few."
    )
    language: Language | None = Field(None, description="ISO 639 code of the text (en, ar, ru, ...).")
    subject: Line | None = None
    body: Body | None = Field(None, description="The text as received.")
    payload: Payload = Field(default_factory=dict, description="Anything else received (JSON object).")


class ReceivedFields(BaseModel):
    """How and when a message arrived (set by operators and API clients, not by the public)."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel = Channel.API
    received_at: Instant | None = Field(None, description="When it arrived (default: now; never future).")


class MessageCreate(MessageFields, ReceivedFields):
    """A raw inbound message (a call note, an SMS, an email, an article) kept exactly as received."""

    channel: Channel


class ReportSubmission(ReportClaim, MessageFields, ReceivedFields):
    """A structured submission: the message as received plus the claim it makes."""


class PublicReportSubmission(ReportClaim, MessageFields):
    """A submission from the public web form (channel web_form, received now)."""


class AdditionCreate(BaseModel):
    """What a public sender adds later to a submission, by its reference code."""

    model_config = ConfigDict(extra="forbid")

    body: Body | None = Field(None, description="The information added, in the sender's words.")
    language: Language | None = Field(None, description="ISO 639 code of the text (en, ar, ru, ...).")


class ReportCorrection(ReportClaim):
    """A corrected claim (it becomes the next version) with a note saying what changed and why."""

    note: Note = Field(description="What was corrected and why.")
    expected_version: int | None = Field(
        None, ge=1, le=1_000_000, description="Refuse the correction if the current version differs."
    )


class WithdrawalCreate(BaseModel):
    """Why a report is withdrawn."""

    model_config = ConfigDict(extra="forbid")

    reason: Note


class ReportFilters(BaseModel):
    """Which reports a list shows (by default the newest version of each, withdrawn or not)."""

    model_config = ConfigDict(frozen=True)

    state: ReportState | None = Field(None, description="Only versions in this state.")
    act_category: ActCategory | None = Field(None, description="Only reports alleging this act.")
    perpetrator_party_id: Id | None = Field(None, description="Only reports accusing this party.")
    since: Instant | None = Field(None, description="Only acts whose window ends at or after this.")
    until: Instant | None = Field(None, description="Only acts whose window starts before this.")
    unlinked: bool = Field(False, description="Only reports not yet grouped into an incident.")
    message_id: Id | None = Field(None, description="Only reports derived from this message.")
    channel: Channel | None = Field(None, description="Only reports whose message came on this channel.")
    party_id: Id | None = Field(None, description="Only reports by, accusing or targeting this party.")
    stage: Stage | None = Field(None, description="Only reports grouped into an incident at this stage.")
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _Storable] | None = Field(
        None, description="Text found in the source, place, perpetrator, target or narrative."
    )
    sort: Literal["created", "received"] = Field(
        "created", description="Newest stored first (created), or newest received message first (received)."
    )


class MessageFilters(BaseModel):
    """Which messages a list shows."""

    model_config = ConfigDict(frozen=True)

    channel: Channel | None = Field(None, description="Only messages received on this channel.")
    since: Instant | None = Field(None, description="Only messages received at or after this.")
    until: Instant | None = Field(None, description="Only messages received before this.")


class MessageRead(BaseModel):
    """A message as stored (never the contact details: only whether there are any)."""

    id: str
    reference_code: str
    channel: str
    received_at: datetime
    submitted_by_user_id: str | None
    submitter_party_id: str | None
    submitter_name: str | None
    has_contact: bool
    language: str | None
    subject: str | None
    body: str | None
    payload: dict[str, Any]
    created_at: datetime
    report_ids: list[str] = Field(description="Lineage ids of the reports derived from this message.")
    adds_to_message_id: str | None = Field(
        None, description="The earlier message this one adds information to (sent by its reference code)."
    )
    addition_ids: list[str] = Field(
        default_factory=list, description="Messages its sender added to this one later, oldest first."
    )


class ReportRead(BaseModel):
    """One version of a report, with its state and the UTC window its time stands for."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    lineage_id: str
    version: int
    supersedes_id: str | None
    state: ReportState
    message_id: str
    created_by_user_id: str | None
    created_at: datetime
    source_party_id: str | None
    source_name: str
    stance: str
    occurred_at: datetime
    time_precision: str
    window_start: datetime
    window_end: datetime
    place_id: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    location_precision: str
    act_category: str
    event_type: str | None
    sub_event_type: str | None
    perpetrator_party_id: str | None
    perpetrator_text: str | None
    target_party_id: str | None
    target_text: str | None
    killed_min: int | None
    killed_max: int | None
    injured_min: int | None
    injured_max: int | None
    women_killed_min: int | None
    women_killed_max: int | None
    children_killed_min: int | None
    children_killed_max: int | None
    narrative: str | None
    correction_note: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    addition_ids: list[str] = Field(
        default_factory=list,
        description="Messages the sender added later to the report's message (by its reference code).",
    )


class ReportVersionList(BaseModel):
    """Every version of a report, oldest first, and where the report stands."""

    lineage_id: str
    state: ReportState
    versions: list[ReportRead]


class ContactRead(BaseModel):
    """The decrypted contact details of a message's sender."""

    message_id: str
    contact: str | None


class Receipt(BaseModel):
    """What a public submitter keeps: a reference code to follow the report by."""

    reference_code: str
    report_id: str


class AdditionReceipt(BaseModel):
    """The answer to an addition: it was kept with the submission the reference code names."""

    reference_code: str = Field(description="The submission's reference code (keep using it).")
    received_at: datetime


class ReceiptStatus(BaseModel):
    """What the public may know about a submission: how far it has gone, nothing identifying."""

    reference_code: str
    status: ReceiptState = Field(description="received, grouped (into an incident), published or withdrawn.")
    incident_id: str | None = Field(None, description="The published incident, once public.")
