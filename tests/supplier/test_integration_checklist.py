"""The integration checklist of a business in Test: built from the journal rows its procurement
system's real documents left (posted to the storefront's endpoints), each item done, failing with our
answer and the fix, or not seen; shown before switching to Active; for administrators and operators."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils.html import escape

from openprocure.core.models import Document
from openprocure.supplier.business.checklist import checklist_for
from openprocure.supplier.business.choices import IntegrationStatus, PaymentKind
from openprocure.supplier.business.models import Integration, PaymentMethod
from openprocure.supplier.orders.models import OrderSettings
from punchout import cxml
from tests.supplier.worlds import (
    BUYER_URL,
    PASSWORD,
    make_member,
    make_operator,
    order_request,
    punch_out,
    send,
    setup_request,
)

pytestmark = pytest.mark.django_db

GLOBEX = {"identity": "GLOBEX", "secret": "globex-shared-secret"}
CODES = [
    "setup.create",
    "setup.edit",
    "setup.inspect",
    "cart.returned",
    "order.new",
    "order.update",
    "order.delete",
    "status.update",
    "oci.callup",
]


def _status_update(reference: str) -> bytes:
    return cxml.build(
        cxml.CXML(
            message=cxml.StatusUpdateRequest(cxml.Status(200, "OK", "paid"), reference, None),
            payload_id=cxml.new_payload_id("globex.example"),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "GLOBEX")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "GLOBEX", "globex-shared-secret")],
                user_agent="Buyer test 1.0",
            ),
        )
    )


def _admin(integration: Integration) -> Client:
    client = Client()
    client.login(email=integration.business.email, password=PASSWORD)
    return client


def _states(integration: Integration) -> list[tuple[str, str]]:
    return [(item.code, item.state) for item in checklist_for(integration)]


def test_nothing_sent_yet_is_every_item_not_seen(globex: Integration) -> None:
    assert _states(globex) == [(code, "not_seen") for code in CODES]
    page = _admin(globex).get("/business/punchout/checklist/").content.decode()
    assert page.count('data-state="not_seen"') == 9
    assert "Not seen yet" in page


def test_documents_posted_to_the_storefront_mark_items_done_or_failing(
    client: Client, globex: Integration, products: object
) -> None:
    OrderSettings.objects.create(integration=globex, buyer_cxml_url=BUYER_URL)
    # a cart: setup create (done) and the cart returned in the business's encoding
    cart = punch_out(
        client, [("B000PAPER1", 2)], email="buyer@globex.test", url="https://globex.example/return", **GLOBEX
    )
    # an edit with the wrong secret: refused, so failing with our answer's text
    refused = client.post(
        "/cxml/",
        setup_request(
            identity="GLOBEX",
            secret="not-the-secret",
            url="https://globex.example/return",
            operation=cxml.PunchOutOperation.EDIT,
        ),
        content_type="text/xml",
    )
    answer = cxml.parse(refused.content).document.status
    assert answer.code == 401
    # an order of the cart: new (done)
    _payload, body = order_request(cart, email="buyer@globex.test", order_id="PO-T-1", **GLOBEX)
    assert send(client, body).code == 200
    # its cancellation (done), and a status update about a document we never sent (failing)
    _payload, body = order_request(
        cart, kind="delete", email="buyer@globex.test", order_id="PO-T-1", **GLOBEX
    )
    assert send(client, body).code == 200
    status = send(client, _status_update("INV-UNKNOWN"))
    assert status.code >= 400
    # an OCI call-up with the business's OCI login
    assert (
        client.post(
            "/oci/",
            {
                "USERNAME": globex.oci_username,
                "PASSWORD": "oci-password-1",
                "HOOK_URL": "https://globex.example/oci-hook",
                "~caller": "CTLG",
                "email": "buyer@globex.test",
            },
        ).status_code
        == 302
    )  # into the shop

    items = {item.code: item for item in checklist_for(globex)}
    assert _states(globex) == [
        ("setup.create", "done"),
        ("setup.edit", "failing"),
        ("setup.inspect", "not_seen"),
        ("cart.returned", "done"),
        ("order.new", "done"),
        ("order.update", "not_seen"),
        ("order.delete", "done"),
        ("status.update", "failing"),
        ("oci.callup", "done"),
    ]
    assert (items["status.update"].status_code, items["status.update"].reason) == (
        status.code,
        status.message or status.text,
    )
    edit = items["setup.edit"]
    stored = Document.objects.get(pk=edit.document_id)
    assert (stored.kind, stored.direction, stored.status_code) == ("PunchOutSetupRequest", "in", 401)
    assert (edit.status_code, edit.reason) == (401, answer.message or answer.text)
    assert edit.fix == (
        "Send the identity (From and Sender) and the shared secret shown on the Manage your business "
        "page, exactly as shown."
    )
    assert items["cart.returned"].detail == "cXML PunchOutOrderMessage in the form field cxml-base64"
    assert Document.objects.get(pk=items["cart.returned"].document_id).kind == "PunchOutOrderMessage"
    assert Document.objects.get(pk=items["order.new"].document_id).kind == "OrderRequest"
    assert items["setup.create"].when is not None and items["setup.create"].fix == ""

    admin = _admin(globex)
    page = admin.get("/business/punchout/checklist/").content.decode()
    row = re.search(r'<tr id="item-setup.edit" data-state="failing">.*?</tr>', page, re.DOTALL)
    assert row is not None
    assert f'<span lang="en">{escape(edit.reason)}</span>' in row[0]
    assert f'href="/business/punchout/documents/{edit.document_id}/"' in row[0]
    shown = admin.get(f"/business/punchout/documents/{edit.document_id}/").content.decode()
    assert "&lt;SharedSecret&gt;********&lt;/SharedSecret&gt;" in shown
    assert "not-the-secret" not in shown

    # a later edit that goes through turns the item done
    assert (
        client.post(
            "/cxml/",
            setup_request(
                url="https://globex.example/return", operation=cxml.PunchOutOperation.EDIT, **GLOBEX
            ),
            content_type="text/xml",
        ).status_code
        == 200
    )
    latest = {item.code: item for item in checklist_for(globex)}["setup.edit"]
    assert (latest.state, latest.reason, latest.fix) == ("done", "", "")
    assert latest.document_id != edit.document_id
    assert Document.objects.get(pk=latest.document_id).status_code == 200


def test_another_business_s_documents_do_not_count(
    client: Client, globex: Integration, acme: Integration
) -> None:
    assert (
        client.post(
            "/cxml/", setup_request(url="https://buyer.example/punchout/x"), content_type="text/xml"
        ).status_code
        == 200
    )
    assert dict(_states(acme))["setup.create"] == "done"
    assert dict(_states(globex))["setup.create"] == "not_seen"


def test_switching_to_active_shows_the_checklist_first_and_lists_what_was_not_seen(
    client: Client, globex: Integration
) -> None:
    PaymentMethod.objects.create(
        business=globex.business, kind=PaymentKind.INVOICE, invoice_terms="30 days", is_default=True
    )
    assert client.post(
        "/cxml/", setup_request(url="https://globex.example/r", **GLOBEX), content_type="text/xml"
    )
    admin = _admin(globex)
    page = admin.get("/business/punchout/activate/").content.decode()
    assert 'id="checklist"' in page
    assert '<tr id="item-setup.create" data-state="done">' in page
    missing = re.search(r'<li class="warning" id="checklist-missing">(.*?)</li>', page, re.DOTALL)
    assert missing is not None
    assert "8 exchanges were not seen done in Test:" in missing[1]
    assert "OCI call-up." in missing[1]
    # switching is still allowed
    response = admin.post("/business/punchout/activate/", {"confirm": "on"})
    assert response.status_code == 302
    globex.refresh_from_db()
    assert globex.status == IntegrationStatus.ACTIVE
    assert admin.get("/business/punchout/checklist/").status_code == 404


def test_who_sees_the_checklist(globex: Integration) -> None:
    tech = make_member(globex.business, "tech@globex.test", is_technical_administrator=True)
    shopper = Client()
    shopper.login(email="buyer@globex.test", password=PASSWORD)
    assert shopper.get("/business/punchout/checklist/").status_code == 403
    technical = Client()
    technical.login(email=tech.email, password=PASSWORD)
    assert technical.get("/business/punchout/checklist/").status_code == 200
    operator = Client()
    operator.login(email=make_operator().email, password=PASSWORD)
    assert operator.get(f"/business/integrations/{globex.pk}/checklist/").status_code == 200
    assert technical.get(f"/business/integrations/{globex.pk}/checklist/").status_code == 403
