"""The buyer's shared secret, kept encrypted because we must send it back (Sender/SharedSecret).

The integration stores only a hash of the secret the buyer sends us; every document we send the
buyer carries the same secret, so we also keep it encrypted with Fernet. The key is derived from
``settings.ENCRYPTION_KEY`` with HKDF-SHA256: rotating the setting makes old tokens unreadable
(the secret is captured again from the next authenticated OrderRequest, or re-entered).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt_secret", "encrypt_secret"]

_INFO = b"openprocure supplier: buyer shared secrets for outbound documents"


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    if not key_material or len(key_material) < 16:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEY is missing or shorter than 16 characters; set OPENPROCURE_ENCRYPTION_KEY."
        )
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(plain: str) -> str:
    """A Fernet token (text) for ``plain``."""
    return _fernet(settings.ENCRYPTION_KEY).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str:
    """The secret behind a token; raises ``InvalidToken`` when the key changed or the token is damaged."""
    return _fernet(settings.ENCRYPTION_KEY).decrypt(token.encode("ascii")).decode("utf-8")
