"""Incident use cases: group reports (open, link, unlink, merge, split) and record pair decisions.

Every verb validates everything before writing, records an audit entry in the caller's session
and refreshes the derived columns of the incidents it touched. Stage and publication verbs are in
workflow.py, reading and listing in reading.py, the derived cache in derivation.py; all are
re-exported here, the surface other domains and the edges call.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.identity.models import User
from ceasefire.incidents import repository as repo
from ceasefire.incidents.derivation import incident_claims, refresh, refresh_for_report, refresh_stale
from ceasefire.incidents.models import Incident, IncidentReport, PairDecision, StageChange
from ceasefire.incidents.reading import (
    list_incidents,
    list_public_incidents,
    read_incident,
    read_public_incident,
    stage_history,
)
from ceasefire.incidents.schemas import PairDecisionKind
from ceasefire.incidents.stages import check_transition, is_open
from ceasefire.incidents.workflow import advance_stage, dismiss, get_incident, set_publication, stage_row
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Grade, Publication, Stage
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.ids import new_id

__all__ = [
    "advance_stage",
    "dismiss",
    "get_incident",
    "incident_claims",
    "is_rejected",
    "link_report",
    "list_incidents",
    "list_public_incidents",
    "merge_incidents",
    "open_incident",
    "read_incident",
    "read_public_incident",
    "record_pair_decision",
    "refresh",
    "refresh_for_report",
    "refresh_stale",
    "set_publication",
    "split_incident",
    "stage_history",
    "unlink_report",
]


def _grouping(session: Session, incident_id: str, *, field: str | None = None) -> Incident:
    """An incident whose reports may still change (open stages only)."""
    incident = get_incident(session, incident_id, field=field)
    if not is_open(Stage(incident.stage)):
        raise Conflict(
            f"incident {incident_id} is {incident.stage}: reopen it before changing its reports",
            code="incident_not_open",
            field=field,
            details={"stage": incident.stage},
        )
    return incident


def _report(session: Session, report_id: str, *, field: str) -> Report:
    report = repo.find_report(session, report_id)
    if report is None:
        raise NotFound.of("report", report_id, field=field)
    return report


def _linkable(session: Session, report_ids: Sequence[str], *, field: str) -> list[Report]:
    """Reports that may join an incident: current versions, not withdrawn, not grouped elsewhere."""
    reports: list[Report] = []
    for i, report_id in enumerate(report_ids):
        where = f"{field}.{i}" if len(report_ids) > 1 or field.endswith("s") else field
        report = _report(session, report_id, field=where)
        if any(r.lineage_id == report.lineage_id for r in reports):
            raise Invalid(f"report {report_id} is listed twice", code="duplicate_report", field=where)
        if report.version != repo.latest_version(session, report.lineage_id):
            raise Conflict(
                f"report {report_id} was corrected: group its current version",
                code="report_superseded",
                field=where,
            )
        if repo.is_withdrawn(session, report.lineage_id):
            raise Conflict(f"report {report_id} was withdrawn", code="report_withdrawn", field=where)
        link = repo.link_of(session, report.lineage_id)
        if link is not None:
            raise Conflict(
                f"report {report_id} already belongs to incident {link.incident_id}",
                code="report_already_linked",
                field=where,
                details={"incident_id": link.incident_id},
            )
        reports.append(report)
    return reports


def _decide(
    session: Session, lineage_id: str, incident_id: str, decision: PairDecisionKind, actor: Actor
) -> PairDecision:
    """Store (or overwrite) the decision on a pairing, so the correlator never undoes an analyst."""
    row = repo.find_pair_decision(session, lineage_id, incident_id)
    if row is None:
        row = PairDecision(report_lineage_id=lineage_id, incident_id=incident_id, decision="", actor="")
        session.add(row)
    row.decision, row.actor = decision.value, actor.label
    session.flush()
    return row


def _link(session: Session, incident: Incident, lineage_id: str, actor: Actor, method: str) -> IncidentReport:
    link = IncidentReport(
        incident_id=incident.id, report_lineage_id=lineage_id, linked_by=actor.label, method=method
    )
    session.add(link)
    _decide(session, lineage_id, incident.id, PairDecisionKind.ACCEPT, actor)
    return link


def _new_incident(session: Session, *, title: str, actor: Actor, reason: str, clock: Clock) -> Incident:
    """A new incident at stage new, internal, with its first stage change."""
    user_id = actor.id if session.get(User, actor.id) is not None else None
    incident = Incident(
        id=new_id(),
        title=title,
        stage=Stage.NEW.value,
        stage_reason=reason,
        publication=Publication.INTERNAL.value,
        grade=Grade.UNVERIFIED.value,
        created_by_user_id=user_id,
        derived={},
    )
    session.add(incident)
    session.flush()
    session.add(
        StageChange(
            incident_id=incident.id,
            from_stage=None,
            to_stage=Stage.NEW.value,
            at=clock(),
            actor=actor.label,
            reason=reason,
        )
    )
    return incident


def open_incident(
    session: Session,
    *,
    report_ids: Sequence[str],
    title: str,
    actor: Actor,
    clock: Clock = utc_now,
    method: str = "manual",
) -> Incident:
    """Open an incident grouping these reports (current, not withdrawn, not in another incident).

    `method` says who grouped them: manual (a person), auto or batch (the correlator)."""
    title = _title(title)
    reports = _linkable(session, report_ids, field="report_ids")
    incident = _new_incident(session, title=title, actor=actor, reason="opened", clock=clock)
    for report in reports:
        _link(session, incident, report.lineage_id, actor, method)
    changes = {"title": title, "reports": [r.lineage_id for r in reports], "stage": Stage.NEW.value}
    if method != "manual":
        changes["method"] = method
    record(
        session,
        actor=actor,
        action="incident.open",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
        clock=clock,
    )
    refresh(session, incident, clock=clock)
    return incident


def _title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > 300:
        raise Invalid("a title of 1 to 300 characters is needed", code="invalid_title", field="title")
    return title


def link_report(
    session: Session,
    *,
    incident_id: str,
    report_id: str,
    actor: Actor,
    method: str = "manual",
    clock: Clock = utc_now,
) -> IncidentReport:
    """Group one more report into an open incident (a machine may not re-link a rejected pairing)."""
    incident = _grouping(session, incident_id)
    [report] = _linkable(session, [report_id], field="report_id")
    if method != "manual" and is_rejected(
        session, report_lineage_id=report.lineage_id, incident_id=incident.id
    ):
        raise Conflict("an analyst rejected this pairing", code="pair_rejected", field="report_id")
    link = _link(session, incident, report.lineage_id, actor, method)
    changes = {"report_lineage_id": report.lineage_id, "report_id": report.id, "method": method}
    record(
        session,
        actor=actor,
        action="incident.link",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
        clock=clock,
    )
    refresh(session, incident, clock=clock)
    return link


def _linked_here(session: Session, incident: Incident, report_id: str, *, field: str) -> IncidentReport:
    report = _report(session, report_id, field=field)
    link = repo.link_of(session, report.lineage_id)
    if link is None or link.incident_id != incident.id:
        raise NotFound(
            f"report {report_id} is not grouped into incident {incident.id}",
            code="report_not_linked",
            field=field,
        )
    return link


def unlink_report(
    session: Session,
    *,
    incident_id: str,
    report_id: str,
    actor: Actor,
    reason: str | None = None,
    clock: Clock = utc_now,
) -> None:
    """Take a report out of an open incident; the pairing is remembered as rejected."""
    incident = _grouping(session, incident_id)
    link = _linked_here(session, incident, report_id, field="report_id")
    if len(repo.links_of(session, incident.id)) == 1:
        raise Conflict(
            "an incident keeps at least one report: dismiss it instead", code="last_report", field="report_id"
        )
    lineage = link.report_lineage_id
    session.delete(link)
    _decide(session, lineage, incident.id, PairDecisionKind.REJECT, actor)
    changes = {"report_lineage_id": lineage}
    record(
        session,
        actor=actor,
        action="incident.unlink",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
        reason=reason,
        clock=clock,
    )
    refresh(session, incident, clock=clock)


def merge_incidents(
    session: Session, *, source_id: str, target_id: str, reason: str, actor: Actor, clock: Clock = utc_now
) -> Incident:
    """Merge one open incident into another: its reports move over and it ends as merged."""
    if source_id == target_id:
        raise Invalid("an incident cannot be merged into itself", code="merge_into_itself", field="into_id")
    source = _grouping(session, source_id)
    target = _grouping(session, target_id, field="into_id")
    check_transition(Stage(source.stage), Stage.MERGED, reason)
    moved = repo.links_of(session, source.id)
    for link in moved:
        link.incident_id = target.id
        _decide(session, link.report_lineage_id, target.id, PairDecisionKind.ACCEPT, actor)
    lineages = [link.report_lineage_id for link in moved]
    stage_row(session, source, Stage.MERGED, actor=actor, reason=reason, clock=clock)
    source.merged_into_id = target.id
    session.flush()
    _audit_each(
        session,
        action="incident.merge",
        entries=(
            (source.id, {"into": target.id, "reports": lineages, "stage": Stage.MERGED.value}),
            (target.id, {"merged_from": source.id, "reports": lineages}),
        ),
        actor=actor,
        reason=reason,
        clock=clock,
    )
    refresh(session, source, clock=clock)
    refresh(session, target, clock=clock)
    return target


def split_incident(
    session: Session,
    *,
    incident_id: str,
    report_ids: Sequence[str],
    title: str,
    actor: Actor,
    reason: str | None = None,
    clock: Clock = utc_now,
) -> Incident:
    """Move some reports of an open incident into a new incident (at least one must stay behind)."""
    incident = _grouping(session, incident_id)
    title = _title(title)
    links: list[IncidentReport] = []
    for i, report_id in enumerate(report_ids):
        link = _linked_here(session, incident, report_id, field=f"report_ids.{i}")
        if link in links:
            raise Invalid(
                f"report {report_id} is listed twice", code="duplicate_report", field=f"report_ids.{i}"
            )
        links.append(link)
    if len(links) >= len(repo.links_of(session, incident.id)):
        raise Invalid(
            "a split must leave at least one report in the incident",
            code="split_takes_all",
            field="report_ids",
        )
    new = _new_incident(session, title=title, actor=actor, reason=f"split from {incident.id}", clock=clock)
    for link in links:
        link.incident_id = new.id
        _decide(session, link.report_lineage_id, incident.id, PairDecisionKind.REJECT, actor)
        _decide(session, link.report_lineage_id, new.id, PairDecisionKind.ACCEPT, actor)
    lineages = [link.report_lineage_id for link in links]
    _audit_each(
        session,
        action="incident.split",
        entries=(
            (incident.id, {"new_incident": new.id, "reports": lineages}),
            (
                new.id,
                {"split_from": incident.id, "reports": lineages, "title": title, "stage": Stage.NEW.value},
            ),
        ),
        actor=actor,
        reason=reason,
        clock=clock,
    )
    refresh(session, incident, clock=clock)
    refresh(session, new, clock=clock)
    return new


def _audit_each(
    session: Session,
    *,
    action: str,
    entries: Sequence[tuple[str, dict[str, object]]],
    actor: Actor,
    reason: str | None,
    clock: Clock,
) -> None:
    """One audit entry for each incident a grouping verb touched."""
    for entity_id, changes in entries:
        record(
            session,
            actor=actor,
            action=action,
            entity_type="incident",
            entity_id=entity_id,
            changes=changes,
            reason=reason,
            clock=clock,
        )


def record_pair_decision(
    session: Session, *, report_id: str, incident_id: str, decision: PairDecisionKind, actor: Actor
) -> PairDecision:
    """Record an analyst's accept or reject of a report-incident pairing (never undone by a machine)."""
    report = _report(session, report_id, field="report_id")
    incident = get_incident(session, incident_id, field="incident_id")
    row = _decide(session, report.lineage_id, incident.id, decision, actor)
    changes = {"report_lineage_id": report.lineage_id, "decision": decision.value}
    record(
        session,
        actor=actor,
        action="incident.decide_pair",
        entity_type="incident",
        entity_id=incident.id,
        changes=changes,
    )
    return row


def is_rejected(session: Session, *, report_lineage_id: str, incident_id: str) -> bool:
    """Whether an analyst rejected pairing this report lineage with this incident."""
    row = repo.find_pair_decision(session, report_lineage_id, incident_id)
    return row is not None and row.decision == PairDecisionKind.REJECT
