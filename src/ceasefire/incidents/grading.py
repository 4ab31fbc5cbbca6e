"""The verification grade of an incident, with its reasons (pure; after Airwars).

In order of precedence:

- *discounted*: the incident was dismissed, or every linked report was withdrawn;
- *unverified*: no report is linked, or no credible claim says the event happened (only sources
  not identified in the registry, or only denials);
- *contested*: a denial, mutual accusation or competing attribution between credible camps;
- *confirmed*: acknowledged by the responsible party (a credible claim from the side of the
  alleged perpetrator that says it happened and blames nobody else), observed by a monitor, or
  backed by verified evidence;
- *corroborated*: credible claims from two or more independent sides say it happened;
- *single source*: credible claims from one side only (two reports of one side count once).

Reasons name claims by reference (C1, ...) and sides by label (S1, ...), never by source, so they
may be shown to anyone who may see the incident.
"""

from __future__ import annotations

from collections.abc import Sequence

from ceasefire.incidents.contradictions import Contradiction
from ceasefire.incidents.facts import ClaimFacts, ClaimSet
from ceasefire.kernel.claims import Grade


def _acknowledges(claim: ClaimFacts, claims: ClaimSet, blamed: set[str]) -> bool:
    """A supporting claim from the perpetrator's own side that does not blame anyone else."""
    own = claims.source_side(claim)
    named = claims.perpetrator_side(claim)
    return named == own or (named is None and own in blamed)


def confirmations(claims: ClaimSet) -> list[str]:
    """Why the event counts as confirmed (empty when it does not)."""
    supporting = [c for c in claims.active if c.supports and c.credible]
    blamed = {s for c in supporting if c.perpetrator_party_id and (s := claims.perpetrator_side(c))}
    reasons = []
    for claim in supporting:
        ref = claims.ref(claim)
        # A perpetrator given only as free text cannot be matched to the source's side.
        comparable = claim.perpetrator_party_id is not None or claim.perpetrator_key is None
        if comparable and _acknowledges(claim, claims, blamed):
            reasons.append(f"acknowledged by the responsible side: {ref} comes from the alleged perpetrator")
        if claim.is_monitor:
            reasons.append(f"observed by a monitor: {ref}")
        if claim.has_verified_evidence:
            reasons.append(f"backed by verified evidence: {ref}")
    return reasons


def _by_side(claims: ClaimSet, chosen: Sequence[ClaimFacts]) -> dict[str, list[ClaimFacts]]:
    groups: dict[str, list[ClaimFacts]] = {}
    for claim in chosen:
        groups.setdefault(claims.side_label(claim), []).append(claim)
    return groups


def _describe_sides(claims: ClaimSet, groups: dict[str, list[ClaimFacts]]) -> str:
    return "; ".join(f"{label}: {', '.join(claims.refs(members))}" for label, members in groups.items())


def _uncontested(claims: ClaimSet) -> tuple[Grade, list[str]]:
    """The grade the claims earn when nobody disputes them."""
    confirmed = confirmations(claims)
    if confirmed:
        return Grade.CONFIRMED, confirmed
    supporting = [c for c in claims.active if c.supports and c.credible]
    groups = _by_side(claims, supporting)
    if len(groups) >= 2:
        return Grade.CORROBORATED, [
            f"{len(groups)} independent sides say it happened ({_describe_sides(claims, groups)})"
        ]
    if groups:
        reasons = [f"one side only says it happened ({_describe_sides(claims, groups)})"]
        if len(supporting) > 1:
            reasons.append("reports from one side are not independent: they count once")
        return Grade.SINGLE_SOURCE, reasons
    return Grade.UNVERIFIED, _unverified_reasons(claims)


def _unverified_reasons(claims: ClaimSet) -> list[str]:
    reasons = ["no credible claim says the event happened"]
    unidentified = [c for c in claims.active if c.supports and not c.credible]
    if unidentified:
        reasons.append(f"sources not identified in the registry: {', '.join(claims.refs(unidentified))}")
    others = [c for c in claims.active if not c.supports]
    if others:
        reasons.append(f"claims that do not assert the event: {', '.join(claims.refs(others))}")
    return reasons


def grade(
    claims: ClaimSet, contradictions: Sequence[Contradiction], *, dismissed_because: str | None = None
) -> tuple[Grade, list[str]]:
    """The grade of an incident and the reasons for it (see the module docstring)."""
    if dismissed_because is not None:
        return Grade.DISCOUNTED, [f"the incident was dismissed: {dismissed_because}"]
    if not claims.claims:
        return Grade.UNVERIFIED, ["no reports are linked to the incident"]
    if not claims.active:
        return Grade.DISCOUNTED, [
            f"every linked report was withdrawn ({', '.join(claims.refs(claims.claims))})"
        ]
    withdrawn = [c for c in claims.claims if c.withdrawn]
    notes = [f"withdrawn and not counted: {', '.join(claims.refs(withdrawn))}"] if withdrawn else []
    otherwise, reasons = _uncontested(claims)
    disputes = [c for c in contradictions if c.contesting]
    if disputes:
        listed = [f"{c.kind.value.replace('_', ' ')}: {c.description}" for c in disputes]
        undisputed = f"without the dispute the grade would be {otherwise.value.replace('_', ' ')}"
        return Grade.CONTESTED, [*listed, f"{undisputed}: {'; '.join(reasons)}", *notes]
    return otherwise, [*reasons, *notes]
