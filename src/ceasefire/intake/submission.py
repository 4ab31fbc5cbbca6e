"""Receiving: raw messages, and structured submissions (a message and version 1 of its report).

A submission is stored once per idempotency key: a retry with the same request is answered with
what the first one stored, and the same key with another request is refused.
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
from ceasefire.intake.models import Message, Report
from ceasefire.intake.reads import current_version, submission_by_code
from ceasefire.intake.schemas import AdditionCreate, MessageCreate, ReportSubmission
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.crypto import Cipher
from ceasefire.kernel.errors import Conflict, Forbidden, Invalid
from ceasefire.kernel.ids import new_id

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


def require_permission(actor: Actor, permission: Permission) -> None:
    """Refuse an actor whose role lacks the permission (the routes check too; the CLI relies on this)."""
    if not has_permission(actor.role, permission):
        raise Forbidden(f"your role may not {permission.value}", code="permission_denied")


def _submitter_key(actor: Actor) -> str:
    """The scope of idempotency keys: each user's own, and one shared by the anonymous public."""
    return PUBLIC_ROLE if actor.role == PUBLIC_ROLE else actor.id


def user_id_of(session: Session, actor: Actor) -> str | None:
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
        "submitted_by_user_id": user_id_of(session, actor),
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
            **(
                {"adds_to_message_id": values["adds_to_message_id"]} if "adds_to_message_id" in values else {}
            ),
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
    require_permission(actor, Permission.REPORT_SUBMIT)
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


def new_report(
    session: Session,
    *,
    message_id: str,
    values: dict[str, Any],
    actor: Actor,
    previous: Report | None = None,
    note: str | None = None,
) -> Report:
    """Add a report version: the first of a new lineage, or the one after `previous`."""
    report_id = new_id()
    report = Report(
        id=report_id,
        lineage_id=previous.lineage_id if previous else report_id,
        version=previous.version + 1 if previous else 1,
        supersedes_id=previous.id if previous else None,
        message_id=message_id,
        created_by_user_id=user_id_of(session, actor),
        correction_note=note,
        **values,
    )
    session.add(report)
    return report


def audit_new_report(session: Session, report: Report, actor: Actor, *, derived: bool = False) -> None:
    """Record a new report in the audit trail with its claim (flushing the pending rows)."""
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
    require_permission(actor, Permission.REPORT_SUBMIT)
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
    report = new_report(session, message_id=row["id"], values=values, actor=actor)
    _audit_message(session, row, actor, flush=False)  # flushed with the report and its entry
    audit_new_report(session, report, actor)
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


def add_to_submission(
    session: Session,
    *,
    reference_code: str,
    data: AdditionCreate,
    actor: Actor,
    with_files: bool = False,
    clock: Clock = utc_now,
) -> Message:
    """Keep what a sender adds later by a submission's reference code: a new web-form message.

    The submission stays as it was received; the addition is a message of its own that names it
    (`adds_to_message_id`), read with it by the analysts. An unknown code is answered as the receipt
    answers it (404); a submission whose every report was withdrawn takes no more (409). Text may be
    left out only when files come with the addition (`with_files`; the caller stores them).
    """
    require_permission(actor, Permission.REPORT_SUBMIT)
    original = submission_by_code(session, reference_code)
    if data.body is None and not with_files:
        raise Invalid("write what you want to add, or attach a file", code="empty_addition", field="body")
    lineages = repository.lineages_by_message(session, [original.id]).get(original.id, [])
    if lineages and len(repository.withdrawals_of(session, lineages)) == len(lineages):
        raise Conflict(
            "the report was withdrawn and takes no additions; send a new report", code="report_withdrawn"
        )
    values: dict[str, Any] = {
        "id": new_id(),
        "reference_code": rules.new_reference_code(),
        "channel": Channel.WEB_FORM.value,
        "received_at": clock(),
        "submitted_by_user_id": user_id_of(session, actor),
        "submitter_party_id": actor.party_id if is_party_scoped(actor.role) else None,
        "submitter_key": _submitter_key(actor),
        "idempotency_key": None,
        "request_hash": None,
        "submitter_name": None,
        "contact_encrypted": None,
        "language": data.language,
        "subject": None,
        "body": data.body,
        "payload": {"adds_to_reference_code": original.reference_code, "with_files": with_files},
        "adds_to_message_id": original.id,
    }
    _store_message(session, values)
    _audit_message(session, values, actor)
    message = repository.find_message(session, values["id"])
    assert message is not None, "the message was just stored"
    return message
