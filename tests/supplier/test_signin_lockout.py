"""The storefront's sign-in and API keys are protected like the buyer's (tests/buyer/test_signin_lockout.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from openprocure.supplier.orders import services
from tests.supplier.worlds import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = (
    "Too many failed sign-ins for this account from your network: signing in to it from here is blocked "
    "for {minutes} minutes. Try again later, or ask an administrator to unlock it."
)


def sign_in(client, email: str, password: str, address: str):
    client.logout()
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_the_storefront_sign_in_locks_an_account_and_an_administrator_unlocks_it(client, acme) -> None:
    assert [sign_in(client, "admin@acme.test", "guess", "127.0.0.2").status_code for _ in range(5)] == [
        200,
        200,
        200,
        200,
        429,
    ]
    refused = sign_in(client, "admin@acme.test", PASSWORD, "127.0.0.2")
    assert refused.status_code == 429
    assert LOCKED.format(minutes=10) in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "buyer@acme.test", PASSWORD, "127.0.0.2").status_code == 302
    call_command("axes_reset_username", "admin@acme.test")
    assert sign_in(client, "admin@acme.test", PASSWORD, "127.0.0.2").status_code == 302


def test_wrong_api_keys_lock_out_the_address(client, acme) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(email="admin@acme.test")
    _key, secret = services.create_api_key(business=acme.business, by=admin, name="ERP")

    def call(key: str, address: str) -> int:
        return client.get(
            "/api/orders/", headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR=address
        ).status_code

    assert [call(f"opk_wrong{n}", "127.0.0.5") for n in range(5)] == [401, 401, 401, 401, 429]
    assert call(secret, "127.0.0.5") == 429
    assert call(secret, "127.0.0.6") == 200
