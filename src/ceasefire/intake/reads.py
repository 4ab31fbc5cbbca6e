"""Reading intake back: messages, reports and their versions, scoped to what the actor may see.

Anything the actor may not see is answered exactly as if it did not exist (404, never 403).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.intake import repository, rules
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.intake.schemas import (
    MessageFilters,
    MessageRead,
    Receipt,
    ReceiptStatus,
    ReportFilters,
    ReportRead,
    ReportVersionList,
)
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import ReportState
from ceasefire.kernel.errors import NotFound
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.time import require_aware

# ReportRead fields that are columns of the row (the others are derived when reading).
_DERIVED = {"state", "window_start", "window_end", "withdrawn_at", "withdrawal_reason", "addition_ids"}
_REPORT_COLUMNS = tuple(name for name in ReportRead.model_fields if name not in _DERIVED)


def _sees(actor: Actor, message: Message | None) -> bool:
    return message is not None and rules.may_see(
        actor,
        submitted_by_user_id=message.submitted_by_user_id,
        submitter_party_id=message.submitter_party_id,
    )


def get_message(session: Session, *, message_id: str, actor: Actor) -> Message:
    """The message, if the actor may see it; otherwise NotFound, as if it did not exist."""
    message = repository.find_message(session, message_id)
    if message is None or not _sees(actor, message):
        raise NotFound.of("message", message_id)
    return message


def message_reads(session: Session, messages: Sequence[Message]) -> list[MessageRead]:
    """Messages as the API shows them: no contact details, only whether there are any."""
    lineages = repository.lineages_by_message(session, [m.id for m in messages])
    additions = repository.additions_of(session, [m.id for m in messages])
    return [
        MessageRead(
            id=m.id,
            reference_code=m.reference_code,
            channel=m.channel,
            received_at=m.received_at,
            submitted_by_user_id=m.submitted_by_user_id,
            submitter_party_id=m.submitter_party_id,
            submitter_name=m.submitter_name,
            has_contact=m.contact_encrypted is not None,
            language=m.language,
            subject=m.subject,
            body=m.body,
            payload=m.payload,
            created_at=m.created_at,
            report_ids=lineages.get(m.id, []),
            adds_to_message_id=m.adds_to_message_id,
            addition_ids=additions.get(m.id, []),
        )
        for m in messages
    ]


def read_message(session: Session, *, message_id: str, actor: Actor) -> MessageRead:
    """One message as the API shows it (scoped)."""
    return message_reads(session, [get_message(session, message_id=message_id, actor=actor)])[0]


def _aware(value: datetime | None, field: str) -> datetime | None:
    return require_aware(value, field=field) if value is not None else None


def list_messages(
    session: Session, *, actor: Actor, page: PageRequest, filters: MessageFilters | None = None
) -> Page[MessageRead]:
    """The messages the actor may see, newest received first."""
    filters = filters or MessageFilters()
    found = repository.page_of_messages(
        session,
        where=repository.visible(rules.scope_of(actor), actor),
        page=page,
        channel=filters.channel.value if filters.channel else None,
        since=_aware(filters.since, "since"),
        until=_aware(filters.until, "until"),
    )
    return Page(items=message_reads(session, found.items), total=found.total, request=page)


def current_version(session: Session, lineage_id: str) -> Report:
    """The newest version of a report lineage (withdrawn or not), or NotFound."""
    report = repository.latest_version(session, lineage_id)
    if report is None:
        raise NotFound.of("report", lineage_id)
    return report


def visible_report(session: Session, *, report_id: str, actor: Actor) -> Report:
    """A version by its id, or the current version by the report's (lineage) id; scoped."""
    report = repository.find_report(session, report_id)
    if report is not None and report.id == report.lineage_id:
        report = repository.latest_version(session, report.lineage_id)
    if report is None or not _sees(actor, repository.find_message(session, report.message_id)):
        raise NotFound.of("report", report_id)
    return report


def get_report(session: Session, *, report_id: str, actor: Actor) -> Report:
    """A report version (the current one when given the report's id), if the actor may see it."""
    return visible_report(session, report_id=report_id, actor=actor)


def report_state(session: Session, report: Report) -> ReportState:
    """Where a version stands: current, superseded by a newer one, or withdrawn."""
    latest = repository.latest_versions(session, [report.lineage_id]).get(report.lineage_id, report.version)
    withdrawn = bool(repository.withdrawals_of(session, [report.lineage_id]))
    return rules.report_state(is_latest=report.version >= latest, lineage_withdrawn=withdrawn)


def _report_read(
    report: Report, *, latest: int, withdrawal: ReportWithdrawal | None, additions: list[str] | None = None
) -> ReportRead:
    values: dict[str, Any] = {name: getattr(report, name) for name in _REPORT_COLUMNS}
    is_latest = report.version >= latest
    state = rules.report_state(is_latest=is_latest, lineage_withdrawn=withdrawal is not None)
    return ReportRead(
        **values,
        state=state,
        window_start=report.occurred_start,
        window_end=report.occurred_end,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
        withdrawal_reason=withdrawal.reason if withdrawal else None,
        addition_ids=additions or [],
    )


def new_report_read(report: Report) -> ReportRead:
    """A version just stored, as the API shows it: the newest of a lineage not withdrawn (no query)."""
    return _report_read(report, latest=report.version, withdrawal=None)


def report_reads(session: Session, reports: Sequence[Report]) -> list[ReportRead]:
    """Report versions as the API shows them, each with its state (two queries for any number)."""
    lineages = {r.lineage_id for r in reports}
    latest = repository.latest_versions(session, lineages)
    withdrawals = repository.withdrawals_of(session, lineages)
    additions = repository.additions_of(session, {r.message_id for r in reports})
    return [
        _report_read(
            r,
            latest=latest.get(r.lineage_id, r.version),
            withdrawal=withdrawals.get(r.lineage_id),
            additions=additions.get(r.message_id),
        )
        for r in reports
    ]


def read_report(session: Session, *, report_id: str, actor: Actor) -> ReportRead:
    """One report version as the API shows it (scoped)."""
    return report_reads(session, [visible_report(session, report_id=report_id, actor=actor)])[0]


def report_versions(session: Session, *, report_id: str, actor: Actor) -> ReportVersionList:
    """Every version of a report, oldest first, and its state."""
    current = visible_report(session, report_id=report_id, actor=actor)
    versions = report_reads(session, repository.versions_of(session, current.lineage_id))
    return ReportVersionList(lineage_id=current.lineage_id, state=versions[-1].state, versions=versions)


def list_reports(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    filters: ReportFilters | None = None,
    count: bool = True,
) -> Page[ReportRead]:
    """The reports the actor may see, newest first (by default the newest version of each).

    With `count=False` the matches are not all counted (a busy inbox): the total is only a bound.
    """
    filters = filters or ReportFilters()
    found = repository.page_of_reports(
        session,
        where=repository.visible(rules.scope_of(actor), actor),
        page=page,
        state=filters.state,
        act_category=filters.act_category.value if filters.act_category else None,
        perpetrator_party_id=filters.perpetrator_party_id,
        since=_aware(filters.since, "since"),
        until=_aware(filters.until, "until"),
        unlinked=filters.unlinked,
        message_id=filters.message_id,
        channel=filters.channel.value if filters.channel else None,
        party_id=filters.party_id,
        stage=filters.stage.value if filters.stage else None,
        text=filters.q or None,
        sort=filters.sort,
        count=count,
    )
    return Page(items=report_reads(session, found.items), total=found.total, request=page)


def grouping_of(session: Session, lineage_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(incident id, stage) of the incident grouping each report lineage (one query for a page).

    Only for readers who may see every incident (the secretariat): the caller checks that.
    """
    return repository.incident_links(session, set(lineage_ids))


def receipt(session: Session, report: Report) -> Receipt:
    """The receipt of a submission: its reference code and the report's id."""
    message = repository.find_message(session, report.message_id)
    assert message is not None, "a report always has its message"
    return Receipt(reference_code=message.reference_code, report_id=report.lineage_id)


def submission_by_code(session: Session, reference_code: str) -> Message:
    """The submission a reference code names (an addition's code names the submission it adds to)."""
    code = rules.normalize_reference_code(reference_code)
    message = repository.find_message_by_reference(session, code) if code else None
    if message is not None and message.adds_to_message_id is not None:
        message = repository.find_message(session, message.adds_to_message_id)
    if message is None:
        raise NotFound(
            "no submission has that reference code", code="receipt_not_found", field="reference_code"
        )
    return message


def submission_report(session: Session, message: Message) -> Report | None:
    """The current version of the first report a submission made (None for a bare message)."""
    lineages = repository.lineages_by_message(session, [message.id]).get(message.id)
    return repository.latest_version(session, lineages[0]) if lineages else None


def receipt_status(session: Session, *, reference_code: str) -> ReceiptStatus:
    """How far a submission has gone, by its reference code: nothing identifying, nothing more."""
    message = submission_by_code(session, reference_code)
    lineages = repository.lineages_by_message(session, [message.id]).get(message.id, [])
    incidents = repository.incident_publications(session, lineages)
    withdrawn = repository.withdrawals_of(session, lineages)
    state = rules.receipt_state(
        publications={publication for _, publication in incidents},
        all_withdrawn=bool(lineages) and len(withdrawn) == len(lineages),
    )
    public = next((i for i, publication in incidents if publication == "public"), None)
    return ReceiptStatus(reference_code=message.reference_code, status=state, incident_id=public)
