"""Intake decisions without I/O: claim checks, time windows, idempotency, receipts and who may do what."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from ceasefire.identity.rules import PUBLIC_ROLE, Permission, Role, has_permission, is_party_scoped
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import SUB_EVENT_TYPES, EventType, ReportState
from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.kernel.time import TimePrecision, TimeWindow, require_aware
from ceasefire.kernel.vocab import LocationPrecision

# Clients' clocks run a little ahead of ours; a claim this close to now is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
# A fuzzy party match at or above this score (and alone there) is taken as the party meant.
CONFIDENT_SCORE = 95.0
# Reference codes avoid letters and digits people confuse when reading them aloud (0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CASUALTY_KINDS = ("killed", "injured", "women_killed", "children_killed")
_PARTS_OF_KILLED = ("women_killed", "children_killed")


class Scope(StrEnum):
    """Which messages and reports an actor may see."""

    ALL = "all"  # the secretariat
    PARTY = "party"  # what the actor's party submitted
    OWN = "own"  # what the actor submitted
    NONE = "none"  # the anonymous public


class ReceiptState(StrEnum):
    """How far a submission has gone, as its receipt tells the public."""

    RECEIVED = "received"
    GROUPED = "grouped"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


def scope_of(actor: Actor) -> Scope:
    """The intake records an actor may see."""
    if has_permission(actor.role, Permission.INTAKE_READ_ALL):
        return Scope.ALL
    if actor.role == PUBLIC_ROLE:
        return Scope.NONE
    if is_party_scoped(actor.role):
        return Scope.PARTY if actor.party_id else Scope.NONE
    return Scope.OWN


def may_see(actor: Actor, *, submitted_by_user_id: str | None, submitter_party_id: str | None) -> bool:
    """Whether the actor may see a message (and the reports derived from it)."""
    scope = scope_of(actor)
    if scope is Scope.ALL:
        return True
    if scope is Scope.PARTY:
        return submitter_party_id == actor.party_id
    return scope is Scope.OWN and submitted_by_user_id == actor.id


def may_correct(actor: Actor, *, submitted_by_user_id: str | None) -> bool:
    """Corrections come from the submitting user or from an analyst structuring intake."""
    own = submitted_by_user_id is not None and submitted_by_user_id == actor.id
    return own or has_permission(actor.role, Permission.INTAKE_STRUCTURE)


def may_withdraw(actor: Actor, *, submitted_by_user_id: str | None, submitter_party_id: str | None) -> bool:
    """Withdrawals come from the submitting user, a representative of the submitting party, or an admin."""
    if actor.role == Role.ADMIN:
        return True
    if submitted_by_user_id is not None and submitted_by_user_id == actor.id:
        return True
    return is_party_scoped(actor.role) and actor.party_id is not None and actor.party_id == submitter_party_id


def check_source_party(actor: Actor, source_party_id: str | None, *, field: str = "source_party_id") -> None:
    """A party representative speaks only for its own party; the anonymous public for none."""
    if source_party_id is None:
        return
    if is_party_scoped(actor.role) and source_party_id != actor.party_id:
        raise Invalid(
            "a party representative submits only for its own party", code="not_your_party", field=field
        )
    if actor.role == PUBLIC_ROLE:
        raise Invalid(
            "an anonymous report cannot speak for a registered party", code="anonymous_party", field=field
        )


def check_received_at(received_at: datetime | None, *, now: datetime) -> datetime:
    """When a message arrived: now by default, never in the future."""
    if received_at is None:
        return now
    at = require_aware(received_at, field="received_at")
    if at > now + CLOCK_SKEW:
        raise Invalid("received_at is in the future", code="in_future", field="received_at")
    return at


def check_occurred_at(occurred_at: datetime, *, now: datetime, received_at: datetime) -> datetime:
    """When the act happened: tz-aware, not in the future, not after the message arrived."""
    at = require_aware(occurred_at, field="occurred_at")
    if at > now + CLOCK_SKEW:
        raise Invalid("occurred_at is in the future", code="in_future", field="occurred_at")
    if at > received_at + CLOCK_SKEW:
        raise Invalid(
            "occurred_at is after the message was received", code="after_receipt", field="occurred_at"
        )
    return at


def claim_window(occurred_at: datetime, precision: TimePrecision, tz_name: str) -> TimeWindow:
    """The UTC window a claimed time stands for, counting days in the claim's own time zone."""
    return TimeWindow.around(occurred_at, precision, tz_name)


def check_event_pair(event_type: EventType | None, sub_event_type: str | None) -> EventType | None:
    """The ACLED event type, checked against the sub-event type (inferred from it when absent)."""
    if sub_event_type is None:
        return event_type
    if event_type is None:
        owners = [kind for kind, subs in SUB_EVENT_TYPES.items() if sub_event_type in subs]
        if len(owners) != 1:
            raise Invalid(
                f"{sub_event_type!r} is not an ACLED sub-event type",
                code="invalid_sub_event",
                field="sub_event_type",
            )
        return owners[0]
    allowed = SUB_EVENT_TYPES[event_type]
    if sub_event_type not in allowed:
        raise Invalid(
            f"{sub_event_type!r} is not a sub-event type of {event_type.value}",
            code="invalid_sub_event",
            field="sub_event_type",
            details={"allowed": list(allowed)},
        )
    return event_type


def casualty_ranges(values: Mapping[str, int | None]) -> dict[str, int | None]:
    """Casualty figures as ranges: a lone minimum is the figure; min <= max; parts within the total."""
    out: dict[str, int | None] = {}
    for kind in CASUALTY_KINDS:
        low, high = values.get(f"{kind}_min"), values.get(f"{kind}_max")
        if low is None and high is not None:
            raise Invalid(
                f"{kind}_max needs {kind}_min (0 for 'up to')", code="range_without_min", field=f"{kind}_min"
            )
        if low is not None and high is None:
            high = low
        if low is not None and high is not None and high < low:
            raise Invalid(f"{kind}_max is below {kind}_min", code="range_reversed", field=f"{kind}_max")
        out[f"{kind}_min"], out[f"{kind}_max"] = low, high
    total = out["killed_max"]
    if total is not None:
        for part in _PARTS_OF_KILLED:
            most = out[f"{part}_max"]
            if most is not None and most > total:
                raise Invalid(f"{part} exceed the killed", code="part_exceeds_total", field=f"{part}_max")
        fewest = sum(out[f"{part}_min"] or 0 for part in _PARTS_OF_KILLED)
        if fewest > total:
            raise Invalid(
                "women and children killed exceed the killed",
                code="part_exceeds_total",
                field="children_killed_min",
            )
    return out


def check_point(latitude: float | None, longitude: float | None) -> None:
    """A point needs both coordinates."""
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        raise Invalid("give both latitude and longitude", code="half_a_point", field=missing)


def check_somewhere(place_id: str | None, location_text: str | None, has_point: bool) -> None:
    """A claim says where: a place, a name, or a point (vague is fine; nothing is not)."""
    if place_id is None and location_text is None and not has_point:
        raise Invalid(
            "say where: place_id, location_text, or latitude and longitude",
            code="location_missing",
            field="location_text",
        )


def location_precision(
    given: LocationPrecision | None, *, has_point: bool, place_precision: str | None
) -> LocationPrecision:
    """The precision given, else that of the point or the place, else unknown."""
    if given is not None:
        return given
    if has_point:
        return LocationPrecision.EXACT_POINT
    if place_precision in {p.value for p in LocationPrecision}:
        return LocationPrecision(place_precision)
    return LocationPrecision.UNKNOWN


def check_message_content(subject: str | None, body: str | None, payload: Mapping[str, Any]) -> None:
    """A raw message carries something: a subject, a body or a payload."""
    if subject is None and body is None and not payload:
        raise Invalid("a message needs a body, a subject or a payload", code="empty_message", field="body")


def request_hash(kind: str, data: Mapping[str, Any]) -> str:
    """A digest of a request as given, to tell a retry from a different request under the same key."""
    canonical = json.dumps({"kind": kind, "data": data}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_replay(stored_hash: str | None, new_hash: str, *, key: str) -> None:
    """A reused idempotency key must come with the very same request."""
    if stored_hash != new_hash:
        raise Conflict(
            f"idempotency key {key!r} was used for a different request",
            code="idempotency_mismatch",
            field="Idempotency-Key",
        )


def new_reference_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A short random code a person can read out and type back, like CF-7K3M-Q9TD."""
    chars = "".join(choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CF-{chars[:4]}-{chars[4:]}"


def normalize_reference_code(text: str) -> str | None:
    """The canonical form of a typed code (any case, spaces or dashes), or None if it cannot be one."""
    cleaned = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if len(cleaned) == 10 and cleaned.startswith("CF"):
        cleaned = cleaned[2:]
    if len(cleaned) != 8 or any(c not in REFERENCE_ALPHABET for c in cleaned):
        return None
    return f"CF-{cleaned[:4]}-{cleaned[4:]}"


class Match(Protocol):
    """A ranked name-resolution answer."""

    @property
    def method(self) -> str: ...

    @property
    def score(self) -> float: ...


M = TypeVar("M", bound=Match)


def confident_party(candidates: Sequence[M]) -> M | None:
    """The best candidate when it alone is exact or scores CONFIDENT_SCORE or more; else None."""
    strong = [c for c in candidates if c.method == "exact" or c.score >= CONFIDENT_SCORE]
    return strong[0] if len(strong) == 1 and strong[0] is candidates[0] else None


def unambiguous_place(candidates: Sequence[M]) -> M | None:
    """The best candidate when it is the only exact match of the name; else None."""
    exact = [c for c in candidates if c.method == "exact"]
    return exact[0] if len(exact) == 1 and exact[0] is candidates[0] else None


def report_state(*, is_latest: bool, lineage_withdrawn: bool) -> ReportState:
    """Older versions are superseded; the newest is current unless the report was withdrawn."""
    if not is_latest:
        return ReportState.SUPERSEDED
    return ReportState.WITHDRAWN if lineage_withdrawn else ReportState.CURRENT


def receipt_state(*, publications: Collection[str], all_withdrawn: bool) -> ReceiptState:
    """Published once an incident holding the report is public; grouped once in any incident."""
    if "public" in publications:
        return ReceiptState.PUBLISHED
    if publications:
        return ReceiptState.GROUPED
    return ReceiptState.WITHDRAWN if all_withdrawn else ReceiptState.RECEIVED
