"""Plain factories: make_<thing>(session, **overrides) stores a valid thing and returns it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.agreements import service as agreements
from ceasefire.agreements.models import Agreement
from ceasefire.agreements.schemas import AgreementCreate
from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.identity.schemas import TokenCreate, UserCreate
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import Incident
from ceasefire.intake import service as intake
from ceasefire.intake.models import Message, Report
from ceasefire.intake.schemas import MessageCreate, ReportSubmission
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.crypto import Cipher
from ceasefire.parties import service as parties
from ceasefire.parties.models import Party
from ceasefire.parties.schemas import PartyCreate
from ceasefire.places import service as places
from ceasefire.places.models import Area, Place
from ceasefire.places.schemas import AreaCreate, PlaceCreate

_seq = itertools.count(1)


def make_user(session: Session, **overrides: Any) -> User:
    """A user (analyst by default) with a known password 'correct horse battery'."""
    n = next(_seq)
    data: dict[str, Any] = {
        "username": f"user{n}",
        "display_name": f"User {n}",
        "role": "analyst",
        "password": "correct horse battery",
    }
    data.update(overrides)
    return identity.create_user(session, data=UserCreate(**data), actor=SYSTEM)


def token_for(session: Session, user: User) -> str:
    """A fresh API token secret for the user."""
    return identity.issue_token(session, user=user, data=TokenCreate(name="test"), actor=SYSTEM).token


def make_party(session: Session, **overrides: Any) -> Party:
    """A party (a non-state armed group named 'Test Brigade N' by default), aliases as dicts."""
    n = next(_seq)
    data: dict[str, Any] = {"name": f"Test Brigade {n}", "kind": "non_state_armed_group"}
    data.update(overrides)
    return parties.create_party(session, data=PartyCreate(**data), actor=SYSTEM)


def make_area(session: Session, **overrides: Any) -> Area:
    """An area (a small square near Aleppo by default), created through the places service."""
    n = next(_seq)
    ring = [[37.15, 36.18], [37.20, 36.18], [37.20, 36.23], [37.15, 36.23], [37.15, 36.18]]
    data: dict[str, Any] = {
        "id": f"test-area-{n}",
        "name": f"Test area {n}",
        "kind": "area_of_control",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    data.update(overrides)
    return places.create_area(session, data=AreaCreate(**data), actor=SYSTEM)


def make_place(session: Session, **overrides: Any) -> Place:
    """A place (a village near Aleppo by default, no parent), created through the places service."""
    n = next(_seq)
    data: dict[str, Any] = {
        "id": f"test-place-{n}",
        "name": f"Test Village {n}",
        "kind": "village",
        "latitude": 36.3,
        "longitude": 37.1,
        "source": "test",
    }
    data.update(overrides)
    return places.create_place(session, data=PlaceCreate(**data), actor=SYSTEM)


def make_agreement(session: Session, **overrides: Any) -> Agreement:
    """A nationwide cessation of hostilities from 2016-02-27 00:00 Damascus time, in force, open-ended."""
    n = next(_seq)
    data: dict[str, Any] = {
        "id": f"test-agreement-{n}",
        "name": f"Test agreement {n}",
        "kind": "cessation_of_hostilities",
        "starts_at": "2016-02-27T00:00:00+02:00",
        "scope_kind": "nationwide",
        "source": "test",
    }
    data.update(overrides)
    return agreements.create_agreement(session, data=AgreementCreate(**data), actor=SYSTEM)


def report_claim(**overrides: Any) -> dict[str, Any]:
    """A valid claim as JSON-ready data: shelling in Jobar on a CoH afternoon (exact time, Damascus)."""
    data: dict[str, Any] = {
        "source_name": "Test source",
        "occurred_at": "2016-03-05T15:00:00+02:00",
        "time_precision": "exact",
        "location_text": "Jobar",
        "act_category": "shelling",
        "event_type": "explosions_remote_violence",
        "sub_event_type": "shelling_artillery_missile_attack",
        "killed_min": 2,
        "killed_max": 3,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_report(
    session: Session, *, actor: Actor = SYSTEM, cipher: Cipher | None = None, **overrides: Any
) -> Report:
    """Version 1 of a report with its message, submitted through the intake service."""
    data = ReportSubmission(**report_claim(**overrides))
    return intake.submit_report(session, data=data, actor=actor, cipher=cipher)


def make_message(
    session: Session, *, actor: Actor = SYSTEM, cipher: Cipher | None = None, **overrides: Any
) -> Message:
    """A raw message (a hotline call note by default), stored through the intake service."""
    data: dict[str, Any] = {"channel": "hotline", "body": "Caller reports shelling in Jobar this afternoon."}
    data.update(overrides)
    return intake.submit_message(session, data=MessageCreate(**data), actor=actor, cipher=cipher)


def make_incident(
    session: Session, *, reports: list[Report] | None = None, actor: Actor = SYSTEM, title: str | None = None
) -> Incident:
    """An incident opened by the incidents service over these reports (one new report by default)."""
    chosen = reports if reports is not None else [make_report(session)]
    title = title or f"Test incident {next(_seq)}"
    return incidents.open_incident(session, report_ids=[r.id for r in chosen], title=title, actor=actor)
