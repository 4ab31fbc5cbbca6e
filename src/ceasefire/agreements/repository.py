"""Agreement queries: rows of one agreement, its chain of parents, stances and filtered lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ceasefire.agreements.models import (
    Agreement,
    AgreementArea,
    AgreementParty,
    AgreementStatusChange,
    Obligation,
)
from ceasefire.kernel.errors import NotFound
from ceasefire.parties.models import Party, PartyStance
from ceasefire.places.models import Area


def find(session: Session, agreement_id: str) -> Agreement | None:
    """The agreement with that id, or None."""
    return session.get(Agreement, agreement_id)


def get(session: Session, agreement_id: str, *, field: str | None = None) -> Agreement:
    """The agreement with that id, or NotFound (naming `field` when the id came from a request body)."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound.of("agreement", agreement_id, field=field)
    return agreement


def chain(session: Session, agreement: Agreement) -> list[Agreement]:
    """The agreement, then its parent, grandparent and so on."""
    found = [agreement]
    seen = {agreement.id}
    parent_id = agreement.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = session.get(Agreement, parent_id)
        if parent is None:
            break
        found.append(parent)
        seen.add(parent.id)
        parent_id = parent.parent_id
    return found


def child_ids(session: Session, agreement_id: str) -> list[str]:
    """Ids of the agreements whose parent this is, by start."""
    query = select(Agreement.id).where(Agreement.parent_id == agreement_id).order_by(Agreement.starts_at)
    return list(session.scalars(query))


def existing_party_ids(session: Session, ids: Collection[str]) -> set[str]:
    """Which of these party ids exist."""
    if not ids:
        return set()
    return set(session.scalars(select(Party.id).where(Party.id.in_(set(ids)))))


def existing_area_ids(session: Session, ids: Collection[str]) -> set[str]:
    """Which of these area ids exist."""
    if not ids:
        return set()
    return set(session.scalars(select(Area.id).where(Area.id.in_(set(ids)))))


def party_names(session: Session, ids: Collection[str]) -> dict[str, str]:
    """Names of parties by id."""
    if not ids:
        return {}
    rows = session.execute(select(Party.id, Party.name).where(Party.id.in_(set(ids))))
    return {str(party_id): str(name) for party_id, name in rows}


def history(session: Session, agreement_id: str) -> list[AgreementStatusChange]:
    """Status history of one agreement, oldest first."""
    query = (
        select(AgreementStatusChange)
        .where(AgreementStatusChange.agreement_id == agreement_id)
        .order_by(AgreementStatusChange.at, AgreementStatusChange.id)
    )
    return list(session.scalars(query))


def histories(session: Session, agreement_ids: Collection[str]) -> dict[str, list[AgreementStatusChange]]:
    """Status histories of several agreements, oldest first each."""
    found: dict[str, list[AgreementStatusChange]] = defaultdict(list)
    if agreement_ids:
        query = (
            select(AgreementStatusChange)
            .where(AgreementStatusChange.agreement_id.in_(set(agreement_ids)))
            .order_by(AgreementStatusChange.at, AgreementStatusChange.id)
        )
        for row in session.scalars(query):
            found[row.agreement_id].append(row)
    return found


def obligations(session: Session, agreement_id: str) -> list[Obligation]:
    """Obligations of one agreement, in the order they were added."""
    query = select(Obligation).where(Obligation.agreement_id == agreement_id).order_by(Obligation.id)
    return list(session.scalars(query))


def areas(session: Session, agreement_id: str) -> list[tuple[AgreementArea, str]]:
    """Scope areas of one agreement with the area names."""
    query = (
        select(AgreementArea, Area.name)
        .join(Area, Area.id == AgreementArea.area_id)
        .where(AgreementArea.agreement_id == agreement_id)
        .order_by(AgreementArea.id)
    )
    return [(row, name) for row, name in session.execute(query)]


def parties(session: Session, agreement_id: str) -> list[tuple[AgreementParty, str]]:
    """Formal roles in one agreement with the party names."""
    query = (
        select(AgreementParty, Party.name)
        .join(Party, Party.id == AgreementParty.party_id)
        .where(AgreementParty.agreement_id == agreement_id)
        .order_by(AgreementParty.id)
    )
    return [(row, name) for row, name in session.execute(query)]


def stances(
    session: Session, agreement_ids: Collection[str], *, party_id: str | None = None
) -> list[PartyStance]:
    """Stance records toward these agreements (optionally of one party), by party then start."""
    query = select(PartyStance).where(PartyStance.agreement_id.in_(set(agreement_ids)))
    if party_id is not None:
        query = query.where(PartyStance.party_id == party_id)
    query = query.order_by(PartyStance.party_id, PartyStance.valid_from, PartyStance.id)
    return list(session.scalars(query))


def party_stances(session: Session, party_id: str) -> list[PartyStance]:
    """All stance records of one party, by agreement then start."""
    query = (
        select(PartyStance)
        .where(PartyStance.party_id == party_id)
        .order_by(PartyStance.agreement_id, PartyStance.valid_from, PartyStance.id)
    )
    return list(session.scalars(query))


def agreements_query(
    *, kind: str | None = None, parent_id: str | None = None, covering: datetime | None = None
) -> Select[Agreement]:
    """Agreements filtered by kind, parent and a time scope covering an instant, by start then id."""
    query = select(Agreement)
    if kind is not None:
        query = query.where(Agreement.kind == kind)
    if parent_id is not None:
        query = query.where(Agreement.parent_id == parent_id)
    if covering is not None:
        query = query.where(Agreement.starts_at <= covering).where(
            (Agreement.ends_at.is_(None)) | (Agreement.ends_at > covering)
        )
    return query.order_by(Agreement.starts_at, Agreement.id)


def all_of(session: Session, query: Select[Agreement]) -> Sequence[Agreement]:
    """Run an agreements query."""
    return session.scalars(query).all()
