"""Party payloads used by the party tests (JSON-ready: usable with the API and with PartyCreate)."""

from __future__ import annotations

from typing import Any

NUSRA: dict[str, Any] = {
    "id": "jabhat-al-nusra",
    "name": "Jabhat al-Nusra",
    "kind": "non_state_armed_group",
    "source": "US-Russia joint statement, 22 Feb 2016",
    "aliases": [
        {"value": "Jabhat al-Nusra", "kind": "official", "valid_to": "2016-07-27"},
        {"value": "Nusra Front", "kind": "translation", "valid_to": "2016-07-27"},
        {"value": "Jabhat Fatah al-Sham", "kind": "official", "valid_from": "2016-07-28"},
        {"value": "JFS", "kind": "abbreviation", "valid_from": "2016-07-28"},
        {"value": "جبهة النصرة", "language": "ar", "kind": "official", "valid_to": "2016-07-27"},
        {"value": "Джебхат ан-Нусра", "language": "ru", "kind": "transliteration"},
    ],
}

ISIL: dict[str, Any] = {
    "id": "islamic-state",
    "name": "Islamic State",
    "kind": "non_state_armed_group",
    "aliases": [
        {"value": "ISIL", "kind": "abbreviation"},
        {"value": "ISIS", "kind": "abbreviation"},
        {"value": "Daesh", "kind": "pejorative"},
        {"value": "ИГИЛ", "language": "ru", "kind": "abbreviation"},
        {"value": "داعش", "language": "ar", "kind": "pejorative"},
    ],
}

AHRAR: dict[str, Any] = {
    "id": "ahrar-al-sham",
    "name": "Ahrar al-Sham",
    "kind": "non_state_armed_group",
    "aliases": [{"value": "Harakat Ahrar al-Sham al-Islamiyya", "kind": "official"}],
}
