"""Parties: the actors of a conflict and of its monitoring, with their names, stances and relations.

Terms: a *party* is an actor (state forces, armed group, militia, coalition, co-chair, UN body,
humanitarian organisation, monitor, outlet) identified by a slug id. An *alias* is one name of a
party in one language (official name, former name, spelling, transliteration, translation,
abbreviation, nickname), possibly only between two dates: Jabhat al-Nusra and Jabhat Fatah al-Sham
are one party renamed in July 2016. No two parties may claim the same (normalized) name on
overlapping dates. A *stance* is a party's dated position toward an agreement (committed, excluded,
rejected, unknown); the agreements domain records stances, this one reads them. A *relation* is a
dated link between two parties (allied with, part of, intermingled with, backed by). *Resolving* a
name ranks the parties it may denote on a date, exactly or fuzzily, and explains each answer.
"""

from ceasefire.parties.resolver import PartyCandidate, PartyIndex, party_index, resolve_party
from ceasefire.parties.service import (
    add_alias,
    add_relation,
    create_party,
    find_party,
    get_party,
    list_parties,
    list_relations,
    list_stances,
    read_party,
    stance_on,
    stances_of,
)

__all__ = [
    "PartyCandidate",
    "PartyIndex",
    "add_alias",
    "add_relation",
    "create_party",
    "find_party",
    "get_party",
    "list_parties",
    "list_relations",
    "list_stances",
    "party_index",
    "read_party",
    "resolve_party",
    "stance_on",
    "stances_of",
]
