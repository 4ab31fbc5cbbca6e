"""Intake API: messages and reports (submit, derive, correct, withdraw, read), public submissions, receipts.

The routes compose intake with the domains above it in one transaction: the evidence a claim cites
is linked by the evidence domain, and an incident grouping a corrected or withdrawn report is
re-derived by the incidents domain (intake, below both, cannot call them).

POST /messages, POST /reports and POST /public/reports take an `Idempotency-Key` header: a retry
with the same key and the same body answers 200 with what the first request stored; the same key
with another body is a 409 (idempotency_mismatch).
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from ceasefire.api.deps import ActorDep, CipherDep, MaybeActor, SessionDep, require
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.api.ratelimit import rate_limit
from ceasefire.api.routes.correlation import correlate_new, refile_changed
from ceasefire.evidence import service as evidence
from ceasefire.identity.rules import Permission
from ceasefire.incidents.derivation import refresh_for_report
from ceasefire.intake import reads, service
from ceasefire.intake.models import Report
from ceasefire.intake.schemas import (
    AdditionCreate,
    AdditionReceipt,
    ContactRead,
    MessageCreate,
    MessageFilters,
    MessageRead,
    PublicReportSubmission,
    Receipt,
    ReceiptStatus,
    ReportClaim,
    ReportCorrection,
    ReportFilters,
    ReportRead,
    ReportSubmission,
    ReportVersionList,
    WithdrawalCreate,
)
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel
from ceasefire.kernel.errors import Conflict, DomainError
from ceasefire.kernel.paging import PageRequest

router = APIRouter(tags=["intake"])
T = TypeVar("T")

Submitter = Annotated[Actor, Depends(require(Permission.REPORT_SUBMIT))]
Structurer = Annotated[Actor, Depends(require(Permission.INTAKE_STRUCTURE))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        pattern=r"^[\x21-\x7e]+$",
        description="A key of your choosing (printable ASCII): a retry with it is stored once.",
    ),
]
Paging = Annotated[PageRequest, Depends(page_params)]


def _same(item: T) -> T:
    return item


def _created_or_replayed(response: Response, replayed: bool) -> None:
    if replayed:
        response.status_code = status.HTTP_200_OK


def _check_citable(session: Session, evidence_ids: list[str], actor: Actor) -> None:
    """Refuse evidence the actor cannot see before anything is stored."""
    for index, evidence_id in enumerate(evidence_ids):
        evidence.get_evidence(session, evidence_id=evidence_id, actor=actor, field=f"evidence_ids.{index}")


def _cite(session: Session, report: Report, evidence_ids: list[str], actor: Actor) -> None:
    """Link the evidence a claim cites (the evidence domain checks each item and logs custody)."""
    for index, evidence_id in enumerate(dict.fromkeys(evidence_ids)):
        try:
            evidence.link_to_report(
                session, evidence_id=evidence_id, report_lineage_id=report.lineage_id, actor=actor
            )
        except Conflict as exc:
            if exc.code != "already_linked":
                exc.field = f"evidence_ids.{index}"
                raise
        except DomainError as exc:
            exc.field = f"evidence_ids.{index}"
            raise


@router.post("/messages", response_model=MessageRead, status_code=status.HTTP_201_CREATED)
def submit_message(
    data: MessageCreate,
    response: Response,
    session: SessionDep,
    actor: Submitter,
    cipher: CipherDep,
    idempotency_key: IdempotencyKey = None,
) -> MessageRead:
    """Store a raw message exactly as received (a hotline call entered by an operator, an SMS, ...)."""
    accepted = service.accept_message(
        session, data=data, actor=actor, cipher=cipher, idempotency_key=idempotency_key
    )
    _created_or_replayed(response, accepted.replayed)
    return reads.message_reads(session, [accepted.item])[0]


@router.get("/messages", response_model=PageOut[MessageRead])
def list_messages(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: Paging,
    filters: Annotated[MessageFilters, Query()],
) -> PageOut[MessageRead]:
    """The messages you may see, newest received first."""
    return page_out(request, reads.list_messages(session, actor=actor, page=page, filters=filters), _same)


@router.get("/messages/{message_id}", response_model=MessageRead)
def read_message(message_id: str, session: SessionDep, actor: ActorDep) -> MessageRead:
    """One message as received (never its contact details: only whether it has any)."""
    return reads.read_message(session, message_id=message_id, actor=actor)


@router.get("/messages/{message_id}/contact", response_model=ContactRead)
def read_message_contact(
    message_id: str, session: SessionDep, actor: ActorDep, cipher: CipherDep
) -> ContactRead:
    """The sender's contact details (sensitive-data permission only); every view is audited."""
    return service.view_contact(session, message_id=message_id, actor=actor, cipher=cipher)


@router.post("/messages/{message_id}/reports", response_model=ReportRead, status_code=status.HTTP_201_CREATED)
def derive_report(
    request: Request, message_id: str, data: ReportClaim, session: SessionDep, actor: Structurer
) -> ReportRead:
    """Structure a claim found in a raw message into a report (analysts)."""
    _check_citable(session, data.evidence_ids, actor)
    report = service.derive_report(session, message_id=message_id, data=data, actor=actor)
    _cite(session, report, data.evidence_ids, actor)
    correlate_new(request, session, report)
    return reads.new_report_read(report)


@router.post("/reports", response_model=ReportRead, status_code=status.HTTP_201_CREATED)
def submit_report(
    request: Request,
    data: ReportSubmission,
    response: Response,
    session: SessionDep,
    actor: Submitter,
    cipher: CipherDep,
    idempotency_key: IdempotencyKey = None,
) -> ReportRead:
    """Submit a structured report: the message as received and version 1 of its claim."""
    _check_citable(session, data.evidence_ids, actor)
    accepted = service.accept_report(
        session, data=data, actor=actor, cipher=cipher, idempotency_key=idempotency_key
    )
    _created_or_replayed(response, accepted.replayed)
    if accepted.replayed:
        return reads.report_reads(session, [accepted.item])[0]
    _cite(session, accepted.item, data.evidence_ids, actor)
    correlate_new(request, session, accepted.item)
    return reads.new_report_read(accepted.item)


@router.get("/reports", response_model=PageOut[ReportRead])
def list_reports(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: Paging,
    filters: Annotated[ReportFilters, Query()],
) -> PageOut[ReportRead]:
    """The reports you may see, newest first (by default the newest version of each)."""
    return page_out(request, reads.list_reports(session, actor=actor, page=page, filters=filters), _same)


@router.get("/reports/{report_id}", response_model=ReportRead)
def read_report(report_id: str, session: SessionDep, actor: ActorDep) -> ReportRead:
    """A report: the current version by the report's id, or one version by that version's id."""
    return reads.read_report(session, report_id=report_id, actor=actor)


@router.get("/reports/{report_id}/versions", response_model=ReportVersionList)
def list_report_versions(report_id: str, session: SessionDep, actor: ActorDep) -> ReportVersionList:
    """Every version of a report, oldest first, with where the report stands."""
    return reads.report_versions(session, report_id=report_id, actor=actor)


@router.post(
    "/reports/{report_id}/corrections", response_model=ReportRead, status_code=status.HTTP_201_CREATED
)
def correct_report(
    request: Request, report_id: str, data: ReportCorrection, session: SessionDep, actor: ActorDep
) -> ReportRead:
    """Correct a report (its submitter or an analyst): the claim becomes the next version."""
    _check_citable(session, data.evidence_ids, actor)
    claim = ReportClaim.model_validate(data.model_dump(exclude={"note", "expected_version"}))
    report = service.correct_report(
        session,
        report_id=report_id,
        data=claim,
        note=data.note,
        actor=actor,
        expected_version=data.expected_version,
    )
    _cite(session, report, data.evidence_ids, actor)
    refresh_for_report(session, report.lineage_id)
    refile_changed(request, session, report.lineage_id)
    return reads.new_report_read(report)


@router.post("/reports/{report_id}/withdraw", response_model=ReportRead)
def withdraw_report(
    request: Request, report_id: str, data: WithdrawalCreate, session: SessionDep, actor: ActorDep
) -> ReportRead:
    """Withdraw a report (its submitter, its party's representative, or an admin); it stays, marked."""
    withdrawal = service.withdraw_report(session, report_id=report_id, reason=data.reason, actor=actor)
    refresh_for_report(session, withdrawal.lineage_id)
    refile_changed(request, session, withdrawal.lineage_id)
    return reads.read_report(session, report_id=withdrawal.lineage_id, actor=actor)


@router.post("/public/reports", response_model=Receipt, status_code=status.HTTP_201_CREATED)
def submit_public_report(
    request: Request,
    data: PublicReportSubmission,
    response: Response,
    session: SessionDep,
    actor: MaybeActor,
    cipher: CipherDep,
    idempotency_key: IdempotencyKey = None,
) -> Receipt:
    """Report a violation without an account (the web form); keep the receipt's reference code.

    Rate limited per client address (setting public_report_rate_limit; 429 with Retry-After).
    """
    rate_limit(request, "public_report")
    _check_citable(session, data.evidence_ids, actor)
    submission = ReportSubmission.model_validate(
        {**data.model_dump(exclude_unset=True), "channel": Channel.WEB_FORM}
    )
    accepted = service.accept_report(
        session, data=submission, actor=actor, cipher=cipher, idempotency_key=idempotency_key
    )
    if not accepted.replayed:
        _cite(session, accepted.item, data.evidence_ids, actor)
        correlate_new(request, session, accepted.item)
    _created_or_replayed(response, accepted.replayed)
    return reads.receipt(session, accepted.item)


@router.get("/public/receipts/{reference_code}", response_model=ReceiptStatus)
def read_receipt(request: Request, reference_code: str, session: SessionDep) -> ReceiptStatus:
    """How far a submission has gone (received, grouped, published, withdrawn), by its reference code.

    Rate limited per client address (setting receipt_rate_limit), so codes cannot be guessed.
    """
    rate_limit(request, "receipt")
    return reads.receipt_status(session, reference_code=reference_code)


@router.post(
    "/public/receipts/{reference_code}/additions",
    response_model=AdditionReceipt,
    status_code=status.HTTP_201_CREATED,
)
def add_to_public_report(
    request: Request, reference_code: str, data: AdditionCreate, session: SessionDep, actor: MaybeActor
) -> AdditionReceipt:
    """Add information to a submission by its reference code: kept as a new message linked to it.

    The submission itself never changes; analysts read the addition with it. Rate limited per client
    address (setting receipt_rate_limit); an unknown code is a 404 like the receipt's.
    """
    rate_limit(request, "receipt")
    message = service.add_to_submission(session, reference_code=reference_code, data=data, actor=actor)
    original = reads.submission_by_code(session, reference_code)
    return AdditionReceipt(reference_code=original.reference_code, received_at=message.received_at)
