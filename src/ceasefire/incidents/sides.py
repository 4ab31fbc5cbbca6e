"""Sides: which sources speak for the same belligerent, so that their reports are not independent.

A party's *side* is the group of parties it is joined to, on a day, by `part_of`, `spokesperson_of`
or `allied_with` relations (in either direction, transitively): a ministry's spokesman, the ministry
and the government it is part of are one side; so are two allied armies. Neutral parties (monitors,
UN bodies, media outlets, humanitarian organisations) are their own side: an alliance never joins
them to anyone. A neutral party that is `part_of` or `spokesperson_of` another still joins it (a
state broadcaster that speaks for a government is on that government's side; two UN bodies of one
organisation are one side). `intermingled_with` and `backed_by` do not make parties one side.
A side is named by the smallest party id in it, so the same registry always gives the same names.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from ceasefire.kernel.vocab import PartyKind, RelationKind
from ceasefire.parties.rules import Edge, in_use

UNITING_RELATIONS = frozenset({RelationKind.PART_OF, RelationKind.SPOKESPERSON_OF, RelationKind.ALLIED_WITH})
NEUTRAL_KINDS = frozenset(
    {PartyKind.MONITOR, PartyKind.UN_BODY, PartyKind.MEDIA_OUTLET, PartyKind.HUMANITARIAN_ORGANISATION}
)


class _Groups:
    """Union-find over party ids; each group's root is its smallest id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent.get(item, item)
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def _unites(edge: Edge, neutral: Collection[str], on: date | None) -> bool:
    """Whether a relation puts its two parties on one side (on the day, when one is given)."""
    if edge.relation not in UNITING_RELATIONS:
        return False
    if on is not None and not in_use(edge.valid_from, edge.valid_to, on):
        return False
    is_alliance = edge.relation == RelationKind.ALLIED_WITH
    return not (is_alliance and (edge.subject in neutral or edge.object in neutral))


def assign_sides(
    party_ids: Iterable[str],
    relations: Iterable[Edge],
    *,
    neutral: Collection[str] = (),
    on: date | None = None,
) -> dict[str, str]:
    """Map each party id to its side (see the module docstring); `neutral` lists neutral party ids."""
    groups = _Groups()
    for edge in relations:
        if _unites(edge, neutral, on):
            groups.join(edge.subject, edge.object)
    return {party_id: groups.find(party_id) for party_id in party_ids}


def side_of(
    party_id: str, relations: Iterable[Edge], *, neutral: Collection[str] = (), on: date | None = None
) -> str:
    """The side of one party: the smallest id among the parties it is joined to (itself if none)."""
    return assign_sides([party_id], relations, neutral=neutral, on=on)[party_id]
