"""Import of ACLED exports (the current 31-column CSV layout) as reports from their sources.

Each row becomes a message (the row as received, keyed `acled:<event_id_cnty>` so a re-import
stores nothing twice) and version 1 of its report: the claim of the sources ACLED cites (its
`source` field), stance asserts, actor1 as the perpetrator and actor2 as the target (resolved
against the party registry, the text kept either way). Rows that cannot be read are listed with
their row number (the header is row 1) and the reason, and the import goes on.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.intake import rules as intake_rules
from ceasefire.intake.models import Message, Report
from ceasefire.intake.submission import audit_new_report, new_report, user_id_of
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel, ClaimStance, EventType
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.time import DAMASCUS, TimePrecision, zone
from ceasefire.kernel.vocab import ActCategory, LocationPrecision
from ceasefire.parties.resolver import PartyIndex, party_index

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "sub_event_type", "latitude", "longitude")
SUBMITTER_KEY = "acled"
ORGANISATION = "ACLED"
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d/%m/%Y")
TIME_PRECISION = {"1": TimePrecision.DAY, "2": TimePrecision.WEEK, "3": TimePrecision.MONTH}
GEO_PRECISION = {
    "1": LocationPrecision.TOWN,
    "2": LocationPrecision.DISTRICT,
    "3": LocationPrecision.GOVERNORATE,
}
ACT_OF_SUB_EVENT: dict[str, ActCategory] = {
    "air_drone_strike": ActCategory.AIR_STRIKE,
    "shelling_artillery_missile_attack": ActCategory.SHELLING,
    "armed_clash": ActCategory.ARMED_ATTACK,
    "grenade": ActCategory.ARMED_ATTACK,
    "government_regains_territory": ActCategory.TERRITORIAL_SEIZURE,
    "non_state_actor_overtakes_territory": ActCategory.TERRITORIAL_SEIZURE,
    "suicide_bomb": ActCategory.SUICIDE_BOMBING,
    "remote_explosive_landmine_ied": ActCategory.IED,
    "chemical_weapon": ActCategory.CHEMICAL_WEAPON,
    "attack": ActCategory.ATTACK_ON_CIVILIANS,
    "sexual_violence": ActCategory.ATTACK_ON_CIVILIANS,
    "abduction_forced_disappearance": ActCategory.ABDUCTION,
}
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row the import could not read."""

    row: int
    event_id: str | None
    reason: str


@dataclass
class AcledImport:
    """What an import did."""

    rows: int = 0
    created: int = 0
    already: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    lineage_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "already_imported": self.already,
            "problems": [
                {"row": p.row, "event_id_cnty": p.event_id, "reason": p.reason} for p in self.problems
            ],
        }


class RowError(ValueError):
    """A row that cannot be read (the reason is the message)."""


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def parse_date(text: str) -> date:
    """An ACLED event date, in any of the layouts ACLED exports have used (never guessed)."""
    value = text.strip()
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(value, layout).date()  # noqa: DTZ007 - a date, zoned below
        except ValueError:
            continue
    raise RowError(f"event_date {text!r} is not a date (expected e.g. 2016-02-27 or 27 February 2016)")


def _number(row: dict[str, str], name: str, low: float, high: float) -> float:
    text = (row.get(name) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{name} {text!r} is not a number") from None
    if not low <= value <= high:
        raise RowError(f"{name} {value} is outside {low}..{high}")
    return value


def _text(row: dict[str, str], name: str, limit: int) -> str | None:
    value = (row.get(name) or "").strip()
    if "\x00" in value:
        raise RowError(f"{name} contains a NUL character")
    return value[:limit] or None


@dataclass(frozen=True, slots=True)
class _Parties:
    index: PartyIndex

    def resolve(self, text: str | None, day: date) -> str | None:
        if text is None:
            return None
        best = intake_rules.confident_party(self.index.resolve(text, on=day))
        return best.party_id if best is not None else None


def claim_values(row: dict[str, str], parties: _Parties, *, now: datetime) -> dict[str, Any]:
    """The column values of the report one ACLED row makes; RowError when the row cannot be read."""
    day = parse_date(row.get("event_date") or "")
    precision = TIME_PRECISION.get((row.get("time_precision") or "").strip())
    if precision is None:
        raise RowError(f"time_precision {row.get('time_precision')!r} is not 1, 2 or 3")
    occurred = datetime.combine(day, time(12), tzinfo=zone(DAMASCUS))
    if occurred > now:
        raise RowError(f"event_date {day.isoformat()} is in the future")
    window = intake_rules.claim_window(occurred, precision, DAMASCUS)
    latitude = _number(row, "latitude", -90, 90)
    longitude = _number(row, "longitude", -180, 180)
    location_precision = GEO_PRECISION.get((row.get("geo_precision") or "1").strip() or "1")
    if location_precision is None:
        raise RowError(f"geo_precision {row.get('geo_precision')!r} is not 1, 2 or 3")
    sub_event = _snake(row.get("sub_event_type") or "")
    try:
        event_type: EventType | None = (
            EventType(_snake(row.get("event_type") or "")) if row.get("event_type") else None
        )
        event_type = intake_rules.check_event_pair(event_type, sub_event or None)
    except (ValueError, Invalid):
        raise RowError(
            f"event_type {row.get('event_type')!r} / sub_event_type {row.get('sub_event_type')!r} "
            "is not an ACLED pair"
        ) from None
    fatalities_text = (row.get("fatalities") or "").strip()
    killed: int | None = None
    if fatalities_text:
        if not fatalities_text.isdigit() or int(fatalities_text) > 1_000_000:
            raise RowError(f"fatalities {fatalities_text!r} is not a count")
        killed = int(fatalities_text)
    source = _text(row, "source", 300) or ORGANISATION
    perpetrator = _text(row, "actor1", 300)
    target = _text(row, "actor2", 300)
    return {
        "source_party_id": parties.resolve(source, day),
        "source_name": source,
        "stance": ClaimStance.ASSERTS.value,
        "occurred_at": occurred,
        "time_precision": precision.value,
        "occurred_start": window.start,
        "occurred_end": window.end,
        "place_id": None,
        "location_text": _text(row, "location", 300),
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": location_precision.value,
        "act_category": ACT_OF_SUB_EVENT.get(sub_event, ActCategory.OTHER).value,
        "event_type": event_type.value if event_type else None,
        "sub_event_type": sub_event or None,
        "perpetrator_party_id": parties.resolve(perpetrator, day),
        "perpetrator_text": perpetrator,
        "target_party_id": parties.resolve(target, day),
        "target_text": target,
        "killed_min": killed,
        "killed_max": killed,
        "injured_min": None,
        "injured_max": None,
        "women_killed_min": None,
        "women_killed_max": None,
        "children_killed_min": None,
        "children_killed_max": None,
        "narrative": _text(row, "notes", 20_000),
    }


def _rows(stream: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(
            f"not an ACLED export: the header lacks {', '.join(missing)}", code="not_acled", field="file"
        )
    yield from enumerate(reader, start=2)


def _stored_keys(session: Session, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found.update(
            k
            for k in session.scalars(
                select(Message.idempotency_key).where(
                    Message.submitter_key == SUBMITTER_KEY, Message.idempotency_key.in_(chunk)
                )
            )
            if k is not None
        )
    return found


def import_acled(
    session: Session,
    stream: TextIO,
    *,
    actor: Actor,
    clock: Clock = utc_now,
    progress: Progress | None = None,
) -> AcledImport:
    """Import an ACLED CSV export; rows already imported (by event_id_cnty) are skipped."""
    result = AcledImport()
    rows = list(_rows(stream))
    result.rows = len(rows)
    stored = _stored_keys(session, (f"acled:{(r.get('event_id_cnty') or '').strip()}" for _, r in rows))
    parties = _Parties(party_index(session))
    now = clock()
    user_id = user_id_of(session, actor)
    seen: set[str] = set()
    for done, (number, row) in enumerate(rows, 1):
        if progress is not None and done % 500 == 0:
            progress(done)
        if None in row:
            result.problems.append(
                RowProblem(number, row.get("event_id_cnty"), "more fields than the header")
            )
            continue
        if any(value is None for value in row.values()):
            result.problems.append(
                RowProblem(number, row.get("event_id_cnty"), "fewer fields than the header")
            )
            continue
        event_id = (row.get("event_id_cnty") or "").strip()
        if not event_id or len(event_id) > 100:
            result.problems.append(RowProblem(number, None, "event_id_cnty is missing or too long"))
            continue
        key = f"acled:{event_id}"
        if key in stored:
            result.already += 1
            continue
        if key in seen:
            result.problems.append(
                RowProblem(number, event_id, "event_id_cnty repeats an earlier row of the file")
            )
            continue
        try:
            values = claim_values(row, parties, now=now)
        except RowError as exc:
            result.problems.append(RowProblem(number, event_id, str(exc)))
            continue
        seen.add(key)
        payload = {k: v for k, v in row.items() if isinstance(k, str)}
        message = Message(
            id=new_id(),
            reference_code=intake_rules.new_reference_code(),
            channel=Channel.API.value,
            received_at=now,
            submitted_by_user_id=user_id,
            submitter_party_id=None,
            submitter_key=SUBMITTER_KEY,
            idempotency_key=key,
            request_hash=intake_rules.request_hash("acled", payload),
            submitter_name=ORGANISATION,
            language="en",
            subject=f"ACLED event {event_id}"[:300],
            payload=payload,
        )
        session.add(message)
        record(
            session,
            flush=False,
            actor=actor,
            action="message.create",
            entity_type="message",
            entity_id=message.id,
            changes={"reference_code": message.reference_code, "channel": message.channel, "acled": event_id},
        )
        report: Report = new_report(session, message_id=message.id, values=values, actor=actor)
        audit_new_report(session, report, actor)
        result.created += 1
        result.lineage_ids.append(report.lineage_id)
    if progress is not None:
        progress(len(rows))
    return result
