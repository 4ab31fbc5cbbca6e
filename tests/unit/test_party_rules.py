"""Pure party rules: alias dates and claims, relation sanity, schema checks, and name resolution."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from ceasefire.kernel.errors import Conflict, Invalid
from ceasefire.kernel.names import NameEntry
from ceasefire.kernel.text import normalize_name
from ceasefire.parties.resolver import PartyIndex
from ceasefire.parties.rules import (
    AliasClaim,
    Edge,
    check_alias_claims,
    check_relation,
    guess_language,
    in_use,
    periods_overlap,
)
from ceasefire.parties.schemas import AliasCreate, PartyCreate, RelationCreate
from tests.parties_data import AHRAR, ISIL, NUSRA

RENAMED = date(2016, 7, 28)


def claim(party: str, value: str, start: date | None = None, end: date | None = None, lang: str = "en"):
    return AliasClaim(party, value, normalize_name(value), lang, start, end)


def test_an_alias_is_in_use_on_both_of_its_boundary_days() -> None:
    assert in_use(date(2016, 1, 1), date(2016, 7, 27), date(2016, 7, 27))
    assert in_use(date(2016, 1, 1), date(2016, 7, 27), date(2016, 1, 1))
    assert not in_use(None, date(2016, 7, 27), RENAMED)
    assert in_use(None, None, date(1900, 1, 1))


def test_periods_overlap_when_they_share_a_day_and_open_ends_reach_everything() -> None:
    assert periods_overlap(None, date(2016, 7, 27), date(2016, 7, 27), None)
    assert not periods_overlap(None, date(2016, 7, 27), RENAMED, None)
    assert periods_overlap(None, None, RENAMED, RENAMED)


def test_a_name_claimed_by_another_party_on_overlapping_dates_is_refused_naming_the_field() -> None:
    stored = [claim("nusra", "Jabhat al-Nusra", None, date(2016, 7, 27))]
    with pytest.raises(Conflict) as caught:
        check_alias_claims(
            [
                ("aliases.0.value", claim("other", "Ahrar")),
                ("aliases.1.value", claim("other", "JABHAT AL NUSRA")),
            ],
            stored,
        )
    assert caught.value.code == "alias_claimed"
    assert caught.value.field == "aliases.1.value"
    assert caught.value.details["party_id"] == "nusra"


def test_a_name_may_pass_to_another_party_on_later_dates() -> None:
    stored = [claim("nusra", "Jabhat al-Nusra", None, date(2016, 7, 27))]
    check_alias_claims([("value", claim("successor", "Jabhat al-Nusra", RENAMED))], stored)


def test_one_party_may_spell_a_name_identically_in_two_languages_but_not_twice_in_one() -> None:
    check_alias_claims([("a", claim("isil", "ISIS")), ("b", claim("isil", "ISIS", lang="fr"))], [])
    with pytest.raises(Conflict) as caught:
        check_alias_claims([("a", claim("isil", "ISIS")), ("b", claim("isil", "isis"))], [])
    assert (caught.value.code, caught.value.field) == ("alias_exists", "b")


def test_a_party_cannot_be_related_to_itself() -> None:
    with pytest.raises(Invalid) as caught:
        check_relation(Edge("a", "allied_with", "a"), [])
    assert caught.value.code == "self_relation"
    assert caught.value.field == "object_party_id"


def test_part_of_cycles_are_refused_even_through_intermediaries() -> None:
    stored = [Edge("brigade", "part_of", "division"), Edge("division", "part_of", "front")]
    check_relation(Edge("front", "allied_with", "brigade"), stored)
    with pytest.raises(Conflict) as caught:
        check_relation(Edge("front", "part_of", "brigade"), stored)
    assert caught.value.code == "part_of_cycle"


def test_part_of_history_in_other_periods_is_not_a_cycle() -> None:
    stored = [Edge("a", "part_of", "b", date(2013, 1, 1), date(2014, 12, 31))]
    check_relation(Edge("b", "part_of", "a", date(2016, 1, 1)), stored)


def test_a_repeated_relation_is_refused() -> None:
    stored = [Edge("ahrar", "intermingled_with", "nusra")]
    with pytest.raises(Conflict) as caught:
        check_relation(Edge("ahrar", "intermingled_with", "nusra", date(2016, 9, 1)), stored)
    assert caught.value.code == "relation_exists"


def test_the_language_of_a_name_is_guessed_from_its_script() -> None:
    assert [guess_language(n) for n in ("Nusra", "جبهة النصرة", "ИГИЛ")] == ["en", "ar", "ru"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "Nusra", "valid_from": "2016-07-28", "valid_to": "2016-07-27"}, "valid_to"),
        ({"value": "Nusra", "language": "english"}, "language"),
        ({"value": "--"}, "value"),
        ({"value": "Nusra", "colour": "black"}, "colour"),
    ],
)
def test_bad_aliases_are_refused_naming_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AliasCreate(**payload)
    assert caught.value.errors()[0]["loc"][0] == field


def test_languages_are_any_two_or_three_letter_code() -> None:
    assert AliasCreate(value="Daech", language="FR").language == "fr"
    assert AliasCreate(value="Daiş", language="tr").language == "tr"
    assert AliasCreate(value="Daîş", language="kmr").language == "kmr"


def test_party_ids_must_be_slugs_and_relations_dated_in_order() -> None:
    with pytest.raises(ValidationError):
        PartyCreate(id="Jabhat al-Nusra", name="x", kind="militia")
    with pytest.raises(ValidationError):
        RelationCreate(
            relation="part_of", object_party_id="b", valid_from="2016-02-01", valid_to="2016-01-01"
        )


def _names(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The aliases the service stores: the listed ones, plus the name unless it is listed."""
    listed = payload["aliases"]
    if any(normalize_name(a["value"]) == normalize_name(payload["name"]) for a in listed):
        return listed
    return [{"value": payload["name"]}, *listed]


def _index(*payloads: dict[str, Any]) -> PartyIndex:
    entries = [
        NameEntry(
            p["id"],
            a["value"],
            normalize_name(a["value"]),
            a.get("language", "en"),
            a.get("kind", "official"),
            date.fromisoformat(a["valid_from"]) if "valid_from" in a else None,
            date.fromisoformat(a["valid_to"]) if "valid_to" in a else None,
        )
        for p in payloads
        for a in _names(p)
    ]
    return PartyIndex(entries, {p["id"]: p["name"] for p in payloads})


INDEX = _index(NUSRA, ISIL, AHRAR)


def test_a_name_not_yet_in_use_still_finds_the_party_and_says_what_it_was_called() -> None:
    best = INDEX.resolve("Jabhat Fatah al-Sham", on=date(2016, 3, 1))[0]
    assert best.party_id == "jabhat-al-nusra"
    assert (best.method, best.in_use, best.name_on) == ("exact", False, "Jabhat al-Nusra")
    assert best.explanation == (
        "'Jabhat Fatah al-Sham' is the name this party used from 2016-07-28; "
        "on 2016-03-01 it was called Jabhat al-Nusra"
    )


def test_an_old_name_after_the_rename_explains_the_current_name() -> None:
    best = INDEX.resolve("Nusra", on=date(2016, 9, 1))[0]
    assert best.party_id == "jabhat-al-nusra"
    assert best.in_use is False
    assert "until 2016-07-27" in best.explanation
    assert best.explanation.endswith("on 2016-09-01 it was called Jabhat Fatah al-Sham")


def test_a_name_in_use_says_so() -> None:
    best = INDEX.resolve("Jabhat al-Nusra", on=date(2016, 3, 1))[0]
    assert best.in_use is True
    assert "in use on 2016-03-01" in best.explanation


@pytest.mark.parametrize(
    ("spelling", "party"),
    [
        ("Jabhat an-Nusrah", "jabhat-al-nusra"),
        ("Ahrar ash-Sham", "ahrar-al-sham"),
        ("Daish", "islamic-state"),
        ("ИГИЛ", "islamic-state"),
        ("جبهة النصرة", "jabhat-al-nusra"),
        ("Джебхат ан-Нусра", "jabhat-al-nusra"),
    ],
)
def test_spellings_transliterations_and_scripts_resolve(spelling: str, party: str) -> None:
    assert INDEX.resolve(spelling)[0].party_id == party


def test_a_misspelling_scores_below_an_exact_name_and_says_it_is_close() -> None:
    exact = INDEX.resolve("Ahrar al-Sham")[0]
    fuzzy = INDEX.resolve("Ahrar al-Shaam")[0]
    assert exact.party_id == fuzzy.party_id == "ahrar-al-sham"
    assert (exact.method, exact.score) == ("exact", 100.0)
    assert fuzzy.method == "fuzzy"
    assert fuzzy.score < exact.score
    assert fuzzy.explanation.startswith("'Ahrar al-Shaam' is close to 'Ahrar al-Sham'")


def test_each_party_appears_once_and_the_limit_holds() -> None:
    found = INDEX.resolve("Jabhat al-Nusra Front", limit=5)
    ids = [c.party_id for c in found]
    assert len(ids) == len(set(ids))
    assert len(INDEX.resolve("Islamic State", limit=1)) == 1
    assert INDEX.resolve("zzqx") == []


def test_an_exact_name_answers_with_its_holders_only() -> None:
    assert [c.party_id for c in INDEX.resolve("Jabhat Fatah al-Sham", on=date(2016, 3, 1))] == [
        "jabhat-al-nusra"
    ]
