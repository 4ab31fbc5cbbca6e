"""Turn a claim into the values of a report row: check it, then resolve its parties and place.

Everything here reads; nothing is written, so a refused claim leaves no trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.identity.rules import PUBLIC_ROLE, is_party_scoped
from ceasefire.intake import repository, rules
from ceasefire.intake.schemas import ReportClaim
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import Invalid, NotFound
from ceasefire.kernel.time import zone
from ceasefire.parties.resolver import PartyCandidate, PartyIndex, party_index
from ceasefire.places.resolver import resolve_place

_CASUALTY_FIELDS = tuple(f"{kind}_{end}" for kind in rules.CASUALTY_KINDS for end in ("min", "max"))


class _Parties:
    """The party name index, fetched once per claim (each fetch checks the alias table for changes)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.index: PartyIndex | None = None

    def resolve(self, text: str, *, day: date) -> list[PartyCandidate]:
        if self.index is None:
            self.index = party_index(self.session)
        return self.index.resolve(text, on=day)


@dataclass(frozen=True, slots=True)
class SourceDefault:
    """Who the source is when a claim does not say: the submitting party, or a name."""

    party_id: str | None
    name: str | None


def report_values(
    session: Session,
    claim: ReportClaim,
    *,
    actor: Actor,
    received_at: datetime,
    now: datetime,
    default_source: SourceDefault,
) -> dict[str, Any]:
    """The column values of a report making this claim; raises on anything wrong, before any write."""
    occurred = rules.check_occurred_at(claim.occurred_at, now=now, received_at=received_at)
    window = rules.claim_window(occurred, claim.time_precision, claim.timezone)
    event_type = rules.check_event_pair(claim.event_type, claim.sub_event_type)
    casualties = rules.casualty_ranges({name: getattr(claim, name) for name in _CASUALTY_FIELDS})
    rules.check_point(claim.latitude, claim.longitude)
    has_point = claim.latitude is not None
    rules.check_somewhere(claim.place_id, claim.location_text, has_point)
    rules.check_source_party(actor, claim.source_party_id)
    day = occurred.astimezone(zone(claim.timezone)).date()
    parties = _Parties(session)
    source_party_id, source_name = _source(
        session, claim, parties, actor=actor, day=day, default=default_source
    )
    return {
        "source_party_id": source_party_id,
        "source_name": source_name,
        "stance": claim.stance.value,
        "occurred_at": occurred,
        "time_precision": claim.time_precision.value,
        "occurred_start": window.start,
        "occurred_end": window.end,
        **_where(session, claim, has_point=has_point),
        "act_category": claim.act_category.value,
        "event_type": event_type.value if event_type else None,
        "sub_event_type": claim.sub_event_type,
        "perpetrator_party_id": _party(
            session,
            parties,
            claim.perpetrator_party_id,
            claim.perpetrator_text,
            day=day,
            field="perpetrator_party_id",
        ),
        "perpetrator_text": claim.perpetrator_text,
        "target_party_id": _party(
            session, parties, claim.target_party_id, claim.target_text, day=day, field="target_party_id"
        ),
        "target_text": claim.target_text,
        **casualties,
        "narrative": claim.narrative,
    }


def _party(
    session: Session, parties: _Parties, party_id: str | None, text: str | None, *, day: date, field: str
) -> str | None:
    """A given party id (checked), else the party a name confidently resolves to on the day, else None."""
    if party_id is not None:
        if repository.party_name(session, party_id) is None:
            raise NotFound.of("party", party_id, field=field)
        return party_id
    if text is None:
        return None
    best = rules.confident_party(parties.resolve(text, day=day))
    return best.party_id if best is not None else None


def _source(
    session: Session,
    claim: ReportClaim,
    parties: _Parties,
    *,
    actor: Actor,
    day: date,
    default: SourceDefault,
) -> tuple[str | None, str]:
    """The source party (if registered) and name; the public's names are kept as text only."""
    if claim.source_party_id is None and claim.source_name is None:
        party_id, name = default.party_id, default.name
    elif actor.role == PUBLIC_ROLE:
        party_id, name = None, claim.source_name
    else:
        party_id = _party(
            session, parties, claim.source_party_id, claim.source_name, day=day, field="source_party_id"
        )
        name = claim.source_name
        if party_id is not None and is_party_scoped(actor.role) and party_id != actor.party_id:
            raise Invalid(
                "a party representative submits only for its own party",
                code="not_your_party",
                field="source_name",
            )
    if name is None and party_id is not None:
        name = repository.party_name(session, party_id)
    if name is None:
        raise Invalid("say who the source of the claim is", code="source_missing", field="source_name")
    return party_id, name


def _where(session: Session, claim: ReportClaim, *, has_point: bool) -> dict[str, Any]:
    """Place, name, point and precision: a place id is checked; a lone name resolved if unambiguous."""
    place_id, latitude, longitude = claim.place_id, claim.latitude, claim.longitude
    place_precision: str | None = None
    if place_id is not None:
        place = repository.find_place(session, place_id)
        if place is None:
            raise NotFound.of("place", place_id, field="place_id")
        place_precision = place.precision
        if not has_point:
            latitude, longitude = place.latitude, place.longitude
    elif claim.location_text is not None and not has_point:
        best = rules.unambiguous_place(resolve_place(session, claim.location_text, limit=2))
        if best is not None:
            place_id, latitude, longitude = best.place_id, best.latitude, best.longitude
            found = repository.find_place(session, best.place_id)
            place_precision = found.precision if found is not None else None
    precision = rules.location_precision(
        claim.location_precision, has_point=has_point, place_precision=place_precision
    )
    return {
        "place_id": place_id,
        "location_text": claim.location_text,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": precision.value,
    }
