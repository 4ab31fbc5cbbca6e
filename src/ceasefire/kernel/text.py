"""Name normalisation shared by the party and place resolvers."""

from __future__ import annotations

import re
import unicodedata

# Arabic letters that vary between spellings of one name: normalise alef forms, teh marbuta, alef maksura.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})
_ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc\u02bf\u02be`]")


def normalize_name(text: str) -> str:
    """Fold a name for exact matching: case, diacritics, Arabic letter variants, punctuation, spaces.

    "Jabhat al-Nuṣra", "jabhat al nusra" and "JABHAT AL-NUSRA" all give "jabhat al nusra".
    """
    text = _APOSTROPHES.sub("", text)
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Russian: fold ё to е so both spellings meet.
    stripped = stripped.casefold().replace("ё", "е")
    return " ".join(_NON_WORD.sub(" ", stripped).split())
