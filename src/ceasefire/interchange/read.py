"""Read what the registry holds, as interchange items (bulk queries; the export and the importer's
"is it already there?" check both use them, so both see an item exactly alike)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ceasefire.agreements.models import (
    Agreement,
    AgreementArea,
    AgreementParty,
    AgreementStatusChange,
    Obligation,
)
from ceasefire.interchange.schemas import (
    AgreementItem,
    AreaItem,
    PartyItem,
    PlaceItem,
    RelationItem,
    StanceItem,
)
from ceasefire.parties.models import Party, PartyRelation, PartyStance
from ceasefire.places import Origin
from ceasefire.places.models import Area, Place
from ceasefire.places.rules import PRIMARY

Row = TypeVar("Row", AgreementArea, AgreementParty, Obligation, AgreementStatusChange)


def _sourced(row: Any) -> dict[str, Any]:
    return {"source": row.source, "source_url": row.source_url}


def parties(session: Session, ids: Collection[str] | None = None) -> list[PartyItem]:
    """Parties (all, or those ids) with every alias."""
    query = select(Party).options(selectinload(Party.aliases)).order_by(Party.id)
    if ids is not None:
        query = query.where(Party.id.in_(set(ids)))
    return [
        PartyItem.model_validate(
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "description": p.description,
                **_sourced(p),
                "aliases": [
                    {
                        "value": a.value,
                        "language": a.language,
                        "kind": a.kind,
                        "valid_from": a.valid_from,
                        "valid_to": a.valid_to,
                        **_sourced(a),
                    }
                    for a in p.aliases
                ],
            }
        )
        for p in session.scalars(query)
    ]


def _place_item(place: Place) -> PlaceItem:
    # A point's position is its geometry; a line keeps its representative point as well.
    is_point = place.geometry.get("type") == "Point"
    return PlaceItem.model_validate(
        {
            "id": place.id,
            "name": place.name,
            "name_ar": place.name_ar,
            "kind": place.kind,
            "parent_id": place.parent_id,
            "governorate_id": place.governorate_id,
            "latitude": None if is_point else place.latitude,
            "longitude": None if is_point else place.longitude,
            "geometry": place.geometry,
            "precision": place.precision,
            "population": place.population,
            "pcode": place.pcode,
            "geonames_id": place.geonames_id,
            "coordinate_source": place.coordinate_source,
            **_sourced(place),
            # Primary names are `name` and `name_ar`, which recreate them.
            "names": [
                {"value": n.value, "language": n.language, "kind": n.kind}
                for n in place.names
                if n.kind != PRIMARY
            ],
        }
    )


def places(
    session: Session, ids: Collection[str] | None = None, *, origin: Origin | None = None
) -> list[PlaceItem]:
    """Places (all, those ids, or those of one origin) with their other names."""
    query = select(Place).options(selectinload(Place.names)).order_by(Place.id)
    if ids is not None:
        query = query.where(Place.id.in_(set(ids)))
    if origin is not None:
        query = query.where(Place.origin == origin.value)
    return [_place_item(p) for p in session.scalars(query)]


def areas(session: Session, ids: Collection[str] | None = None) -> list[AreaItem]:
    """Areas (all, or those ids)."""
    query = select(Area).order_by(Area.id)
    if ids is not None:
        query = query.where(Area.id.in_(set(ids)))
    return [
        AreaItem.model_validate(
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "description": a.description,
                "geometry": a.geometry,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "party_id": a.party_id,
                **_sourced(a),
            }
        )
        for a in session.scalars(query)
    ]


def _children(session: Session, model: type[Row], ids: Collection[str]) -> dict[str, list[Row]]:
    """Rows of a child table of agreements, grouped by agreement, in insertion order."""
    query = select(model).where(model.agreement_id.in_(set(ids))).order_by(model.id)
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in session.scalars(query):
        grouped[row.agreement_id].append(row)
    return grouped


def agreements(session: Session, ids: Collection[str] | None = None) -> list[AgreementItem]:
    """Agreements (all, or those ids) with scope, roles, obligations and status history."""
    query = select(Agreement).order_by(Agreement.id)
    if ids is not None:
        query = query.where(Agreement.id.in_(set(ids)))
    rows = list(session.scalars(query))
    found = [a.id for a in rows]
    scope = _children(session, AgreementArea, found)
    roles = _children(session, AgreementParty, found)
    duties = _children(session, Obligation, found)
    history = _children(session, AgreementStatusChange, found)
    return [_agreement_item(a, scope[a.id], roles[a.id], duties[a.id], history[a.id]) for a in rows]


def _agreement_item(
    agreement: Agreement,
    scope: list[AgreementArea],
    roles: list[AgreementParty],
    duties: list[Obligation],
    history: list[AgreementStatusChange],
) -> AgreementItem:
    # The first status entry is the agreement's initial status; the later ones its history.
    entries = sorted(history, key=lambda h: (h.at, h.id))
    first = entries[0] if entries else None
    return AgreementItem.model_validate(
        {
            "id": agreement.id,
            "name": agreement.name,
            "kind": agreement.kind,
            "parent_id": agreement.parent_id,
            "description": agreement.description,
            "starts_at": agreement.starts_at,
            "ends_at": agreement.ends_at,
            "timezone": agreement.timezone,
            "scope_kind": agreement.scope_kind,
            "areas": [{"area_id": s.area_id, "mode": s.mode} for s in scope],
            "parties": [{"party_id": r.party_id, "role": r.role, **_sourced(r)} for r in roles],
            "obligations": [
                {"kind": o.kind, "category": o.category, "description": o.description, **_sourced(o)}
                for o in duties
            ],
            "status": first.status if first else "in_force",
            "status_at": first.at if first else agreement.starts_at,
            "status_history": [
                {"status": h.status, "at": h.at, "note": h.note, **_sourced(h)} for h in entries[1:]
            ],
            **_sourced(agreement),
        }
    )


def stances(session: Session, agreement_ids: Collection[str] | None = None) -> list[StanceItem]:
    """Stance records (all, or toward those agreements), by agreement, party and start."""
    query = select(PartyStance).order_by(
        PartyStance.agreement_id, PartyStance.party_id, PartyStance.valid_from, PartyStance.id
    )
    if agreement_ids is not None:
        query = query.where(PartyStance.agreement_id.in_(set(agreement_ids)))
    return [
        StanceItem.model_validate(
            {
                "agreement_id": s.agreement_id,
                "party_id": s.party_id,
                "stance": s.stance,
                "valid_from": s.valid_from,
                "valid_to": s.valid_to,
                "note": s.note,
                **_sourced(s),
            }
        )
        for s in session.scalars(query)
    ]


def relations(session: Session, subject_ids: Collection[str] | None = None) -> list[RelationItem]:
    """Relations (all, or of those subject parties)."""
    query = select(PartyRelation).order_by(PartyRelation.subject_party_id, PartyRelation.id)
    if subject_ids is not None:
        query = query.where(PartyRelation.subject_party_id.in_(set(subject_ids)))
    return [
        RelationItem.model_validate(
            {
                "subject_party_id": r.subject_party_id,
                "relation": r.relation,
                "object_party_id": r.object_party_id,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "note": r.note,
                **_sourced(r),
            }
        )
        for r in session.scalars(query)
    ]
