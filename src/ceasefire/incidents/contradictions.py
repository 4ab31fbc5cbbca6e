"""Contradictions between the claims of one incident (pure).

Kinds, each listed with the claims involved (by reference, never by source name):

- *denial*: a claim that denies the act against claims that accuse (assert, confirm or
  counter-accuse) the same perpetrator, or any perpetrator when the denial names none (it denies the
  event). "Same" means the same party, the same side, or the same name as given.
- *mutual accusation*: claims accusing perpetrators on two different sides, where each blames the
  other's side (the side of the other claim's source or target), or where one of them is a
  counter-accusation. One entry per pair of perpetrator sides.
- *competing attribution*: claims saying the act happened but blaming registered parties on
  different sides, without accusing each other (e.g. two outlets naming different air forces).
- *casualty figures*: figures (killed, or injured) given by two claims whose ranges do not overlap.

A contradiction *contests* the incident (grade contested) when it is of the first three kinds and
each of its two camps has at least one credible claim; casualty figures never contest, they are
listed so the analyst sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from ceasefire.incidents.facts import ClaimFacts, ClaimSet
from ceasefire.kernel.claims import ClaimStance


class ContradictionKind(StrEnum):
    """What two camps of claims disagree about."""

    DENIAL = "denial"
    MUTUAL_ACCUSATION = "mutual_accusation"
    COMPETING_ATTRIBUTION = "competing_attribution"
    CASUALTY_FIGURES = "casualty_figures"


CONTESTING_KINDS = frozenset(
    {ContradictionKind.DENIAL, ContradictionKind.MUTUAL_ACCUSATION, ContradictionKind.COMPETING_ATTRIBUTION}
)


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two camps of claims that cannot both be right, with a sentence a person can read."""

    kind: ContradictionKind
    claims: tuple[str, ...]
    report_ids: tuple[str, ...]
    description: str
    contesting: bool


def _build(
    kind: ContradictionKind,
    first: list[ClaimFacts],
    second: list[ClaimFacts],
    description: str,
    claims: ClaimSet,
) -> Contradiction:
    involved = {c.lineage_id: c for c in first + second}
    ordered = sorted(involved.values(), key=lambda c: int(claims.ref(c)[1:]))
    camps_credible = any(c.credible for c in first) and any(c.credible for c in second)
    return Contradiction(
        kind=kind,
        claims=tuple(claims.ref(c) for c in ordered),
        report_ids=tuple(c.report_id for c in ordered),
        description=description,
        contesting=kind in CONTESTING_KINDS and camps_credible,
    )


def _same_perpetrator(denial: ClaimFacts, claim: ClaimFacts, claims: ClaimSet) -> bool:
    if denial.perpetrator_key is None:
        return True
    if claim.perpetrator_key is None:
        return False
    return claims.perpetrator_side(denial) == claims.perpetrator_side(claim)


def _who(refs: tuple[str, ...], verb: str) -> str:
    """ "C1 blames" or "C1, C2 blame"."""
    return f"{refs[0]} {verb}s" if len(refs) == 1 else f"{', '.join(refs)} {verb}"


def _names(keys: list[str | None]) -> str:
    shown = sorted({(k or "unknown").removeprefix("text:") for k in keys})
    return " / ".join(f"'{k}'" for k in shown)


def denials(claims: ClaimSet) -> Iterator[Contradiction]:
    """One contradiction per denial that meets at least one accusing claim."""
    for denial in claims.active:
        if denial.stance is not ClaimStance.DENIES:
            continue
        against = [c for c in claims.active if c.accuses and _same_perpetrator(denial, c, claims)]
        if not against:
            continue
        what = (
            "that the event happened"
            if denial.perpetrator_key is None
            else f"that {_names([denial.perpetrator_key])} did it"
        )
        text = f"{claims.ref(denial)} denies {what}; {_who(claims.refs(against), 'say')} otherwise"
        yield _build(ContradictionKind.DENIAL, [denial], against, text, claims)


def _blames_other(a: ClaimFacts, b: ClaimFacts, claims: ClaimSet) -> bool:
    """Whether a's perpetrator is b's source side or b's target side."""
    return claims.perpetrator_side(a) in {claims.source_side(b), claims.target_side(b)}


def _mutual(a: ClaimFacts, b: ClaimFacts, claims: ClaimSet) -> bool:
    countered = ClaimStance.COUNTER_ACCUSES in (a.stance, b.stance)
    return countered or (_blames_other(a, b, claims) and _blames_other(b, a, claims))


def _pairs_by_sides(claims: ClaimSet) -> dict[tuple[str, str], list[tuple[ClaimFacts, ClaimFacts]]]:
    """Pairs of accusing claims whose perpetrators are on different sides, grouped by the two sides."""
    accusing = [c for c in claims.active if c.accuses and c.perpetrator_key is not None]
    groups: dict[tuple[str, str], list[tuple[ClaimFacts, ClaimFacts]]] = {}
    for a, b in combinations(accusing, 2):
        sa, sb = claims.perpetrator_side(a), claims.perpetrator_side(b)
        if sa is None or sb is None or sa == sb:
            continue
        key = (sa, sb) if sa < sb else (sb, sa)
        groups.setdefault(key, []).append((a, b) if sa < sb else (b, a))
    return groups


def _camps(pairs: list[tuple[ClaimFacts, ClaimFacts]]) -> tuple[list[ClaimFacts], list[ClaimFacts]]:
    first = list({a.lineage_id: a for a, _ in pairs}.values())
    second = list({b.lineage_id: b for _, b in pairs}.values())
    return first, second


def accusations(claims: ClaimSet) -> Iterator[Contradiction]:
    """Mutual accusations, and competing attributions between registered parties of different sides."""
    for _, pairs in sorted(_pairs_by_sides(claims).items()):
        mutual = [(a, b) for a, b in pairs if _mutual(a, b, claims)]
        if mutual:
            first, second = _camps(mutual)
            text = (
                f"{_who(claims.refs(first), 'blame')} {_names([c.perpetrator_key for c in first])} while "
                f"{_who(claims.refs(second), 'blame')} {_names([c.perpetrator_key for c in second])}: "
                "each side accuses the other"
            )
            yield _build(ContradictionKind.MUTUAL_ACCUSATION, first, second, text, claims)
            continue
        competing = [
            (a, b)
            for a, b in pairs
            if a.supports and b.supports and a.perpetrator_party_id and b.perpetrator_party_id
        ]
        if competing:
            first, second = _camps(competing)
            text = (
                f"{_who(claims.refs(first), 'attribute')} the act to "
                f"{_names([c.perpetrator_key for c in first])}, {', '.join(claims.refs(second))} to "
                f"{_names([c.perpetrator_key for c in second])}"
            )
            yield _build(ContradictionKind.COMPETING_ATTRIBUTION, first, second, text, claims)


def casualty_figures(claims: ClaimSet) -> Iterator[Contradiction]:
    """Per measure (killed, injured): the claims whose figures cannot all be true."""
    for measure in ("killed", "injured"):
        given = [
            (c, r)
            for c in claims.active
            if c.stance is not ClaimStance.DENIES and (r := getattr(c.casualties, measure)) is not None
        ]
        lower: list[ClaimFacts] = []
        upper: list[ClaimFacts] = []
        for (a, ra), (b, rb) in combinations(given, 2):
            if not ra.overlaps(rb):
                lower.append(a if ra.high < rb.low else b)
                upper.append(b if ra.high < rb.low else a)
        if not lower:
            continue
        involved = {c.lineage_id for c in lower + upper}
        figures = ", ".join(f"{claims.ref(c)} {r}" for c, r in given if c.lineage_id in involved)
        text = f"{measure.replace('_', ' ')} figures do not overlap: {figures}"
        yield _build(ContradictionKind.CASUALTY_FIGURES, lower, upper, text, claims)


def find_contradictions(claims: ClaimSet) -> list[Contradiction]:
    """Every contradiction among the active claims, denials first."""
    return [*denials(claims), *accusations(claims), *casualty_figures(claims)]
