"""Supplier connections: the shared secret at rest and on pages, and the "Test connection" button."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.test import Client, override_settings
from django.utils.html import escape
from lxml import etree

from openprocure.buyer.suppliers.crypto import decrypt_secret, encrypt_secret
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import save_connection, set_shared_secret
from openprocure.core.models import AdminEvent, Document, User
from tests.buyer.punchout_world import SupplierServer, connection_form_data, status_response

PROFILE_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">'
    b'<cXML payloadID="p1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
    b'<Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+00:00">'
    b'<Transaction requestName="OrderRequest"><URL>http://market.test/cxml/</URL></Transaction>'
    b"</ProfileResponse></Response></cXML>"
)


@pytest.fixture
def admin(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


def _raw_column(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT shared_secret_encrypted FROM suppliers_punchoutconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_secret_is_encrypted_at_rest(acme: PunchOutConnection) -> None:
    stored = _raw_column(acme.pk)
    assert "acme-demo-secret" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert decrypt_secret(stored) == "acme-demo-secret"


def test_secret_is_never_rendered_and_replaced_only_when_entered(
    acme: PunchOutConnection, admin: Client
) -> None:
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    page = admin.get(url).content.decode()
    assert "acme-demo-secret" not in page
    assert "••• set — enter a new value to replace" in page
    assert _raw_column(acme.pk) not in page

    response = admin.post(url, connection_form_data(acme))
    assert response.status_code == 302
    assert decrypt_secret(_raw_column(acme.pk)) == "acme-demo-secret"  # empty field keeps the secret
    assert PunchOutConnection.objects.get(pk=acme.pk).user_attributes == ["UserEmail", "CostCenter"]

    admin.post(url, connection_form_data(acme, new_shared_secret="n3w-s3cret-9f2c7a"))
    assert decrypt_secret(_raw_column(acme.pk)) == "n3w-s3cret-9f2c7a"
    assert "n3w-s3cret-9f2c7a" not in _raw_column(acme.pk)
    assert "n3w-s3cret-9f2c7a" not in admin.get(url).content.decode()
    assert "n3w-s3cret-9f2c7a" not in admin.get(f"/suppliers/{acme.supplier_id}/").content.decode()


def test_a_connection_changed_on_its_page_is_on_the_record_without_its_secret(
    acme: PunchOutConnection, admin: Client
) -> None:
    """Where orders go and the secret they carry are changed by an administrator: who changed which
    fields is recorded (never the secret's value)."""
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    assert admin.post(url, connection_form_data(acme)).status_code == 302  # the page's settings as posted
    acme.refresh_from_db()
    changed = connection_form_data(
        acme, order_url="https://orders.example.com/cxml", new_shared_secret="n3w-s3cret-9f2c7a"
    )
    assert admin.post(url, changed).status_code == 302
    events = AdminEvent.objects.filter(subject_type="suppliers.punchoutconnection").order_by("id")
    assert list(events.values_list("kind", "subject_id", "actor__email")) == [
        ("changed", acme.pk, "admin@acme.test"),
        ("changed", acme.pk, "admin@acme.test"),
    ]
    assert sorted(events[1].detail["fields"]) == ["order_url", "shared_secret_encrypted"]
    assert "n3w-s3cret-9f2c7a" not in str(events[1].detail)
    assert acme.shared_secret_encrypted not in str(events[1].detail)


def test_a_supplier_added_on_its_page_is_on_the_record(acme: PunchOutConnection, admin: Client) -> None:
    answer = admin.post("/suppliers/new/", {"name": "Globex Office", "default_currency": "EUR"})
    assert answer.status_code == 302
    added = Supplier.objects.get(name="Globex Office")
    events = AdminEvent.objects.filter(subject_type="suppliers.supplier")
    assert list(events.values_list("kind", "subject_id", "actor__email", "subject_text")) == [
        ("created", added.pk, "admin@acme.test", "Globex Office")
    ]


@pytest.mark.parametrize("short", ["x", "fifteen-chars-1"], ids=["one-character", "fifteen-characters"])
def test_a_short_shared_secret_is_refused_and_the_stored_one_kept(
    acme: PunchOutConnection, admin: Client, short: str
) -> None:
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    response = admin.post(url, connection_form_data(acme, new_shared_secret=short))
    assert response.status_code == 200
    assert (
        escape(
            f"A shared secret must be at least 16 characters long; this one has {len(short)}. A short secret "
            "can be guessed: agree on a longer one with your trading partner."
        )
        in response.content.decode()
    )
    assert decrypt_secret(_raw_column(acme.pk)) == "acme-demo-secret"
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError):
        set_shared_secret(connection=acme, secret=short)
    with pytest.raises(ValidationError):
        save_connection(connection=acme, new_secret=short)
    assert decrypt_secret(_raw_column(acme.pk)) == "acme-demo-secret"


def test_an_oci_password_is_the_supplier_s_own_and_may_be_short(
    acme: PunchOutConnection, admin: Client
) -> None:
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    response = admin.post(url, connection_form_data(acme, protocol="oci", new_shared_secret="welcome1"))
    assert response.status_code == 302
    assert decrypt_secret(_raw_column(acme.pk)) == "welcome1"


def test_requester_cannot_edit_a_connection(acme: PunchOutConnection) -> None:
    client = Client()
    client.force_login(User.objects.get(email="requester@acme.test"))
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    response = client.post(
        url, connection_form_data(acme, new_shared_secret="stolen", setup_url="http://evil.test/")
    )
    assert response.status_code == 403
    unchanged = PunchOutConnection.objects.get(pk=acme.pk)
    assert unchanged.setup_url == "http://127.0.0.1:8100/cxml/"
    assert decrypt_secret(unchanged.shared_secret_encrypted) == "acme-demo-secret"
    assert client.post(f"/suppliers/connections/{acme.pk}/test/").status_code == 403


def test_test_connection_shows_exactly_what_came_back(acme: PunchOutConnection, admin: Client) -> None:
    with SupplierServer(lambda body: (200, PROFILE_RESPONSE)) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        response = admin.post(f"/suppliers/connections/{acme.pk}/test/")
        sent = etree.fromstring(server.received[0])
    page = response.content.decode()
    assert response.status_code == 200
    assert sent.find("Request/ProfileRequest") is not None
    assert sent.findtext("Header/Sender/Credential/SharedSecret") == "acme-demo-secret"
    assert f'<pre id="answer-raw">{escape(PROFILE_RESPONSE.decode())}</pre>' in page
    assert '<dd id="http-status">200</dd>' in page
    assert '<dd id="cxml-status">200 OK</dd>' in page
    assert "OrderRequest → http://market.test/cxml/" in page
    assert "acme-demo-secret" not in page
    assert "&lt;SharedSecret&gt;********&lt;/SharedSecret&gt;" in page
    acme.refresh_from_db()
    assert acme.last_test_ok is True
    assert Document.objects.filter(reference=f"connection-test:{acme.pk}").count() == 2


def test_test_connection_shows_a_refusal_with_secrets_masked(acme: PunchOutConnection, admin: Client) -> None:
    # The supplier quotes the credential it refused, SharedSecret element and all.
    answer = status_response(
        401, "Unauthorized", "Bad <SharedSecret>acme-demo-secret</SharedSecret> for ACME"
    )
    with SupplierServer(lambda body: (200, answer)) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        page = admin.post(f"/suppliers/connections/{acme.pk}/test/").content.decode()
    assert '<dd id="cxml-status">401 Unauthorized — Bad ******** for ACME</dd>' in page
    assert "acme-demo-secret" not in page
    assert "The supplier refused: 401 Unauthorized" in page
    assert "acme-demo-secret" not in str(list(Document.objects.values_list("raw", "status_text")))
    acme.refresh_from_db()
    assert acme.last_test_ok is False


def test_masking_a_one_character_secret_changes_nothing_around_it(
    acme: PunchOutConnection, admin: Client
) -> None:
    """A secret stored before the minimum length existed: only the element's content is masked."""
    PunchOutConnection.objects.filter(pk=acme.pk).update(shared_secret_encrypted=encrypt_secret("a"))
    with SupplierServer(lambda body: (200, PROFILE_RESPONSE)) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        page = admin.post(f"/suppliers/connections/{acme.pk}/test/").content.decode()
        sent = server.received[0].decode()
    assert sent.count("<SharedSecret>a</SharedSecret>") == 1
    shown = sent.replace("<SharedSecret>a</SharedSecret>", "<SharedSecret>********</SharedSecret>")
    assert f'<pre id="request-raw">{escape(shown)}</pre>' in page
    assert f'<pre id="answer-raw">{escape(PROFILE_RESPONSE.decode())}</pre>' in page
    journal = Document.objects.get(reference=f"connection-test:{acme.pk}", kind="ProfileRequest")
    assert journal.raw == shown


def test_test_connection_when_nothing_answers(acme: PunchOutConnection, admin: Client) -> None:
    acme.setup_url = "http://127.0.0.1:9/cxml/"
    acme.save(update_fields=["setup_url"])
    page = admin.post(f"/suppliers/connections/{acme.pk}/test/").content.decode()
    assert "No answer from http://127.0.0.1:9/cxml/" in page
    assert '<dd id="http-status">—</dd>' in page


def test_an_administrator_prefers_a_supplier_and_the_shop_page_follows(
    acme: PunchOutConnection, admin: Client
) -> None:
    import re

    from openprocure.buyer.organization.models import PreferredSupplier
    from openprocure.buyer.suppliers.models import Supplier
    from openprocure.core.models import AdminEvent

    zebra = Supplier.objects.create(name="Zebra Tools")
    PunchOutConnection.objects.create(supplier=zebra, setup_url="https://supplier.test/cxml/")
    requester = Client()
    requester.force_login(User.objects.get(email="requester@acme.test"))

    def shop() -> list[str]:
        return re.findall(r"<h2>([^<]+)</h2>", requester.get("/shop/").content.decode())

    assert shop() == ["Marketplace", "Zebra Tools"]
    response = admin.post(f"/suppliers/{zebra.pk}/", {"unspsc_prefix": "", "rank": "1"})
    assert (response.status_code, response["Location"]) == (302, f"/suppliers/{zebra.pk}/#preferences")
    assert (
        "Zebra Tools is now preferred for everything."
        in admin.get(f"/suppliers/{zebra.pk}/").content.decode()
    )
    assert shop() == ["Zebra Tools", "Marketplace"]
    again = admin.post(f"/suppliers/{zebra.pk}/", {"unspsc_prefix": "", "rank": "2"})
    assert "This supplier is already preferred for everything." in again.content.decode()
    bad = admin.post(f"/suppliers/{zebra.pk}/", {"unspsc_prefix": "office", "rank": "0"}).content.decode()
    assert "Enter 2 to 8 digits of a UNSPSC code, such as 43 or 4321." in bad
    assert "Ensure this value is greater than or equal to 1." in bad
    assert PreferredSupplier.objects.filter(supplier=zebra).count() == 1
    # Only administrators prefer or remove.
    assert requester.post(f"/suppliers/{zebra.pk}/", {"unspsc_prefix": "44", "rank": "1"}).status_code == 403
    preference = PreferredSupplier.objects.get(supplier=zebra)
    assert requester.post(f"/suppliers/preferences/{preference.pk}/delete/").status_code == 403
    assert admin.post(f"/suppliers/preferences/{preference.pk}/delete/").status_code == 302
    assert shop() == ["Marketplace", "Zebra Tools"]
    recorded = AdminEvent.objects.filter(subject_type="organization.preferredsupplier").order_by("id")
    assert list(recorded.values_list("kind", "subject_id", "actor__email")) == [
        ("created", preference.pk, "admin@acme.test"),
        ("deleted", preference.pk, "admin@acme.test"),
    ]


@override_settings(PARTNER_ALLOWED_NETWORKS=[])
def test_a_setup_or_order_url_on_a_non_public_address_is_refused_at_save(
    acme: PunchOutConnection, admin: Client
) -> None:
    url = f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/"
    metadata = admin.post(
        url, connection_form_data(acme, setup_url="http://169.254.169.254/latest/meta-data/")
    )
    assert metadata.status_code == 200
    assert (
        escape(
            "169.254.169.254 is a link-local address: documents are not sent there. If it is yours, an "
            "operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        )
        in metadata.content.decode()
    )
    local = admin.post(url, connection_form_data(acme, order_url="http://localhost:8100/cxml/"))
    assert local.status_code == 200
    assert (
        escape(
            "localhost resolves to a loopback address (127.0.0.1): documents are not sent there. If it is "
            "yours, an operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        )
        in local.content.decode()
    )
    unchanged = PunchOutConnection.objects.get(pk=acme.pk)
    assert (unchanged.setup_url, unchanged.order_url) == (acme.setup_url, acme.order_url)
    # Allowed by the operator (the connection's setup URL is on 127.0.0.1 too), the same address is saved.
    with override_settings(PARTNER_ALLOWED_NETWORKS=["localhost", "127.0.0.1"]):
        saved = admin.post(url, connection_form_data(acme, order_url="http://localhost:8100/cxml/"))
    assert saved.status_code == 302
    assert PunchOutConnection.objects.get(pk=acme.pk).order_url == "http://localhost:8100/cxml/"
