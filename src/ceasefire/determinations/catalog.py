"""The agreements as applicability facts, built from the registry once and reused while it is unchanged.

Each agreement's stance timeline is built with `agreements.effective_stances` (own record, else the
nearest ancestor's) on every day a stance record of its chain begins or ends: between those days
nothing changes, so the timeline answers for any day without asking the database again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shapely.geometry import shape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ceasefire.agreements import effective_stances
from ceasefire.agreements import repository as agreements_repo
from ceasefire.agreements.models import Agreement, Obligation
from ceasefire.agreements.rules import AreaMode
from ceasefire.determinations import repository as repo
from ceasefire.determinations.applicability import AgreementFacts, AreaShape, ScopeIndex
from ceasefire.determinations.facts import StanceFact, StanceTimeline
from ceasefire.kernel.vocab import ObligationKind, ScopeKind
from ceasefire.parties.models import PartyStance
from ceasefire.places.models import Area


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every agreement as facts, the index over their scopes, and their obligations by category."""

    agreements: tuple[AgreementFacts, ...]
    index: ScopeIndex
    obligations: Mapping[str, Mapping[str, Obligation]]
    # Shapely's prepared geometries are not documented as safe to share between threads.
    lock: threading.Lock


def _breakpoints(rows: Iterable[PartyStance]) -> list[date]:
    """Days on which some stance of the chain starts, or the day after one ends."""
    days = set()
    for row in rows:
        days.add(row.valid_from)
        if row.valid_to is not None:
            days.add(row.valid_to + timedelta(days=1))
    return sorted(days)


def stance_timeline(
    session: Session, agreement: Agreement, rows: Mapping[str, Sequence[PartyStance]]
) -> StanceTimeline:
    """The agreement's effective stances on every day, from `effective_stances` at each breakpoint."""
    chain = agreements_repo.chain(session, agreement)
    segments = []
    for day in _breakpoints(row for holder in chain for row in rows.get(holder.id, ())):
        resolved = effective_stances(session, agreement=agreement, on=day)
        facts = {
            e.party_id: StanceFact(e.party_id, e.stance, e.from_agreement_id, e.inherited, e.source)
            for e in resolved
        }
        segments.append((day, facts))
    return StanceTimeline(segments)


def _shapes(listed: Sequence[tuple[str, Area]], mode: AreaMode) -> tuple[AreaShape, ...]:
    return tuple(AreaShape(a.id, a.name, shape(a.geometry)) for m, a in listed if m == mode.value)


def build_agreement_facts(session: Session) -> list[AgreementFacts]:
    """Every agreement with its areas, prohibited acts, status history and stance timeline."""
    areas, obligations = repo.scope_areas(session), repo.obligations(session)
    statuses, stances = repo.statuses(session), repo.stance_rows(session)
    found = []
    for agreement in repo.agreements(session):
        listed = areas.get(agreement.id, [])
        found.append(
            AgreementFacts(
                id=agreement.id,
                name=agreement.name,
                kind=agreement.kind,
                starts_at=agreement.starts_at,
                ends_at=agreement.ends_at,
                timezone=agreement.timezone,
                scope_kind=ScopeKind(agreement.scope_kind),
                included=_shapes(listed, AreaMode.INCLUDE),
                excluded=_shapes(listed, AreaMode.EXCLUDE),
                prohibited=frozenset(
                    o.category
                    for o in obligations.get(agreement.id, [])
                    if o.kind == ObligationKind.PROHIBITED_ACT
                ),
                stances=stance_timeline(session, agreement, stances),
                status_history=tuple((s.at, s.status) for s in statuses.get(agreement.id, [])),
            )
        )
    return found


_CACHE: dict[tuple[Any, ...], Catalog] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return f"{engine.url!r}#{id(engine)}"


def agreement_catalog(session: Session) -> Catalog:
    """The catalog of the registry as it is now: rebuilt only when agreements, areas or stances change."""
    key = (_database_key(session), *repo.registry_fingerprint(session))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    facts = build_agreement_facts(session)
    obligations = {
        agreement_id: {o.category: o for o in rows}
        for agreement_id, rows in repo.obligations(session).items()
    }
    index = ScopeIndex(facts)
    catalog = Catalog(index.agreements, index, obligations, threading.Lock())
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = catalog
    return catalog
