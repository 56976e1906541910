"""Encryption at rest of the shared secrets we must send to suppliers (so they cannot be hashed)."""

from __future__ import annotations

from openprocure.core.crypto import InvalidToken, SecretBox

__all__ = ["InvalidToken", "decrypt_secret", "encrypt_secret"]

_BOX = SecretBox(b"openprocure buyer: supplier shared secrets")


def encrypt_secret(plain: str) -> str:
    """A Fernet token (text) for ``plain``."""
    return _BOX.encrypt(plain)


def decrypt_secret(token: str) -> str:
    """The secret behind a token; raises ``InvalidToken`` when the key changed or the token is damaged."""
    return _BOX.decrypt(token)
