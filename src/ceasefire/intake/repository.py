"""Every query of the intake domain; reads take the visibility clause of the acting principal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, column, exists, false, func, or_, select, table, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from ceasefire.identity.models import User
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.intake.rules import Scope
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import ReportState
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.parties.models import Party
from ceasefire.places.models import Place

# Incident links are kept by the incidents domain, which sits above this one (it reads reports).
# Intake only asks which report lineages are grouped, and how far those incidents are published,
# so it names those two tables here instead of importing the incidents package.
_incident_report = table("incident_report", column("report_lineage_id"), column("incident_id"))
_incident = table("incident", column("id"), column("publication"), column("stage"))
_MESSAGE = cast(Table, Message.__table__)


def visible(scope: Scope, actor: Actor) -> ColumnElement[bool]:
    """The messages (joined by reports) an actor's scope lets it see."""
    if scope is Scope.ALL:
        return true()
    if scope is Scope.PARTY:
        return Message.submitter_party_id == actor.party_id
    if scope is Scope.OWN:
        return Message.submitted_by_user_id == actor.id
    return false()


def find_by_idempotency_key(session: Session, submitter_key: str, key: str) -> Message | None:
    """The message a submitter sent under an idempotency key, or None."""
    query = select(Message).where(Message.submitter_key == submitter_key, Message.idempotency_key == key)
    return session.scalar(query)


def insert_message(session: Session, values: dict[str, Any]) -> bool:
    """Insert a message row unless it clashes with a stored one (id, reference code or idempotency key).

    Whether it was inserted. On PostgreSQL a clash with a concurrent, uncommitted insert waits for
    that transaction, so a retry racing its original sees the original once it is committed.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # The table, not the mapped class: a plain Core insert skips the ORM's bulk machinery.
    statement = insert(_MESSAGE).values(**values).on_conflict_do_nothing().returning(_MESSAGE.c.id)
    return session.execute(statement).first() is not None


def _could_be_id(value: str) -> bool:
    """Ids are short and never hold NUL (which PostgreSQL refuses even to compare)."""
    return 0 < len(value) <= 64 and "\x00" not in value


def find_message(session: Session, message_id: str) -> Message | None:
    """The message with that id, or None."""
    return session.get(Message, message_id) if _could_be_id(message_id) else None


def find_message_by_reference(session: Session, code: str) -> Message | None:
    """The message with that reference code, or None."""
    return session.scalar(select(Message).where(Message.reference_code == code))


def find_report(session: Session, report_id: str) -> Report | None:
    """The report version with that id, or None."""
    return session.get(Report, report_id) if _could_be_id(report_id) else None


def versions_of(session: Session, lineage_id: str) -> list[Report]:
    """Every version of a report, oldest first."""
    query = select(Report).where(Report.lineage_id == lineage_id).order_by(Report.version)
    return list(session.scalars(query))


def latest_version(session: Session, lineage_id: str) -> Report | None:
    """The newest version of a report, or None."""
    query = select(Report).where(Report.lineage_id == lineage_id).order_by(Report.version.desc()).limit(1)
    return session.scalar(query)


def latest_versions(session: Session, lineage_ids: Collection[str]) -> dict[str, int]:
    """The newest version number of each report lineage."""
    if not lineage_ids:
        return {}
    query = (
        select(Report.lineage_id, func.max(Report.version))
        .where(Report.lineage_id.in_(sorted(lineage_ids)))
        .group_by(Report.lineage_id)
    )
    return {lineage: int(version) for lineage, version in session.execute(query)}


def withdrawals_of(session: Session, lineage_ids: Collection[str]) -> dict[str, ReportWithdrawal]:
    """The withdrawals of these report lineages, by lineage."""
    if not lineage_ids:
        return {}
    query = select(ReportWithdrawal).where(ReportWithdrawal.lineage_id.in_(sorted(lineage_ids)))
    return {w.lineage_id: w for w in session.scalars(query)}


def lineages_by_message(session: Session, message_ids: Collection[str]) -> dict[str, list[str]]:
    """The report lineages derived from each message, oldest first."""
    if not message_ids:
        return {}
    query = (
        select(Report.message_id, Report.id)
        .where(Report.message_id.in_(sorted(message_ids)), Report.version == 1)
        .order_by(Report.created_at, Report.id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for message_id, lineage_id in session.execute(query):
        found[message_id].append(lineage_id)
    return dict(found)


def additions_of(session: Session, message_ids: Collection[str]) -> dict[str, list[str]]:
    """The messages added later to each of these messages (by reference code), oldest first."""
    if not message_ids:
        return {}
    # Sorted here, not by the database: with an ORDER BY received_at, SQLite's planner walks the
    # whole received_at index rather than the adds_to_message_id index (hundreds of ms at 100k).
    query = select(Message.adds_to_message_id, Message.id, Message.received_at).where(
        Message.adds_to_message_id.in_(sorted(message_ids))
    )
    found: dict[str, list[str]] = defaultdict(list)
    for original, addition, _ in sorted(session.execute(query), key=lambda row: (row[2], row[1])):
        found[str(original)].append(addition)
    return dict(found)


def submitters_of(session: Session, message_ids: Collection[str]) -> dict[str, tuple[str | None, str | None]]:
    """(submitting user, submitting party) of each message."""
    if not message_ids:
        return {}
    query = select(Message.id, Message.submitted_by_user_id, Message.submitter_party_id).where(
        Message.id.in_(sorted(message_ids))
    )
    return {mid: (user, party) for mid, user, party in session.execute(query)}


def party_name(session: Session, party_id: str) -> str | None:
    """The name of a registered party, or None when there is no such party."""
    return session.scalar(select(Party.name).where(Party.id == party_id))


def user_exists(session: Session, user_id: str) -> bool:
    """Whether a user account has that id (the system and the public have none)."""
    return session.get(User, user_id) is not None


def find_place(session: Session, place_id: str) -> Place | None:
    """The place with that id, or None."""
    return session.get(Place, place_id)


def incident_links(session: Session, lineage_ids: Collection[str]) -> dict[str, tuple[str, str]]:
    """(incident id, workflow stage) of the incident grouping each of these report lineages."""
    if not lineage_ids:
        return {}
    query = (
        select(_incident_report.c.report_lineage_id, _incident.c.id, _incident.c.stage)
        .join(_incident, _incident_report.c.incident_id == _incident.c.id)
        .where(_incident_report.c.report_lineage_id.in_(sorted(lineage_ids)))
    )
    return {str(lineage): (str(i), str(stage)) for lineage, i, stage in session.execute(query)}


def incident_publications(session: Session, lineage_ids: Collection[str]) -> list[tuple[str, str]]:
    """(incident id, publication level) of the incidents grouping these report lineages."""
    if not lineage_ids:
        return []
    query = (
        select(_incident.c.id, _incident.c.publication)
        .join(_incident_report, _incident_report.c.incident_id == _incident.c.id)
        .where(_incident_report.c.report_lineage_id.in_(sorted(lineage_ids)))
        .order_by(_incident.c.id)
    )
    return [(str(i), str(p)) for i, p in session.execute(query)]


def _state_clause(state: ReportState | None) -> ColumnElement[bool]:
    """Latest versions (current or withdrawn) by default; or the versions in one state."""
    newer = aliased(Report)
    latest = ~exists().where(newer.lineage_id == Report.lineage_id, newer.version > Report.version)
    withdrawn = exists().where(ReportWithdrawal.lineage_id == Report.lineage_id)
    if state is ReportState.SUPERSEDED:
        return ~latest
    if state is ReportState.CURRENT:
        return latest & ~withdrawn
    if state is ReportState.WITHDRAWN:
        return latest & withdrawn
    return latest


def page_of_reports(
    session: Session,
    *,
    where: ColumnElement[bool],
    page: PageRequest,
    state: ReportState | None = None,
    act_category: str | None = None,
    perpetrator_party_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    unlinked: bool = False,
    message_id: str | None = None,
    channel: str | None = None,
    party_id: str | None = None,
    stage: str | None = None,
    text: str | None = None,
    sort: str = "created",
    count: bool = True,
) -> Page[Report]:
    """Report versions the clause allows, newest first, filtered.

    `sort="received"` orders by the time their messages arrived (an inbox: it walks the index of
    message.received_at instead of sorting every report); `count=False` skips counting every match
    (the page's total is then what was seen, plus one when another page follows).
    """
    query: Select[Report] = (
        select(Report).join(Message, Message.id == Report.message_id).where(where, _state_clause(state))
    )
    if act_category:
        query = query.where(Report.act_category == act_category)
    if perpetrator_party_id:
        query = query.where(Report.perpetrator_party_id == perpetrator_party_id)
    if since is not None:
        query = query.where(Report.occurred_end >= since)
    if until is not None:
        query = query.where(Report.occurred_start < until)
    if unlinked:
        query = query.where(~exists().where(_incident_report.c.report_lineage_id == Report.lineage_id))
    if message_id:
        query = query.where(Report.message_id == message_id)
    if channel:
        query = query.where(Message.channel == channel)
    if party_id:
        query = query.where(
            or_(
                Report.source_party_id == party_id,
                Report.perpetrator_party_id == party_id,
                Report.target_party_id == party_id,
            )
        )
    if stage:
        grouped = (
            select(_incident_report.c.report_lineage_id)
            .join(_incident, _incident.c.id == _incident_report.c.incident_id)
            .where(_incident.c.stage == stage)
        )
        query = query.where(Report.lineage_id.in_(grouped))
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                *(
                    func.lower(col).like(pattern, escape="\\")
                    for col in (
                        Report.source_name,
                        Report.location_text,
                        Report.perpetrator_text,
                        Report.target_text,
                        Report.narrative,
                    )
                )
            )
        )
    order = (
        (Message.received_at.desc(), Report.id)
        if sort == "received"
        else (Report.created_at.desc(), Report.id)
    )
    if count:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(*order).offset(page.offset).limit(page.size)).all()
        return Page(items=rows, total=total, request=page)
    found = session.scalars(query.order_by(*order).offset(page.offset).limit(page.size + 1)).all()
    more = len(found) > page.size
    rows = found[: page.size]
    return Page(items=rows, total=page.offset + len(rows) + (1 if more else 0), request=page)


def page_of_messages(
    session: Session,
    *,
    where: ColumnElement[bool],
    page: PageRequest,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Message]:
    """Messages the clause allows, newest received first, filtered by channel and time of receipt."""
    query: Select[Message] = select(Message).where(where)
    if channel:
        query = query.where(Message.channel == channel)
    if since is not None:
        query = query.where(Message.received_at >= since)
    if until is not None:
        query = query.where(Message.received_at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Message.received_at.desc(), Message.id).offset(page.offset).limit(page.size)
    ).all()
    return Page(items=rows, total=total, request=page)
