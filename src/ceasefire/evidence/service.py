"""Evidence use cases: receive files and URLs, cite them in reports, read them with fixity checks.

Each upload is its own evidence item (its own collector, capture time, message and custody log);
the same bytes uploaded twice are stored once on disk and shared by both items. The file is
written before the database rows: if the transaction then fails, the file stays in the store,
harmlessly, under its SHA-256, and no evidence row refers to it until the bytes are sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.evidence import repository
from ceasefire.evidence.errors import FixityFailed
from ceasefire.evidence.models import CustodyEvent, Evidence, ReportEvidence
from ceasefire.evidence.rules import (
    CustodyAction,
    EvidenceKind,
    Fixity,
    check_captured_at,
    check_size,
    check_type,
    check_url,
    digest,
    sanitize_filename,
)
from ceasefire.evidence.schemas import (
    CustodyEventRead,
    EvidenceRead,
    EvidenceSummary,
    FixityProblem,
    FixityRead,
    VerifyReport,
)
from ceasefire.evidence.store import EvidenceStore
from ceasefire.intake.models import Message, Report
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.ids import new_id

log = logging.getLogger("ceasefire.evidence")

Progress = Callable[[int, int], None]
# The collector of a file a member of the public sent with a report.
SUBMITTED_BY_SENDER = "the sender (public report)"


def get_evidence(session: Session, *, evidence_id: str, actor: Actor, field: str | None = None) -> Evidence:
    """The evidence item, or NotFound when it does not exist or the actor may not see it."""
    evidence = repository.find_visible_evidence(session, evidence_id, actor)
    if evidence is None:
        raise NotFound.of("evidence", evidence_id, field=field)
    return evidence


def _visible_report(session: Session, report_id: str, actor: Actor, *, field: str) -> Report:
    """A report version the actor may see, whose lineage has not been withdrawn."""
    report = repository.find_visible_report(session, report_id, actor)
    if report is None:
        raise NotFound.of("report", report_id, field=field)
    if repository.lineage_withdrawn(session, report.lineage_id):
        raise Conflict(f"report {report_id} has been withdrawn", code="report_withdrawn", field=field)
    return report


def _check_message(session: Session, message_id: str | None, actor: Actor) -> None:
    if message_id is not None and not repository.message_visible(session, message_id, actor):
        raise NotFound.of("message", message_id, field="message_id")


def _check_collector(collector: str) -> str:
    name = collector.strip()
    if not name:
        raise Invalid("name who collected the evidence", code="missing_collector", field="collector")
    return name


def _custody(
    session: Session,
    evidence_id: str,
    *,
    actor: Actor,
    action: CustodyAction,
    at: datetime,
    fixity_ok: bool | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Append one step to an evidence item's custody log."""
    event = CustodyEvent(
        evidence_id=evidence_id,
        at=at,
        actor=actor.label,
        action=action.value,
        fixity_ok=fixity_ok,
        note=note,
        detail=detail or {},
    )
    session.add(event)
    return event


def _new_evidence(session: Session, *, actor: Actor, **values: Any) -> Evidence:
    uploader = actor.id if repository.user_exists(session, actor.id) else None
    evidence = Evidence(id=new_id(), uploaded_by_user_id=uploader, **values)
    session.add(evidence)
    session.flush()
    return evidence


def _link(
    session: Session, evidence: Evidence, report: Report, *, actor: Actor, at: datetime
) -> ReportEvidence:
    if repository.link_exists(session, report.lineage_id, evidence.id):
        raise Conflict(
            f"report {report.lineage_id} already cites evidence {evidence.id}", code="already_linked"
        )
    link = ReportEvidence(report_lineage_id=report.lineage_id, evidence_id=evidence.id)
    session.add(link)
    _custody(
        session,
        evidence.id,
        actor=actor,
        action=CustodyAction.LINKED,
        at=at,
        detail={"report_lineage_id": report.lineage_id},
    )
    record(
        session,
        actor=actor,
        action="evidence.link",
        entity_type="evidence",
        entity_id=evidence.id,
        changes={"report_lineage_id": report.lineage_id},
    )
    session.flush()
    return link


def store_file(
    session: Session,
    *,
    content: bytes,
    filename: str | None,
    declared_type: str | None,
    collector: str,
    captured_at: datetime,
    actor: Actor,
    store: EvidenceStore,
    allowed_types: Collection[str],
    max_bytes: int,
    message_id: str | None = None,
    report_id: str | None = None,
    description: str | None = None,
    clock: Clock = utc_now,
) -> Evidence:
    """Receive a file: check it, store it by SHA-256 (once), record it and its custody, cite it."""
    now = clock()
    check_size(len(content), max_bytes=max_bytes)
    check_type(content, declared=declared_type, allowed=allowed_types)
    check_captured_at(captured_at, now=now)
    _check_collector(collector)
    _check_message(session, message_id, actor)
    report = _visible_report(session, report_id, actor, field="report_id") if report_id else None
    return _receive_file(
        session,
        content=content,
        filename=filename,
        declared_type=declared_type,
        collector=collector,
        captured_at=captured_at,
        actor=actor,
        store=store,
        allowed_types=allowed_types,
        max_bytes=max_bytes,
        message_id=message_id,
        report=report,
        description=description,
        now=now,
    )


def store_submitted_file(
    session: Session,
    *,
    content: bytes,
    filename: str | None,
    declared_type: str | None,
    message: Message,
    report: Report | None,
    actor: Actor,
    store: EvidenceStore,
    allowed_types: Collection[str],
    max_bytes: int,
    field: str = "file",
    clock: Clock = utc_now,
) -> Evidence:
    """Receive a file sent with a submission (or an addition) stored in this very transaction.

    The anonymous sender may not read its own message back, so the caller hands over the message
    and the report it just stored instead of their ids; the checks on the file are those of any
    upload (size, type sniffed from the bytes). Collected by the sender, captured when received.
    """
    now = clock()
    check_size(len(content), max_bytes=max_bytes, field=field)
    check_type(content, declared=declared_type, allowed=allowed_types, field=field)
    return _receive_file(
        session,
        content=content,
        filename=filename,
        declared_type=declared_type,
        collector=SUBMITTED_BY_SENDER,
        captured_at=message.received_at,
        actor=actor,
        store=store,
        allowed_types=allowed_types,
        max_bytes=max_bytes,
        message_id=message.id,
        report=report,
        description=None,
        now=now,
    )


def _receive_file(
    session: Session,
    *,
    content: bytes,
    filename: str | None,
    declared_type: str | None,
    collector: str,
    captured_at: datetime,
    actor: Actor,
    store: EvidenceStore,
    allowed_types: Collection[str],
    max_bytes: int,
    message_id: str | None,
    report: Report | None,
    description: str | None,
    now: datetime,
) -> Evidence:
    """Store checked bytes once by SHA-256, record the item and its custody, and cite it."""
    check_size(len(content), max_bytes=max_bytes)
    verdict = check_type(content, declared=declared_type, allowed=allowed_types)
    captured = check_captured_at(captured_at, now=now)
    collector = _check_collector(collector)
    name = sanitize_filename(filename)
    stored = store.put(content)
    evidence = _new_evidence(
        session,
        actor=actor,
        kind=EvidenceKind.FILE.value,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        media_type=verdict.media_type,
        declared_media_type=verdict.declared,
        original_filename=name,
        captured_at=captured,
        collector=collector,
        message_id=message_id,
        description=description,
    )
    received = {"filename": name, "declared_type": verdict.declared, "size_bytes": stored.size_bytes}
    _custody(session, evidence.id, actor=actor, action=CustodyAction.RECEIVED, at=now, detail=received)
    kept = {"sha256": stored.sha256, "media_type": verdict.media_type, "type_mismatch": verdict.mismatch}
    _custody(
        session, evidence.id, actor=actor, action=CustodyAction.STORED, at=now, fixity_ok=True, detail=kept
    )
    changes = {**received, **kept, "collector": collector, "captured_at": captured, "message_id": message_id}
    # Whether the bytes were already stored is for the audit trail only: telling the uploader would
    # confirm that somebody else holds the same file.
    changes["file_already_stored"] = not stored.created
    record(
        session,
        actor=actor,
        action="evidence.store",
        entity_type="evidence",
        entity_id=evidence.id,
        changes=changes,
    )
    if report is not None:
        _link(session, evidence, report, actor=actor, at=now)
    session.flush()
    return evidence


def add_url(
    session: Session,
    *,
    url: str,
    collector: str,
    captured_at: datetime,
    actor: Actor,
    message_id: str | None = None,
    report_id: str | None = None,
    description: str | None = None,
    clock: Clock = utc_now,
) -> Evidence:
    """Record a reference to evidence published at an http(s) URL (nothing is fetched)."""
    now = clock()
    address = check_url(url)
    captured = check_captured_at(captured_at, now=now)
    collector = _check_collector(collector)
    _check_message(session, message_id, actor)
    report = _visible_report(session, report_id, actor, field="report_id") if report_id else None
    evidence = _new_evidence(
        session,
        actor=actor,
        kind=EvidenceKind.URL.value,
        source_url=address,
        captured_at=captured,
        collector=collector,
        message_id=message_id,
        description=description,
    )
    _custody(
        session, evidence.id, actor=actor, action=CustodyAction.RECEIVED, at=now, detail={"url": address}
    )
    changes = {"url": address, "collector": collector, "captured_at": captured, "message_id": message_id}
    record(
        session,
        actor=actor,
        action="evidence.add_url",
        entity_type="evidence",
        entity_id=evidence.id,
        changes=changes,
    )
    if report is not None:
        _link(session, evidence, report, actor=actor, at=now)
    session.flush()
    return evidence


def link_to_report(
    session: Session, *, evidence_id: str, report_lineage_id: str, actor: Actor, clock: Clock = utc_now
) -> ReportEvidence:
    """Cite evidence the actor may see in a report (any version id names its lineage) it may see."""
    report = _visible_report(session, report_lineage_id, actor, field="report_id")
    evidence = get_evidence(session, evidence_id=evidence_id, actor=actor, field="evidence_id")
    return _link(session, evidence, report, actor=actor, at=clock())


def list_evidence(session: Session, *, report_id: str, actor: Actor) -> list[Evidence]:
    """The evidence a report lineage cites (visible with the report; withdrawn reports included)."""
    report = repository.find_visible_report(session, report_id, actor)
    if report is None:
        raise NotFound.of("report", report_id)
    return list(repository.evidence_of_lineage(session, report.lineage_id))


def custody_log(session: Session, *, evidence_id: str, actor: Actor) -> list[CustodyEvent]:
    """The custody log of evidence the actor may see, oldest step first."""
    evidence = get_evidence(session, evidence_id=evidence_id, actor=actor)
    return list(repository.custody_of(session, evidence.id))


def _last_fixity(events: list[CustodyEvent]) -> FixityRead | None:
    checks = [e for e in events if e.fixity_ok is not None]
    if not checks:
        return None
    last = checks[-1]
    return FixityRead(ok=bool(last.fixity_ok), checked_at=last.at, checked_by=last.actor, action=last.action)


def read_evidence(session: Session, *, evidence_id: str, actor: Actor) -> EvidenceRead:
    """Evidence metadata with the reports citing it, its last fixity check and its custody log."""
    evidence = get_evidence(session, evidence_id=evidence_id, actor=actor)
    events = list(repository.custody_of(session, evidence.id))
    summary = EvidenceSummary.model_validate(evidence)
    return EvidenceRead(
        **summary.model_dump(),
        type_mismatch=(
            evidence.declared_media_type is not None and evidence.declared_media_type != evidence.media_type
        ),
        report_lineage_ids=repository.citing_lineages(session, evidence.id, actor),
        fixity=_last_fixity(events),
        custody=[CustodyEventRead.model_validate(e) for e in events],
    )


def _fixity_of(store: EvidenceStore, sha256: str) -> tuple[Fixity, bytes]:
    """Read the stored bytes and say whether they still hash to their SHA-256."""
    try:
        content = store.read(sha256)
    except FileNotFoundError:
        return Fixity.MISSING, b""
    except OSError:
        return Fixity.UNREADABLE, b""
    return (Fixity.OK if digest(content) == sha256 else Fixity.MISMATCH), content


def _record_failure(
    session: Session, evidence: Evidence, *, state: Fixity, during: str, actor: Actor, at: datetime
) -> None:
    """Log a failed fixity check in the custody log, the audit trail and the server log."""
    detail = {"fixity": state.value, "during": during, "sha256": evidence.sha256}
    _custody(
        session,
        evidence.id,
        actor=actor,
        action=CustodyAction.FIXITY_FAILED,
        at=at,
        fixity_ok=False,
        detail=detail,
    )
    record(
        session,
        actor=actor,
        action="evidence.fixity_failed",
        entity_type="evidence",
        entity_id=evidence.id,
        changes=detail,
    )
    log.warning("fixity_failed: evidence %s (sha256 %s) is %s", evidence.id, evidence.sha256, state.value)


def read_file(
    session: Session, *, evidence_id: str, actor: Actor, store: EvidenceStore, clock: Clock = utc_now
) -> tuple[Evidence, bytes]:
    """The bytes of a file evidence item, re-hashed first; every read is a custody step.

    When the bytes no longer match, the failure is logged (flushed) and FixityFailed raised:
    the caller must commit before answering so that the log keeps it.
    """
    evidence = get_evidence(session, evidence_id=evidence_id, actor=actor)
    if evidence.sha256 is None:
        raise NotFound(f"evidence {evidence_id} is a URL reference; no file is stored", code="no_content")
    state, content = _fixity_of(store, evidence.sha256)
    now = clock()
    if state is not Fixity.OK:
        _record_failure(session, evidence, state=state, during="view", actor=actor, at=now)
        session.flush()
        raise FixityFailed(
            f"the stored file of evidence {evidence_id} is {state.value}: it no longer matches "
            f"its SHA-256 {evidence.sha256} and is not served",
            details={"sha256": evidence.sha256, "fixity": state.value},
        )
    _custody(session, evidence.id, actor=actor, action=CustodyAction.VIEWED, at=now, fixity_ok=True)
    record(session, actor=actor, action="evidence.view", entity_type="evidence", entity_id=evidence.id)
    session.flush()
    return evidence, content


def verify_all(
    session: Session,
    *,
    store: EvidenceStore,
    actor: Actor,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> VerifyReport:
    """Re-hash every stored file (each distinct file once), logging a custody step per item."""
    items = repository.stored_files(session)
    report = VerifyReport()
    states: dict[str, Fixity] = {}
    if progress is not None:
        progress(0, len(items))
    for done, evidence in enumerate(items, start=1):
        sha256 = str(evidence.sha256)
        if sha256 not in states:
            states[sha256] = store.check(sha256)
        state = states[sha256]
        now = clock()
        report.checked += 1
        if state is Fixity.OK:
            report.ok += 1
            _custody(session, evidence.id, actor=actor, action=CustodyAction.VERIFIED, at=now, fixity_ok=True)
        else:
            problem = FixityProblem(evidence.id, sha256, state.value)
            (report.missing if state is Fixity.MISSING else report.failed).append(problem)
            _record_failure(session, evidence, state=state, during="verify", actor=actor, at=now)
        if progress is not None:
            progress(done, len(items))
    summary = {
        "checked": report.checked,
        "ok": report.ok,
        "failed": [p.evidence_id for p in report.failed],
        "missing": [p.evidence_id for p in report.missing],
    }
    record(
        session,
        actor=actor,
        action="evidence.verify",
        entity_type="evidence_store",
        entity_id="all",
        changes=summary,
    )
    session.flush()
    return report
