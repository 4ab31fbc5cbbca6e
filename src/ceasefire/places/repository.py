"""Every query of the places domain (places, their names, areas)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import column, exists, func, or_, select, table, true
from sqlalchemy.orm import Session, selectinload

from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.places.models import Area, Place, PlaceName

# The party table, named without importing the parties domain (places and parties are peers and
# must not import each other); only its key is needed, to check an area's controlling party.
_party = table("party", column("id"))


class PlaceFacts(NamedTuple):
    """What the resolver needs of a place: kind, admin unit, position, size."""

    id: str
    name: str
    kind: str
    governorate_id: str | None
    latitude: float
    longitude: float
    population: int | None


class NameRow(NamedTuple):
    """One stored name, as the name index is built from."""

    place_id: str
    value: str
    normalized: str
    language: str
    kind: str


def get_place(session: Session, place_id: str, *, with_names: bool = False) -> Place | None:
    """The place with that id (names loaded when asked), or None."""
    query = select(Place).where(Place.id == place_id)
    if with_names:
        # Fresh names even when the place is already in the session: bulk loads add name rows
        # without going through the (possibly loaded) collection.
        query = query.options(selectinload(Place.names)).execution_options(populate_existing=True)
    return session.scalar(query)


def place_kinds(session: Session) -> dict[str, tuple[str, str | None]]:
    """Every stored place id with its kind and governorate (to check references in bulk)."""
    rows = session.execute(select(Place.id, Place.kind, Place.governorate_id))
    return {pid: (kind, gov) for pid, kind, gov in rows}


def place_id_taken(session: Session, place_id: str) -> bool:
    """Whether a place already has that id."""
    return session.scalar(select(exists().where(Place.id == place_id))) or False


def list_places(
    session: Session,
    *,
    page: PageRequest,
    kind: str | None = None,
    governorate_id: str | None = None,
    normalized_q: str | None = None,
) -> Page[Place]:
    """Places by name, filtered by kind, governorate and a substring of any of their names."""
    query = select(Place)
    if kind:
        query = query.where(Place.kind == kind)
    if governorate_id:
        query = query.where(Place.governorate_id == governorate_id)
    if normalized_q:
        pattern = "%" + normalized_q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = select(PlaceName.id).where(
            PlaceName.place_id == Place.id, PlaceName.normalized.like(pattern, escape="\\")
        )
        query = query.where(named.exists())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Place.name, Place.id).offset(page.offset).limit(page.size)).all()
    return Page(items=rows, total=total, request=page)


def name_keys(session: Session) -> set[tuple[str, str, str]]:
    """(place id, normalized name, language) of every stored name, to skip duplicates."""
    rows = session.execute(select(PlaceName.place_id, PlaceName.normalized, PlaceName.language))
    return {(pid, norm, lang) for pid, norm, lang in rows}


def names_of(session: Session, place_id: str) -> set[tuple[str, str]]:
    """(normalized name, language) of one place's names."""
    rows = session.execute(
        select(PlaceName.normalized, PlaceName.language).where(PlaceName.place_id == place_id)
    )
    return {(norm, lang) for norm, lang in rows}


def name_rows(session: Session) -> list[NameRow]:
    """Every stored place name (for the name index)."""
    query = select(
        PlaceName.place_id, PlaceName.value, PlaceName.normalized, PlaceName.language, PlaceName.kind
    ).order_by(PlaceName.id)
    return [NameRow(*row) for row in session.execute(query)]


def place_facts(session: Session) -> list[PlaceFacts]:
    """Every place reduced to what ranking needs."""
    query = select(
        Place.id,
        Place.name,
        Place.kind,
        Place.governorate_id,
        Place.latitude,
        Place.longitude,
        Place.population,
    )
    return [PlaceFacts(*row) for row in session.execute(query)]


def names_fingerprint(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of the stored names and places: changes whenever either changes.

    Count and largest id of place_name catch additions; the total length of the names and the
    newest place's creation time guard against a rolled-back id being reused for another name.
    """
    names = select(
        func.count(PlaceName.id), func.max(PlaceName.id), func.sum(func.length(PlaceName.normalized))
    ).subquery()
    places = select(func.count(Place.id), func.max(Place.created_at)).subquery()
    # One round trip: every report naming a place asks for this.
    both = select(names, places).select_from(names.join(places, true()))
    return tuple(session.execute(both).one())


def get_area(session: Session, area_id: str) -> Area | None:
    """The area with that id, or None."""
    return session.get(Area, area_id)


def area_id_taken(session: Session, area_id: str) -> bool:
    """Whether an area already has that id."""
    return session.scalar(select(exists().where(Area.id == area_id))) or False


def party_exists(session: Session, party_id: str) -> bool:
    """Whether a party with that id is registered."""
    return session.scalar(select(exists().where(_party.c.id == party_id))) or False


def area_candidates(
    session: Session,
    *,
    kind: str | None = None,
    valid_on: datetime | None = None,
    point: tuple[float, float] | None = None,
) -> Sequence[Area]:
    """Areas by name whose kind and validity match and whose bounding box holds the point (if given)."""
    query = select(Area)
    if kind:
        query = query.where(Area.kind == kind)
    if valid_on is not None:
        query = query.where(
            or_(Area.valid_from.is_(None), Area.valid_from <= valid_on),
            or_(Area.valid_to.is_(None), Area.valid_to > valid_on),
        )
    if point is not None:
        lon, lat = point
        query = query.where(
            Area.min_lon <= lon, Area.max_lon >= lon, Area.min_lat <= lat, Area.max_lat >= lat
        )
    return session.scalars(query.order_by(Area.name, Area.id)).all()
