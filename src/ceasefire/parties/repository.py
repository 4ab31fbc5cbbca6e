"""Every query of the parties domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import RelationKind
from ceasefire.parties.models import Party, PartyAlias, PartyRelation, PartyStance
from ceasefire.parties.rules import AliasClaim, Edge


def find_party(session: Session, party_id: str) -> Party | None:
    """The party with its aliases loaded, or None."""
    query = select(Party).where(Party.id == party_id).options(selectinload(Party.aliases))
    return session.scalar(query)


def party_exists(session: Session, party_id: str) -> bool:
    """Whether a party with that id is stored."""
    return session.scalar(select(func.count()).where(Party.id == party_id)) == 1


def page_of_parties(
    session: Session, *, page: PageRequest, kind: str | None = None, q: str | None = None
) -> Page[Party]:
    """Parties by name, filtered by kind and by a text found in any of their names or their id."""
    query = select(Party)
    if kind:
        query = query.where(Party.kind == kind)
    folded = normalize_name(q) if q else ""
    if folded:
        named = select(PartyAlias.party_id).where(PartyAlias.normalized.contains(folded, autoescape=True))
        query = query.where(or_(Party.id.in_(named), Party.id.contains(q or "", autoescape=True)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Party.aliases))
        .order_by(Party.name, Party.id)
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return Page(items=rows, total=total, request=page)


def claims_to(session: Session, normalized: Collection[str]) -> list[AliasClaim]:
    """Every stored claim to one of these normalized names."""
    if not normalized:
        return []
    rows = session.scalars(select(PartyAlias).where(PartyAlias.normalized.in_(sorted(normalized))))
    return [AliasClaim(a.party_id, a.value, a.normalized, a.language, a.valid_from, a.valid_to) for a in rows]


def relations_of(session: Session, party_id: str) -> list[PartyRelation]:
    """Relations where the party is subject or object, oldest first."""
    query = select(PartyRelation).where(
        or_(PartyRelation.subject_party_id == party_id, PartyRelation.object_party_id == party_id)
    )
    return list(session.scalars(query.order_by(PartyRelation.id)))


def edges_between(session: Session, party_ids: Collection[str]) -> list[Edge]:
    """The relations of these parties plus every `part_of` relation (for cycle checks)."""
    query = select(PartyRelation).where(
        or_(
            PartyRelation.subject_party_id.in_(sorted(party_ids)),
            PartyRelation.relation == RelationKind.PART_OF.value,
        )
    )
    return [
        Edge(r.subject_party_id, r.relation, r.object_party_id, r.valid_from, r.valid_to)
        for r in session.scalars(query)
    ]


def stances_of(session: Session, party_id: str) -> list[PartyStance]:
    """A party's stance records, by agreement then date."""
    query = select(PartyStance).where(PartyStance.party_id == party_id)
    order = (PartyStance.agreement_id, PartyStance.valid_from, PartyStance.id)
    return list(session.scalars(query.order_by(*order)))


def stance_on(session: Session, party_id: str, agreement_id: str, on: date) -> PartyStance | None:
    """The stance in force on a day: of the records covering it, the latest-starting, latest-recorded."""
    query = (
        select(PartyStance)
        .where(
            PartyStance.party_id == party_id,
            PartyStance.agreement_id == agreement_id,
            PartyStance.valid_from <= on,
            or_(PartyStance.valid_to.is_(None), PartyStance.valid_to >= on),
        )
        .order_by(PartyStance.valid_from.desc(), PartyStance.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def alias_fingerprint(session: Session) -> tuple[int, int, int]:
    """A cheap summary of the alias table that changes whenever aliases are added or removed."""
    row = session.execute(
        select(
            func.count(PartyAlias.id),
            func.coalesce(func.max(PartyAlias.id), 0),
            func.coalesce(func.sum(func.length(PartyAlias.normalized)), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


AliasRow = Row[str, str, str, str, str, str, date | None, date | None]


def alias_rows(session: Session) -> Sequence[AliasRow]:
    """Every alias with its party's name, for building the name index."""
    query = select(
        PartyAlias.party_id,
        Party.name,
        PartyAlias.value,
        PartyAlias.normalized,
        PartyAlias.language,
        PartyAlias.kind,
        PartyAlias.valid_from,
        PartyAlias.valid_to,
    ).join(Party, Party.id == PartyAlias.party_id)
    return session.execute(query.order_by(PartyAlias.id)).all()
