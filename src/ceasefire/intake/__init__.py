"""Intake: allegations as they arrive (messages) and the structured claims made in them (reports).

Terms: a *message* is one inbound item on one channel (web form, API, hotline call entered by an
operator, observation post, email, SMS, news article), stored exactly as received and never edited;
its sender's *contact* details are encrypted at rest. Every message has a *reference code* (like
CF-7K3M-Q9TD) its sender can follow it by: the *receipt*. A *report* is one source's claim about an
event, derived from a message by its submitter or by an analyst: when (an instant with a *time
precision*, standing for a UTC *window*), where (a place, a name or a point, with a *location
precision*), what (act category, ACLED event and sub-event type), who (perpetrator and target, as
registered parties where a name resolves confidently, always also as given), casualties as ranges,
a *stance* (asserts, denies, counter-accuses, confirms) and a *source*. A *correction* stores a new
*version* (same *lineage*); the newest version is *current* and the older ones *superseded*; a
*withdrawal* marks the whole lineage *withdrawn* while keeping every version. An *idempotency key*
makes a retried submission store once: the same key with the same request answers with what was
stored; with a different request it is refused.
"""

from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.intake.schemas import (
    MessageCreate,
    MessageRead,
    PublicReportSubmission,
    ReportClaim,
    ReportCorrection,
    ReportFilters,
    ReportRead,
    ReportSubmission,
)
from ceasefire.intake.service import (
    Accepted,
    correct_report,
    current_version,
    derive_report,
    get_message,
    get_report,
    list_reports,
    report_state,
    submit_message,
    submit_report,
    withdraw_report,
)

__all__ = [
    "Accepted",
    "Message",
    "MessageCreate",
    "MessageRead",
    "PublicReportSubmission",
    "Report",
    "ReportClaim",
    "ReportCorrection",
    "ReportFilters",
    "ReportRead",
    "ReportSubmission",
    "ReportWithdrawal",
    "correct_report",
    "current_version",
    "derive_report",
    "get_message",
    "get_report",
    "list_reports",
    "report_state",
    "submit_message",
    "submit_report",
    "withdraw_report",
]
