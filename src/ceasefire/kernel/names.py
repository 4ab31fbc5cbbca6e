"""A fast name index shared by the party and place resolvers: exact lookups on folded names, and
fuzzy lookups that shortlist by shared character trigrams before scoring with rapidfuzz."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from ceasefire.kernel.text import normalize_name

# How many trigram-shortlisted names are scored exactly; large enough that a misspelling's true
# target is in the shortlist, small enough to keep one fuzzy lookup well under a millisecond.
SHORTLIST = 32


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One name of one entity (a party alias, a place name), with the dates it was in use."""

    key: str
    value: str
    normalized: str
    language: str = "en"
    kind: str = "official"
    valid_from: date | None = None
    valid_to: date | None = None
    weight: float = 0.0

    def in_use(self, on: date | None) -> bool:
        """Whether the name was in use on that date (always, when no date is asked)."""
        if on is None:
            return True
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A candidate for a looked-up name, with its score (0-100) and why it matched."""

    entry: NameEntry
    score: float
    method: str
    in_use: bool
    on: date | None = None

    @property
    def explanation(self) -> str:
        """Why this name matched, in words (built on demand: most candidates are never shown)."""
        return _explain(self.entry, self.method, self.score, self.in_use, self.on)


def _trigrams(normalized: str) -> set[str]:
    padded = f"  {normalized} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _explain(entry: NameEntry, method: str, score: float, in_use: bool, on: date | None) -> str:
    what = f"{entry.kind.replace('_', ' ')} name {entry.value!r} ({entry.language})"
    how = "matched exactly" if method == "exact" else f"matched fuzzily (score {score:.0f})"
    text = f"{what} {how}"
    if on is not None and not in_use:
        span = f"{entry.valid_from or '…'} to {entry.valid_to or '…'}"
        text += f"; not in use on {on.isoformat()} (used {span})"
    return text


class NameIndex:
    """An immutable index over name entries; build once, query many times."""

    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self.entries: list[NameEntry] = list(entries)
        by_name: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self.entries):
            if entry.normalized:
                by_name[entry.normalized].append(i)
        self._names: list[str] = list(by_name)
        self._entries_of: list[list[int]] = [by_name[n] for n in self._names]
        self._exact: dict[str, int] = {n: i for i, n in enumerate(self._names)}
        postings: dict[str, list[int]] = defaultdict(list)
        for name_id, name in enumerate(self._names):
            for gram in _trigrams(name):
                postings[gram].append(name_id)
        self._postings: dict[str, NDArray[np.int32]] = {
            g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()
        }
        self._gram_counts = np.asarray([len(_trigrams(n)) for n in self._names], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> Sequence[str]:
        """The distinct folded names (for baselines and diagnostics)."""
        return self._names

    def _matches(self, name_id: int, score: float, method: str, on: date | None) -> list[NameMatch]:
        out = []
        for i in self._entries_of[name_id]:
            entry = self.entries[i]
            used = entry.in_use(on)
            out.append(NameMatch(entry, score, method, used, on))
        return out

    def exact(self, text: str, *, on: date | None = None) -> list[NameMatch]:
        """Entries whose folded name equals the folded text."""
        name_id = self._exact.get(normalize_name(text))
        return [] if name_id is None else self._rank(self._matches(name_id, 100.0, "exact", on))

    def _shortlist(self, query: str) -> NDArray[np.intp]:
        """Names sharing the most trigrams with the query, relative to both lengths (Jaccard), so
        long names that share many grams by sheer size do not crowd out the close ones."""
        grams = _trigrams(query)
        arrays = [self._postings[g] for g in grams if g in self._postings]
        if not arrays:
            return np.empty(0, dtype=np.intp)
        counts = np.bincount(np.concatenate(arrays), minlength=len(self._names))
        hit = np.flatnonzero(counts)
        if len(hit) > SHORTLIST:
            shared = counts[hit]
            jaccard = shared / (len(grams) + self._gram_counts[hit] - shared)
            hit = hit[np.argpartition(jaccard, -SHORTLIST)[-SHORTLIST:]]
        return hit

    def search(
        self, text: str, *, limit: int = 10, min_score: float = 70.0, on: date | None = None
    ) -> list[NameMatch]:
        """Exact matches first, then fuzzy ones at or above min_score, best first."""
        query = normalize_name(text)
        if not query:
            return []
        exact_id = self._exact.get(query)
        found = self._matches(exact_id, 100.0, "exact", on) if exact_id is not None else []
        shortlist = [int(i) for i in self._shortlist(query) if i != exact_id]
        scored = process.extract(
            query,
            [self._names[i] for i in shortlist],
            scorer=fuzz.WRatio,
            limit=limit * 2,
            score_cutoff=min_score,
        )
        for _, score, pos in scored:
            found.extend(self._matches(shortlist[pos], min(float(score), 99.0), "fuzzy", on))
        return self._rank(found)[:limit]

    @staticmethod
    def _rank(matches: list[NameMatch]) -> list[NameMatch]:
        return sorted(matches, key=lambda m: (-m.score, not m.in_use, -m.entry.weight, m.entry.key))
