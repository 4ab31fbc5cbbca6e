"""Parties and reports of the incident tests: worked cases 1 (Jobar) and 5 (Aleppo) of the brief."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.evidence.models import CustodyEvent, Evidence, ReportEvidence
from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.incidents.repository import AUTHENTICATED_ACTION
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.ids import new_id
from ceasefire.parties import service as parties
from ceasefire.parties.schemas import RelationCreate
from tests.factories import make_party, make_report, make_user, token_for


def ensure_party(session: Session, party_id: str, name: str, kind: str) -> str:
    """A registered party with that id (created once per test)."""
    if parties.find_party(session, party_id=party_id) is None:
        make_party(session, id=party_id, name=name, kind=kind)
    return party_id


def relate(session: Session, subject: str, relation: str, obj: str) -> None:
    """Record `subject relation obj` in the party registry."""
    data = RelationCreate(relation=relation, object_party_id=obj)
    parties.add_relation(session, party_id=subject, data=data, actor=SYSTEM)


def government_side(session: Session) -> None:
    """The Syrian Arab Army, part of the Government of Syria, and Faylaq al-Rahman (opposition)."""
    if parties.find_party(session, party_id="saa") is not None:
        return
    ensure_party(session, "syrian-government", "Government of Syria", "government")
    ensure_party(session, "saa", "Syrian Arab Army", "state_forces")
    ensure_party(session, "faylaq", "Faylaq al-Rahman", "non_state_armed_group")
    relate(session, "saa", "part_of", "syrian-government")


def neutral_sources(session: Session) -> None:
    """A humanitarian organisation, a media outlet and a monitor: each its own side."""
    ensure_party(session, "white-helmets", "Syria Civil Defence", "humanitarian_organisation")
    ensure_party(session, "amc", "Aleppo Media Center", "media_outlet")
    ensure_party(session, "mobile-team", "CTF mobile observation team", "monitor")


def report(session: Session, *, actor: Actor = SYSTEM, **overrides: Any) -> Report:
    """A report of shelling in Jobar on 5 March 2016 (day precision), from the given source."""
    data: dict[str, Any] = {"time_precision": "day", "source_name": None}
    data.update(overrides)
    return make_report(session, actor=actor, **data)


@dataclass
class Jobar:
    """Worked case 1: an opposition report of shelling and a government counter-accusation."""

    opposition: Report
    government: Report


def jobar(session: Session, *, opposition_actor: Actor = SYSTEM) -> Jobar:
    """Store worked case 1's parties and its two reports of the same afternoon."""
    government_side(session)
    opposition = report(
        session,
        actor=opposition_actor,
        source_party_id="faylaq",
        occurred_at="2016-03-05T15:00:00+02:00",
        time_precision="exact",
        perpetrator_party_id="saa",
        target_party_id="faylaq",
        narrative="Government artillery shelled Jobar from 15:00.",
    )
    government = report(
        session,
        source_party_id="syrian-government",
        stance="counter_accuses",
        occurred_at="2016-03-05T16:00:00+02:00",
        act_category="armed_attack",
        event_type="battles",
        sub_event_type="armed_clash",
        perpetrator_text="armed terrorist groups",
        target_party_id="saa",
        killed_min=None,
        killed_max=None,
    )
    return Jobar(opposition, government)


@dataclass
class Aleppo:
    """Worked case 5: reports of air strikes on Aleppo and the Russian defence ministry's denial."""

    strikes: list[Report]
    denial: Report


def aleppo(session: Session) -> Aleppo:
    """Store worked case 5's parties, two reports of strikes on 23 October 2016 and the denial of the 25th."""
    neutral_sources(session)
    ensure_party(session, "russia", "Russian Armed Forces", "state_forces")
    ensure_party(session, "russian-mod", "Russian Ministry of Defence", "government")
    ensure_party(session, "syaaf", "Syrian Arab Air Force", "state_forces")
    relate(session, "russian-mod", "part_of", "russia")
    relate(session, "syaaf", "allied_with", "russia")
    common = {
        "occurred_at": "2016-10-23T11:00:00+03:00",
        "act_category": "air_strike",
        "location_text": "Aleppo",
    }
    common |= {"event_type": "explosions_remote_violence", "sub_event_type": "air_drone_strike"}
    strikes = [
        report(session, source_party_id="amc", perpetrator_party_id="russia", **common),
        report(session, source_party_id="white-helmets", perpetrator_party_id="syaaf", **common),
    ]
    denial = report(
        session,
        source_party_id="russian-mod",
        stance="denies",
        occurred_at="2016-10-25T12:00:00+03:00",
        time_precision="week",
        act_category="air_strike",
        location_text="Aleppo",
        perpetrator_party_id="russia",
        killed_min=None,
        killed_max=None,
        narrative="No Russian or Syrian aircraft approached Aleppo for seven days.",
    )
    return Aleppo(strikes, denial)


def party_rep(session: Session, party_id: str) -> Actor:
    """The acting principal of a new representative of a (registered) party."""
    user = make_user(session, role="party_representative", party_id=party_id)
    return identity.actor_for(user, via="api")


def headers_of(session: Session, actor: Actor) -> dict[str, str]:
    """API headers authenticating as the user behind an actor."""
    user = session.get(User, actor.id)
    assert user is not None
    return {"Authorization": f"Bearer {token_for(session, user)}"}


def authenticate_evidence_of(session: Session, item: Report) -> None:
    """Cite a URL capture from the report and record that an analyst authenticated it."""
    evidence = Evidence(id=new_id(), kind="url", source_url="https://example.org/video", collector="test")
    session.add(evidence)
    session.flush()
    session.add(ReportEvidence(report_lineage_id=item.lineage_id, evidence_id=evidence.id))
    at = datetime.now(UTC)
    session.add(CustodyEvent(evidence_id=evidence.id, at=at, actor="analyst", action=AUTHENTICATED_ACTION))
    session.flush()
