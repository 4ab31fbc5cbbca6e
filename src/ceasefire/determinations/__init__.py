"""Determinations: does an agreement apply to an incident, and what was found.

Terms: *applicability* is one agreement's verdict on one incident — *in scope*, *out of scope* with
the deciding reason (before start, after end, not in force, outside area, act not prohibited,
perpetrator not bound, target excluded) or *uncertain* with every reason for doubt (time unknown or
straddling the start or end, location unknown or straddling an area's edge, perpetrator unknown or
disputed, target disputed, a stance changing within the time window) — with a *trace*, one
sentence per check, times in the agreement's zone. The rules (applicability.py, scope.py) are pure;
the *catalog* holds every agreement as facts with a spatial index, rebuilt when the registry
changes. A *determination* is a finding on an incident (violation, no violation, inconclusive), the
responsible party, the *provisions* breached (obligations of agreements, by category), the
rationale and the evidence cited, with the applicability as it stood when it was issued. A new
determination *supersedes* the incident's current one; both are kept.
"""

from ceasefire.determinations.applicability import (
    AgreementFacts,
    Applicability,
    IncidentFacts,
    Reason,
    ScopeIndex,
    evaluate,
)
from ceasefire.determinations.service import (
    assess,
    build_agreement_facts,
    build_incident_facts,
    current_determination,
    determinations_of,
    get_determination,
    issue_determination,
)

__all__ = [
    "AgreementFacts",
    "Applicability",
    "IncidentFacts",
    "Reason",
    "ScopeIndex",
    "assess",
    "build_agreement_facts",
    "build_incident_facts",
    "current_determination",
    "determinations_of",
    "evaluate",
    "get_determination",
    "issue_determination",
]
