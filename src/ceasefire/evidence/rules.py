"""Pure evidence rules: size limits, type sniffing, file names, URLs, capture times, custody vocabulary."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import puremagic

from ceasefire.kernel.errors import Invalid, TooLarge
from ceasefire.kernel.time import require_aware

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"
MAX_URL_LENGTH = 2000
MAX_FILENAME_LENGTH = 255
# A capture time a little ahead of the server clock is a device clock, not a claim about the future.
CLOCK_SKEW = timedelta(minutes=5)

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
# Whitespace controls that plain text may hold; every other C0 control (NUL above all) means binary.
_TEXT_CONTROLS = frozenset("\t\n\r\f")


class EvidenceKind(StrEnum):
    """What an evidence item holds."""

    FILE = "file"
    URL = "url"


class CustodyAction(StrEnum):
    """The steps of an evidence item's chain of custody."""

    RECEIVED = "received"
    STORED = "stored"
    LINKED = "linked"
    VIEWED = "viewed"
    VERIFIED = "verified"
    FIXITY_FAILED = "fixity_failed"


class Fixity(StrEnum):
    """The result of re-hashing a stored file."""

    OK = "ok"
    MISMATCH = "mismatch"
    MISSING = "missing"
    UNREADABLE = "unreadable"


def digest(content: bytes) -> str:
    """The lower-case hex SHA-256 of some bytes."""
    return hashlib.sha256(content).hexdigest()


def is_sha256(value: str) -> bool:
    """Whether a string is a lower-case hex SHA-256 (and so safe to use as a file name)."""
    return bool(_SHA256_RE.match(value))


def check_size(size: int, *, max_bytes: int, field: str = "file") -> None:
    """Refuse an empty file (422 empty_file) or one over the limit (413 too_large, naming the limit)."""
    if size == 0:
        raise Invalid("the file is empty", code="empty_file", field=field)
    if size > max_bytes:
        raise TooLarge(
            f"the file is {size} bytes; evidence files may be at most {max_bytes} bytes",
            field=field,
            details={"limit": max_bytes, "size": size},
        )


def normalize_media_type(value: str | None) -> str | None:
    """A declared media type without parameters, lower-cased; None when absent or not a media type."""
    if value is None:
        return None
    essence = value.split(";", 1)[0].strip().lower()
    return essence if _MEDIA_TYPE_RE.match(essence) else None


def looks_like_text(content: bytes) -> bool:
    """Whether the bytes are UTF-8 text (no NUL or other non-whitespace control characters)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in text)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The media type found in a file's bytes, and what the sniffer called the format."""

    media_type: str
    description: str


def sniff(content: bytes, *, declared: str | None = None, allowed: Collection[str] = ()) -> Sniffed:
    """The media type of some bytes by their magic numbers (puremagic), else UTF-8 text, else binary.

    Among equally confident matches the declared type, then an allowed type, is preferred; the
    declared type never overrides what the bytes are.
    """
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        matches = []
    typed = [m for m in matches if m.mime_type]
    if typed:
        best = max(m.confidence for m in typed)
        top = [m for m in typed if m.confidence == best]
        chosen = next((m for m in top if m.mime_type == declared), None)
        chosen = chosen or next((m for m in top if m.mime_type in allowed), top[0])
        return Sniffed(str(chosen.mime_type).lower(), str(chosen.name))
    if matches:
        # Recognised, but puremagic knows no media type for it (an ELF executable, for one).
        return Sniffed(OCTET_STREAM, str(matches[0].name))
    if looks_like_text(content):
        return Sniffed(TEXT_PLAIN, "UTF-8 text")
    return Sniffed(OCTET_STREAM, "unrecognised binary data")


@dataclass(frozen=True, slots=True)
class TypeVerdict:
    """The type a file is stored as (sniffed), the type it was declared as, and whether they differ."""

    media_type: str
    declared: str | None
    description: str

    @property
    def mismatch(self) -> bool:
        """Whether the uploader declared another type than the bytes have."""
        return self.declared is not None and self.declared != self.media_type


def check_type(
    content: bytes, *, declared: str | None, allowed: Collection[str], field: str = "file"
) -> TypeVerdict:
    """Sniff the bytes and refuse a type not in the allowed list (422 unsupported_type); sniffed wins."""
    declared_type = normalize_media_type(declared)
    found = sniff(content, declared=declared_type, allowed=allowed)
    if found.media_type not in allowed:
        shown = f" (declared as {declared_type})" if declared_type else ""
        raise Invalid(
            f"the file is {found.description} ({found.media_type}){shown}; accepted types are "
            + ", ".join(sorted(allowed)),
            code="unsupported_type",
            field=field,
            details={"sniffed": found.media_type, "declared": declared_type, "allowed": sorted(allowed)},
        )
    return TypeVerdict(found.media_type, declared_type, found.description)


def sanitize_filename(name: str | None) -> str | None:
    """The last path component of an uploaded file's name, without control or bidi characters.

    Leading dots go too (no hidden files, no '..'); None when nothing usable is left.
    """
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = base.strip().lstrip(".").strip()
    if not base:
        return None
    if len(base) > MAX_FILENAME_LENGTH:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: MAX_FILENAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_FILENAME_LENGTH]
    return base


def check_url(url: str, *, field: str = "url") -> str:
    """An http(s) URL with a host and no credentials, stripped; anything else is refused (422)."""
    value = url.strip()
    if not value:
        raise Invalid("the URL is empty", code="bad_url", field=field)
    if len(value) > MAX_URL_LENGTH:
        raise Invalid(f"the URL is longer than {MAX_URL_LENGTH} characters", code="bad_url", field=field)
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        raise Invalid("the URL contains spaces or control characters", code="bad_url", field=field)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid(
            f"only http and https URLs are accepted, not {parts.scheme or 'a relative URL'!r}",
            code="unsupported_url_scheme",
            field=field,
        )
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise Invalid("the URL's port is not a number in range", code="bad_url", field=field) from None
    if not host:
        raise Invalid("the URL names no host", code="bad_url", field=field)
    if parts.username is not None or parts.password is not None:
        raise Invalid("the URL must not carry a user name or password", code="bad_url", field=field)
    return value


def check_captured_at(value: datetime, *, now: datetime, field: str = "captured_at") -> datetime:
    """A tz-aware capture time (as UTC) that is not in the future (beyond a few minutes' clock skew)."""
    at = require_aware(value, field=field)
    if at > now + CLOCK_SKEW:
        raise Invalid(f"{field} {at.isoformat()} is in the future", code="future_datetime", field=field)
    return at
