"""The buyer's shared secret, kept encrypted because we must send it back (Sender/SharedSecret).

The integration stores only a hash of the secret the buyer sends us; every document we send the
buyer carries the same secret, so we also keep it encrypted (the secret is captured again from the
next authenticated OrderRequest, or re-entered, after the encryption key changes).
"""

from __future__ import annotations

from openprocure.core.crypto import InvalidToken, SecretBox

__all__ = ["InvalidToken", "decrypt_secret", "encrypt_secret"]

_BOX = SecretBox(b"openprocure supplier: buyer shared secrets for outbound documents")


def encrypt_secret(plain: str) -> str:
    """A Fernet token (text) for ``plain``."""
    return _BOX.encrypt(plain)


def decrypt_secret(token: str) -> str:
    """The secret behind a token; raises ``InvalidToken`` when the key changed or the token is damaged."""
    return _BOX.decrypt(token)
