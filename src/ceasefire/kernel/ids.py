"""Identifiers: readable slugs for registry entries, random ids for everything else."""

from __future__ import annotations

import re
import secrets
import unicodedata

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$|^[a-z0-9]$"
_SLUG_RE = re.compile(SLUG_PATTERN)


def new_id() -> str:
    """Return a fresh random identifier: 24 lower-case hex digits (96 bits; never starts with '-',
    so it is safe as a command-line argument)."""
    return secrets.token_hex(12)


def slugify(text: str, *, max_length: int = 48) -> str:
    """Turn a name into a lower-case ASCII slug (diacritics dropped, runs of other chars to '-')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def is_slug(value: str) -> bool:
    """Tell whether a string is a valid registry id."""
    return bool(_SLUG_RE.match(value))
