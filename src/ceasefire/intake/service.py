"""Intake use cases: receive messages and reports, derive, correct and withdraw reports.

Reading them back (scoped to what the actor may see) lives in `ceasefire.intake.reads` and is
re-exported here, so callers find every intake use case in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.identity.rules import PUBLIC_ROLE, Permission, has_permission, is_party_scoped
from ceasefire.intake import repository, rules
from ceasefire.intake.claims import SourceDefault, report_values
from ceasefire.intake.models import Message, Report, ReportWithdrawal
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
    visible_report,
)
from ceasefire.intake.schemas import ContactRead, MessageCreate, ReportClaim, ReportSubmission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.crypto import Cipher
from ceasefire.kernel.errors import Conflict, Forbidden
from ceasefire.kernel.ids import new_id

__all__ = [
    "Accepted",
    "accept_message",
    "accept_report",
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
    "submit_message",
    "submit_report",
    "view_contact",
    "withdraw_report",
]

T = TypeVar("T")

# The source of an anonymous report that names nobody.
PUBLIC_SOURCE = "anonymous member of the public"
# The claim's columns, as audited and compared between versions.
CLAIM_COLUMNS = (
    "source_party_id",
    "source_name",
    "stance",
    "occurred_at",
    "time_precision",
    "occurred_start",
    "occurred_end",
    "place_id",
    "location_text",
    "latitude",
    "longitude",
    "location_precision",
    "act_category",
    "event_type",
    "sub_event_type",
    "perpetrator_party_id",
    "perpetrator_text",
    "target_party_id",
    "target_text",
    *(f"{kind}_{end}" for kind in rules.CASUALTY_KINDS for end in ("min", "max")),
    "narrative",
)


@dataclass(frozen=True, slots=True)
class Accepted(Generic[T]):
    """What a submission stored, or what an earlier identical submission stored (a replay)."""

    item: T
    replayed: bool


def _require(actor: Actor, permission: Permission) -> None:
    if not has_permission(actor.role, permission):
        raise Forbidden(f"your role may not {permission.value}", code="permission_denied")


def _submitter_key(actor: Actor) -> str:
    """The scope of idempotency keys: each user's own, and one shared by the anonymous public."""
    return PUBLIC_ROLE if actor.role == PUBLIC_ROLE else actor.id


def _user_id(session: Session, actor: Actor) -> str | None:
    """The actor's user account, if it has one (the system and the public have none)."""
    return actor.id if repository.user_exists(session, actor.id) else None


def _as_given(data: MessageCreate | ReportSubmission) -> dict[str, Any]:
    """The request as the client sent it, minus the contact details (stored encrypted, apart)."""
    return data.model_dump(mode="json", exclude={"contact"}, exclude_unset=True)


def _digest(kind: str, data: MessageCreate | ReportSubmission) -> str:
    # The contact is left out of the digest: a digest of a phone number and known text could be
    # reversed by trying every number, and the contact must only ever be stored encrypted.
    return rules.request_hash(kind, {**_as_given(data), "has_contact": data.contact is not None})


def _replay(session: Session, *, actor: Actor, key: str | None, digest: str) -> Message | None:
    """The message stored earlier under this idempotency key (the same request), or None."""
    if key is None:
        return None
    stored = repository.find_by_idempotency_key(session, _submitter_key(actor), key)
    if stored is not None:
        rules.check_replay(stored.request_hash, digest, key=key)
    return stored


def _message_values(
    session: Session,
    data: MessageCreate | ReportSubmission,
    *,
    actor: Actor,
    cipher: Cipher | None,
    received_at: datetime,
    key: str | None,
    digest: str,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """The row of a new message (the contact encrypted)."""
    if data.contact is not None and cipher is None:
        raise Conflict("no encryption key is configured for contact details", code="encryption_unavailable")
    return {
        "id": new_id(),
        "reference_code": rules.new_reference_code(),
        "channel": data.channel.value,
        "received_at": received_at,
        "submitted_by_user_id": _user_id(session, actor),
        "submitter_party_id": actor.party_id if is_party_scoped(actor.role) else None,
        "submitter_key": _submitter_key(actor),
        "idempotency_key": key,
        "request_hash": digest,
        "submitter_name": data.submitter_name,
        "contact_encrypted": cipher.encrypt(data.contact) if cipher is not None and data.contact else None,
        "language": data.language,
        "subject": data.subject,
        "body": data.body,
        "payload": payload,
    }


def _store_message(session: Session, values: dict[str, Any]) -> Message | None:
    """Insert the message once; if a concurrent retry stored the same key first, return that one.

    One statement does it (an insert that skips on any unique conflict): the key's unique
    constraint settles races between retries, and a clash of reference codes draws another code.
    """
    key = values["idempotency_key"]
    for _ in range(8):
        if repository.insert_message(session, values):
            return None
        if key is not None:
            stored = repository.find_by_idempotency_key(session, values["submitter_key"], key)
            if stored is not None:
                rules.check_replay(stored.request_hash, values["request_hash"], key=key)
                return stored
        values = {**values, "reference_code": rules.new_reference_code()}
    raise Conflict("no free reference code could be drawn; try again", code="reference_codes_exhausted")


def _audit_message(session: Session, values: dict[str, Any], actor: Actor, *, flush: bool = True) -> None:
    record(
        session,
        flush=flush,
        actor=actor,
        action="message.create",
        entity_type="message",
        entity_id=values["id"],
        changes={
            "reference_code": values["reference_code"],
            "channel": values["channel"],
            "received_at": values["received_at"],
            "submitter_party_id": values["submitter_party_id"],
            "has_contact": values["contact_encrypted"] is not None,
            "idempotency_key": values["idempotency_key"],
        },
    )


def accept_message(
    session: Session,
    *,
    data: MessageCreate,
    actor: Actor,
    cipher: Cipher | None,
    idempotency_key: str | None = None,
    clock: Clock = utc_now,
) -> Accepted[Message]:
    """Store a raw message as received, or answer a retry with the message stored the first time."""
    _require(actor, Permission.REPORT_SUBMIT)
    digest = _digest("message", data)
    stored = _replay(session, actor=actor, key=idempotency_key, digest=digest)
    if stored is not None:
        return Accepted(stored, replayed=True)
    rules.check_message_content(data.subject, data.body, data.payload)
    received_at = rules.check_received_at(data.received_at, now=clock())
    values = _message_values(
        session,
        data,
        actor=actor,
        cipher=cipher,
        received_at=received_at,
        key=idempotency_key,
        digest=digest,
        payload=data.payload,
    )
    raced = _store_message(session, values)
    if raced is not None:
        return Accepted(raced, replayed=True)
    _audit_message(session, values, actor)
    message = repository.find_message(session, values["id"])
    assert message is not None, "the message was just stored"
    return Accepted(message, replayed=False)


def submit_message(
    session: Session,
    *,
    data: MessageCreate,
    actor: Actor,
    cipher: Cipher | None,
    idempotency_key: str | None = None,
    clock: Clock = utc_now,
) -> Message:
    """Store a raw message (a call note, an SMS, an email, an article) exactly as received."""
    return accept_message(
        session, data=data, actor=actor, cipher=cipher, idempotency_key=idempotency_key, clock=clock
    ).item


def _new_report(
    session: Session,
    *,
    message_id: str,
    values: dict[str, Any],
    actor: Actor,
    previous: Report | None = None,
    note: str | None = None,
) -> Report:
    report_id = new_id()
    report = Report(
        id=report_id,
        lineage_id=previous.lineage_id if previous else report_id,
        version=previous.version + 1 if previous else 1,
        supersedes_id=previous.id if previous else None,
        message_id=message_id,
        created_by_user_id=_user_id(session, actor),
        correction_note=note,
        **values,
    )
    session.add(report)
    return report


def _audit_report(session: Session, report: Report, actor: Actor, *, derived: bool = False) -> None:
    changes: dict[str, Any] = {"message_id": report.message_id, "version": report.version}
    changes.update({name: getattr(report, name) for name in CLAIM_COLUMNS})
    if derived:
        changes["derived_from_message"] = True
    record(
        session,
        actor=actor,
        action="report.create",
        entity_type="report",
        entity_id=report.id,
        changes=changes,
    )


def _submitter_as_source(actor: Actor, submitter_name: str | None) -> SourceDefault:
    """Who the source is when a submission does not say: the party, the sender, or the user."""
    if is_party_scoped(actor.role):
        return SourceDefault(actor.party_id, None)
    if actor.role == PUBLIC_ROLE:
        return SourceDefault(None, submitter_name or PUBLIC_SOURCE)
    return SourceDefault(None, submitter_name or actor.username)


def _report_of(session: Session, message: Message) -> Report:
    """The current version of the (first) report a stored submission made."""
    lineages = repository.lineages_by_message(session, [message.id]).get(message.id)
    if not lineages:
        raise Conflict(
            "the idempotency key was used for a message without a report", code="idempotency_mismatch"
        )
    return current_version(session, lineages[0])


def accept_report(
    session: Session,
    *,
    data: ReportSubmission,
    actor: Actor,
    cipher: Cipher | None,
    idempotency_key: str | None = None,
    clock: Clock = utc_now,
) -> Accepted[Report]:
    """Store a submission (message + version 1 of its report), or answer a retry with what was stored."""
    _require(actor, Permission.REPORT_SUBMIT)
    digest = _digest("report", data)
    stored = _replay(session, actor=actor, key=idempotency_key, digest=digest)
    if stored is not None:
        return Accepted(_report_of(session, stored), replayed=True)
    now = clock()
    received_at = rules.check_received_at(data.received_at, now=now)
    source = _submitter_as_source(actor, data.submitter_name)
    values = report_values(
        session, data, actor=actor, received_at=received_at, now=now, default_source=source
    )
    row = _message_values(
        session,
        data,
        actor=actor,
        cipher=cipher,
        received_at=received_at,
        key=idempotency_key,
        digest=digest,
        payload=_as_given(data),
    )
    raced = _store_message(session, row)
    if raced is not None:
        return Accepted(_report_of(session, raced), replayed=True)
    report = _new_report(session, message_id=row["id"], values=values, actor=actor)
    _audit_message(session, row, actor, flush=False)  # flushed with the report and its entry
    _audit_report(session, report, actor)
    return Accepted(report, replayed=False)


def submit_report(
    session: Session,
    *,
    data: ReportSubmission,
    actor: Actor,
    cipher: Cipher | None,
    idempotency_key: str | None = None,
    clock: Clock = utc_now,
) -> Report:
    """Store a structured submission: the message as received and version 1 of its report."""
    return accept_report(
        session, data=data, actor=actor, cipher=cipher, idempotency_key=idempotency_key, clock=clock
    ).item


def derive_report(
    session: Session, *, message_id: str, data: ReportClaim, actor: Actor, clock: Clock = utc_now
) -> Report:
    """Structure a claim found in a raw message (an analyst's reading of a call note, say)."""
    _require(actor, Permission.INTAKE_STRUCTURE)
    message = get_message(session, message_id=message_id, actor=actor)
    source = SourceDefault(message.submitter_party_id, message.submitter_name)
    values = report_values(
        session, data, actor=actor, received_at=message.received_at, now=clock(), default_source=source
    )
    report = _new_report(session, message_id=message.id, values=values, actor=actor)
    _audit_report(session, report, actor, derived=True)
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
    report = _new_report(
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
        withdrawn_by_user_id=_user_id(session, actor),
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
    _require(actor, Permission.SENSITIVE_READ)
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
