"""Agreement use cases: create, read, list, change status, add obligations (stances: stances.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ceasefire.agreements import repository as repo
from ceasefire.agreements import rules
from ceasefire.agreements.models import (
    Agreement,
    AgreementArea,
    AgreementParty,
    AgreementStatusChange,
    Obligation,
)
from ceasefire.agreements.rules import AreaMode
from ceasefire.agreements.schemas import (
    AgreementAreaRead,
    AgreementCreate,
    AgreementPartyRead,
    AgreementRead,
    AgreementSummary,
    ObligationCreate,
    ObligationRead,
    StatusChangeCreate,
    StatusChangeRead,
)
from ceasefire.agreements.stances import effective_stances
from ceasefire.audit import record
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.ids import is_slug, slugify
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.time import require_aware, zone
from ceasefire.kernel.vocab import AgreementKind, AgreementRole, AgreementStatus, ScopeKind, Stance


def find_agreement(session: Session, agreement_id: str) -> Agreement | None:
    """The agreement with that id, or None."""
    return repo.find(session, agreement_id)


def get_agreement(session: Session, agreement_id: str, *, field: str | None = None) -> Agreement:
    """The agreement with that id, or NotFound (naming `field` when the id came from a request body)."""
    return repo.get(session, agreement_id, field=field)


def _new_id(session: Session, data: AgreementCreate) -> str:
    agreement_id = data.id or slugify(data.name)
    if not is_slug(agreement_id):
        raise Invalid("the name gives no usable id; give an id", code="id_required", field="id")
    if repo.find(session, agreement_id) is not None:
        raise Conflict(f"agreement {agreement_id!r} exists", code="agreement_exists", field="id")
    return agreement_id


def _check_references(session: Session, data: AgreementCreate, start: datetime) -> None:
    """Parent, parties and areas must exist (404 naming the field), and a child starts after its parent."""
    if data.parent_id is not None:
        parent = get_agreement(session, data.parent_id, field="parent_id")
        rules.check_child_start(parent.starts_at, start)
    elif data.kind is AgreementKind.EXTENSION:
        raise Invalid(
            "an extension must name the agreement it extends", code="parent_required", field="parent_id"
        )
    known_parties = repo.existing_party_ids(session, [p.party_id for p in data.parties])
    for i, party in enumerate(data.parties):
        if party.party_id not in known_parties:
            raise NotFound.of("party", party.party_id, field=f"parties.{i}.party_id")
    known_areas = repo.existing_area_ids(session, [a.area_id for a in data.areas])
    for i, area in enumerate(data.areas):
        if area.area_id not in known_areas:
            raise NotFound.of("area", area.area_id, field=f"areas.{i}.area_id")


def create_agreement(
    session: Session, *, data: AgreementCreate, actor: Actor, reason: str | None = None
) -> Agreement:
    """Store an agreement with its scope, roles, obligations and initial status, all or nothing."""
    start, end = rules.check_time_scope(data.starts_at, data.ends_at)
    zone(data.timezone, field="timezone")
    status_at = require_aware(data.status_at, field="status_at") if data.status_at else start
    rules.check_status_change(
        [], status=data.status, at=status_at, agreement_start=start, documented=True, field="status_at"
    )
    agreement_id = _new_id(session, data)
    _check_references(session, data, start)
    agreement = Agreement(
        id=agreement_id,
        name=data.name,
        kind=data.kind.value,
        parent_id=data.parent_id,
        description=data.description,
        starts_at=start,
        ends_at=end,
        timezone=data.timezone,
        scope_kind=data.scope_kind.value,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(agreement)
    session.flush()
    session.add_all(
        [AgreementArea(agreement_id=agreement_id, area_id=a.area_id, mode=a.mode.value) for a in data.areas]
        + [
            AgreementParty(
                agreement_id=agreement_id,
                party_id=p.party_id,
                role=p.role.value,
                source=p.source,
                source_url=p.source_url,
            )
            for p in data.parties
        ]
        + [_obligation(agreement_id, o) for o in data.obligations]
        + [
            AgreementStatusChange(
                agreement_id=agreement_id, status=data.status.value, at=status_at, source=data.source
            )
        ]
    )
    session.flush()
    changes = data.model_dump(mode="json", exclude={"id"}) | {"starts_at": start, "ends_at": end}
    record(
        session,
        actor=actor,
        action="agreement.create",
        entity_type="agreement",
        entity_id=agreement_id,
        changes=changes,
        reason=reason,
    )
    return agreement


def _obligation(agreement_id: str, data: ObligationCreate) -> Obligation:
    return Obligation(
        agreement_id=agreement_id,
        kind=data.kind.value,
        category=data.category,
        description=data.description,
        source=data.source,
        source_url=data.source_url,
    )


def list_agreements(
    session: Session,
    *,
    page: PageRequest,
    kind: AgreementKind | None = None,
    in_force_on: datetime | None = None,
    parent_id: str | None = None,
) -> Page[AgreementSummary]:
    """Agreements by start, filtered by kind, parent, and being in force at an instant."""
    at = require_aware(in_force_on, field="in_force_on") if in_force_on is not None else None
    query = repo.agreements_query(kind=kind.value if kind else None, parent_id=parent_id, covering=at)
    # The registry holds tens of agreements: status filtering happens here, then the page is cut.
    rows = list(repo.all_of(session, query))
    histories = repo.histories(session, [a.id for a in rows])
    if at is not None:
        rows = [a for a in rows if rules.is_in_force(a.starts_at, a.ends_at, histories[a.id], at)]
    chosen = rows[page.offset : page.offset + page.size]
    items = [summarize(a, histories[a.id]) for a in chosen]
    return Page(items=items, total=len(rows), request=page)


def summarize(agreement: Agreement, history: list[AgreementStatusChange]) -> AgreementSummary:
    """The list view of an agreement, with its latest recorded status."""
    return AgreementSummary(
        id=agreement.id,
        name=agreement.name,
        kind=AgreementKind(agreement.kind),
        parent_id=agreement.parent_id,
        starts_at=agreement.starts_at,
        ends_at=agreement.ends_at,
        timezone=agreement.timezone,
        scope_kind=ScopeKind(agreement.scope_kind),
        status=AgreementStatus(history[-1].status) if history else None,
    )


def agreements_in_force(session: Session, *, at: datetime) -> list[Agreement]:
    """Agreements in force at an instant: inside their time scope and not suspended or ended by status."""
    instant = require_aware(at, field="at")
    rows = repo.all_of(session, repo.agreements_query(covering=instant))
    histories = repo.histories(session, [a.id for a in rows])
    return [a for a in rows if rules.is_in_force(a.starts_at, a.ends_at, histories[a.id], instant)]


def change_status(
    session: Session, *, agreement_id: str, data: StatusChangeCreate, actor: Actor, reason: str | None = None
) -> AgreementStatusChange:
    """Append a status change to an agreement's history (in order; see rules.check_status_change)."""
    agreement = get_agreement(session, agreement_id)
    at = require_aware(data.at, field="at")
    rules.check_status_change(
        repo.history(session, agreement_id),
        status=data.status,
        at=at,
        agreement_start=agreement.starts_at,
        documented=bool(data.source),
    )
    change = AgreementStatusChange(
        agreement_id=agreement_id,
        status=data.status.value,
        at=at,
        note=data.note,
        source=data.source,
        source_url=data.source_url,
    )
    session.add(change)
    session.flush()
    record(
        session,
        actor=actor,
        action="agreement.status_change",
        entity_type="agreement",
        entity_id=agreement_id,
        changes={"status": data.status, "at": at, "note": data.note, "source": data.source},
        reason=reason,
    )
    return change


def add_obligation(
    session: Session, *, agreement_id: str, data: ObligationCreate, actor: Actor, reason: str | None = None
) -> Obligation:
    """Add a prohibited act or required action to an agreement."""
    get_agreement(session, agreement_id)
    obligation = _obligation(agreement_id, data)
    session.add(obligation)
    session.flush()
    record(
        session,
        actor=actor,
        action="agreement.obligation_add",
        entity_type="agreement",
        entity_id=agreement_id,
        changes={"obligation_id": obligation.id, **data.model_dump(mode="json")},
        reason=reason,
    )
    return obligation


def read_agreement(
    session: Session, *, agreement_id: str, on: date | None = None, clock: Clock = utc_now
) -> AgreementRead:
    """The full read model; stances are for `on` (default: today, clamped into the agreement's period)."""
    agreement = get_agreement(session, agreement_id)
    tz = agreement.timezone
    today = rules.local_date(clock(), tz)
    day = on or rules.default_stance_day(agreement.starts_at, agreement.ends_at, tz, today)
    history = repo.history(session, agreement_id)
    resolved = effective_stances(session, agreement=agreement, on=day)
    summary = summarize(agreement, history)
    return AgreementRead(
        **summary.model_dump(),
        starts_local=rules.local_time(agreement.starts_at, tz),
        ends_local=rules.local_time(agreement.ends_at, tz) if agreement.ends_at else None,
        description=agreement.description,
        source=agreement.source,
        source_url=agreement.source_url,
        created_at=agreement.created_at,
        children=repo.child_ids(session, agreement_id),
        status_history=[
            StatusChangeRead.model_validate(h).model_copy(update={"at_local": rules.local_time(h.at, tz)})
            for h in history
        ],
        obligations=[ObligationRead.model_validate(o) for o in repo.obligations(session, agreement_id)],
        areas=[
            AgreementAreaRead(area_id=row.area_id, area_name=name, mode=AreaMode(row.mode))
            for row, name in repo.areas(session, agreement_id)
        ],
        parties=[
            AgreementPartyRead(
                party_id=row.party_id,
                party_name=name,
                role=AgreementRole(row.role),
                source=row.source,
                source_url=row.source_url,
            )
            for row, name in repo.parties(session, agreement_id)
        ],
        stances_on=day,
        committed_parties=[e for e in resolved if e.stance is Stance.COMMITTED],
        excluded_parties=[e for e in resolved if e.stance is Stance.EXCLUDED],
        rejected_parties=[e for e in resolved if e.stance is Stance.REJECTED],
    )
