"""Stance use cases: record sourced stance claims, list them, and resolve a party's stance on a day.

Kept apart from service.py because resolution walks the chain of parent agreements: a child
agreement (extension, regime of calm) inherits a party's stance from its parent on any day for
which it has no own record of that party (see `effective_stances`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy.orm import Session

from ceasefire.agreements import repository as repo
from ceasefire.agreements import rules
from ceasefire.agreements.models import Agreement
from ceasefire.agreements.schemas import EffectiveStance, StanceCreate
from ceasefire.audit import record
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import NotFound
from ceasefire.kernel.time import check_order
from ceasefire.kernel.vocab import Stance
from ceasefire.parties.models import Party, PartyStance


def record_stance(
    session: Session, *, agreement_id: str, data: StanceCreate, actor: Actor, reason: str | None = None
) -> PartyStance:
    """Record a sourced stance claim; it supersedes (closes) an open stance that began earlier.

    Any other overlap with the party's stance periods for this agreement is a Conflict.
    """
    repo.get(session, agreement_id)
    if session.get(Party, data.party_id) is None:
        raise NotFound.of("party", data.party_id, field="party_id")
    check_order(data.valid_from, data.valid_to, field="valid_to")
    existing = repo.stances(session, [agreement_id], party_id=data.party_id)
    superseded = rules.plan_stance(existing, data.valid_from, data.valid_to)
    if superseded is not None:
        superseded.valid_to = rules.closing_day(data.valid_from)
        record(
            session,
            actor=actor,
            action="stance.close",
            entity_type="party_stance",
            entity_id=str(superseded.id),
            changes={"valid_to": [None, superseded.valid_to]},
            reason=f"superseded by a {data.stance.value} stance from {data.valid_from} ({data.source})",
        )
    stance = PartyStance(agreement_id=agreement_id, **data.model_dump(exclude={"stance"}))
    stance.stance = data.stance.value
    session.add(stance)
    session.flush()
    record(
        session,
        actor=actor,
        action="stance.record",
        entity_type="party_stance",
        entity_id=str(stance.id),
        changes={"agreement_id": agreement_id, **data.model_dump()},
        reason=reason,
    )
    return stance


def list_stances(session: Session, *, agreement_id: str, party_id: str | None = None) -> list[PartyStance]:
    """The stance records toward one agreement (its own, not inherited), by party then start."""
    repo.get(session, agreement_id)
    return repo.stances(session, [agreement_id], party_id=party_id)


def _explain(row: PartyStance, on: date, inherited: bool) -> str:
    period = f"{row.stance} from {row.valid_from} to {row.valid_to or 'open'}"
    cited = f"record {row.id}, source: {row.source or 'none'}"
    if not inherited:
        return f"{period} ({cited})"
    return f"inherited from {row.agreement_id}: no own record of this party covers {on}; {period} ({cited})"


def effective_stances(
    session: Session, *, agreement: Agreement, on: date, party_id: str | None = None
) -> list[EffectiveStance]:
    """Each party's stance on a day: its own record for the agreement covering that day, else the
    record of the nearest ancestor agreement covering it (parent, then grandparent). By party name."""
    lineage = repo.chain(session, agreement)
    by_agreement: dict[tuple[str, str], list[PartyStance]] = defaultdict(list)
    for row in repo.stances(session, [a.id for a in lineage], party_id=party_id):
        by_agreement[(row.agreement_id, row.party_id)].append(row)
    party_ids = sorted({pid for _, pid in by_agreement})
    names = repo.party_names(session, party_ids)
    found: list[EffectiveStance] = []
    for pid in party_ids:
        for depth, holder in enumerate(lineage):
            chosen = rules.stance_on(by_agreement[(holder.id, pid)], on)
            if chosen is None:
                continue
            found.append(
                EffectiveStance(
                    party_id=pid,
                    party_name=names.get(pid, pid),
                    stance=Stance(chosen.stance),
                    stance_id=chosen.id,
                    from_agreement_id=holder.id,
                    inherited=depth > 0,
                    valid_from=chosen.valid_from,
                    valid_to=chosen.valid_to,
                    source=chosen.source,
                    explanation=_explain(chosen, on, depth > 0),
                )
            )
            break
    return sorted(found, key=lambda e: (e.party_name.casefold(), e.party_id))


def _day(agreement: Agreement, on: date | datetime) -> date:
    """A day in the agreement's zone: instants are converted to their local day, dates kept."""
    if isinstance(on, datetime):
        return rules.local_date(on, agreement.timezone)
    return on


def stance_of(
    session: Session, *, agreement_id: str, party_id: str, on: date | datetime
) -> EffectiveStance | None:
    """A party's effective stance toward an agreement on a day (own record, else inherited), or None."""
    agreement = repo.get(session, agreement_id)
    found = effective_stances(session, agreement=agreement, on=_day(agreement, on), party_id=party_id)
    return found[0] if found else None


def parties_with_stance(
    session: Session, *, agreement_id: str, on: date | datetime, stance: Stance
) -> list[EffectiveStance]:
    """The parties whose effective stance toward the agreement on that day is `stance`."""
    agreement = repo.get(session, agreement_id)
    resolved = effective_stances(session, agreement=agreement, on=_day(agreement, on))
    return [e for e in resolved if e.stance is stance]
