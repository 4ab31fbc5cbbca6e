"""Password hashing (Argon2id via argon2-cffi) and API token generation and digests."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "cf_"  # noqa: S105 - a public marker that starts every token, not a secret
_hasher = PasswordHasher()
# A hash of a random password, verified against when the user is unknown, so timing does not
# reveal which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Hash a password with Argon2id and a random salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash (constant work even when there is no hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A new bearer token: recognisable prefix plus 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a token: tokens are high-entropy, so a fast digest is safe and lookups are exact."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
