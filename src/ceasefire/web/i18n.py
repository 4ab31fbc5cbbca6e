"""Languages of the pages: English, Arabic (right to left) and Russian, from gettext catalogues.

Catalogues are the .po files under locales/<language>/ (one per area of the site, merged), read with
Babel at start-up, so there is no compile step. The language of a request is the `lang` query
parameter, else the `lang` cookie, else the best match of Accept-Language, else English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.core import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
LANG_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    """A language the pages are offered in."""

    code: str
    name: str  # in its own script, for the language switch
    direction: str  # "ltr" or "rtl"


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "ltr"),
    "ar": Language("ar", "العربية", "rtl"),
    "ru": Language("ru", "Русский", "ltr"),
}
DEFAULT_LANGUAGE = "en"


@cache
def translations(code: str) -> NullTranslations:
    """The merged catalogues of one language (English is the source text: no catalogue)."""
    merged: NullTranslations = NullTranslations()
    folder = LOCALES_DIR / code
    if code == DEFAULT_LANGUAGE or not folder.is_dir():
        return merged
    result: Translations | None = None
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if result is None:
            result = part
        else:
            result.merge(part)
    return result or merged


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: explicit choice, then remembered choice, then the browser's."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    if accept_language:
        preferred = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        best = negotiate_locale([p for p in preferred if p], list(LANGUAGES), sep="_")
        if best in LANGUAGES:
            return best
        for tag in preferred:
            base = tag.split("_")[0].lower()
            if base in LANGUAGES:
                return base
    return DEFAULT_LANGUAGE


def locale(code: str) -> Locale:
    """The Babel locale of a language (dates and numbers in its conventions)."""
    return Locale.parse(code)
