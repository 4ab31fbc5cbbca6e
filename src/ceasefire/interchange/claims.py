"""Import the claims sections: reports through the intake service, incidents through the incidents
service, never by writing rows.

A report item is submitted with the idempotency key `interchange:<id>` (scoped, as every key, to
the importing user), so importing it again answers with the report stored the first time and
stores nothing; the same key with different content is a conflict. An incident item names report
items by their keys: if none of its reports is grouped yet, the incident is opened; if all are
grouped (by an earlier import, or regrouped since by an analyst), it is left as it is; if only
some are, that is a conflict. Reports stay claims of their source: nothing here makes them facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.incidents import repository as incidents_repository
from ceasefire.incidents import service as incidents
from ceasefire.intake import repository as intake_repository
from ceasefire.intake import service as intake
from ceasefire.intake.models import Message, Report
from ceasefire.interchange.errors import Conflicting, Issue, Rejected
from ceasefire.interchange.format import RawItem
from ceasefire.interchange.schemas import IncidentItem, ReportItem
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import Conflict

KEY_PREFIX = "interchange:"


def idempotency_key(item_id: str) -> str:
    """The idempotency key a report item is submitted with."""
    return f"{KEY_PREFIX}{item_id}"


def unknown_report_keys(
    session: Session, incidents_items: list[tuple[RawItem, IncidentItem]], import_keys: set[str]
) -> list[Issue]:
    """An issue for each report key an incident names that is neither in this import nor stored."""
    named = {key for _, item in incidents_items for key in item.reports} - import_keys
    stored: set[str] = set()
    if named:
        keys = [idempotency_key(k) for k in named]
        found = session.scalars(select(Message.idempotency_key).where(Message.idempotency_key.in_(keys)))
        stored = {k.removeprefix(KEY_PREFIX) for k in found if k is not None}
    issues = []
    for raw, item in incidents_items:
        for index, key in enumerate(item.reports):
            if key in import_keys or key in stored:
                continue
            message = f"unknown report {key!r}: not in this import nor stored"
            issues.append(raw.issue(message, field=f"reports.{index}", code="report_not_found"))
    return issues


@dataclass
class ClaimsWriter:
    """Writes report and incident items in order, remembering the reports stored under each key."""

    session: Session
    actor: Actor
    created: dict[str, int] = field(default_factory=lambda: {"reports": 0, "incidents": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"reports": 0, "incidents": 0})
    _reports: dict[str, Report] = field(default_factory=dict)

    def write(self, raw: RawItem, item: ReportItem | IncidentItem) -> None:
        """Submit a report or open an incident (or find it already stored)."""
        if isinstance(item, ReportItem):
            self._report(raw, item)
        else:
            self._incident(raw, item)

    def _report(self, raw: RawItem, item: ReportItem) -> None:
        try:
            accepted = intake.accept_report(
                self.session,
                data=item.submission(),
                actor=self.actor,
                cipher=None,
                idempotency_key=idempotency_key(item.id),
            )
        except Conflict as exc:
            if exc.code != "idempotency_mismatch":
                raise
            message = "differs from the report stored under this key; nothing is overwritten"
            raise Conflicting([raw.issue(message, code="conflict")]) from None
        self._reports[item.id] = accepted.item
        counts = self.unchanged if accepted.replayed else self.created
        counts["reports"] += 1

    def _stored(self, raw: RawItem, key: str, index: int) -> Report:
        """The current version of the report stored under a key (by this import or an earlier one)."""
        if key in self._reports:
            return self._reports[key]
        stored = intake_repository.find_by_idempotency_key(self.session, self.actor.id, idempotency_key(key))
        lineages = None
        if stored is not None:
            lineages = intake_repository.lineages_by_message(self.session, [stored.id]).get(stored.id)
        if not lineages:
            text = f"report {key!r} was not imported by {self.actor.label} (keys are per user)"
            raise Rejected([raw.issue(text, field=f"reports.{index}", code="report_not_found")])
        report = intake.current_version(self.session, lineages[0])
        self._reports[key] = report
        return report

    def _incident(self, raw: RawItem, item: IncidentItem) -> None:
        reports = [self._stored(raw, key, i) for i, key in enumerate(item.reports)]
        links = [incidents_repository.link_of(self.session, r.lineage_id) for r in reports]
        grouped = [(i, link) for i, link in enumerate(links) if link is not None]
        if len(grouped) == len(reports):
            self.unchanged["incidents"] += 1
            return
        if grouped:
            index, link = grouped[0]
            text = (
                f"report {item.reports[index]!r} is already grouped into incident {link.incident_id}, "
                "but not all of this incident's reports are"
            )
            raise Conflicting([raw.issue(text, field=f"reports.{index}", code="conflict")])
        report_ids = [r.id for r in reports]
        incidents.open_incident(self.session, report_ids=report_ids, title=item.title, actor=self.actor)
        self.created["incidents"] += 1
