"""Plain factories: make_<thing>(session, **overrides) stores a valid thing and returns it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.identity.schemas import TokenCreate, UserCreate
from ceasefire.kernel.actor import SYSTEM

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
