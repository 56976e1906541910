"""Sign-in protection: after too many wrong passwords an account is locked out from the address they
came from, and an address that fails over many accounts is locked out for all (even the right
password is refused, with a message that says why and for how long); each further failure doubles
the wait, it is logged, and an administrator unlocks in the Django admin or with a management
command. A stranger guessing elsewhere never locks the owner out; behind a trusted proxy the client's
own address is what counts."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, override_settings

from openprocure.buyer.approvals import services as approval_services
from openprocure.core.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery"
LOCKED = (
    "Too many failed sign-ins for this account from your network: signing in to it from here is blocked "
    "for {minutes} minutes. Try again later, or ask an administrator to unlock it."
)
NETWORK_LOCKED = (
    "Too many failed sign-ins from your network: sign-in from here is blocked for {minutes} minutes. "
    "Try again later, or ask an administrator to unlock it."
)


@pytest.fixture
def people() -> tuple[User, User]:
    return (
        User.objects.create_user(email="anna@acme.test", password=PASSWORD),
        User.objects.create_user(email="ben@acme.test", password=PASSWORD),
    )


def sign_in(client: Client, email: str, password: str, address: str, **headers: str):
    client.logout()
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_is_locked_from_the_guessing_address_with_growing_waits(client, people, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="axes")
    wrong = [sign_in(client, "anna@acme.test", "guess", "127.0.0.2").status_code for _ in range(5)]
    # Four ordinary form errors, then the fifth failure locks the account from this address.
    assert wrong == [200, 200, 200, 200, 429]
    right = sign_in(client, "Anna@Acme.test ", PASSWORD, "127.0.0.2")
    assert right.status_code == 429
    assert not signed_in(client)
    # A failure while locked (the right password too) doubles the wait: 5, then 10, then 20 minutes.
    assert LOCKED.format(minutes=10) in right.content.decode()
    again = sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.2")
    assert (again.status_code, signed_in(client)) == (429, False)
    assert LOCKED.format(minutes=20) in again.content.decode()
    # Another account from that address is not affected, nor the same account from elsewhere.
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.2").status_code, signed_in(client)) == (
        302,
        True,
    )
    assert (sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.3").status_code, signed_in(client)) == (
        302,
        True,
    )
    assert any("Locking out" in record.getMessage() for record in caplog.records)


def test_a_stranger_guessing_cannot_lock_the_owner_out_of_their_own_address(client, people) -> None:
    for _ in range(12):
        sign_in(client, "anna@acme.test", "guess", "198.51.100.66")
    assert sign_in(client, "anna@acme.test", PASSWORD, "198.51.100.66").status_code == 429
    # Anna at her desk, with her right password: signed in.
    assert (sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.20").status_code, signed_in(client)) == (
        302,
        True,
    )


def test_an_address_failing_over_many_accounts_is_locked_out_for_all(client, people) -> None:
    # A few wrong passwords over several accounts from one office are no attack.
    for n in range(5):
        sign_in(client, f"nobody{n}@acme.test", "guess", "127.0.0.5")
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.5").status_code, signed_in(client)) == (
        302,
        True,
    )
    # Credential stuffing: twenty wrong passwords over twenty accounts lock the address out.
    for n in range(20):
        sign_in(client, f"victim{n}@acme.test", "guess", "127.0.0.15")
    locked = sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.15")
    assert (locked.status_code, signed_in(client)) == (429, False)
    assert NETWORK_LOCKED.format(minutes=10) in locked.content.decode()
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.6").status_code, signed_in(client)) == (
        302,
        True,
    )


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=8)
def test_the_address_limit_is_a_setting(client, people) -> None:
    for n in range(7):
        sign_in(client, f"nobody{n}@acme.test", "guess", "127.0.0.16")
    assert sign_in(client, "ben@acme.test", "guess", "127.0.0.16").status_code == 429
    refused = sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.16")
    assert NETWORK_LOCKED.format(minutes=10) in refused.content.decode()


def test_the_message_is_translated(client, people) -> None:
    for _ in range(5):
        sign_in(client, "anna@acme.test", "guess", "127.0.0.7")
    page = sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.7", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429
    assert (
        "Trop de connexions échouées pour ce compte depuis votre réseau : la connexion à ce compte depuis "
        "ce réseau est bloquée pendant 10 minutes." in page.content.decode()
    )
    for n in range(20):
        sign_in(client, f"victim{n}@acme.test", "guess", "127.0.0.17")
    page = sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.17", HTTP_ACCEPT_LANGUAGE="fr")
    assert (
        "Trop de connexions échouées depuis votre réseau : la connexion depuis ce réseau est bloquée pendant "
        "10 minutes." in page.content.decode()
    )


def test_an_administrator_unlocks_an_account_with_the_management_command(client, people) -> None:
    for _ in range(5):
        sign_in(client, "anna@acme.test", "guess", "127.0.0.8")
    assert sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.8").status_code == 429
    call_command("axes_reset_username", "anna@acme.test")
    assert AccessAttempt.objects.filter(username="anna@acme.test").count() == 0
    assert (sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.8").status_code, signed_in(client)) == (
        302,
        True,
    )


def test_an_administrator_unlocks_an_address_in_the_django_admin(client, people) -> None:
    for n in range(20):
        sign_in(client, f"nobody{n}@acme.test", "guess", "127.0.0.10")
    assert sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.10").status_code == 429
    admin = User.objects.create_superuser(email="root@acme.test", password=PASSWORD)
    staff = Client()
    staff.force_login(admin)
    listed = staff.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200
    assert "127.0.0.10" in listed.content.decode()
    ids = [
        str(pk) for pk in AccessAttempt.objects.filter(ip_address="127.0.0.10").values_list("pk", flat=True)
    ]
    done = staff.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert done.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="127.0.0.10").count() == 0
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.10").status_code, signed_in(client)) == (
        302,
        True,
    )


@override_settings(TRUSTED_PROXIES=["10.0.0.0/30"])
def test_behind_a_trusted_proxy_the_client_address_counts(client, people) -> None:
    def through_proxy(email: str, password: str, forwarded: str):
        return sign_in(client, email, password, "10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    # Two hops of ours (10.0.0.2 forwarded to 10.0.0.1); a value the client wrote itself on the left.
    for _ in range(5):
        through_proxy("anna@acme.test", "guess", "127.0.0.99, 203.0.113.5, 10.0.0.2")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert through_proxy("anna@acme.test", PASSWORD, "203.0.113.5, 10.0.0.2").status_code == 429
    # Everyone else comes through the same proxy and is not locked out with the guesser.
    assert (through_proxy("anna@acme.test", PASSWORD, "198.51.100.7").status_code, signed_in(client)) == (
        302,
        True,
    )


@override_settings(TRUSTED_PROXIES=["10.0.0.0/30"])
def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(client, people) -> None:
    for _ in range(5):
        sign_in(client, "anna@acme.test", "guess", "192.0.2.44", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.44"}
    # Changing the header changes nothing: the guesser is still locked out.
    refused = sign_in(client, "anna@acme.test", PASSWORD, "192.0.2.44", HTTP_X_FORWARDED_FOR="203.0.113.78")
    assert refused.status_code == 429


def test_wrong_api_tokens_lock_out_the_address_not_the_token_owner(client, people) -> None:
    _token, secret = approval_services.create_api_token(user=people[0], name="ERP")

    def call(token: str, address: str) -> int:
        return client.get(
            "/api/requisitions/", headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address
        ).status_code

    # Four ordinary refusals, then the fifth wrong token locks the address out.
    assert [call(f"wrong-{n}", "127.0.0.11") for n in range(5)] == [401, 401, 401, 401, 429]
    refused = client.get(
        "/api/requisitions/", headers={"Authorization": f"Bearer {secret}"}, REMOTE_ADDR="127.0.0.11"
    )
    assert refused.status_code == 429
    assert refused.json()["detail"] == NETWORK_LOCKED.format(minutes=10)
    assert call(secret, "127.0.0.12") == 200
    # Five wrong tokens lock that address's tokens, not its people's password sign-ins.
    assert sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.11").status_code == 302
