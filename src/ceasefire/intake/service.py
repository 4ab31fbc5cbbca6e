"""Intake use cases: receive messages and reports, derive, correct and withdraw reports.

Receiving lives in `ceasefire.intake.submission` and reading back (scoped to what the actor may
see) in `ceasefire.intake.reads`; both are re-exported here, so callers find every intake use case
in one place.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.identity.rules import Permission
from ceasefire.intake import repository, rules
from ceasefire.intake.claims import SourceDefault, report_values
from ceasefire.intake.models import Report, ReportWithdrawal
from ceasefire.intake.reads import (
    current_version,
    get_message,
    get_report,
    list_messages,
    list_reports,
    read_message,
    read_report,
    receipt,
    receipt_status,
    report_reads,
    report_state,
    report_versions,
    submission_by_code,
    submission_report,
    visible_report,
)
from ceasefire.intake.schemas import ContactRead, ReportClaim
from ceasefire.intake.submission import (
    CLAIM_COLUMNS,
    PUBLIC_SOURCE,
    Accepted,
    accept_message,
    accept_report,
    add_to_submission,
    audit_new_report,
    new_report,
    require_permission,
    submit_message,
    submit_report,
    user_id_of,
)
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.crypto import Cipher
from ceasefire.kernel.errors import Conflict, Forbidden

__all__ = [
    "PUBLIC_SOURCE",
    "Accepted",
    "accept_message",
    "accept_report",
    "add_to_submission",
    "correct_report",
    "current_version",
    "derive_report",
    "get_message",
    "get_report",
    "list_messages",
    "list_reports",
    "read_message",
    "read_report",
    "receipt",
    "receipt_status",
    "report_reads",
    "report_state",
    "report_versions",
    "submission_by_code",
    "submission_report",
    "submit_message",
    "submit_report",
    "view_contact",
    "withdraw_report",
]


def derive_report(
    session: Session, *, message_id: str, data: ReportClaim, actor: Actor, clock: Clock = utc_now
) -> Report:
    """Structure a claim found in a raw message (an analyst's reading of a call note, say)."""
    require_permission(actor, Permission.INTAKE_STRUCTURE)
    message = get_message(session, message_id=message_id, actor=actor)
    source = SourceDefault(message.submitter_party_id, message.submitter_name)
    values = report_values(
        session, data, actor=actor, received_at=message.received_at, now=clock(), default_source=source
    )
    report = new_report(session, message_id=message.id, values=values, actor=actor)
    audit_new_report(session, report, actor, derived=True)
    return report


def correct_report(
    session: Session,
    *,
    report_id: str,
    data: ReportClaim,
    note: str,
    actor: Actor,
    expected_version: int | None = None,
    clock: Clock = utc_now,
) -> Report:
    """Correct a report: the claim becomes a new version; every earlier version stays as it was."""
    named = visible_report(session, report_id=report_id, actor=actor)
    current = current_version(session, named.lineage_id)
    message = get_message(session, message_id=current.message_id, actor=actor)
    if not rules.may_correct(actor, submitted_by_user_id=message.submitted_by_user_id):
        raise Forbidden("only the submitter or an analyst may correct a report", code="permission_denied")
    if repository.withdrawals_of(session, [current.lineage_id]):
        raise Conflict("the report was withdrawn; it can no longer be corrected", code="report_withdrawn")
    # Correcting an older version, or expecting another one, would overwrite a newer claim unseen.
    stale = named.id != current.id or (expected_version is not None and expected_version != current.version)
    if stale:
        raise Conflict(
            f"the report is at version {current.version}; correct the current version",
            code="version_conflict",
            field="expected_version" if expected_version is not None else "report_id",
        )
    source = SourceDefault(current.source_party_id, current.source_name)
    values = report_values(
        session, data, actor=actor, received_at=message.received_at, now=clock(), default_source=source
    )
    report = new_report(
        session, message_id=message.id, values=values, actor=actor, previous=current, note=note
    )
    changed = {
        name: [getattr(current, name), values[name]]
        for name in CLAIM_COLUMNS
        if getattr(current, name) != values[name]
    }
    record(
        session,
        actor=actor,
        action="report.correct",
        entity_type="report",
        entity_id=report.lineage_id,
        changes={"version": report.version, "report_id": report.id, "changed": changed},
        reason=note,
    )
    return report


def withdraw_report(
    session: Session, *, report_id: str, reason: str, actor: Actor, clock: Clock = utc_now
) -> ReportWithdrawal:
    """Withdraw a report: it stays, every version of it, marked withdrawn."""
    current = current_version(session, visible_report(session, report_id=report_id, actor=actor).lineage_id)
    message = get_message(session, message_id=current.message_id, actor=actor)
    allowed = rules.may_withdraw(
        actor,
        submitted_by_user_id=message.submitted_by_user_id,
        submitter_party_id=message.submitter_party_id,
    )
    if not allowed:
        raise Forbidden(
            "only the submitter, its party's representative or an admin may withdraw a report",
            code="permission_denied",
        )
    if repository.withdrawals_of(session, [current.lineage_id]):
        raise Conflict("the report is already withdrawn", code="already_withdrawn")
    withdrawal = ReportWithdrawal(
        lineage_id=current.lineage_id,
        withdrawn_at=clock(),
        withdrawn_by_user_id=user_id_of(session, actor),
        reason=reason,
    )
    session.add(withdrawal)
    record(
        session,
        actor=actor,
        action="report.withdraw",
        entity_type="report",
        entity_id=current.lineage_id,
        changes={"version": current.version},
        reason=reason,
    )
    return withdrawal


def view_contact(session: Session, *, message_id: str, actor: Actor, cipher: Cipher) -> ContactRead:
    """The sender's contact details, decrypted for a role allowed sensitive data; every view is audited."""
    message = get_message(session, message_id=message_id, actor=actor)
    require_permission(actor, Permission.SENSITIVE_READ)
    encrypted = message.contact_encrypted
    contact = cipher.decrypt(encrypted) if encrypted is not None else None
    record(
        session,
        actor=actor,
        action="message.view_contact",
        entity_type="message",
        entity_id=message.id,
        changes={"has_contact": contact is not None},
    )
    return ContactRead(message_id=message.id, contact=contact)
