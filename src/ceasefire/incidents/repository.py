"""Every query of the incidents domain (reports are read through the intake and evidence tables)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from ceasefire.evidence.models import CustodyEvent, ReportEvidence
from ceasefire.incidents.models import Incident, IncidentReport, PairDecision, StageChange
from ceasefire.incidents.sides import NEUTRAL_KINDS, UNITING_RELATIONS
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.parties.models import Party, PartyRelation
from ceasefire.parties.rules import Edge
from ceasefire.places.models import Place

# The custody step by which an analyst records that an evidence item is authentic (geolocated,
# dated, unaltered). Fixity checks ("verified") prove only that the stored bytes did not change,
# so they do not make a claim's evidence count as verified for grading.
AUTHENTICATED_ACTION = "authenticated"


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """The current version of one linked report with what grading and redaction need from around it."""

    report: Report
    message_id: str
    submitter_party_id: str | None
    submitted_by_user_id: str | None
    channel: str
    withdrawn: bool
    source_kind: str | None
    source_party_name: str | None
    place_latitude: float | None
    place_longitude: float | None
    has_verified_evidence: bool


def find(session: Session, incident_id: str) -> Incident | None:
    """The incident with that id, or None."""
    return session.get(Incident, incident_id)


def find_many(session: Session, incident_ids: Collection[str]) -> dict[str, Incident]:
    """The incidents with these ids (one query for a page), by id; missing ids are left out."""
    if not incident_ids:
        return {}
    query = select(Incident).where(Incident.id.in_(sorted(incident_ids)))
    return {incident.id: incident for incident in session.scalars(query)}


def find_report(session: Session, report_id: str) -> Report | None:
    """The report version with that id, or None."""
    return session.get(Report, report_id)


def latest_version(session: Session, lineage_id: str) -> int | None:
    """The newest version number of a report lineage."""
    return session.scalar(select(func.max(Report.version)).where(Report.lineage_id == lineage_id))


def is_withdrawn(session: Session, lineage_id: str) -> bool:
    """Whether a report lineage was withdrawn."""
    return session.scalar(select(func.count()).where(ReportWithdrawal.lineage_id == lineage_id)) != 0


def link_of(session: Session, lineage_id: str) -> IncidentReport | None:
    """The link grouping a report lineage into an incident, or None."""
    return session.scalar(select(IncidentReport).where(IncidentReport.report_lineage_id == lineage_id))


def links_of(session: Session, incident_id: str) -> list[IncidentReport]:
    """The report links of an incident, in the order they were made."""
    query = select(IncidentReport).where(IncidentReport.incident_id == incident_id)
    return list(session.scalars(query.order_by(IncidentReport.id)))


def _is_latest() -> ColumnElement[bool]:
    newer = aliased(Report)
    return ~exists().where(newer.lineage_id == Report.lineage_id, newer.version > Report.version)


def _verified(session: Session, lineage_ids: Collection[str]) -> set[str]:
    query = (
        select(ReportEvidence.report_lineage_id)
        .join(CustodyEvent, CustodyEvent.evidence_id == ReportEvidence.evidence_id)
        .where(
            ReportEvidence.report_lineage_id.in_(sorted(lineage_ids)),
            CustodyEvent.action == AUTHENTICATED_ACTION,
        )
        .distinct()
    )
    return set(session.scalars(query))


def claim_rows(session: Session, lineage_ids: Collection[str]) -> list[ClaimRow]:
    """The current versions of these report lineages, oldest lineage first."""
    if not lineage_ids:
        return []
    first = aliased(Report)
    query = (
        select(
            Report,
            Message.submitter_party_id,
            Message.submitted_by_user_id,
            Message.channel,
            ReportWithdrawal.id,
            Party.kind,
            Party.name,
            Place.latitude,
            Place.longitude,
        )
        .join(Message, Message.id == Report.message_id)
        .join(first, first.id == Report.lineage_id)
        .outerjoin(ReportWithdrawal, ReportWithdrawal.lineage_id == Report.lineage_id)
        .outerjoin(Party, Party.id == Report.source_party_id)
        .outerjoin(Place, Place.id == Report.place_id)
        .where(Report.lineage_id.in_(sorted(lineage_ids)), _is_latest())
        .order_by(first.created_at, Report.lineage_id)
    )
    verified = _verified(session, lineage_ids)
    return [
        ClaimRow(
            report=report,
            message_id=report.message_id,
            submitter_party_id=party,
            submitted_by_user_id=user,
            channel=channel,
            withdrawn=withdrawal is not None,
            source_kind=kind,
            source_party_name=name,
            place_latitude=lat,
            place_longitude=lon,
            has_verified_evidence=report.lineage_id in verified,
        )
        for report, party, user, channel, withdrawal, kind, name, lat, lon in session.execute(query)
    ]


def uniting_relations(session: Session) -> list[Edge]:
    """Every relation that can put two parties on one side."""
    query = select(PartyRelation).where(PartyRelation.relation.in_(sorted(UNITING_RELATIONS)))
    return [
        Edge(r.subject_party_id, r.relation, r.object_party_id, r.valid_from, r.valid_to)
        for r in session.scalars(query)
    ]


def neutral_party_ids(session: Session) -> set[str]:
    """Parties that are their own side (monitors, UN bodies, media outlets, humanitarian organisations)."""
    return set(session.scalars(select(Party.id).where(Party.kind.in_(sorted(NEUTRAL_KINDS)))))


def stage_history(session: Session, incident_id: str) -> list[StageChange]:
    """An incident's stage changes, oldest first."""
    query = select(StageChange).where(StageChange.incident_id == incident_id)
    return list(session.scalars(query.order_by(StageChange.at, StageChange.id)))


def involved_parties(session: Session, lineage_ids: Collection[str]) -> tuple[set[str], set[str]]:
    """(reporting, accused) parties of these lineages: who submitted or is the source of any version;
    who is the alleged perpetrator in a current, not withdrawn version."""
    if not lineage_ids:
        return set(), set()
    ids = sorted(lineage_ids)
    reported = select(Message.submitter_party_id, Report.source_party_id).join(
        Message, Message.id == Report.message_id
    )
    reporting = {p for row in session.execute(reported.where(Report.lineage_id.in_(ids))) for p in row if p}
    withdrawn = exists().where(ReportWithdrawal.lineage_id == Report.lineage_id)
    accused_query = select(Report.perpetrator_party_id).where(
        Report.lineage_id.in_(ids), _is_latest(), ~withdrawn, Report.perpetrator_party_id.is_not(None)
    )
    return reporting, {p for p in session.scalars(accused_query) if p}


def _involving(party_id: str) -> ColumnElement[bool]:
    """Incidents a party reported (any version) or is accused in (current, not withdrawn)."""
    withdrawn = exists().where(ReportWithdrawal.lineage_id == Report.lineage_id)
    lineages = (
        select(Report.lineage_id)
        .join(Message, Message.id == Report.message_id)
        .where(
            or_(
                Message.submitter_party_id == party_id,
                Report.source_party_id == party_id,
                and_(Report.perpetrator_party_id == party_id, _is_latest(), ~withdrawn),
            )
        )
    )
    linked = select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id.in_(lineages))
    return Incident.id.in_(linked)


def visibility(*, see_all: bool, levels: Sequence[str], party_id: str | None) -> ColumnElement[bool]:
    """The incidents a reader may see: all, or those published at `levels` or involving its party."""
    if see_all:
        return true()
    clause: ColumnElement[bool] = Incident.publication.in_(list(levels))
    return or_(clause, _involving(party_id)) if party_id else clause


def _mentioning(party_id: str) -> ColumnElement[bool]:
    current = select(Report.lineage_id).where(
        _is_latest(),
        or_(
            Report.source_party_id == party_id,
            Report.perpetrator_party_id == party_id,
            Report.target_party_id == party_id,
        ),
    )
    return Incident.id.in_(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id.in_(current))
    )


def _of_category(category: str) -> ColumnElement[bool]:
    current = select(Report.lineage_id).where(_is_latest(), Report.act_category == category)
    return Incident.id.in_(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id.in_(current))
    )


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """What a list of incidents is narrowed to (None: no narrowing)."""

    stage: str | None = None
    grade: str | None = None
    publication: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    act_category: str | None = None
    party_id: str | None = None


def _filtered(query: Select[Incident], f: IncidentFilter) -> Select[Incident]:
    if f.stage:
        query = query.where(Incident.stage == f.stage)
    if f.grade:
        query = query.where(Incident.grade == f.grade)
    if f.publication:
        query = query.where(Incident.publication == f.publication)
    if f.since is not None:
        query = query.where(Incident.window_end >= f.since)
    if f.until is not None:
        query = query.where(Incident.window_start < f.until)
    if f.act_category:
        query = query.where(_of_category(f.act_category))
    if f.party_id:
        query = query.where(_mentioning(f.party_id))
    return query


def page_of_incidents(
    session: Session, *, where: ColumnElement[bool], page: PageRequest, filters: IncidentFilter
) -> Page[Incident]:
    """Incidents the clause allows, latest event first (undated ones last), filtered."""
    query = _filtered(select(Incident).where(where), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (
        Incident.window_start.is_(None),
        Incident.window_start.desc(),
        Incident.created_at.desc(),
        Incident.id,
    )
    rows = session.scalars(query.order_by(*order).offset(page.offset).limit(page.size)).all()
    return Page(items=rows, total=total, request=page)


def report_counts(session: Session, incident_ids: Collection[str]) -> dict[str, int]:
    """How many report lineages each incident groups."""
    if not incident_ids:
        return {}
    query = (
        select(IncidentReport.incident_id, func.count())
        .where(IncidentReport.incident_id.in_(sorted(incident_ids)))
        .group_by(IncidentReport.incident_id)
    )
    return {incident_id: int(n) for incident_id, n in session.execute(query)}


def stale_incident_ids(session: Session, incident_ids: Collection[str] | None = None) -> set[str]:
    """Of these incidents (or all), those whose reports changed (version, withdrawal, evidence) since."""
    if incident_ids is not None and not incident_ids:
        return set()
    link = IncidentReport
    changed = [
        exists().where(Report.lineage_id == link.report_lineage_id, Report.created_at > Incident.derived_at),
        exists().where(
            ReportWithdrawal.lineage_id == link.report_lineage_id,
            ReportWithdrawal.created_at > Incident.derived_at,
        ),
        exists().where(
            ReportEvidence.report_lineage_id == link.report_lineage_id,
            ReportEvidence.created_at > Incident.derived_at,
        ),
    ]
    query = (
        select(Incident.id)
        .join(link, link.incident_id == Incident.id)
        .where(or_(Incident.derived_at.is_(None), *changed))
        .distinct()
    )
    if incident_ids is not None:
        query = query.where(Incident.id.in_(sorted(incident_ids)))
    return set(session.scalars(query))


def find_pair_decision(session: Session, lineage_id: str, incident_id: str) -> PairDecision | None:
    """The analyst's decision on a report-incident pairing, or None."""
    query = select(PairDecision).where(
        PairDecision.report_lineage_id == lineage_id, PairDecision.incident_id == incident_id
    )
    return session.scalar(query)
