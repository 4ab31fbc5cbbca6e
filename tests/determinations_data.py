"""Applicability test data: the 2016 replay's agreements as facts, read straight from its files (no
database), and the incidents of the brief's worked cases 1-5 as the incidents service derives them
from the reports of src/ceasefire/replay/data/2016/cases.yaml."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from shapely.geometry import shape
from sqlalchemy.orm import Session

from ceasefire.determinations.applicability import AgreementFacts, AreaShape, IncidentFacts
from ceasefire.determinations.facts import StanceFact, StanceTimeline
from ceasefire.incidents.models import Incident, IncidentReport
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.interchange.replay import replay_bundle
from ceasefire.kernel.time import TimePrecision, TimeWindow
from ceasefire.kernel.vocab import LocationPrecision, ScopeKind, Stance

# Positions of the gazetteer entries the cases name (curated and GeoNames points).
JOBAR = (36.337111, 33.531)
DEIR_EZ_ZOR = (40.14084, 35.33588)
HOMS = (36.72559, 34.72405)
AL_DABBEET = (37.1255, 36.2005)
ALEPPO = (37.16117, 36.20124)


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _timeline(
    agreement_id: str, parents: dict[str, str | None], stances: dict[str, list[dict[str, Any]]]
) -> StanceTimeline:
    """Own stance, else the nearest ancestor's, on every day a record of the chain starts or ends."""
    chain = [agreement_id]
    while (parent := parents.get(chain[-1])) is not None:
        chain.append(parent)
    rows = [row for holder in chain for row in stances[holder]]
    days = sorted(
        {date.fromisoformat(r["valid_from"]) for r in rows}
        | {date.fromisoformat(r["valid_to"]) + timedelta(days=1) for r in rows if r.get("valid_to")}
    )
    segments = []
    for day in days:
        facts: dict[str, StanceFact] = {}
        for depth, holder in enumerate(chain):
            for r in stances[holder]:
                covers = date.fromisoformat(r["valid_from"]) <= day and (
                    not r.get("valid_to") or day <= date.fromisoformat(r["valid_to"])
                )
                if covers and r["party_id"] not in facts:
                    facts[r["party_id"]] = StanceFact(r["party_id"], Stance(r["stance"]), holder, depth > 0)
        segments.append((day, facts))
    return StanceTimeline(segments)


@cache
def replay_agreements() -> tuple[AgreementFacts, ...]:
    """The agreements of the 2016 replay as facts, from its data files."""
    items = replay_bundle().items
    areas = {i.data["id"]: i.data for i in items["areas"]}
    stances: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items["stances"]:
        stances[item.data["agreement_id"]].append(item.data)
    parents = {i.data["id"]: i.data.get("parent_id") for i in items["agreements"]}
    found = []
    for item in items["agreements"]:
        a = item.data
        listed = a.get("areas") or []
        history = [
            (a["status_at"], a["status"]),
            *((h["at"], h["status"]) for h in a.get("status_history") or []),
        ]

        def shapes(mode: str, listed: list[dict[str, str]] = listed) -> tuple[AreaShape, ...]:
            return tuple(
                AreaShape(s["area_id"], areas[s["area_id"]]["name"], shape(areas[s["area_id"]]["geometry"]))
                for s in listed
                if s.get("mode", "include") == mode
            )

        found.append(
            AgreementFacts(
                id=a["id"],
                name=a["name"],
                kind=a["kind"],
                starts_at=datetime.fromisoformat(a["starts_at"]),
                ends_at=_instant(a.get("ends_at")),
                timezone=a["timezone"],
                scope_kind=ScopeKind(a["scope_kind"]),
                included=shapes("include"),
                excluded=shapes("exclude"),
                prohibited=frozenset(
                    o["category"] for o in a["obligations"] if o["kind"] == "prohibited_act"
                ),
                stances=_timeline(a["id"], parents, stances),
                status_history=tuple((datetime.fromisoformat(at), status) for at, status in history),
            )
        )
    return tuple(found)


@cache
def party_names() -> dict[str, str]:
    """Names of the replay's parties by id."""
    return {i.data["id"]: i.data["name"] for i in replay_bundle().items["parties"]}


def window(local: str, precision: TimePrecision) -> TimeWindow:
    """The window a claimed Damascus time stands for at its precision."""
    return TimeWindow.around(datetime.fromisoformat(local), precision, "Asia/Damascus")


def incident(
    incident_id: str,
    when: TimeWindow | None,
    where: tuple[float, float] | None,
    precision: LocationPrecision = LocationPrecision.TOWN,
    **claims: Any,
) -> IncidentFacts:
    """Incident facts with the replay's party names."""
    return IncidentFacts(
        incident_id=incident_id,
        window_start=when.start if when else None,
        window_end=when.end if when else None,
        time_precision=when.precision if when else None,
        longitude=where[0] if where else None,
        latitude=where[1] if where else None,
        location_precision=precision if where else LocationPrecision.UNKNOWN,
        party_names=party_names(),
        **claims,
    )


def case_1() -> IncidentFacts:
    """Jobar, 13 Sep 2016 afternoon: the opposition says the government shelled it, the government
    says the rebels attacked first (counter-accusation)."""
    return incident(
        "case-1",
        window("2016-09-13T15:00+03:00", TimePrecision.DAY),
        JOBAR,
        act_categories=("shelling", "armed_attack"),
        perpetrator_ids=("syrian-government-forces", "free-syrian-army"),
        target_ids=("free-syrian-army", "syrian-government-forces"),
    )


def case_2() -> IncidentFacts:
    """US-led coalition strikes on Islamic State supply routes near Deir al-Zor, 17 Sep 2016."""
    return incident(
        "case-2",
        window("2016-09-17T00:00+03:00", TimePrecision.DAY),
        DEIR_EZ_ZOR,
        act_categories=("air_strike",),
        perpetrator_ids=("us-led-coalition",),
        target_ids=("islamic-state",),
    )


def case_3() -> IncidentFacts:
    """Shelling in Homs on some day of the week of 22 Feb 2016 (a constructed example)."""
    return incident(
        "case-3",
        window("2016-02-22T00:00+02:00", TimePrecision.WEEK),
        HOMS,
        act_categories=("shelling",),
        perpetrator_ids=("syrian-government-forces",),
        target_kind="a residential area of Homs city",
    )


def case_4(*perpetrators: str) -> IncidentFacts:
    """Rockets on al-Dabbeet hospital, Aleppo, 3 May 2016, 'reportedly fired by rebels' (no group)."""
    return incident(
        "case-4",
        window("2016-05-03T00:00+03:00", TimePrecision.DAY),
        AL_DABBEET,
        act_categories=("attack_on_medical_facility",),
        perpetrator_ids=perpetrators,
        perpetrator_texts=() if perpetrators else ("rebels",),
        target_kind="al-Dabbeet maternity hospital",
    )


def case_5() -> IncidentFacts:
    """Air strikes on Aleppo reported on 23 and 24 Oct 2016 (no aircraft identified); the Russian
    defence ministry denies any Russian or Syrian flight near Aleppo. The two days' reports do not
    meet, so the window is their span, at day precision."""
    first, second = (window(f"2016-10-2{d}T00:00+03:00", TimePrecision.DAY) for d in (3, 4))
    return incident(
        "case-5",
        TimeWindow(first.start, second.end, TimePrecision.DAY),
        ALEPPO,
        act_categories=("air_strike",),
        perpetrator_texts=("Russian or Syrian government aircraft",),
        denied_ids=("russian-armed-forces",),
        target_kind="Aleppo",
    )


# --- stored incidents (rows as the intake and incidents services write them) -----------------------


def store_incident(
    session: Session,
    incident_id: str,
    claims: list[dict[str, Any]],
    *,
    where: tuple[float, float] | None,
    precision: str = "town",
    publication: str = "internal",
) -> Incident:
    """An incident grouping one report per claim, stored as the intake and incidents services do.

    A claim is a dict of Report columns plus `occurred` (a Damascus ISO time), `time_precision`,
    `submitter_party_id` (the party whose account sent the message) and `withdrawn`; each report is
    placed at `where` (with `precision`) unless the claim says otherwise. The incident's window and
    place are derived from the reports by the incidents rules.
    """
    session.add(
        Incident(
            id=incident_id,
            title=f"Incident {incident_id}",
            stage="determination",
            publication=publication,
            grade="unverified",
        )
    )
    session.flush()
    for n, claim in enumerate(claims, 1):
        claim = dict(claim)
        report_id = f"{incident_id}-r{n}"
        claimed = window(claim.pop("occurred"), TimePrecision(claim.pop("time_precision", "day")))
        session.add(
            Message(
                id=report_id,
                reference_code=f"T-{next(_codes):06d}",
                channel="api",
                received_at=claimed.end,
                submitter_key="test",
                submitter_party_id=claim.pop("submitter_party_id", None),
                payload={},
            )
        )
        withdrawn = claim.pop("withdrawn", False)
        located = where is not None and claim.get("location_precision", precision) != "unknown"
        session.flush()
        session.add(
            Report(
                id=report_id,
                lineage_id=report_id,
                message_id=report_id,
                source_name=claim.pop("source_name", claim.get("source_party_id") or "a source"),
                stance=claim.pop("stance", "asserts"),
                occurred_at=claimed.start,
                time_precision=claimed.precision.value,
                occurred_start=claimed.start,
                occurred_end=claimed.end,
                location_precision=claim.pop("location_precision", precision if located else "unknown"),
                longitude=where[0] if where and located else None,
                latitude=where[1] if where and located else None,
                **claim,
            )
        )
        session.add(IncidentReport(incident_id=incident_id, report_lineage_id=report_id, linked_by="test"))
        if withdrawn:
            session.add(ReportWithdrawal(lineage_id=report_id, withdrawn_at=claimed.end, reason="test"))
        session.flush()
    return session.get(Incident, incident_id)  # type: ignore[return-value]


_codes = itertools.count(1)
