"""Every query of the determinations domain: the agreements' scopes, obligations, statuses and stance
records, party names, evidence ids, and the chain of an incident's determinations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements.models import Agreement, AgreementArea, AgreementStatusChange, Obligation
from ceasefire.determinations.models import Determination
from ceasefire.evidence.models import Evidence
from ceasefire.parties.models import Party, PartyStance
from ceasefire.places.models import Area


def party_names(session: Session, ids: Collection[str]) -> dict[str, str]:
    """Names of parties by id."""
    if not ids:
        return {}
    rows = session.execute(select(Party.id, Party.name).where(Party.id.in_(set(ids))))
    return {str(pid): str(name) for pid, name in rows}


def agreements(session: Session) -> list[Agreement]:
    """Every agreement, by start then id."""
    return list(session.scalars(select(Agreement).order_by(Agreement.starts_at, Agreement.id)))


def scope_areas(session: Session) -> dict[str, list[tuple[str, Area]]]:
    """Each agreement's listed areas as (mode, area), in the order they were listed."""
    query = (
        select(AgreementArea.agreement_id, AgreementArea.mode, Area)
        .join(Area, Area.id == AgreementArea.area_id)
        .order_by(AgreementArea.id)
    )
    found: dict[str, list[tuple[str, Area]]] = defaultdict(list)
    for agreement_id, mode, area in session.execute(query):
        found[agreement_id].append((mode, area))
    return found


def obligations(session: Session) -> dict[str, list[Obligation]]:
    """Each agreement's obligations, in the order they were added."""
    found: dict[str, list[Obligation]] = defaultdict(list)
    for row in session.scalars(select(Obligation).order_by(Obligation.id)):
        found[row.agreement_id].append(row)
    return found


def statuses(session: Session) -> dict[str, list[AgreementStatusChange]]:
    """Each agreement's status history, oldest first."""
    found: dict[str, list[AgreementStatusChange]] = defaultdict(list)
    query = select(AgreementStatusChange).order_by(AgreementStatusChange.at, AgreementStatusChange.id)
    for row in session.scalars(query):
        found[row.agreement_id].append(row)
    return found


def stance_rows(session: Session) -> dict[str, list[PartyStance]]:
    """Each agreement's own stance records."""
    found: dict[str, list[PartyStance]] = defaultdict(list)
    for row in session.scalars(select(PartyStance).order_by(PartyStance.party_id, PartyStance.valid_from)):
        found[row.agreement_id].append(row)
    return found


def registry_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever agreements, their areas, obligations, statuses or stances change.

    Rows of these tables are only added (areas and agreements are never edited), except a stance
    closed by a newer one, which also adds a row; counts, largest ids and the newest creation time
    therefore catch every change.
    """
    parts = [
        select(func.count(Agreement.id), func.max(Agreement.created_at)),
        select(func.count(AgreementArea.id), func.max(AgreementArea.id)),
        select(func.count(Obligation.id), func.max(Obligation.id)),
        select(func.count(AgreementStatusChange.id), func.max(AgreementStatusChange.id)),
        select(func.count(PartyStance.id), func.max(PartyStance.id), func.max(PartyStance.valid_to)),
        select(func.count(Area.id), func.max(Area.created_at)),
    ]
    return tuple(value for part in parts for value in session.execute(part).one())


def existing_evidence_ids(session: Session, ids: Collection[str]) -> set[str]:
    """Which of these evidence ids exist."""
    if not ids:
        return set()
    return set(session.scalars(select(Evidence.id).where(Evidence.id.in_(set(ids)))))


def determinations_of(session: Session, incident_id: str) -> list[Determination]:
    """Every determination of the incident, oldest first (in the order they were issued)."""
    query = (
        select(Determination)
        .where(Determination.incident_id == incident_id)
        .order_by(Determination.decided_at, Determination.id)
    )
    rows = list(session.scalars(query))
    return _chain_order(rows)


def _chain_order(rows: list[Determination]) -> list[Determination]:
    """Follow supersedes links from the first determination (robust to equal decision times)."""
    by_predecessor = {row.supersedes_id: row for row in rows}
    ordered: list[Determination] = []
    current = by_predecessor.get(None)
    while current is not None and len(ordered) < len(rows):
        ordered.append(current)
        current = by_predecessor.get(current.id)
    return ordered if len(ordered) == len(rows) else rows


def find_determination(session: Session, determination_id: str) -> Determination | None:
    """The determination with that id, or None."""
    return session.get(Determination, determination_id)
