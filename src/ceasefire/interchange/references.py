"""Resolve an import's references (parent places, parties, areas, agreements) against the items of
the same import and what is stored, so an unknown id is reported before anything is written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.agreements.models import Agreement
from ceasefire.interchange.errors import Issue
from ceasefire.interchange.schemas import (
    AgreementItem,
    AreaItem,
    PlaceItem,
    RelationItem,
    ReportItem,
    StanceItem,
)
from ceasefire.parties.models import Party
from ceasefire.places.models import Area, Place

if TYPE_CHECKING:
    from ceasefire.interchange.load import Entry

Reference = tuple[str, str, str]
"""(field, section referred to, id)."""

_MODELS: dict[str, Any] = {"parties": Party, "places": Place, "areas": Area, "agreements": Agreement}
_SINGULAR = {"parties": "party", "places": "place", "areas": "area", "agreements": "agreement"}
_HINTS = {
    "places": " (admin units and towns come from the shipped gazetteer: load it first)",
}


def references(item: Any) -> Iterator[Reference]:
    """The ids an item refers to, with the field each sits in."""
    if isinstance(item, PlaceItem):
        if item.parent_id:
            yield "parent_id", "places", item.parent_id
        if item.governorate_id:
            yield "governorate_id", "places", item.governorate_id
    elif isinstance(item, AreaItem):
        if item.party_id:
            yield "party_id", "parties", item.party_id
    elif isinstance(item, AgreementItem):
        if item.parent_id:
            yield "parent_id", "agreements", item.parent_id
        for i, role in enumerate(item.parties):
            yield f"parties.{i}.party_id", "parties", role.party_id
        for i, scope in enumerate(item.areas):
            yield f"areas.{i}.area_id", "areas", scope.area_id
    elif isinstance(item, StanceItem):
        yield "agreement_id", "agreements", item.agreement_id
        yield "party_id", "parties", item.party_id
    elif isinstance(item, RelationItem):
        yield "subject_party_id", "parties", item.subject_party_id
        yield "object_party_id", "parties", item.object_party_id
    elif isinstance(item, ReportItem):
        yield from _report_references(item)


def _report_references(item: ReportItem) -> Iterator[Reference]:
    """The registered parties and the place a report names."""
    for name in ("source_party_id", "perpetrator_party_id", "target_party_id"):
        value = getattr(item, name)
        if value:
            yield name, "parties", value
    if item.place_id:
        yield "place_id", "places", item.place_id


def _stored_ids(session: Session, section: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    model = _MODELS[section]
    return set(session.scalars(select(model.id).where(model.id.in_(ids))))


def missing_references(session: Session, new: Mapping[str, Sequence[Entry]]) -> list[Issue]:
    """An issue for each reference to an id neither in this import nor stored."""
    wanted: dict[str, set[str]] = {section: set() for section in _MODELS}
    for entries in new.values():
        for entry in entries:
            for _, section, ident in references(entry.item):
                wanted[section].add(ident)
    # Ids of this import (new items) plus ids already stored (new or identical items both count).
    known = {section: {e.key[0] for e in new.get(section, [])} for section in _MODELS}
    for section, ids in wanted.items():
        known[section] |= _stored_ids(session, section, ids - known[section])
    return [
        _unknown(entry, field, section, ident)
        for entries in new.values()
        for entry in entries
        for field, section, ident in references(entry.item)
        if ident not in known[section]
    ]


def _unknown(entry: Entry, field: str, section: str, ident: str) -> Issue:
    singular = _SINGULAR[section]
    message = f"unknown {singular} {ident!r}: not in this import nor stored{_HINTS.get(section, '')}"
    return entry.raw.issue(message, field=field, code=f"{singular}_not_found")
