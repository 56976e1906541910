"""Encryption at rest of the platform client secrets entered on the administration page (the
XP Z12-013 adapter must send them, so they cannot only be hashed)."""

from __future__ import annotations

from openprocure.core.crypto import InvalidToken, SecretBox

__all__ = ["InvalidToken", "decrypt_client_secret", "encrypt_client_secret"]

_BOX = SecretBox(b"openprocure: e-invoicing platform client secrets")

encrypt_client_secret = _BOX.encrypt
decrypt_client_secret = _BOX.decrypt
