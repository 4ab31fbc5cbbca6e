"""Every query of the evidence domain, with the visibility rules applied in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from ceasefire.evidence.models import CustodyEvent, Evidence, ReportEvidence
from ceasefire.evidence.rules import EvidenceKind
from ceasefire.identity.models import User
from ceasefire.identity.rules import PUBLIC_ROLE, Permission, has_permission, is_party_scoped
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.kernel.actor import Actor


def sees_all(actor: Actor) -> bool:
    """The secretariat (and the system) see every message, report and evidence item."""
    return has_permission(actor.role, Permission.INTAKE_READ_ALL)


def _own_messages(actor: Actor) -> ColumnElement[bool]:
    """Messages the actor submitted, and for a party representative those of its party."""
    if actor.role == PUBLIC_ROLE:
        return false()
    mine = Message.submitted_by_user_id == actor.id
    if is_party_scoped(actor.role) and actor.party_id is not None:
        return or_(mine, Message.submitter_party_id == actor.party_id)
    return mine


def message_visible(session: Session, message_id: str, actor: Actor) -> bool:
    """Whether the message exists and the actor may see it."""
    query = select(func.count()).select_from(Message).where(Message.id == message_id)
    if not sees_all(actor):
        query = query.where(_own_messages(actor))
    return session.scalar(query) == 1


def find_visible_report(session: Session, report_id: str, actor: Actor) -> Report | None:
    """The report version with that id if the actor may see it (through its message), else None."""
    query = select(Report).where(Report.id == report_id)
    if not sees_all(actor):
        query = query.where(Report.message_id.in_(select(Message.id).where(_own_messages(actor))))
    return session.scalar(query)


def lineage_withdrawn(session: Session, lineage_id: str) -> bool:
    """Whether the report lineage has been withdrawn by its submitter."""
    query = (
        select(func.count()).select_from(ReportWithdrawal).where(ReportWithdrawal.lineage_id == lineage_id)
    )
    return (session.scalar(query) or 0) > 0


def evidence_visible_to(actor: Actor) -> ColumnElement[bool]:
    """Evidence the actor may see: all for the secretariat; else what it (or its party) uploaded
    or what came with, or is cited by a report of, a message it may see."""
    if sees_all(actor):
        return true()
    if actor.role == PUBLIC_ROLE:
        return false()
    own_messages = select(Message.id).where(_own_messages(actor))
    cited = (
        select(ReportEvidence.evidence_id)
        .join(Report, Report.lineage_id == ReportEvidence.report_lineage_id)
        .where(Report.message_id.in_(own_messages))
    )
    clauses = [
        Evidence.uploaded_by_user_id == actor.id,
        Evidence.message_id.in_(own_messages),
        Evidence.id.in_(cited),
    ]
    if is_party_scoped(actor.role) and actor.party_id is not None:
        party_users = select(User.id).where(User.party_id == actor.party_id)
        clauses.append(Evidence.uploaded_by_user_id.in_(party_users))
    return or_(*clauses)


def find_visible_evidence(session: Session, evidence_id: str, actor: Actor) -> Evidence | None:
    """The evidence item if it exists and the actor may see it, else None."""
    return session.scalar(select(Evidence).where(Evidence.id == evidence_id, evidence_visible_to(actor)))


def user_exists(session: Session, user_id: str) -> bool:
    """Whether an account with that id exists (the system and the public have none)."""
    return session.get(User, user_id) is not None


def custody_of(session: Session, evidence_id: str) -> Sequence[CustodyEvent]:
    """The custody log of an evidence item, in the order it was written."""
    query = select(CustodyEvent).where(CustodyEvent.evidence_id == evidence_id).order_by(CustodyEvent.id)
    return session.scalars(query).all()


def link_exists(session: Session, lineage_id: str, evidence_id: str) -> bool:
    """Whether the report lineage already cites the evidence."""
    query = select(func.count()).where(
        ReportEvidence.report_lineage_id == lineage_id, ReportEvidence.evidence_id == evidence_id
    )
    return session.scalar(query) == 1


def citing_lineages(session: Session, evidence_id: str, actor: Actor) -> list[str]:
    """The report lineages citing the evidence that the actor may see."""
    query = select(ReportEvidence.report_lineage_id).where(ReportEvidence.evidence_id == evidence_id)
    if not sees_all(actor):
        visible = select(Report.lineage_id).where(
            Report.message_id.in_(select(Message.id).where(_own_messages(actor)))
        )
        query = query.where(ReportEvidence.report_lineage_id.in_(visible))
    return list(session.scalars(query.order_by(ReportEvidence.id)).all())


def evidence_of_lineage(session: Session, lineage_id: str) -> Sequence[Evidence]:
    """The evidence a report lineage cites, in the order it was cited."""
    query = (
        select(Evidence)
        .join(ReportEvidence, ReportEvidence.evidence_id == Evidence.id)
        .where(ReportEvidence.report_lineage_id == lineage_id)
        .order_by(ReportEvidence.id)
    )
    return session.scalars(query).all()


def stored_files(session: Session) -> Sequence[Evidence]:
    """Every file evidence item, oldest first."""
    query = (
        select(Evidence)
        .where(Evidence.kind == EvidenceKind.FILE.value)
        .order_by(Evidence.created_at, Evidence.id)
    )
    return session.scalars(query).all()
