"""Generated secrets and how we keep them: hashed, compared in constant time, shown once.

Shared secrets and OCI passwords we generate carry 256 bits of randomness, so a slow password hash
(PBKDF2) would add nothing but latency to every PunchOut; a salted SHA-256 is enough, and it keeps a
setup request well under our 100 ms budget. Secrets chosen by people (the demo's) get the same
treatment: they are not login passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCHEME = "sha256"


def generate_secret(length: int = 32) -> str:
    """A new random secret, URL-safe."""
    return secrets.token_urlsafe(length)


def hash_secret(secret: str) -> str:
    """``sha256$salt$digest`` of a secret."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}${secret}".encode()).hexdigest()
    return f"{_SCHEME}${salt}${digest}"


def check_secret(secret: str | None, stored: str) -> bool:
    """Whether ``secret`` matches the stored hash, compared in constant time."""
    try:
        scheme, salt, digest = stored.split("$", 2)
    except ValueError:
        return False
    if scheme != _SCHEME:
        return False
    candidate = hashlib.sha256(f"{salt}${secret or ''}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest) and secret is not None


def token_hash(token: str) -> str:
    """The lookup key of a one-time token (start URL, invitation): its SHA-256, hex.

    Tokens are random and single-use, so no salt is needed and the hash can be an indexed column.
    """
    return hashlib.sha256(token.encode()).hexdigest()
