"""The buyer suite's production bootstrap commands: ``bootstrap_organisation`` and ``add_supplier_connection``."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from openprocure.buyer.organization.models import Company, UserProfile
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import shared_secret
from openprocure.core.models import User

pytestmark = pytest.mark.django_db

ORGANISATION = [
    "--name",
    "Acme Industries",
    "--admin-email",
    "Anna@Acme.example",
    "--admin-first-name",
    "Anna",
    "--admin-last-name",
    "Martin",
]
CONNECTION = [
    "--supplier",
    "Marketplace",
    "--setup-url",
    "https://shop.example/cxml/",
    "--from-identity",
    "ACME",
    "--to-identity",
    "MARKETPLACE",
    "--sender-identity",
    "ACME",
]
SECRET = "a-shared-secret-long-enough"


def run(*args: str) -> str:
    """The command's output, in English (as from a shell whose locale the site does not follow)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_bootstrap_organisation_creates_then_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "correct horse battery")
    assert run("bootstrap_organisation", *ORGANISATION) == (
        "organisation Acme Industries: created\nadministrator anna@acme.example: created\n"
    )
    assert run("bootstrap_organisation", *ORGANISATION) == (
        "organisation Acme Industries: unchanged\nadministrator anna@acme.example: unchanged\n"
    )
    assert list(Company.objects.values_list("name", "default_currency")) == [("Acme Industries", "EUR")]
    admin = User.objects.get()
    assert (admin.email, admin.first_name, admin.last_name, admin.is_staff, admin.is_superuser) == (
        "anna@acme.example",
        "Anna",
        "Martin",
        True,
        True,
    )
    assert admin.check_password("correct horse battery")
    assert sorted(UserProfile.objects.get(user=admin).role_codes()) == [
        "procurement_admin",
        "requester",
        "tech_admin",
    ]


def test_bootstrap_organisation_reads_the_password_from_stdin_and_never_prints_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENPROCURE_BOOTSTRAP_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("from standard input\n"))
    output = run("bootstrap_organisation", *ORGANISATION, "--password-stdin")
    assert "from standard input" not in output
    assert User.objects.get().check_password("from standard input")
    # A later run with another currency changes it, and only it.
    assert run("bootstrap_organisation", *ORGANISATION, "--currency", "usd") == (
        "organisation Acme Industries: updated\nadministrator anna@acme.example: unchanged\n"
    )
    assert Company.objects.get().default_currency == "USD"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ORGANISATION,
            "Give the administrator's password: the account is new.",
            id="new-account-without-password",
        ),
        pytest.param(
            [*ORGANISATION, "--currency", "EURO"],
            "EURO is not an ISO 4217 currency code such as EUR.",
            id="bad-currency",
        ),
    ],
)
def test_bootstrap_organisation_refuses_bad_input(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENPROCURE_BOOTSTRAP_PASSWORD", raising=False)
    with pytest.raises(CommandError) as refused:
        run("bootstrap_organisation", *args)
    assert (str(refused.value), refused.value.returncode) == (message, 1)
    assert (Company.objects.count(), User.objects.count()) == (0, 0)


def test_a_suite_has_one_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_PASSWORD", "correct horse battery")
    run("bootstrap_organisation", *ORGANISATION)
    with pytest.raises(CommandError) as refused:
        run("bootstrap_organisation", "--name", "Globex", "--admin-email", "g@globex.example")
    assert str(refused.value) == "This suite already belongs to Acme Industries: it has one organisation."
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme Industries"]
    assert list(User.objects.values_list("email", flat=True)) == ["anna@acme.example"]


def test_add_supplier_connection_creates_then_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET", SECRET)
    assert run("add_supplier_connection", *CONNECTION) == (
        "supplier Marketplace: created\nconnection PunchOut of Marketplace: created\n"
    )
    assert run("add_supplier_connection", *CONNECTION) == (
        "supplier Marketplace: unchanged\nconnection PunchOut of Marketplace: unchanged\n"
    )
    connection = PunchOutConnection.objects.get()
    assert (
        connection.supplier.name,
        connection.protocol,
        connection.setup_url,
        connection.from_domain,
        connection.from_identity,
        connection.to_identity,
        connection.sender_identity,
    ) == ("Marketplace", "cxml", "https://shop.example/cxml/", "NetworkId", "ACME", "MARKETPLACE", "ACME")
    assert shared_secret(connection) == SECRET
    assert SECRET not in connection.shared_secret_encrypted

    # Without a secret the stored one stays; a changed option changes that field only.
    monkeypatch.delenv("OPENPROCURE_BOOTSTRAP_SHARED_SECRET")
    assert run(
        "add_supplier_connection", "--supplier", "Marketplace", "--order-url", "https://shop.example/po/"
    ) == ("supplier Marketplace: unchanged\nconnection PunchOut of Marketplace: updated\n")
    connection.refresh_from_db()
    assert (connection.setup_url, connection.order_url, shared_secret(connection)) == (
        "https://shop.example/cxml/",
        "https://shop.example/po/",
        SECRET,
    )


@pytest.mark.parametrize(
    ("args", "secret", "message"),
    [
        pytest.param(
            CONNECTION,
            "short",
            "Shared secret: A shared secret must be at least 16 characters long; this one has 5. A short "
            "secret can be guessed: agree on a longer one with your trading partner.",
            id="short-secret",
        ),
        pytest.param(
            ["--supplier", "Marketplace", "--setup-url", "not a url"],
            SECRET,
            "Setup URL: Enter a valid URL.",
            id="bad-url",
        ),
    ],
)
def test_add_supplier_connection_refuses_bad_input(
    args: list[str], secret: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    with pytest.raises(CommandError) as refused:
        run("add_supplier_connection", *args, "--secret-stdin")
    assert (str(refused.value), refused.value.returncode) == (message, 1)
    assert (Supplier.objects.count(), PunchOutConnection.objects.count()) == (0, 0)
