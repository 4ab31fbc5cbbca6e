"""Loading the shipped gazetteer into the registry, and resolving names against it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.actor import SYSTEM
from ceasefire.places import get_place, load_gazetteer
from ceasefire.places.gazetteer import LoadCounts, gazetteer_records
from ceasefire.places.models import Place, PlaceName
from ceasefire.places.sources import SeedPlace


def _count(session: Session, what: type) -> int:
    return session.scalar(select(func.count()).select_from(what)) or 0


def _loads(session: Session) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "gazetteer.load")
    return session.scalar(query) or 0


@pytest.fixture
def loaded(session: Session) -> LoadCounts:
    return load_gazetteer(session, actor=SYSTEM)


def test_the_gazetteer_loads_once_and_a_second_load_changes_nothing(
    session: Session, loaded: LoadCounts
) -> None:
    assert loaded.places_added >= 650
    assert loaded.names_added > 4 * loaded.places_added
    assert set(loaded.added_by_origin) == {"open_syria", "geonames", "curated"}
    places, names = _count(session, Place), _count(session, PlaceName)
    assert _loads(session) == 1

    again = load_gazetteer(session, actor=SYSTEM)

    assert (again.places_added, again.names_added) == (0, 0)
    assert again.places_present == loaded.places_added
    assert (_count(session, Place), _count(session, PlaceName)) == (places, names)
    assert _loads(session) == 1  # nothing changed, nothing audited


def test_a_load_after_an_upgrade_adds_only_the_missing_places_and_names(session: Session) -> None:
    records = gazetteer_records()
    aleppo = next(r for r in records if r.data.id == "gn-170063")
    older_aleppo = SeedPlace(aleppo.origin, aleppo.data.model_copy(update={"names": aleppo.data.names[:3]}))
    older = tuple(older_aleppo if r is aleppo else r for r in records if r.origin.value != "curated")
    first = load_gazetteer(session, actor=SYSTEM, records=older)

    upgrade = load_gazetteer(session, actor=SYSTEM)

    assert upgrade.places_added == len(records) - len(older)
    assert upgrade.added_by_origin == {"curated": upgrade.places_added}
    assert upgrade.places_present == first.places_added
    aleppo_names = {(n.value, n.language) for n in get_place(session, place_id="gn-170063").names}
    assert ("Алеппо", "ru") in aleppo_names
    assert _loads(session) == 2


def test_progress_is_reported_up_to_the_total(session: Session) -> None:
    seen: list[tuple[int, int]] = []
    load_gazetteer(session, actor=SYSTEM, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == len(gazetteer_records())
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_loaded_places_keep_geometry_hierarchy_and_normalized_names(
    session: Session, loaded: LoadCounts
) -> None:
    road = get_place(session, place_id="castello-road")
    assert road.geometry["type"] == "LineString"
    assert (road.origin, road.governorate_id, road.kind) == ("curated", "sy-aleppo", "road")
    assert "approximate" in (road.coordinate_source or "")
    jobar = get_place(session, place_id="damascus-jobar")
    assert (jobar.parent_id, jobar.governorate_id) == ("gn-170654", "sy-damascus")
    assert {n.normalized for n in jobar.names} >= {"jobar", "جوبر", "джобар"}
