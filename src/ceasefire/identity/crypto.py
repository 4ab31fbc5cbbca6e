"""Fernet (AES-128-CBC + HMAC-SHA256, from the cryptography package) behind the Cipher port."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ceasefire.kernel.errors import Invalid


class FernetCipher:
    """Encrypts with the first key; decrypts with any (so keys can be rotated)."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise Invalid("an encryption key is required", code="missing_key", field="encryption_key")
        try:
            self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            raise Invalid(
                "encryption key must be a url-safe base64 Fernet key (32 bytes); "
                "make one with `ceasefire keys generate`",
                code="bad_key",
                field="encryption_key",
            ) from exc

    def encrypt(self, plaintext: str) -> bytes:
        """Encrypt and authenticate a text."""
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt a token made with any configured key."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise Invalid(
                "encrypted value cannot be read with the configured keys", code="bad_ciphertext"
            ) from exc


def generate_key() -> str:
    """A fresh random Fernet key (url-safe base64 text)."""
    return Fernet.generate_key().decode("ascii")


def demo_key(path: Path) -> str:
    """The demo's own key, kept in a file beside its database (created once, readable only by you)."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    path.write_text(key + "\n", encoding="ascii")
    path.chmod(0o600)
    return key
