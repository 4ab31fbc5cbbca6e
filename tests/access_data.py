"""A small access world: two parties holding areas of control west and east of a meridian."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.access import service
from ceasefire.access.models import Movement
from ceasefire.access.schemas import MovementCreate
from ceasefire.kernel.actor import SYSTEM, Actor
from tests.factories import make_area, make_party

NOW = datetime(2016, 9, 14, 9, 0, tzinfo=UTC)


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def route(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


@dataclass
class World:
    west: str
    east: str
    west_area: str
    east_area: str


def control_world(session: Session) -> World:
    """Party 'west' holds 36.0-37.0 E, party 'east' 37.0-38.0 E (latitudes 35.5-36.5)."""
    west, east = make_party(session), make_party(session)
    west_area = make_area(session, geometry=square(36.0, 35.5, 37.0, 36.5), party_id=west.id)
    east_area = make_area(session, geometry=square(37.0, 35.5, 38.0, 36.5), party_id=east.id)
    return World(west=west.id, east=east.id, west_area=west_area.id, east_area=east_area.id)


def movement_data(**overrides: Any) -> MovementCreate:
    data: dict[str, Any] = {
        "kind": "convoy",
        "title": "Test convoy",
        "requester": "UN OCHA",
        "cargo": [{"item": "food parcels", "tonnes": 40}],
        "beneficiaries": 20_000,
        "route": route((36.5, 36.0), (37.5, 36.0)),
        "window_start": (NOW + timedelta(days=3)).isoformat(),
        "window_end": (NOW + timedelta(days=4)).isoformat(),
    }
    data.update(overrides)
    return MovementCreate.model_validate(data)


def submitted(session: Session, actor: Actor = SYSTEM, **overrides: Any) -> Movement:
    return service.create_movement(
        session, data=movement_data(submit=True, **overrides), actor=actor, clock=lambda: NOW
    )
