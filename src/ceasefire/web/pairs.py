"""Scored pairs as the pages show them: both sides summed up, each signal of the score in a row.

Shared by the correlation desk and the correlation section of the report and incident pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.correlation.schemas import PairRead
from ceasefire.incidents import repository as incident_rows


def signal_rows(explanation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each signal of a stored explanation: its value (0 to 1), weight and contribution to the score."""
    signals = explanation.get("signals") or {}
    weights = explanation.get("weights") or {}
    contributions = explanation.get("contributions") or {}
    rows = []
    for name, value in signals.items():
        weight = weights.get(name)
        contribution = contributions.get(name)
        if contribution is None and weight is not None:
            contribution = round(float(value) * float(weight), 4)
        rows.append({"name": name, "value": float(value), "weight": weight, "contribution": contribution})
    return rows


def _report_summaries(session: Session, lineage_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Who claimed what, when and where, for each report lineage (one query for a page)."""
    out: dict[str, dict[str, Any]] = {}
    for row in incident_rows.claim_rows(session, set(lineage_ids)):
        report = row.report
        out[report.lineage_id] = {
            "source": report.source_name or row.source_party_name or report.source_party_id or "",
            "act": report.act_category,
            "occurred_at": report.occurred_at,
            "where": report.location_text or report.place_id or "",
            "withdrawn": row.withdrawn,
        }
    return out


def pair_views(session: Session, pairs: Sequence[PairRead]) -> list[dict[str, Any]]:
    """The pairs as the pages show them: the two sides summed up, the signals in rows."""
    report_ids = {p.report_id for p in pairs} | {p.target_id for p in pairs if p.target_kind == "report"}
    incident_ids = {p.target_id for p in pairs if p.target_kind == "incident"}
    incident_ids |= {str(p.explanation["incident_id"]) for p in pairs if p.explanation.get("incident_id")}
    reports = _report_summaries(session, sorted(report_ids))
    found = incident_rows.find_many(session, incident_ids)
    incidents = {i.id: {"title": i.title, "stage": i.stage} for i in found.values()}
    return [
        {
            "pair": p,
            "report": reports.get(p.report_id),
            "target": incidents.get(p.target_id) if p.target_kind == "incident" else reports.get(p.target_id),
            "incident": incidents.get(str(p.explanation.get("incident_id") or "")),
            "signals": signal_rows(p.explanation),
            "counter_accusation": bool(p.explanation.get("counter_accusation")),
            "note": p.explanation.get("note"),
        }
        for p in pairs
    ]
