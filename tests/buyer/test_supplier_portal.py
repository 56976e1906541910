"""Suppliers without integration: the purchase order e-mailed (text, HTML, PDF, cXML) through the
outbox, a bounce shown on the order, and the portal its signed link opens, where the supplier
confirms, ships and invoices through the services the cXML documents use."""

from __future__ import annotations

import io
import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from lxml import etree

from openprocure.buyer.fulfilment.models import ShipNotice
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.purchasing.emailing import PORTAL_LINK_SALT, portal_token
from openprocure.core import outbox
from openprocure.core.models import OutboxMessage
from tests.buyer.approval_world import signed_in
from tests.buyer.portal_world import ADDRESS, deliver, link_of, ordered, portal, text_of, world
from tests.buyer.punchout_world import connection_form_data

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the fixture of portal_world


def test_the_order_goes_out_as_an_email_with_its_pdf_and_cxml(world) -> None:  # type: ignore[no-untyped-def]
    po = ordered(world)
    message = OutboxMessage.objects.get(reference=po.number)
    assert (po.status, message.kind, message.url, message.destination, message.status) == (
        "sent",
        "OrderEmail",
        f"mailto:{ADDRESS}",
        "mail-server",
        "pending",
    )

    po = deliver(po)

    assert po.status == "accepted"
    [email] = mail.outbox
    assert email.subject == f"Purchase order {po.number} from Acme Accounts Payable"
    assert email.to == [ADDRESS]
    assert email.reply_to == ["rita@acme.test"]
    assert f"Please find attached our purchase order {po.number}" in email.body
    assert "Total: 78.00\xa0EUR" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Confirm, ship and invoice this order" in html
    [(pdf_name, pdf, pdf_type), (xml_name, xml, xml_type)] = email.attachments
    assert (pdf_name, pdf_type, xml_name, xml_type) == (
        f"{po.number}.pdf",
        "application/pdf",
        f"{po.number}.xml",
        "text/xml",
    )
    lines = text_of(pdf)
    assert lines[0] == f"Purchase order {po.number}"
    assert "Ergonomic chair 4 EA 19.50\xa0EUR 78.00\xa0EUR CC100 78.00\xa0EUR" in lines
    assert "Total 78.00\xa0EUR" in lines
    tree = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    assert tree.find(".//OrderRequestHeader").get("orderID") == po.number
    # The price stored as 19.5000 is stated in euros' minor units, as on the PDF.
    assert tree.xpath("//ItemOut/ItemDetail/UnitPrice/Money/text()") == ["19.50"]
    assert tree.find(".//SharedSecret") is None
    assert "********" not in xml
    # The link opens the order's portal page, without an account.
    page = Client().get(link_of(email.body))
    assert page.status_code == 200
    assert f"Purchase order {po.number}" in page.content.decode()


def test_the_email_and_its_pdf_are_in_the_suppliers_language(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world, language="fr"))
    [email] = mail.outbox
    assert email.subject == f"Bon de commande {po.number} de Acme Accounts Payable"
    assert "Total: 78,00\xa0EUR" in email.body
    assert text_of(email.attachments[0][1])[0] == f"Bon de commande {po.number}"


class RefusingSMTP(socketserver.StreamRequestHandler):
    """A mail server that knows no recipient (550 at RCPT TO)."""

    def handle(self) -> None:
        self.wfile.write(b"220 mail.test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 mail.test\r\n")
            elif verb == b"MAIL":
                self.wfile.write(b"250 OK\r\n")
            elif verb == b"RCPT":
                self.wfile.write(b"550 5.1.1 No such mailbox here\r\n")
            elif verb == b"RSET":
                self.wfile.write(b"250 OK\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 not here\r\n")


@pytest.fixture
def refusing_smtp(settings) -> Iterator[int]:  # type: ignore[no-untyped-def]
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSMTP)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_mail_server_refusal_fails_the_order_and_shows_why(world, refusing_smtp) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))

    message = OutboxMessage.objects.get(reference=po.number, kind="OrderEmail")
    assert (message.status, message.attempts, message.last_status_code) == ("failed", 1, 550)
    assert po.status == "failed"
    assert po.supplier_message == f"550 {ADDRESS}: 5.1.1 No such mailbox here"
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert f"550 {ADDRESS}: 5.1.1 No such mailbox here" in page


def test_a_server_that_cannot_be_reached_is_tried_again(world, settings) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    po = deliver(ordered(world))
    message = OutboxMessage.objects.get(reference=po.number, kind="OrderEmail")
    assert (message.status, message.attempts, po.status) == ("retrying", 1, "sent")
    assert message.last_error.startswith("the mail server could not be reached")


def test_a_bounce_report_is_shown_on_the_order(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    call_command("record_bounce", po.number, ADDRESS, reason="550 mailbox full", stdout=io.StringIO())
    po.refresh_from_db()
    assert po.supplier_message == f"The e-mail to {ADDRESS} bounced: 550 mailbox full"
    assert po.events.get(kind="email_bounced").detail == {"email": ADDRESS, "reason": "550 mailbox full"}
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert f"The e-mail to {ADDRESS} bounced: 550 mailbox full" in page
    assert "Order e-mail bounced" in page


def test_the_supplier_confirms_ships_and_invoices_on_the_portal(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    client = Client()
    url = portal(po)

    answer = client.post(
        url + "confirm/", {"answer_1": "accept", "qty_1": "4", "date_1": "2026-12-20", "comment": "OK"}
    )
    assert answer.status_code == 302, answer.content.decode()
    po.refresh_from_db()
    assert po.status == "confirmed"
    confirmation = po.confirmations.get()
    assert confirmation.journal.parsed == {"source": "supplier portal", "email": ADDRESS}
    assert po.events.get(kind="portal_confirmation").detail["email"] == ADDRESS

    answer = client.post(url + "ship/", {"carrier": "DHL", "tracking_number": "JD0123", "qty_1": "4"})
    assert answer.status_code == 302, answer.content.decode()
    notice = ShipNotice.objects.get()
    assert (notice.carrier, notice.tracking_number, notice.supplier_id) == (
        "DHL",
        "JD0123",
        world.supplier.pk,
    )
    assert [(line.po_line.line_number, line.quantity) for line in notice.lines.all()] == [(1, Decimal("4"))]
    po.refresh_from_db()
    assert po.status == "shipped"
    assert po.events.get(kind="portal_shipment").detail["email"] == ADDRESS

    # More than shipped cannot be invoiced: the error is beside the field, nothing is stored.
    answer = client.post(
        url + "invoice/", {"number": "F-1", "invoice_date": "2026-12-21", "qty_1": "5", "tax_1": "20"}
    )
    assert answer.status_code == 400
    assert "Ensure this value is less than or equal to 4" in answer.content.decode()
    assert not Invoice.objects.exists()

    answer = client.post(
        url + "invoice/", {"number": "F-1", "invoice_date": "2026-12-21", "qty_1": "4", "tax_1": "20"}
    )
    assert answer.status_code == 302, answer.content.decode()
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.currency, invoice.subtotal, invoice.tax, invoice.total) == (
        "F-1",
        "EUR",
        Decimal("78.000"),
        Decimal("15.600"),
        Decimal("93.600"),
    )
    assert [
        (line.quantity, line.unit_price, line.amount, line.po_line.line_number)
        for line in invoice.lines.all()
    ] == [(Decimal("4"), Decimal("19.5"), Decimal("78"), 1)]
    # The invoice the portal made states the order's unit price in euros' minor units.
    made = etree.fromstring(invoice.journal.raw.encode())
    assert made.xpath("//InvoiceDetailItem/UnitPrice/Money/text()") == ["19.50"]
    # Matched as an invoice sent by cXML: the goods are not received yet.
    assert invoice.status == "awaiting"
    assert po.events.get(kind="portal_invoice").detail["invoice"] == "F-1"
    # The same number again is refused with the buyer's reason, beside the form.
    again = client.post(
        url + "invoice/", {"number": "F-1", "invoice_date": "2026-12-21", "qty_1": "4", "tax_1": "20"}
    )
    assert again.status_code == 400
    assert "was already received" in again.content.decode()


def test_a_rejected_line_and_a_smaller_quantity_reach_the_buyer(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    answer = Client().post(portal(po) + "confirm/", {"answer_1": "accept", "qty_1": "3"})
    assert answer.status_code == 302
    po.refresh_from_db()
    assert po.status == "confirmed"
    assert po.events.filter(kind="portal_confirmation").count() == 1


def test_an_expired_link_is_refused_with_how_to_get_a_new_one(world, settings) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    settings.SUPPLIER_PORTAL_LINK_DAYS = 30
    with freeze_time(timezone.now() - timedelta(days=31)):
        url = portal(po)
    answer = Client().get(url)
    assert answer.status_code == 410
    page = answer.content.decode()
    assert "This link has expired" in page
    assert "ask the buyer to send one" in page
    posted = Client().post(url + "confirm/", {"answer_1": "accept", "qty_1": "4"})
    assert posted.status_code == 410
    assert not po.confirmations.exists()


def test_an_altered_link_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    token = portal_token(po, ADDRESS)
    value, _colon, rest = token.partition(":")
    altered = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + rest
    for bad in (altered, token[:-2], "nothing"):
        answer = Client().get(f"/supplier-portal/o/{bad}/")
        assert answer.status_code == 403, bad
        assert "This link is not valid" in answer.content.decode()


def test_a_supplier_cannot_reach_another_order_by_editing_ids(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    other = deliver(ordered(world))
    # The same payload signed without the portal's salt (another signed value of this site) is refused.
    forged = signing.TimestampSigner().sign_object({"po": other.pk, "email": ADDRESS}, compress=True)
    assert Client().get(f"/supplier-portal/o/{forged}/").status_code == 403
    # A token of another purpose (another salt) is refused too.
    foreign = signing.TimestampSigner(salt=PORTAL_LINK_SALT + "x").sign_object(
        {"po": other.pk, "email": ADDRESS}
    )
    assert Client().post(f"/supplier-portal/o/{foreign}/confirm/", {"answer_1": "reject"}).status_code == 403
    # A line number the order does not have is not a field: nothing of the other order changes.
    answer = Client().post(
        portal(po) + "confirm/", {"answer_1": "accept", "qty_1": "4", "answer_2": "reject"}
    )
    assert answer.status_code == 302
    assert not other.confirmations.exists()
    assert json.dumps(po.events.get(kind="portal_confirmation").detail["email"]) == json.dumps(ADDRESS)


def test_the_buyer_emails_a_new_link(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    mail.outbox.clear()
    assert signed_in(world.bob).post(f"/purchasing/{po.number}/portal-link/").status_code == 404
    assert not OutboxMessage.objects.filter(kind="PortalLinkEmail").exists()
    answer = signed_in(world.rita).post(f"/purchasing/{po.number}/portal-link/")
    assert answer.status_code == 302
    message = OutboxMessage.objects.get(kind="PortalLinkEmail")
    outbox.deliver_message(message.pk)
    [email] = mail.outbox
    assert email.subject == f"New link for purchase order {po.number}"
    assert Client().get(link_of(email.body)).status_code == 200
    assert po.events.get(kind="portal_link_sent").detail == {"email": ADDRESS}


def test_the_connection_form_asks_for_an_address_when_orders_go_by_email(world) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(world.people["ada"])
    url = f"/suppliers/{world.supplier.pk}/connections/{world.connection.pk}/"
    refused = admin.post(url, connection_form_data(world.connection, order_email="", setup_url=""))
    assert refused.status_code == 200
    assert (
        "Enter the address purchase orders are e-mailed to: the order channel is e-mail."
        in refused.content.decode()
    )
    # A catalog connection needs its setup URL; one that only receives orders by e-mail does not.
    cxml_only = admin.post(url, connection_form_data(world.connection, order_channel="cxml", setup_url=""))
    assert "Enter the setup URL: the catalog opens there." in cxml_only.content.decode()
    saved = admin.post(url, connection_form_data(world.connection, setup_url="", order_email="po@depot.test"))
    assert saved.status_code == 302
    world.connection.refresh_from_db()
    assert (world.connection.order_channel, world.connection.order_email, world.connection.setup_url) == (
        "email",
        "po@depot.test",
        "",
    )
    # It has no catalog: the Shop page offers no tile for it.
    launch = reverse("punchout:launch", args=[world.connection.pk])
    assert launch not in signed_in(world.rita).get("/shop/").content.decode()


def ubl(order: str, number: str = "UBL-7") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
 <cbc:ID>{number}</cbc:ID><cbc:IssueDate>2026-12-05</cbc:IssueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>{order}</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyLegalEntity><cbc:RegistrationName>Office Depot</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">15.60</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">78.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">78.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">93.60</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">93.60</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">4</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">78.00</cbc:LineExtensionAmount>
  <cac:OrderLineReference><cbc:LineID>1</cbc:LineID></cac:OrderLineReference>
  <cac:Item><cbc:Name>Ergonomic chair</cbc:Name><cac:SellersItemIdentification><cbc:ID>SKU-1001</cbc:ID></cac:SellersItemIdentification></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">19.50</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>""".encode()


def test_the_supplier_uploads_a_ubl_invoice_for_the_order(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    client = Client()
    url = portal(po)
    other = io.BytesIO(ubl("PO-2026-999999"))
    other.name = "other.xml"
    refused = client.post(url + "upload/", {"file": other})
    assert refused.status_code == 400
    assert f"This file invoices order PO-2026-999999, not {po.number}" in refused.content.decode()
    assert not Invoice.objects.exists()

    upload = io.BytesIO(ubl(po.number))
    upload.name = "ubl-7.xml"
    answer = client.post(url + "upload/", {"file": upload})
    assert answer.status_code == 302, answer.content.decode()
    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.number, invoice.subtotal, invoice.tax, invoice.total) == (
        "ubl",
        "UBL-7",
        Decimal("78.000"),
        Decimal("15.600"),
        Decimal("93.600"),
    )
    assert bytes(invoice.original) == ubl(po.number)
    assert [(line.po_line.line_number, line.quantity) for line in invoice.lines.all()] == [(1, Decimal("4"))]
    assert po.events.get(kind="portal_invoice").detail == {
        "email": ADDRESS,
        "invoice": "UBL-7",
        "file": "ubl-7.xml",
    }
