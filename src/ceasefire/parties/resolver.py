"""Party name resolution: which party a name denoted on a date, ranked and explained.

The index is built from the alias table once and cached per database, keyed on a cheap
fingerprint of that table, so repeated lookups cost no more than one aggregate query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from threading import Lock

from sqlalchemy.orm import Session

from ceasefire.kernel.names import NameEntry, NameIndex
from ceasefire.parties import repository
from ceasefire.parties.rules import KIND_WEIGHT, explain, name_on

MIN_SCORE = 70.0


@dataclass(frozen=True, slots=True)
class PartyCandidate:
    """One ranked answer: the party, the alias that matched, how well, and why."""

    party_id: str
    party_name: str
    matched_alias: str
    language: str
    alias_kind: str
    score: float
    method: str
    in_use: bool
    name_on: str | None
    explanation: str


class PartyIndex:
    """Every party alias in a name index; build once (from a session or from entries), query often."""

    def __init__(self, entries: Iterable[NameEntry], party_names: Mapping[str, str]) -> None:
        self.index = NameIndex(entries)
        self.party_names = dict(party_names)
        names: dict[str, list[NameEntry]] = defaultdict(list)
        for entry in self.index.entries:
            names[entry.key].append(entry)
        self._names_of: dict[str, list[NameEntry]] = dict(names)

    @classmethod
    def load(cls, session: Session) -> PartyIndex:
        """Build the index from the stored aliases (one query)."""
        entries: list[NameEntry] = []
        party_names: dict[str, str] = {}
        for (
            party_id,
            party_name,
            value,
            normalized,
            language,
            kind,
            valid_from,
            valid_to,
        ) in repository.alias_rows(session):
            party_names[party_id] = party_name
            weight = KIND_WEIGHT.get(kind, 0.0)
            entries.append(
                NameEntry(party_id, value, normalized, language, kind, valid_from, valid_to, weight)
            )
        return cls(entries, party_names)

    def __len__(self) -> int:
        return len(self.index)

    def name_on(self, party_id: str, on: date | None) -> str | None:
        """The name the party went by on a day (None when no stored name covers it)."""
        return name_on(self._names_of.get(party_id, ()), on)

    def resolve(
        self, name: str, *, on: date | None = None, limit: int = 5, min_score: float = MIN_SCORE
    ) -> list[PartyCandidate]:
        """Up to `limit` parties the name may denote, best first, one (best) alias per party.

        A name held exactly (in any period) answers with its holders only; otherwise close spellings
        at or above min_score are ranked.
        """
        matches = self.index.exact(name, on=on) or self.index.search(
            name, limit=max(limit, 1) * 8, min_score=min_score, on=on
        )
        candidates: list[PartyCandidate] = []
        seen: set[str] = set()
        for match in matches:
            entry = match.entry
            if entry.key in seen:
                continue
            seen.add(entry.key)
            party_name = self.party_names.get(entry.key, entry.key)
            current = self.name_on(entry.key, on) if on is not None else None
            candidates.append(
                PartyCandidate(
                    party_id=entry.key,
                    party_name=party_name,
                    matched_alias=entry.value,
                    language=entry.language,
                    alias_kind=entry.kind,
                    score=round(match.score, 1),
                    method=match.method,
                    in_use=match.in_use,
                    name_on=current,
                    explanation=explain(name, match, party_name=party_name, current=current, on=on),
                )
            )
            if len(candidates) >= limit:
                break
        return candidates


_cache: dict[str, tuple[tuple[int, int, int], PartyIndex]] = {}
_lock = Lock()


def _database_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def forget_party_index() -> None:
    """Drop every cached index (the services call this whenever they add aliases)."""
    with _lock:
        _cache.clear()


def party_index(session: Session) -> PartyIndex:
    """The index of the session's database, rebuilt only when the alias table has changed."""
    key = _database_key(session)
    fingerprint = repository.alias_fingerprint(session)
    cached = _cache.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    built = PartyIndex.load(session)
    with _lock:
        _cache[key] = (fingerprint, built)
    return built


def resolve_party(
    session: Session, name: str, *, on: date | None = None, limit: int = 5
) -> list[PartyCandidate]:
    """The parties a name denoted (on a date, if given), ranked, each with an explanation."""
    return party_index(session).resolve(name, on=on, limit=limit)
