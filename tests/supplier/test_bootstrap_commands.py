"""The storefront's production bootstrap commands: ``create_operator`` and ``create_business``."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from openprocure.core.models import User
from openprocure.supplier.business.credentials import check_secret
from openprocure.supplier.business.models import Business, Integration, Membership, StaffProfile

pytestmark = pytest.mark.django_db

OPERATOR = ["--email", "Olivia@Marketplace.example", "--first-name", "Olivia", "--last-name", "Dupont"]
BUSINESS = [
    "--operator",
    "olivia@marketplace.example",
    "--name",
    "Acme Industries",
    "--street",
    "12 rue des Entrepôts",
    "--postal-code",
    "69007",
    "--city",
    "Lyon",
    "--country",
    "fr",
    "--admin-email",
    "anna@acme.example",
    "--admin-first-name",
    "Anna",
    "--buyer-identity",
    "ACME",
    "--return-url",
    "https://procurement.acme.example/",
]
SECRET = "acme-shared-secret-0123"


def run(*args: str) -> str:
    """The command's output, in English (as from a shell whose locale the site does not follow)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "operator password")
    run("create_operator", *OPERATOR)
    monkeypatch.delenv("OPENPROCURE_BOOTSTRAP_PASSWORD")
    return User.objects.get(email="olivia@marketplace.example")


def test_create_operator_creates_then_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "operator password")
    assert run("create_operator", *OPERATOR) == "operator olivia@marketplace.example: created\n"
    assert run("create_operator", *OPERATOR) == "operator olivia@marketplace.example: unchanged\n"
    user = User.objects.get()
    assert (user.email, user.first_name, user.is_staff, user.is_superuser) == (
        "olivia@marketplace.example",
        "Olivia",
        True,
        False,
    )
    assert user.check_password("operator password")
    assert StaffProfile.objects.get(user=user).role == "operator"
    assert run("create_operator", *OPERATOR, "--role", "support") == (
        "support olivia@marketplace.example: updated\n"
    )
    assert StaffProfile.objects.get(user=user).role == "support"


def test_create_operator_without_a_password_for_a_new_account_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENPROCURE_BOOTSTRAP_PASSWORD", raising=False)
    with pytest.raises(CommandError) as refused:
        run("create_operator", *OPERATOR)
    assert (str(refused.value), refused.value.returncode) == ("Give the password: the account is new.", 1)
    assert User.objects.count() == 0


def test_create_business_registers_verifies_and_adds_punchout_once(
    operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"admin password 1\n{SECRET}\n"))
    output = run("create_business", *BUSINESS, "--password-stdin", "--secret-stdin")
    assert output == (
        "business Acme Industries: created\n"
        "business Acme Industries: verified\n"
        "PunchOut of Acme Industries (Test): created\n"
    )
    assert SECRET not in output
    business = Business.objects.get()
    assert (business.name, business.country, business.status, business.reviewed_by) == (
        "Acme Industries",
        "FR",
        "verified",
        operator,
    )
    admin = Membership.objects.get(business=business, is_administrator=True).user
    assert (admin.email, admin.check_password("admin password 1")) == ("anna@acme.example", True)
    integration = Integration.objects.get(business=business)
    assert (integration.status, integration.buyer_identity, integration.buyer_domain) == (
        "test",
        "ACME",
        "NetworkId",
    )
    assert integration.allowed_return_urls == ["https://procurement.acme.example/"]
    assert check_secret(SECRET, integration.shared_secret_hash)

    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET", SECRET)
    assert run("create_business", *BUSINESS) == (
        "business Acme Industries: unchanged\nPunchOut of Acme Industries: unchanged\n"
    )
    assert (Business.objects.count(), Integration.objects.count()) == (1, 1)


def test_create_business_refuses_another_shared_secret_once_punchout_is_added(
    operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "admin password 1")
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET", SECRET)
    run("create_business", *BUSINESS)
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET", "another-shared-secret-0")
    with pytest.raises(CommandError) as refused:
        run("create_business", *BUSINESS)
    assert (str(refused.value), refused.value.returncode) == (
        "Acme Industries already has PunchOut with another shared secret. Its administrator replaces it on "
        "the Manage your business page.",
        1,
    )
    assert check_secret(SECRET, Integration.objects.get().shared_secret_hash)


@pytest.mark.parametrize(
    ("operator_email", "secret", "message"),
    [
        pytest.param(
            "nobody@marketplace.example",
            SECRET,
            "nobody@marketplace.example is not an operator: create one first (create_operator).",
            id="unknown-operator",
        ),
        pytest.param(
            "olivia@marketplace.example",
            "",
            "Set the environment variable OPENPROCURE_BOOTSTRAP_SHARED_SECRET, or pass --secret-stdin and "
            "write it on standard input.",
            id="no-secret",
        ),
    ],
)
def test_create_business_refuses_bad_input(
    operator: User, operator_email: str, secret: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "admin password 1")
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET", secret)
    args = list(BUSINESS)
    args[1] = operator_email
    with pytest.raises(CommandError) as refused:
        run("create_business", *args)
    assert (str(refused.value), refused.value.returncode) == (message, 1)
    assert (Business.objects.count(), Integration.objects.count()) == (0, 0)
