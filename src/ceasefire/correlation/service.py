"""Correlation use cases: correlate one new report (in the intake transaction), decide proposals,
explain a report or an incident, re-correlate a whole dataset (batch), keep the index current.

The machine groups through the incidents domain (`link_report`, `open_incident`) so every link is
audited and refreshes its incident; it never unlinks, never links a pairing an analyst rejected,
and never proposes it again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC

import numpy as np
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.correlation import batch, repository
from ceasefire.correlation import rules as r
from ceasefire.correlation.models import CorrelationPair
from ceasefire.correlation.rules import Item, Thresholds
from ceasefire.correlation.schemas import Explanation, Outcome, PairRead, PairStatus, RunSummary
from ceasefire.identity.rules import Permission, has_permission
from ceasefire.incidents import repository as incidents_repo
from ceasefire.incidents import service as incidents
from ceasefire.incidents.models import Incident
from ceasefire.incidents.stages import is_open
from ceasefire.intake.models import Report
from ceasefire.intake.reads import current_version
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.claims import Stage
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Forbidden, NotFound
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.paging import Page, PageRequest

Progress = Callable[[str, int, int], None]


def require_permission(actor: Actor, permission: Permission) -> None:
    """Refuse (403) an actor whose role lacks the permission."""
    if not has_permission(actor.role, permission):
        raise Forbidden(f"your role may not {permission.value}", code="permission_denied")


def report_item(report: Report, *, place: tuple[float | None, float | None] = (None, None)) -> Item:
    """A report version as the correlator sees it."""
    latitude = report.latitude if report.latitude is not None else place[0]
    longitude = report.longitude if report.longitude is not None else place[1]
    start, end = r.hours(report.occurred_start), r.hours(report.occurred_end)
    located = latitude is not None and longitude is not None
    perpetrator = r.actor_key(report.perpetrator_party_id, report.perpetrator_text)
    target = r.actor_key(report.target_party_id, report.target_text)
    text = " ".join(t for t in (report.location_text, report.narrative) if t)
    return Item(
        kind="report",
        ref=report.lineage_id,
        t_center=(start + end) / 2,
        t_half=min((end - start) / 2, r.MAX_HALF_HOURS),
        latitude=latitude if located else None,
        longitude=longitude if located else None,
        radius_km=r.radius_for(report.location_precision, located),
        categories=frozenset({report.act_category}),
        perpetrators=frozenset({perpetrator} if perpetrator else set()),
        targets=frozenset({target} if target else set()),
        text=text[:1000],
    )


def incident_item(session: Session, incident: Incident) -> Item | None:
    """An incident as the correlator sees it: its derived window and place, its reports' acts,
    actors and words."""
    lineages = [link.report_lineage_id for link in incidents_repo.links_of(session, incident.id)]
    rows = [row for row in incidents_repo.claim_rows(session, lineages) if not row.withdrawn]
    if not rows:
        return None
    items = [report_item(row.report, place=(row.place_latitude, row.place_longitude)) for row in rows]
    if incident.window_start is not None and incident.window_end is not None:
        start, end = r.hours(incident.window_start), r.hours(incident.window_end)
    else:
        start = min(i.t_center - i.t_half for i in items)
        end = max(i.t_center + i.t_half for i in items)
    located = [i for i in items if i.latitude is not None]
    latitude: float | None
    longitude: float | None
    if incident.latitude is not None and incident.longitude is not None:
        latitude, longitude = incident.latitude, incident.longitude
        radius = r.radius_for(incident.location_precision, True)
    elif located:
        best = min(located, key=lambda i: i.radius_km)
        latitude, longitude, radius = best.latitude, best.longitude, best.radius_km
    else:
        latitude, longitude, radius = None, None, r.UNLOCATED_RADIUS_KM
    return Item(
        kind="incident",
        ref=incident.id,
        t_center=(start + end) / 2,
        t_half=min((end - start) / 2, r.MAX_HALF_HOURS),
        latitude=latitude,
        longitude=longitude,
        radius_km=radius,
        categories=frozenset().union(*(i.categories for i in items)),
        perpetrators=frozenset().union(*(i.perpetrators for i in items)),
        targets=frozenset().union(*(i.targets for i in items)),
        text=" ".join(dict.fromkeys(i.text for i in items if i.text))[:1000],
    )


def refile_incident(session: Session, incident_id: str) -> None:
    """Bring an incident's index entry up to date (out of the index once it is no longer open)."""
    incident = incidents_repo.find(session, incident_id)
    item = (
        incident_item(session, incident) if incident is not None and is_open(Stage(incident.stage)) else None
    )
    if item is None:
        repository.remove(session, "incident", [incident_id])
    else:
        repository.file(session, item)


def refile_report(session: Session, lineage_id: str) -> None:
    """After a correction or withdrawal: the report's entry (or its incident's) made current."""
    incident_id = repository.link_of(session, lineage_id)
    if incident_id is not None:
        repository.remove(session, "report", [lineage_id])
        refile_incident(session, incident_id)
        return
    report = current_version(session, lineage_id)
    if incidents_repo.is_withdrawn(session, lineage_id):
        repository.remove(session, "report", [lineage_id])
    else:
        repository.file(session, report_item(report))


def _pair_read(pair: CorrelationPair) -> PairRead:
    return PairRead(
        id=pair.id,
        report_id=pair.report_lineage_id,
        target_kind=pair.target_kind,
        target_id=pair.target_ref,
        score=pair.score,
        status=PairStatus(pair.status),
        explanation=pair.explanation,
        run=pair.run,
        created_at=pair.created_at,
        decided_by=pair.decided_by,
        decided_at=pair.decided_at,
        reason=pair.reason,
    )


def _store_pair(
    session: Session,
    *,
    lineage_id: str,
    kind: str,
    ref: str,
    scored: r.Score | None,
    status: PairStatus,
    run: str,
    actor: Actor,
    extra: dict[str, object] | None = None,
    fresh: bool = False,
) -> CorrelationPair | None:
    """Store a scored pair; a pair an analyst decided is left as it is (None). `fresh`: the report
    is new in this transaction, so it has no pair yet."""
    explanation = scored.explanation() if scored is not None else {}
    explanation.update(extra or {})
    total = scored.total if scored is not None else 0.0
    pair = None if fresh else repository.pair(session, lineage_id, kind, ref)
    if pair is not None and pair.status in (PairStatus.ACCEPTED, PairStatus.REJECTED):
        return None
    if pair is None:
        pair = CorrelationPair(
            id=new_id(),
            report_lineage_id=lineage_id,
            target_kind=kind,
            target_ref=ref,
            score=total,
            explanation=explanation,
            status=status.value,
            run=run,
            attempts=1,
        )
        session.add(pair)
    else:
        pair.score, pair.explanation, pair.status, pair.run = total, explanation, status.value, run
        pair.attempts += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="correlation.attach" if status == PairStatus.ATTACHED else "correlation.propose",
        entity_type="report",
        entity_id=lineage_id,
        changes={
            "pair": pair.id,
            "target_kind": kind,
            "target_id": ref,
            "score": round(total, 4),
            "run": run,
        },
    )
    return pair


def _title(item: Item, report: Report) -> str:
    where = report.location_text or (
        f"{item.latitude:.3f}, {item.longitude:.3f}"
        if item.latitude is not None and item.longitude is not None
        else "an unknown place"
    )
    day = report.occurred_at.astimezone(UTC).date().isoformat()
    return f"{report.act_category.replace('_', ' ')} at {where} on {day} (grouped automatically)"[:300]


def _open_incident(session: Session, target: Incident) -> Incident | None:
    """The incident to attach to: itself, or the one it was merged into, if reports may still join."""
    seen = 0
    while target.stage == Stage.MERGED and target.merged_into_id is not None and seen < 20:
        follow = incidents_repo.find(session, target.merged_into_id)
        if follow is None:
            return None
        target, seen = follow, seen + 1
    return target if is_open(Stage(target.stage)) else None


def _current(session: Session, found: list[Item]) -> list[Item]:
    """Candidates as they stand now: a report entry grouped since it was filed (an analyst opened
    or linked by hand) stands for its incident; a withdrawn one is gone. The index is mended."""
    reports = [c.ref for c in found if c.kind == "report"]
    if not reports:
        return found
    moved = repository.links_of(session, reports)
    gone = repository.withdrawn(session, reports)
    if not moved and not gone:
        return found
    out = [c for c in found if not (c.kind == "report" and (c.ref in moved or c.ref in gone))]
    repository.remove(session, "report", sorted(set(moved) | gone))
    present = {c.ref for c in out if c.kind == "incident"}
    for incident_id in sorted(set(moved.values()) - present):
        refile_incident(session, incident_id)
        entry = repository.entry(session, "incident", incident_id)
        if entry is not None:
            out.append(repository.item_of(entry))
    return out


def correlate_report(
    session: Session,
    *,
    report: Report,
    thresholds: Thresholds,
    actor: Actor = SYSTEM,
    clock: Clock = utc_now,
    new: bool = False,
) -> Outcome:
    """Compare a new report with the indexed incidents and unattached reports; attach it above the
    attach threshold, propose the best between the thresholds, and file it in the index.

    `new`: the report was received in this transaction, so it cannot be in the index yet."""
    lineage = report.lineage_id
    # A report received in this transaction is in no incident and in no pair yet: nothing to ask.
    if not new and repository.link_of(session, lineage) is not None:
        return Outcome(report_id=lineage, decision="skipped")
    item = report_item(report)
    refused = set() if new else repository.refused(session, lineage)
    scored: list[tuple[float, Item, r.Score]] = []
    found = _current(session, repository.candidates(session, item))
    for other in found:
        if (other.kind, other.ref) in refused:
            continue
        result = r.score(item, other)
        if result is not None and result.total >= thresholds.propose:
            scored.append((result.total, other, result))
    scored.sort(key=lambda s: (-s[0], s[1].kind, s[1].ref))
    outcome = Outcome(
        report_id=lineage,
        decision="apart",
        candidates=len(found),
        best_score=scored[0][0] if scored else None,
    )
    attached_to: tuple[str, str] | None = None
    for total, other, result in scored:
        if total < thresholds.attach:
            break
        if other.kind == "report" and not thresholds.opens_incidents:
            continue
        attached_to = _attach(session, report, item, other, result, actor=actor, clock=clock)
        break
    if attached_to is not None:
        outcome.decision, outcome.incident_id = "attach", attached_to[1]
    proposals = [
        s for s in scored if attached_to is None or (s[1].kind == "incident" and s[1].ref != attached_to[1])
    ]
    if attached_to is not None:
        proposals = [s for s in proposals if s[0] < thresholds.attach]
    for total, other, result in proposals[: thresholds.max_proposals]:
        extra: dict[str, object] | None = None
        if total >= thresholds.attach:
            extra = {"note": "above the attach threshold; opening an incident is left to an analyst"}
        pair = _store_pair(
            session,
            lineage_id=lineage,
            kind=other.kind,
            ref=other.ref,
            scored=result,
            status=PairStatus.OPEN,
            run="intake",
            actor=actor,
            extra=extra,
            fresh=new,
        )
        if pair is not None:
            outcome.proposals.append(pair.id)
    if attached_to is None:
        if outcome.proposals:
            outcome.decision = "propose"
        repository.file(session, item, new=new)
    return outcome


def _attach(
    session: Session, report: Report, item: Item, other: Item, scored: r.Score, *, actor: Actor, clock: Clock
) -> tuple[str, str] | None:
    """Group the report with the best candidate; None when that cannot be done (then it is proposed)."""
    if other.kind == "incident":
        found = incidents_repo.find(session, other.ref)
        target = _open_incident(session, found) if found is not None else None
        if target is None:
            return None
        incidents.link_report(
            session, incident_id=target.id, report_id=report.id, actor=actor, method="auto", clock=clock
        )
        incident_id = target.id
    else:
        linked = repository.link_of(session, other.ref)
        if linked is not None:
            return None
        if incidents_repo.is_withdrawn(session, other.ref):
            repository.remove(session, "report", [other.ref])
            return None
        first = current_version(session, other.ref)
        opened = incidents.open_incident(
            session,
            report_ids=[first.id, report.id],
            title=_title(item, report),
            actor=actor,
            clock=clock,
            method="auto",
        )
        incident_id = opened.id
        repository.remove(session, "report", [other.ref])
    _store_pair(
        session,
        lineage_id=report.lineage_id,
        kind=other.kind,
        ref=other.ref,
        scored=scored,
        status=PairStatus.ATTACHED,
        run="intake",
        actor=actor,
        extra={"incident_id": incident_id},
    )
    repository.remove(session, "report", [report.lineage_id])
    refile_incident(session, incident_id)
    return other.kind, incident_id


def list_pairs(
    session: Session, *, actor: Actor, statuses: Sequence[PairStatus], page: PageRequest
) -> Page[PairRead]:
    """Scored pairs (by default the open proposals), best score first (the secretariat)."""
    require_permission(actor, Permission.INCIDENT_READ_ALL)
    rows, total = repository.pairs_page(
        session, statuses=[PairStatus(s).value for s in statuses], offset=page.offset, limit=page.size
    )
    return Page([_pair_read(p) for p in rows], total, page)


def _pair_for_decision(session: Session, pair_id: str) -> CorrelationPair:
    pair = repository.find_pair(session, pair_id)
    if pair is None:
        raise NotFound.of("proposal", pair_id)
    if pair.status != PairStatus.OPEN:
        raise Conflict(
            f"proposal {pair_id} is {pair.status}, not open",
            code="proposal_decided",
            details={"status": pair.status},
        )
    return pair


def _decided(
    pair: CorrelationPair, status: PairStatus, actor: Actor, reason: str | None, clock: Clock
) -> None:
    pair.status, pair.decided_by, pair.decided_at, pair.reason = status.value, actor.label, clock(), reason


def reject(
    session: Session, *, pair_id: str, actor: Actor, reason: str | None = None, clock: Clock = utc_now
) -> PairRead:
    """Reject a proposal: the pair is never proposed (nor grouped by the machine) again."""
    require_permission(actor, Permission.INCIDENT_MANAGE)
    pair = _pair_for_decision(session, pair_id)
    _decided(pair, PairStatus.REJECTED, actor, reason, clock)
    if pair.target_kind == "incident" and incidents_repo.find(session, pair.target_ref) is not None:
        from ceasefire.incidents.schemas import PairDecisionKind

        current = current_version(session, pair.report_lineage_id)
        incidents.record_pair_decision(
            session,
            report_id=current.id,
            incident_id=pair.target_ref,
            decision=PairDecisionKind.REJECT,
            actor=actor,
        )
    session.flush()
    record(
        session,
        actor=actor,
        action="correlation.reject",
        entity_type="report",
        entity_id=pair.report_lineage_id,
        changes={"pair": pair.id, "target_kind": pair.target_kind, "target_id": pair.target_ref},
        reason=reason,
        clock=clock,
    )
    return _pair_read(pair)


def accept(
    session: Session, *, pair_id: str, actor: Actor, reason: str | None = None, clock: Clock = utc_now
) -> PairRead:
    """Accept a proposal: the report joins the incident (or the two reports are grouped)."""
    require_permission(actor, Permission.INCIDENT_MANAGE)
    pair = _pair_for_decision(session, pair_id)
    report = current_version(session, pair.report_lineage_id)
    own = repository.link_of(session, pair.report_lineage_id)
    if pair.target_kind == "incident":
        incident_id = pair.target_ref
        if own != incident_id:
            incidents.link_report(
                session, incident_id=incident_id, report_id=report.id, actor=actor, clock=clock
            )
    else:
        other = current_version(session, pair.target_ref)
        theirs = repository.link_of(session, pair.target_ref)
        if own is not None and theirs is not None and own != theirs:
            raise Conflict(
                f"the two reports are in different incidents ({own}, {theirs}): merge the incidents instead",
                code="in_different_incidents",
            )
        if theirs is not None and own is None:
            incidents.link_report(session, incident_id=theirs, report_id=report.id, actor=actor, clock=clock)
            incident_id = theirs
        elif own is not None and theirs is None:
            incidents.link_report(session, incident_id=own, report_id=other.id, actor=actor, clock=clock)
            incident_id = own
        elif own is not None:
            incident_id = own
        else:
            title = _title(report_item(report), report).replace(
                "(grouped automatically)", "(accepted proposal)"
            )
            incident_id = incidents.open_incident(
                session, report_ids=[other.id, report.id], title=title, actor=actor, clock=clock
            ).id
        repository.remove(session, "report", [pair.target_ref])
    _decided(pair, PairStatus.ACCEPTED, actor, reason, clock)
    pair.explanation = {**pair.explanation, "incident_id": incident_id}
    repository.remove(session, "report", [pair.report_lineage_id])
    refile_incident(session, incident_id)
    session.flush()
    record(
        session,
        actor=actor,
        action="correlation.accept",
        entity_type="report",
        entity_id=pair.report_lineage_id,
        changes={
            "pair": pair.id,
            "target_kind": pair.target_kind,
            "target_id": pair.target_ref,
            "incident_id": incident_id,
        },
        reason=reason,
        clock=clock,
    )
    return _pair_read(pair)


def explain_report(session: Session, *, report_id: str, actor: Actor) -> Explanation:
    """How the correlator sees a report: its incident (and how it got there) and its scored pairs."""
    require_permission(actor, Permission.INCIDENT_READ_ALL)
    report = incidents_repo.find_report(session, report_id)
    if report is None:
        raise NotFound.of("report", report_id)
    link = incidents_repo.link_of(session, report.lineage_id)
    pairs = repository.pairs_of(session, lineage_id=report.lineage_id)
    return Explanation(
        subject_kind="report",
        subject_id=report.lineage_id,
        incident_id=link.incident_id if link else None,
        linked_by=link.method if link else None,
        pairs=[_pair_read(p) for p in pairs],
    )


def explain_incident(session: Session, *, incident_id: str, actor: Actor) -> Explanation:
    """The scored pairs naming an incident or one of its reports (attached, proposed, decided)."""
    require_permission(actor, Permission.INCIDENT_READ_ALL)
    incident = incidents_repo.find(session, incident_id)
    if incident is None:
        raise NotFound.of("incident", incident_id)
    pairs = repository.pairs_of(session, incident_id=incident.id)
    return Explanation(subject_kind="incident", subject_id=incident.id, pairs=[_pair_read(p) for p in pairs])


def reindex(session: Session, *, progress: Progress | None = None) -> int:
    """Rebuild the index: every open incident and every unattached, current, not withdrawn report."""
    repository.clear(session)
    linked = repository.links(session)
    items: list[Item] = []
    for report in repository.current_reports(session):
        if report.lineage_id not in linked:
            items.append(report_item(report))
    for incident_id in sorted(set(linked.values())):
        incident = incidents_repo.find(session, incident_id)
        if incident is not None and is_open(Stage(incident.stage)):
            item = incident_item(session, incident)
            if item is not None:
                items.append(item)
    if progress is not None:
        progress("index", 0, len(items))
    count = repository.file_many(session, items)
    if progress is not None:
        progress("index", count, count)
    return count


def run_batch(
    session: Session,
    *,
    thresholds: Thresholds,
    actor: Actor,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> RunSummary:
    """Re-correlate every current report: group what belongs together (through the incidents
    domain, respecting every analyst decision), propose the doubtful pairs, rebuild the index."""
    require_permission(actor, Permission.INCIDENT_MANAGE)
    started = time.perf_counter()
    reports = repository.current_reports(session)
    linked = repository.links(session)
    items = [report_item(rep) for rep in reports]
    position = {item.ref: i for i, item in enumerate(items)}
    actors: dict[str, int] = {}

    def code(keys: frozenset[str]) -> int:
        return actors.setdefault(min(keys), len(actors)) if keys else -1

    arrays = batch.Items(
        t_center=np.asarray([i.t_center for i in items], dtype=np.float64),
        t_half=np.asarray([i.t_half for i in items], dtype=np.float64),
        latitude=np.asarray([np.nan if i.latitude is None else i.latitude for i in items], dtype=np.float64),
        longitude=np.asarray(
            [np.nan if i.longitude is None else i.longitude for i in items], dtype=np.float64
        ),
        radius_km=np.asarray([i.radius_km for i in items], dtype=np.float64),
        category=np.asarray([r.CATEGORY_CODES[min(i.categories)] for i in items], dtype=np.int16),
        perpetrator=np.asarray([code(i.perpetrators) for i in items], dtype=np.int32),
        target=np.asarray([code(i.targets) for i in items], dtype=np.int32),
        text=[i.text for i in items],
    )
    members: dict[str, list[int]] = defaultdict(list)
    for lineage, incident_id in linked.items():
        if lineage in position:
            members[incident_id].append(position[lineage])
    forbidden: list[tuple[int, int]] = []
    for lineage, kind, ref in repository.all_refusals(session):
        if lineage not in position:
            continue
        if kind == "report" and ref in position:
            forbidden.append((position[lineage], position[ref]))
        elif kind == "incident":
            forbidden.extend((position[lineage], m) for m in members.get(ref, []))

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("compare", done, total)

    result = batch.correlate(arrays, thresholds, progress=step, keep_proposals=True, forbidden=forbidden)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(result.labels.tolist()):
        groups[label].append(i)
    opened = attached = proposed = 0
    multi = [g for g in groups.values() if len(g) > 1]
    for done, group in enumerate(multi, 1):
        if progress is not None:
            progress("group", done, len(multi))
        incident_ids = sorted({linked[items[i].ref] for i in group if items[i].ref in linked})
        loose = [i for i in group if items[i].ref not in linked]
        if not loose:
            continue
        if len(incident_ids) == 1:
            attached += _batch_attach(
                session, incident_ids[0], [items[i] for i in loose], reports, position, actor, clock
            )
        elif not incident_ids and len(loose) > 1:
            first = reports[loose[0]]
            incident = incidents.open_incident(
                session,
                report_ids=[reports[i].id for i in loose],
                title=_title(items[loose[0]], first),
                actor=actor,
                clock=clock,
                method="batch",
            )
            opened += 1
            attached += len(loose)
            for i in loose[1:]:
                _store_pair(
                    session,
                    lineage_id=items[i].ref,
                    kind="report",
                    ref=items[loose[0]].ref,
                    scored=r.score(items[i], items[loose[0]]),
                    status=PairStatus.ATTACHED,
                    run="batch",
                    actor=actor,
                    extra={"incident_id": incident.id},
                )
        else:
            for i in loose:
                proposed += _batch_propose(session, items[i], incident_ids, thresholds, actor)
    if result.proposals is not None:
        proposed += _band_proposals(session, result, items, thresholds, actor)
    indexed = reindex(session, progress=progress)
    summary = RunSummary(
        reports=len(items),
        candidate_pairs=result.candidate_pairs,
        incidents_opened=opened,
        reports_attached=attached,
        proposals=proposed,
        indexed=indexed,
        seconds=round(time.perf_counter() - started, 3),
    )
    record(
        session,
        actor=actor,
        action="correlation.run",
        entity_type="correlation",
        entity_id="batch",
        changes=summary.model_dump(),
        clock=clock,
    )
    return summary


def _batch_attach(
    session: Session,
    incident_id: str,
    loose: list[Item],
    reports: list[Report],
    position: dict[str, int],
    actor: Actor,
    clock: Clock,
) -> int:
    found = incidents_repo.find(session, incident_id)
    target = _open_incident(session, found) if found is not None else None
    if target is None:
        return 0
    whole = incident_item(session, target)
    count = 0
    for item in loose:
        incidents.link_report(
            session,
            incident_id=target.id,
            report_id=reports[position[item.ref]].id,
            actor=actor,
            method="batch",
            clock=clock,
        )
        _store_pair(
            session,
            lineage_id=item.ref,
            kind="incident",
            ref=target.id,
            scored=r.score(item, whole) if whole is not None else None,
            status=PairStatus.ATTACHED,
            run="batch",
            actor=actor,
            extra={"incident_id": target.id},
        )
        count += 1
    return count


def _batch_propose(
    session: Session, item: Item, incident_ids: list[str], thresholds: Thresholds, actor: Actor
) -> int:
    count = 0
    for incident_id in incident_ids[: thresholds.max_proposals]:
        incident = incidents_repo.find(session, incident_id)
        whole = incident_item(session, incident) if incident is not None else None
        scored = r.score(item, whole) if whole is not None else None
        if scored is not None and scored.total >= thresholds.propose:
            stored = _store_pair(
                session,
                lineage_id=item.ref,
                kind="incident",
                ref=incident_id,
                scored=scored,
                status=PairStatus.OPEN,
                run="batch",
                actor=actor,
            )
            count += stored is not None
    return count


def _band_proposals(
    session: Session, result: batch.Result, items: list[Item], thresholds: Thresholds, actor: Actor
) -> int:
    assert result.proposals is not None
    a, b, _ = result.proposals
    links = repository.links(session)
    per_report: dict[str, int] = defaultdict(int)
    count = 0
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        left, right = items[x], items[y]
        if result.labels[x] == result.labels[y] or per_report[left.ref] >= thresholds.max_proposals:
            continue
        if left.ref in links and right.ref in links:
            continue
        if left.ref in links:
            left, right = right, left
        kind, ref = ("incident", links[right.ref]) if right.ref in links else ("report", right.ref)
        if (kind, ref) in repository.refused(session, left.ref):
            continue
        scored = r.score(left, right)
        if scored is None or scored.total < thresholds.propose:
            continue
        stored = _store_pair(
            session,
            lineage_id=left.ref,
            kind=kind,
            ref=ref,
            scored=scored,
            status=PairStatus.OPEN,
            run="batch",
            actor=actor,
        )
        if stored is not None:
            per_report[left.ref] += 1
            count += 1
    return count


__all__ = [
    "accept",
    "correlate_report",
    "explain_incident",
    "explain_report",
    "list_pairs",
    "refile_incident",
    "refile_report",
    "reindex",
    "reject",
    "run_batch",
]
