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
from ceasefire.kernel.actor import SYSTEM
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
