"""Incidents: the real-world events under examination, each grouping the reports that describe it.

Terms: an *incident* groups report *lineages* (a report with all its versions; its *current*
version speaks for it, and a withdrawn report stays linked but no longer counts). Each linked
report is a *claim* (C1, C2, ... in the order the reports arrived) by a *source* on a *side*: the
parties joined to it by part-of, spokesperson-of or alliance relations (sides.py); neutral monitors,
UN bodies, outlets and organisations are each their own side. Two reports of one side are not
independent. What the incident says of time, place and casualties, its *contradictions* (denial,
mutual accusation, competing attribution, casualty figures) and its verification *grade* (after
Airwars: unverified, single source, corroborated, confirmed, contested, discounted) are *derived*
from the claims (rules.py) and stored as a cache, never typed in. The *stage* (new, triage,
verification, determination, liaison, closed; merged and dismissed with a reason) moves through
a state machine (stages.py); the *publication* level (internal, parties, public) says who beyond
the secretariat may see the incident; stage, grade and publication are independent. A *pair
decision* is an analyst's accept or reject of a report-incident pairing, which the automatic
correlation must respect.
"""

from ceasefire.incidents.derivation import incident_claims, refresh, refresh_for_report, refresh_stale
from ceasefire.incidents.facts import Casualties, ClaimFacts, Range
from ceasefire.incidents.rules import Derived, derive
from ceasefire.incidents.service import (
    advance_stage,
    dismiss,
    get_incident,
    is_rejected,
    link_report,
    list_incidents,
    list_public_incidents,
    merge_incidents,
    open_incident,
    read_incident,
    read_public_incident,
    record_pair_decision,
    set_publication,
    split_incident,
    stage_history,
    unlink_report,
)
from ceasefire.incidents.sides import assign_sides, side_of

__all__ = [
    "Casualties",
    "ClaimFacts",
    "Derived",
    "Range",
    "advance_stage",
    "assign_sides",
    "derive",
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
    "side_of",
    "split_incident",
    "stage_history",
    "unlink_report",
]
