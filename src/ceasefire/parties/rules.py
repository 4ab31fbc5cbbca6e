"""Pure party rules: when an alias is in use, who may claim a name, which relations make sense,
and how a resolved name is explained. No I/O: callers pass what is stored."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.kernel.names import NameEntry, NameMatch
from ceasefire.kernel.vocab import AliasKind, RelationKind

# Kinds that are a party's own name at the time, rather than another spelling or a nickname.
PROPER_NAME_KINDS = frozenset({AliasKind.OFFICIAL.value, AliasKind.FORMER_NAME.value})

# Tie-break weight of an alias kind in the name index: proper names before nicknames.
KIND_WEIGHT: dict[str, float] = {
    AliasKind.OFFICIAL.value: 1.0,
    AliasKind.FORMER_NAME.value: 0.9,
    AliasKind.TRANSLATION.value: 0.7,
    AliasKind.TRANSLITERATION.value: 0.6,
    AliasKind.ALTERNATE_SPELLING.value: 0.6,
    AliasKind.ABBREVIATION.value: 0.4,
    AliasKind.INFORMAL.value: 0.3,
    AliasKind.PEJORATIVE.value: 0.1,
}

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


@dataclass(frozen=True, slots=True)
class AliasClaim:
    """A party's claim to a (normalized) name over a period; None ends are open."""

    party_id: str
    value: str
    normalized: str
    language: str = "en"
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """A stored relation, reduced to what the sanity rules need."""

    subject: str
    relation: str
    object: str
    valid_from: date | None = None
    valid_to: date | None = None


def in_use(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    """Whether a name dated [valid_from, valid_to] (inclusive, None open) was in use on a day."""
    return (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)


def periods_overlap(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    """Whether two inclusive periods (None = open end) share at least one day."""
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )


def _overlap(a: AliasClaim, b: AliasClaim) -> bool:
    return periods_overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to)


def _claim_period(claim: AliasClaim) -> str:
    return f"{claim.valid_from or 'always'} to {claim.valid_to or 'open end'}"


def check_alias_claims(claims: Sequence[tuple[str, AliasClaim]], stored: Iterable[AliasClaim]) -> None:
    """Refuse a name claimed by another party on overlapping dates, or listed twice by one party.

    `claims` pairs each new claim with the request field it came from (e.g. "aliases.2.value").
    """
    by_name: dict[str, list[AliasClaim]] = defaultdict(list)
    for claim in stored:
        by_name[claim.normalized].append(claim)
    for field, claim in claims:
        for other in by_name[claim.normalized]:
            if other.party_id != claim.party_id and _overlap(claim, other):
                raise Conflict(
                    f"the name {claim.value!r} is already claimed by party {other.party_id!r} "
                    f"as {other.value!r} ({_claim_period(other)}), overlapping {_claim_period(claim)}",
                    code="alias_claimed",
                    field=field,
                    details={"party_id": other.party_id, "alias": other.value},
                )
            same_name = other.party_id == claim.party_id and other.language == claim.language
            if same_name and _overlap(claim, other):
                raise Conflict(
                    f"party {claim.party_id!r} already has the name {other.value!r} "
                    f"({other.language}) for overlapping dates",
                    code="alias_exists",
                    field=field,
                )
        by_name[claim.normalized].append(claim)


def _reaches(start: str, goal: str, edges: Iterable[Edge]) -> bool:
    """Whether following `part_of` edges from start arrives at goal."""
    parents: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        parents[edge.subject].add(edge.object)
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for parent in parents[node] - seen:
            seen.add(parent)
            queue.append(parent)
    return False


def check_relation(new: Edge, stored: Iterable[Edge]) -> None:
    """Refuse a relation of a party to itself, a repeated relation, and `part_of` cycles.

    Only stored relations whose period overlaps the new one's are considered: groups merge and
    split, so A part of B in 2013 and B part of A in 2017 is history, not a contradiction.
    """
    if new.subject == new.object:
        raise Invalid("a party cannot be related to itself", code="self_relation", field="object_party_id")
    overlapping = [
        e for e in stored if periods_overlap(e.valid_from, e.valid_to, new.valid_from, new.valid_to)
    ]
    for edge in overlapping:
        if (edge.subject, edge.relation, edge.object) == (new.subject, new.relation, new.object):
            raise Conflict(
                f"{new.subject!r} is already {new.relation.replace('_', ' ')} {new.object!r} "
                "for overlapping dates",
                code="relation_exists",
                field="object_party_id",
            )
    part_of = [e for e in overlapping if e.relation == RelationKind.PART_OF.value]
    if new.relation == RelationKind.PART_OF.value and _reaches(new.object, new.subject, part_of):
        raise Conflict(
            f"{new.object!r} is already (directly or indirectly) part of {new.subject!r}; "
            "the relation would make a cycle",
            code="part_of_cycle",
            field="object_party_id",
        )


def guess_language(text: str) -> str:
    """The language code of a name from its script (Arabic, Cyrillic, else English)."""
    if _ARABIC.search(text):
        return "ar"
    if _CYRILLIC.search(text):
        return "ru"
    return "en"


_KIND_LABEL: dict[str, str] = {
    AliasKind.OFFICIAL.value: "the name",
    AliasKind.FORMER_NAME.value: "the name",
    AliasKind.ALTERNATE_SPELLING.value: "a spelling of the name",
    AliasKind.TRANSLITERATION.value: "a transliteration of the name",
    AliasKind.TRANSLATION.value: "a translation of the name",
    AliasKind.ABBREVIATION.value: "an abbreviation",
    AliasKind.INFORMAL.value: "an informal name",
    AliasKind.PEJORATIVE.value: "a pejorative name",
}


def name_on(names: Iterable[NameEntry], on: date | None) -> str | None:
    """The name a party went by on a day: a proper name before nicknames, English first, dated first."""
    usable = [n for n in names if n.in_use(on)]
    if not usable:
        return None
    best = min(
        usable,
        key=lambda n: (
            n.kind not in PROPER_NAME_KINDS,
            n.language != "en",
            n.valid_from is None and n.valid_to is None,
            -n.weight,
            n.value,
        ),
    )
    return best.value


def _period(entry: NameEntry) -> str:
    if entry.valid_from and entry.valid_to:
        return f"from {entry.valid_from.isoformat()} to {entry.valid_to.isoformat()}"
    if entry.valid_from:
        return f"from {entry.valid_from.isoformat()}"
    if entry.valid_to:
        return f"until {entry.valid_to.isoformat()}"
    return ""


def explain(query: str, match: NameMatch, *, party_name: str, current: str | None, on: date | None) -> str:
    """A sentence a diplomat can read: which name matched, when it was used, what it was called then."""
    entry = match.entry
    quoted = f"'{entry.value}'" + (f" ({entry.language})" if entry.language != "en" else "")
    label = _KIND_LABEL.get(entry.kind, "a name")
    period = _period(entry)
    lead = ""
    if match.method != "exact":
        lead = f"'{query.strip()}' is close to {quoted} (score {match.score:.0f}); "
        quoted = f"'{entry.value}'"
    if on is not None and not match.in_use:
        now = f"it was called {current}" if current else "no name of it is recorded as in use"
        return f"{lead}{quoted} is {label} this party used {period}; on {on.isoformat()} {now}"
    whose = "this party" if entry.value == party_name else party_name
    text = f"{lead}{quoted} is {label} of {whose}" + (f", used {period}" if period else "")
    if on is not None:
        text += f"; in use on {on.isoformat()}"
        if current and current not in (entry.value, party_name):
            text += f", when the party was called {current}"
    return text
