"""Resolving place names against the loaded gazetteer: spellings, scripts, typos, homonyms chosen by
context, and the cached index. The gazetteer is loaded once for the module (read-mostly tests);
each test runs in a savepoint that is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ceasefire.kernel.actor import SYSTEM
from ceasefire.places import add_place_name, load_gazetteer, place_index, resolve_place
from ceasefire.places.schemas import PlaceNameCreate


@pytest.fixture(scope="module")
def gazetteer_session(engine: Engine) -> Iterator[Session]:
    """A session on a connection where the gazetteer is loaded once; rolled back after the module."""
    connection = engine.connect()
    outer = connection.begin()
    loaded = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    load_gazetteer(loaded, actor=SYSTEM)
    yield loaded
    loaded.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def session(gazetteer_session: Session) -> Iterator[Session]:
    """The loaded session, inside a savepoint rolled back after each test."""
    savepoint = gazetteer_session.begin_nested()
    yield gazetteer_session
    savepoint.rollback()


@pytest.mark.parametrize("text", ["Aleppo", "حلب", "Alepo", "Aleppp"])
def test_aleppo_resolves_in_english_arabic_and_with_a_typo(session: Session, text: str) -> None:
    best = resolve_place(session, text)[0]
    assert best.place_id == "gn-170063"
    assert best.name == "Aleppo"


def test_a_homonym_is_chosen_by_the_governorate_named_as_context(session: Session) -> None:
    # Suran is a town in Hama and a village near Dabiq in Aleppo province.
    assert resolve_place(session, "Suran")[0].place_id == "gn-163915"
    in_aleppo = resolve_place(session, "Suran", context="sy-aleppo")[0]
    assert in_aleppo.place_id == "gn-163913"
    assert in_aleppo.context_boost > 0
    assert any("sy-aleppo" in reason for reason in in_aleppo.explanation)
    assert resolve_place(session, "Suran", context="Aleppo governorate")[0].place_id == "gn-163913"
    assert resolve_place(session, "Suran", context="Hama")[0].place_id == "gn-163915"


def test_tal_madiq_is_chosen_by_a_nearby_place_and_qalat_al_madiq_by_its_governorate(
    session: Session,
) -> None:
    near_al_bab = resolve_place(session, "Madiq", context=["al-Bab", "Dabiq"])
    assert near_al_bab[0].place_id == "tal-madiq"
    assert any("km from context" in reason for reason in near_al_bab[0].explanation)
    assert resolve_place(session, "Madiq", context="sy-hama")[0].place_id == "gn-166227"
    assert resolve_place(session, "Tal Madiq")[0].place_id == "tal-madiq"


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Deir al-Zor", "gn-170794"),
        ("Homs", "gn-169577"),
        ("Jobar", "damascus-jobar"),
        ("Hmeymim", "hmeymim-air-base"),
        ("Bab al-Salama", "bab-al-salam-crossing"),
        ("معبر باب الهوى", "bab-al-hawa-crossing"),
        ("Castello road", "castello-road"),
    ],
)
def test_the_places_of_the_worked_cases_resolve(session: Session, text: str, place_id: str) -> None:
    assert resolve_place(session, text)[0].place_id == place_id


def test_the_index_is_reused_until_names_change(session: Session) -> None:
    first = place_index(session)
    assert place_index(session) is first
    add_place_name(
        session, place_id="damascus-qaboun", data=PlaceNameCreate(value="Qabun East Gate"), actor=SYSTEM
    )
    rebuilt = place_index(session)
    assert rebuilt is not first
    assert resolve_place(rebuilt, "Qabun East Gate")[0].place_id == "damascus-qaboun"
