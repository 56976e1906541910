"""Partner secrets encrypted at rest: readable only with the same key and the same purpose."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from openprocure.core.crypto import InvalidToken, SecretBox


def test_round_trip_and_purposes_are_separate() -> None:
    box = SecretBox(b"purpose one")
    token = box.encrypt("acme-demo-secret")
    assert "acme-demo-secret" not in token
    assert box.decrypt(token) == "acme-demo-secret"
    with pytest.raises(InvalidToken):
        SecretBox(b"purpose two").decrypt(token)


def test_a_new_key_cannot_read_old_tokens() -> None:
    box = SecretBox(b"purpose one")
    token = box.encrypt("s3cret")
    with override_settings(ENCRYPTION_KEY="another key of enough length"), pytest.raises(InvalidToken):
        box.decrypt(token)


def test_a_missing_key_is_a_clear_configuration_error() -> None:
    with override_settings(ENCRYPTION_KEY="short"), pytest.raises(ImproperlyConfigured) as error:
        SecretBox(b"purpose one").encrypt("x")
    assert str(error.value) == (
        "ENCRYPTION_KEY is missing or shorter than 16 characters; set OPENPROCURE_ENCRYPTION_KEY."
    )
