"""Party use cases: create parties with their names, add aliases and relations, read them back.

Stances are recorded by the agreements domain (it can check the agreement); here they are only read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.ids import is_slug, slugify
from ceasefire.kernel.paging import Page, PageRequest
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import AliasKind, PartyKind
from ceasefire.parties import repository
from ceasefire.parties.models import Party, PartyAlias, PartyRelation, PartyStance
from ceasefire.parties.resolver import forget_party_index
from ceasefire.parties.rules import AliasClaim, Edge, check_alias_claims, check_relation, guess_language
from ceasefire.parties.schemas import (
    AliasCreate,
    AliasRead,
    PartyCreate,
    PartyRead,
    RelationCreate,
    RelationRead,
    StanceRead,
)


def find_party(session: Session, *, party_id: str) -> Party | None:
    """The party with its aliases, or None."""
    return repository.find_party(session, party_id)


def get_party(session: Session, *, party_id: str, field: str | None = None) -> Party:
    """The party with its aliases, or NotFound."""
    party = repository.find_party(session, party_id)
    if party is None:
        raise NotFound.of("party", party_id, field=field)
    return party


def list_parties(
    session: Session, *, page: PageRequest, kind: PartyKind | None = None, q: str | None = None
) -> Page[Party]:
    """A page of parties by name, filtered by kind and by text in any of their names."""
    return repository.page_of_parties(session, page=page, kind=kind.value if kind else None, q=q)


def read_party(session: Session, *, party_id: str) -> PartyRead:
    """A party with its aliases, stances and relations, as the API and CLI show it."""
    party = get_party(session, party_id=party_id)
    return PartyRead(
        id=party.id,
        name=party.name,
        kind=party.kind,
        description=party.description,
        source=party.source,
        source_url=party.source_url,
        created_at=party.created_at,
        aliases=[AliasRead.model_validate(a) for a in party.aliases],
        stances=[StanceRead.model_validate(s) for s in repository.stances_of(session, party.id)],
        relations=[RelationRead.model_validate(r) for r in repository.relations_of(session, party.id)],
    )


def _claim(party_id: str, alias: AliasCreate) -> AliasClaim:
    return AliasClaim(
        party_id, alias.value, normalize_name(alias.value), alias.language, alias.valid_from, alias.valid_to
    )


def _new_party_id(data: PartyCreate) -> str:
    party_id = data.id or slugify(data.name)
    if not is_slug(party_id):
        raise Invalid("the name gives no usable id (no Latin letters): give an id", field="id")
    return party_id


def own_name_alias(data: PartyCreate) -> AliasCreate:
    """The alias a party gets for its own name when its alias list does not hold that name."""
    return AliasCreate(
        value=data.name,
        language=guess_language(data.name),
        kind=AliasKind.OFFICIAL,
        source=data.source,
        source_url=data.source_url,
    )


def _aliases_with_name(data: PartyCreate) -> list[tuple[str, AliasCreate]]:
    """The listed aliases with their fields, plus the party's own name unless already listed."""
    listed = [(f"aliases.{i}.value", alias) for i, alias in enumerate(data.aliases)]
    folded = normalize_name(data.name)
    if any(normalize_name(alias.value) == folded for _, alias in listed):
        return listed
    return [("name", own_name_alias(data)), *listed]


def _alias_row(party_id: str, alias: AliasCreate) -> PartyAlias:
    return PartyAlias(
        party_id=party_id,
        value=alias.value,
        normalized=normalize_name(alias.value),
        language=alias.language,
        kind=alias.kind.value,
        valid_from=alias.valid_from,
        valid_to=alias.valid_to,
        source=alias.source,
        source_url=alias.source_url,
    )


def _alias_change(alias: AliasCreate) -> dict[str, object]:
    return alias.model_dump(exclude_none=True, mode="json")


def create_party(session: Session, *, data: PartyCreate, actor: Actor, reason: str | None = None) -> Party:
    """Create a party with its aliases (its own name becomes an official alias); all or nothing."""
    party_id = _new_party_id(data)
    if repository.party_exists(session, party_id):
        raise Conflict(f"a party with id {party_id!r} exists", code="party_exists", field="id")
    aliases = _aliases_with_name(data)
    claims = [(field, _claim(party_id, alias)) for field, alias in aliases]
    check_alias_claims(claims, repository.claims_to(session, {c.normalized for _, c in claims}))
    party = Party(
        id=party_id,
        name=data.name,
        kind=data.kind.value,
        description=data.description,
        source=data.source,
        source_url=data.source_url,
        aliases=[_alias_row(party_id, alias) for _, alias in aliases],
    )
    session.add(party)
    session.flush()
    forget_party_index()
    record(
        session,
        actor=actor,
        action="party.create",
        entity_type="party",
        entity_id=party.id,
        changes={
            "name": party.name,
            "kind": party.kind,
            "description": party.description,
            "source": party.source,
            "aliases": [_alias_change(alias) for _, alias in aliases],
        },
        reason=reason,
    )
    return party


def add_alias(
    session: Session, *, party_id: str, data: AliasCreate, actor: Actor, reason: str | None = None
) -> PartyAlias:
    """Give a party one more name, refused when another party holds it on overlapping dates."""
    get_party(session, party_id=party_id)
    claim = _claim(party_id, data)
    check_alias_claims([("value", claim)], repository.claims_to(session, {claim.normalized}))
    alias = _alias_row(party_id, data)
    session.add(alias)
    session.flush()
    forget_party_index()
    record(
        session,
        actor=actor,
        action="party.add_alias",
        entity_type="party",
        entity_id=party_id,
        changes={"alias_id": alias.id, **_alias_change(data)},
        reason=reason,
    )
    return alias


def add_relation(
    session: Session, *, party_id: str, data: RelationCreate, actor: Actor, reason: str | None = None
) -> PartyRelation:
    """Record that a party is allied with, part of, intermingled with or backed by another."""
    get_party(session, party_id=party_id)
    if not repository.party_exists(session, data.object_party_id):
        raise NotFound.of("party", data.object_party_id, field="object_party_id")
    new = Edge(party_id, data.relation.value, data.object_party_id, data.valid_from, data.valid_to)
    check_relation(new, repository.edges_between(session, {party_id}))
    relation = PartyRelation(
        subject_party_id=party_id,
        relation=data.relation.value,
        object_party_id=data.object_party_id,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        source=data.source,
        source_url=data.source_url,
        note=data.note,
    )
    session.add(relation)
    session.flush()
    record(
        session,
        actor=actor,
        action="party.add_relation",
        entity_type="party",
        entity_id=party_id,
        changes={"relation_id": relation.id, **data.model_dump(exclude_none=True, mode="json")},
        reason=reason,
    )
    return relation


def list_relations(session: Session, *, party_id: str) -> list[PartyRelation]:
    """A party's relations in both directions, or NotFound for an unknown party."""
    get_party(session, party_id=party_id)
    return repository.relations_of(session, party_id)


def list_stances(session: Session, *, party_id: str) -> list[PartyStance]:
    """A party's stance records toward every agreement, or NotFound for an unknown party."""
    get_party(session, party_id=party_id)
    return repository.stances_of(session, party_id)


def stances_of(session: Session, party_id: str) -> list[PartyStance]:
    """A party's stance records, by agreement then date (read helper for the agreements domain)."""
    return repository.stances_of(session, party_id)


def stance_on(session: Session, party_id: str, agreement_id: str, on: date) -> PartyStance | None:
    """The party's stance toward an agreement on a day, or None when none is recorded."""
    return repository.stance_on(session, party_id, agreement_id, on)
