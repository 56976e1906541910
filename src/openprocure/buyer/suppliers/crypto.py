"""Encryption at rest of the shared secrets we must send to suppliers (so they cannot be hashed)."""

from __future__ import annotations

from openprocure.core.crypto import InvalidToken, SecretBox

__all__ = ["InvalidToken", "decrypt_secret", "encrypt_secret"]

_BOX = SecretBox(b"openprocure buyer: supplier shared secrets")

# The box's methods: ``encrypt_secret(plain)`` gives a Fernet token, ``decrypt_secret(token)`` the
# secret (or raises ``InvalidToken`` when the key changed or the token is damaged).
encrypt_secret = _BOX.encrypt
decrypt_secret = _BOX.decrypt
