"""Keep an incident's derived columns in step with its reports (the cache of rules.derive).

When: every incidents verb refreshes the incidents it changes; reading an incident recomputes it
and rewrites the cache when it differs (so a correction, withdrawal, new evidence or registry change
shows at once); listing first refreshes the incidents whose reports gained a version, a withdrawal
or evidence since they were derived. The intake domain sits below this one and cannot call it:
the edges (API, CLI) may call `refresh_for_report` after correcting or withdrawing a report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ceasefire.incidents import repository as repo
from ceasefire.incidents.facts import Casualties, ClaimFacts, Range, source_key_for
from ceasefire.incidents.models import Incident
from ceasefire.incidents.repository import ClaimRow
from ceasefire.incidents.rules import Derived, assign_sides, derive
from ceasefire.kernel.claims import Channel, ClaimStance, Stage
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import NotFound
from ceasefire.kernel.time import DAMASCUS, TimePrecision, TimeWindow, zone
from ceasefire.kernel.vocab import LocationPrecision, PartyKind


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An incident's claims as stored rows and as facts, and what the rules derive from them."""

    rows: list[ClaimRow]
    facts: list[ClaimFacts]
    derived: Derived


def claim_facts(row: ClaimRow) -> ClaimFacts:
    """The facts of one current report version (its place's coordinates when it gives none)."""
    r = row.report
    has_point = r.latitude is not None and r.longitude is not None
    return ClaimFacts(
        report_id=r.id,
        lineage_id=r.lineage_id,
        version=r.version,
        source_key=source_key_for(r.source_party_id, r.source_name),
        source_name=r.source_name,
        source_party_id=r.source_party_id,
        submitter_party_id=row.submitter_party_id,
        stance=ClaimStance(r.stance),
        window=TimeWindow(r.occurred_start, r.occurred_end, TimePrecision(r.time_precision)),
        act_category=r.act_category,
        latitude=r.latitude if has_point else row.place_latitude,
        longitude=r.longitude if has_point else row.place_longitude,
        location_precision=LocationPrecision(r.location_precision),
        place_id=r.place_id,
        perpetrator_party_id=r.perpetrator_party_id,
        perpetrator_text=r.perpetrator_text,
        target_party_id=r.target_party_id,
        target_text=r.target_text,
        casualties=Casualties(
            killed=Range.of(r.killed_min, r.killed_max),
            injured=Range.of(r.injured_min, r.injured_max),
            women_killed=Range.of(r.women_killed_min, r.women_killed_max),
            children_killed=Range.of(r.children_killed_min, r.children_killed_max),
        ),
        has_verified_evidence=row.has_verified_evidence,
        is_monitor=row.source_kind == PartyKind.MONITOR or row.channel == Channel.OBSERVATION_POST,
        withdrawn=row.withdrawn,
    )


def _first_day(facts: list[ClaimFacts]) -> date | None:
    if not facts:
        return None
    return min(f.window.start for f in facts).astimezone(zone(DAMASCUS)).date()


def _with_sides(session: Session, facts: list[ClaimFacts]) -> tuple[list[ClaimFacts], dict[str, str]]:
    """The facts with their sources' sides, and the sides of every party they name."""
    named = {p for f in facts for p in (f.source_party_id, f.perpetrator_party_id, f.target_party_id) if p}
    if not named:
        return facts, {}
    sides = assign_sides(
        named, repo.uniting_relations(session), neutral=repo.neutral_party_ids(session), on=_first_day(facts)
    )
    placed = [dataclasses.replace(f, source_side=sides.get(f.source_key)) for f in facts]
    return placed, sides


def snapshot(session: Session, incident: Incident) -> Snapshot:
    """Derive an incident afresh from the current versions of its reports (nothing is written)."""
    lineages = [link.report_lineage_id for link in repo.links_of(session, incident.id)]
    rows = repo.claim_rows(session, lineages)
    facts, sides = _with_sides(session, [claim_facts(r) for r in rows])
    dismissed = (incident.stage_reason or "no reason given") if incident.stage == Stage.DISMISSED else None
    derived = derive(facts, sides=sides, dismissed_because=dismissed)
    if incident.stage == Stage.MERGED:
        derived = dataclasses.replace(derived, reasons=(f"merged into incident {incident.merged_into_id}",))
    return Snapshot(rows, facts, derived)


def store(incident: Incident, derived: Derived, *, clock: Clock = utc_now) -> None:
    """Write the derived columns and JSON of an incident."""
    window, place, casualties = derived.window, derived.place, derived.casualties
    incident.window_start = window.start if window else None
    incident.window_end = window.end if window else None
    incident.latitude = place.latitude if place else None
    incident.longitude = place.longitude if place else None
    incident.location_precision = place.precision.value if place else None
    incident.killed_min = casualties.killed.low if casualties.killed else None
    incident.killed_max = casualties.killed.high if casualties.killed else None
    incident.injured_min = casualties.injured.low if casualties.injured else None
    incident.injured_max = casualties.injured.high if casualties.injured else None
    incident.grade = derived.grade.value
    incident.derived = derived.to_json()
    incident.derived_at = clock()


def refresh(session: Session, incident: Incident, *, clock: Clock = utc_now) -> Derived:
    """Recompute and store an incident's derived columns from the current versions of its reports."""
    derived = snapshot(session, incident).derived
    store(incident, derived, clock=clock)
    session.flush()
    return derived


def refresh_if_changed(
    session: Session, incident: Incident, current: Snapshot, *, clock: Clock = utc_now
) -> None:
    """Rewrite the cache when what was just derived differs from what is stored."""
    if incident.derived != current.derived.to_json() or incident.grade != current.derived.grade.value:
        store(incident, current.derived, clock=clock)
        session.flush()


def refresh_for_report(session: Session, lineage_id: str, *, clock: Clock = utc_now) -> Incident | None:
    """Refresh the incident grouping a report lineage (after a correction or withdrawal); None if unlinked."""
    link = repo.link_of(session, lineage_id)
    if link is None:
        return None
    incident = repo.find(session, link.incident_id)
    assert incident is not None  # the link's foreign key guarantees it
    refresh(session, incident, clock=clock)
    return incident


def refresh_stale(
    session: Session, incident_ids: Collection[str] | None = None, *, clock: Clock = utc_now
) -> int:
    """Refresh the incidents (all, or these) whose reports changed since they were derived; how many."""
    stale = repo.stale_incident_ids(session, incident_ids)
    for incident_id in sorted(stale):
        incident = repo.find(session, incident_id)
        if incident is not None:
            refresh(session, incident, clock=clock)
    return len(stale)


def incident_claims(
    session: Session, incident_id: str, *, include_withdrawn: bool = False
) -> list[ClaimFacts]:
    """The facts of an incident's claims (current versions, sources' sides filled in), for other domains."""
    incident = repo.find(session, incident_id)
    if incident is None:
        raise NotFound.of("incident", incident_id)
    facts = snapshot(session, incident).facts
    return facts if include_withdrawn else [f for f in facts if not f.withdrawn]
