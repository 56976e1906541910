"""The buyer's shared secret, kept encrypted because we must send it back (Sender/SharedSecret).

The integration stores only a hash of the secret the buyer sends us; every document we send the
buyer carries the same secret, so we also keep it encrypted (the secret is captured again from the
next authenticated OrderRequest, or re-entered, after the encryption key changes).
"""

from __future__ import annotations

from openprocure.core.crypto import InvalidToken, SecretBox

__all__ = ["InvalidToken", "decrypt_secret", "encrypt_secret"]

_BOX = SecretBox(b"openprocure supplier: buyer shared secrets for outbound documents")

# The box's methods: ``encrypt_secret(plain)`` gives a Fernet token, ``decrypt_secret(token)`` the
# secret (or raises ``InvalidToken`` when the key changed or the token is damaged).
encrypt_secret = _BOX.encrypt
decrypt_secret = _BOX.decrypt
