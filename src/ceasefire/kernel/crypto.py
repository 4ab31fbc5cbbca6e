"""The cipher port: services encrypt reporters' contact details through it, never knowing the key."""

from __future__ import annotations

from typing import Protocol


class Cipher(Protocol):
    """Symmetric authenticated encryption of small texts."""

    def encrypt(self, plaintext: str) -> bytes:
        """Encrypt a text; the result carries what decryption needs (nonce, tag)."""
        ...

    def decrypt(self, token: bytes) -> str:
        """Decrypt what `encrypt` produced; raises on tampering or a wrong key."""
        ...
