"""Resolve a place name to ranked, explained candidates, using context (a governorate, or places
named nearby in the same text) to choose between homonyms."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.kernel.names import NameEntry, NameIndex, NameMatch
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import PlaceKind
from ceasefire.places import repository as repo
from ceasefire.places import rules
from ceasefire.places.repository import NameRow, PlaceFacts
from ceasefire.places.service import place_names
from ceasefire.places.sources import SeedPlace

# Fuzzy matches below this score are not offered; context names must match at least this well.
MIN_SCORE = 70.0
CONTEXT_MIN_SCORE = 85.0
_ADMIN_KINDS = {PlaceKind.GOVERNORATE.value, PlaceKind.DISTRICT.value, PlaceKind.SUBDISTRICT.value}


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    """One ranked answer: the place, the name that matched, and every part of its score."""

    place_id: str
    name: str
    kind: str
    governorate_id: str | None
    latitude: float
    longitude: float
    score: float
    matched_name: str
    language: str
    method: str
    name_score: float
    context_boost: float
    prior: float
    explanation: tuple[str, ...]


def _governorate_of(place: PlaceFacts) -> str | None:
    return place.id if place.kind == PlaceKind.GOVERNORATE.value else place.governorate_id


class PlaceIndex:
    """The name index of every stored place plus what ranking needs; build once, resolve many times."""

    def __init__(self, places: Iterable[PlaceFacts], names: Iterable[NameRow]) -> None:
        self.places: dict[str, PlaceFacts] = {p.id: p for p in places}
        self.priors = {pid: rules.prior(p.kind, p.population) for pid, p in self.places.items()}
        self.names = NameIndex(
            NameEntry(
                key=n.place_id,
                value=n.value,
                normalized=n.normalized,
                language=n.language,
                kind=n.kind,
                weight=self.priors.get(n.place_id, 0.0),
            )
            for n in names
            if n.place_id in self.places
        )

    @classmethod
    def from_session(cls, session: Session) -> PlaceIndex:
        """Build the index from the stored places and names."""
        return cls(repo.place_facts(session), repo.name_rows(session))

    @classmethod
    def from_records(cls, records: Iterable[SeedPlace]) -> PlaceIndex:
        """Build the index straight from gazetteer records (no database: for benchmarks and checks)."""
        facts: list[PlaceFacts] = []
        names: list[NameRow] = []
        for seed in records:
            data = seed.data
            assert data.id is not None, "gazetteer records carry their ids"
            geometry = data.geometry.model_dump() if data.geometry else None
            _, lon, lat = rules.place_geometry(geometry, data.longitude, data.latitude)
            kind, gov = data.kind.value, data.governorate_id
            facts.append(PlaceFacts(data.id, data.name, kind, gov, lat, lon, data.population))
            names.extend(
                NameRow(data.id, value, normalize_name(value), language, kind)
                for value, language, kind in place_names(data)
            )
        return cls(facts, names)

    def _best_per_place(self, text: str, *, min_score: float, limit: int) -> list[NameMatch]:
        """The best-matching name of each place, best first."""
        best: dict[str, NameMatch] = {}
        exact = self.names.exact(text)
        found = exact or self.names.search(text, limit=max(50, limit * 10), min_score=min_score)
        for match in found:
            best.setdefault(match.entry.key, match)
        return list(best.values())

    def context_places(self, context: str | Sequence[str] | None) -> list[tuple[str, PlaceFacts]]:
        """The places a context names: (what was given, place), by id or best name match."""
        items = [context] if isinstance(context, str) else list(context or [])
        found = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            if item in self.places:
                found.append((item, self.places[item]))
                continue
            matches = self._best_per_place(item, min_score=CONTEXT_MIN_SCORE, limit=5)
            if matches:
                top = max(matches, key=lambda m: (m.score, self.priors[m.entry.key]))
                found.append((item, self.places[top.entry.key]))
        return found

    def _boost(self, place: PlaceFacts, context: list[tuple[str, PlaceFacts]]) -> tuple[float, list[str]]:
        """Context boost of a candidate, with the reasons."""
        governorate = _governorate_of(place)
        gov_boost, near_boost, reasons = 0.0, 0.0, []
        for given, ctx in context:
            if ctx.id == place.id:
                continue
            ctx_gov = _governorate_of(ctx)
            if gov_boost == 0 and governorate is not None and governorate == ctx_gov:
                gov_boost = rules.GOVERNORATE_BOOST
                reasons.append(f"in governorate {ctx_gov} of context {given!r} (+{gov_boost:.0f})")
            if ctx.kind in _ADMIN_KINDS:
                continue  # an admin unit's centroid says little about nearness
            km = rules.distance_km(place.longitude, place.latitude, ctx.longitude, ctx.latitude)
            boost = rules.proximity_boost(km)
            if boost > near_boost:
                near_boost = boost
                reasons.append(f"about {km:.0f} km from context {given!r} ({ctx.id}) (+{boost:.1f})")
        return gov_boost + near_boost, reasons

    def resolve(
        self, text: str, *, context: str | Sequence[str] | None = None, limit: int = 5
    ) -> list[PlaceCandidate]:
        """Candidates for a place name, best first: name score + context boost + a weak prior."""
        ctx = self.context_places(context)
        scored = []
        for match in self._best_per_place(text, min_score=MIN_SCORE, limit=limit):
            place = self.places[match.entry.key]
            boost, reasons = self._boost(place, ctx)
            total = round(match.score + boost + self.priors[place.id], 2)
            scored.append((total, match, place, boost, reasons))
        scored.sort(key=lambda t: (-t[0], -(t[2].population or 0), t[2].id))
        # Only the answers returned are dressed with their explanation.
        return [self._candidate(*item) for item in scored[:limit]]

    def _candidate(
        self, total: float, match: NameMatch, place: PlaceFacts, boost: float, reasons: list[str]
    ) -> PlaceCandidate:
        prior = self.priors[place.id]
        size = f", population {place.population:,}" if place.population else ""
        return PlaceCandidate(
            place_id=place.id,
            name=place.name,
            kind=place.kind,
            governorate_id=place.governorate_id,
            latitude=place.latitude,
            longitude=place.longitude,
            score=total,
            matched_name=match.entry.value,
            language=match.entry.language,
            method=match.method,
            name_score=match.score,
            context_boost=round(boost, 2),
            prior=round(prior, 2),
            explanation=(match.explanation, *reasons, f"prior +{prior:.1f} ({place.kind}{size})"),
        )


_CACHE: OrderedDict[tuple[Any, ...], PlaceIndex] = OrderedDict()
_CACHE_SIZE = 4
_LOCK = threading.Lock()


def place_index(session: Session) -> PlaceIndex:
    """The index of the session's database, rebuilt only when its names or places changed."""
    key = (str(session.get_bind().engine.url), *repo.names_fingerprint(session))
    with _LOCK:
        index = _CACHE.get(key)
        if index is not None:
            _CACHE.move_to_end(key)
            return index
    index = PlaceIndex.from_session(session)
    with _LOCK:
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index


def resolve_place(
    session_or_index: Session | PlaceIndex,
    text: str,
    *,
    context: str | Sequence[str] | None = None,
    limit: int = 5,
) -> list[PlaceCandidate]:
    """Rank the places a name may denote, using context to choose between homonyms; explained."""
    index = session_or_index if isinstance(session_or_index, PlaceIndex) else place_index(session_or_index)
    return index.resolve(text, context=context, limit=limit)
