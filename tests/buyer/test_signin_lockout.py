"""Sign-in protection: after too many wrong passwords the account, or the address, is locked out
(even the right password is refused, with a message that says why and for how long), each further
failure doubles the wait, it is logged, and an administrator unlocks in the Django admin or with a
management command. Other accounts and addresses are not affected."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from openprocure.buyer.approvals import services as approval_services
from openprocure.core.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery"
LOCKED = (
    "Too many failed sign-ins for this account or from this network: sign-in is blocked for "
    "{minutes} minutes. Try again later, or ask an administrator to unlock it."
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


def test_an_account_is_locked_after_five_wrong_passwords_with_growing_waits(client, people, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="axes")
    wrong = [sign_in(client, "anna@acme.test", "guess", "127.0.0.2").status_code for _ in range(5)]
    # Four ordinary form errors, then the fifth failure locks the account.
    assert wrong == [200, 200, 200, 200, 429]
    right = sign_in(client, "Anna@Acme.test ", PASSWORD, "127.0.0.2")
    assert right.status_code == 429
    assert not signed_in(client)
    # A failure while locked (the right password too) doubles the wait: 5, then 10, then 20 minutes.
    assert LOCKED.format(minutes=10) in right.content.decode()
    again = sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.3")
    assert (again.status_code, signed_in(client)) == (429, False)  # locked from any address
    assert LOCKED.format(minutes=20) in again.content.decode()
    # Another account from another address is not affected.
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.4").status_code, signed_in(client)) == (
        302,
        True,
    )
    assert any("Locking out" in record.getMessage() for record in caplog.records)


def test_an_address_is_locked_after_five_wrong_passwords_on_any_accounts(client, people) -> None:
    for n in range(5):
        sign_in(client, f"nobody{n}@acme.test", "guess", "127.0.0.5")
    locked = sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.5")
    assert (locked.status_code, signed_in(client)) == (429, False)
    assert LOCKED.format(minutes=10) in locked.content.decode()
    assert (sign_in(client, "ben@acme.test", PASSWORD, "127.0.0.6").status_code, signed_in(client)) == (
        302,
        True,
    )


def test_the_message_is_translated(client, people) -> None:
    for _ in range(5):
        sign_in(client, "anna@acme.test", "guess", "127.0.0.7")
    page = sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.7", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429
    assert (
        "Trop de connexions échouées pour ce compte ou depuis ce réseau : la connexion est bloquée pendant "
        "10 minutes." in page.content.decode()
    )


def test_an_administrator_unlocks_an_account_with_the_management_command(client, people) -> None:
    for _ in range(5):
        sign_in(client, "anna@acme.test", "guess", "127.0.0.8")
    assert sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.9").status_code == 429
    call_command("axes_reset_username", "anna@acme.test")
    assert AccessAttempt.objects.filter(username="anna@acme.test").count() == 0
    assert (sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.9").status_code, signed_in(client)) == (
        302,
        True,
    )


def test_an_administrator_unlocks_an_address_in_the_django_admin(client, people) -> None:
    for n in range(5):
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
    assert refused.json()["detail"] == LOCKED.format(minutes=10)
    assert call(secret, "127.0.0.12") == 200
    # The password sign-in from that address is locked too; the token's owner elsewhere is not.
    assert sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.11").status_code == 429
    assert sign_in(client, "anna@acme.test", PASSWORD, "127.0.0.12").status_code == 302
