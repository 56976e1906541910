"""Encryption at rest of partner secrets that we must send (so they cannot only be hashed).

Each use has its own purpose string: the Fernet key is derived from ``settings.ENCRYPTION_KEY``
with HKDF-SHA256 and that purpose, so any text of enough entropy works as the setting, one use's
tokens cannot be read as another's, and rotating the setting makes old tokens unreadable
(the secrets are then entered again).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

__all__ = ["MIN_SHARED_SECRET_LENGTH", "InvalidToken", "SecretBox", "validate_shared_secret"]

# Shortest cXML shared secret either site accepts from a person or a partner. Secrets we generate
# are far longer (43 characters).
MIN_SHARED_SECRET_LENGTH = 16


def validate_shared_secret(secret: str) -> None:
    """Refuse a cXML shared secret too short to resist guessing, with a message a person can act on."""
    if len(secret) < MIN_SHARED_SECRET_LENGTH:
        raise ValidationError(
            _(
                "A shared secret must be at least %(minimum)d characters long; this one has %(length)d. "
                "A short secret can be guessed: agree on a longer one with your trading partner."
            )
            % {"minimum": MIN_SHARED_SECRET_LENGTH, "length": len(secret)},
            code="shared_secret_too_short",
        )


@lru_cache(maxsize=8)
def _fernet(key_material: str, purpose: bytes) -> Fernet:
    if not key_material or len(key_material) < 16:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEY is missing or shorter than 16 characters; set OPENPROCURE_ENCRYPTION_KEY."
        )
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        key_material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Encrypts and decrypts the secrets of one purpose with the installation's key."""

    def __init__(self, purpose: bytes) -> None:
        self.purpose = purpose

    def encrypt(self, plain: str) -> str:
        """A Fernet token (text) for ``plain``."""
        return _fernet(settings.ENCRYPTION_KEY, self.purpose).encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The secret behind a token; raises ``InvalidToken`` when the key changed or the token is damaged."""
        return _fernet(settings.ENCRYPTION_KEY, self.purpose).decrypt(token.encode("ascii")).decode("utf-8")
