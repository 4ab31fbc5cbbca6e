"""The shared name index: folding, exact and fuzzy lookups, dates of use, ranking."""

from __future__ import annotations

from datetime import date

from ceasefire.kernel.names import NameEntry, NameIndex
from ceasefire.kernel.text import normalize_name


def entry(key: str, value: str, **kw: object) -> NameEntry:
    return NameEntry(key, value, normalize_name(value), **kw)  # type: ignore[arg-type]


INDEX = NameIndex(
    [
        entry("nusra", "Jabhat al-Nusra", valid_to=date(2016, 7, 27)),
        entry("nusra", "Jabhat Fatah al-Sham", valid_from=date(2016, 7, 28)),
        entry("nusra", "جبهة النصرة", language="ar"),
        entry("ahrar", "Ahrar al-Sham"),
        entry("isil", "Daesh"),
        entry("isil", "ИГИЛ", language="ru"),
        entry("aleppo-a", "Aleppo", weight=0.9),
        entry("aleppo-b", "Aleppo", weight=0.1),
    ]
)


def test_folding_ignores_case_diacritics_punctuation_and_arabic_letter_variants() -> None:
    assert normalize_name("Jabhat al-Nuṣra") == normalize_name("JABHAT AL NUSRA")
    assert normalize_name("جبهة النصرة") == normalize_name("جبهه النصره")
    assert normalize_name("Ёлка") == normalize_name("елка")


def test_exact_lookup_finds_every_entity_with_that_name_ranked_by_weight() -> None:
    keys = [m.entry.key for m in INDEX.exact("aleppo")]
    assert keys == ["aleppo-a", "aleppo-b"]


def test_fuzzy_lookup_finds_transliterations_with_lower_scores() -> None:
    best = INDEX.search("Jabhat an-Nusrah")[0]
    assert best.entry.key == "nusra"
    assert best.method == "fuzzy"
    assert 70 <= best.score < 100
    assert INDEX.search("Ahrar ash-Sham")[0].entry.key == "ahrar"
    assert INDEX.search("Daish")[0].entry.key == "isil"


def test_other_scripts_resolve() -> None:
    assert INDEX.search("ИГИЛ")[0].entry.key == "isil"
    assert INDEX.search("جبهة النصره")[0].method == "exact"


def test_a_name_not_in_use_on_the_date_still_matches_but_says_so() -> None:
    match = INDEX.search("Jabhat Fatah al-Sham", on=date(2016, 3, 1))[0]
    assert match.entry.key == "nusra"
    assert match.in_use is False
    assert "not in use on 2016-03-01" in match.explanation
    later = INDEX.search("Jabhat Fatah al-Sham", on=date(2016, 9, 1))[0]
    assert later.in_use is True


def test_nonsense_finds_nothing() -> None:
    assert INDEX.search("zzqx") == []
    assert INDEX.search("  --  ") == []
