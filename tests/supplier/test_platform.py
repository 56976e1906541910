"""The storefront through its e-invoicing platform: an integration whose invoices go "through the
platform" sends the issued Factur-X there (via the outbox) instead of cXML, and the CDAR statuses the
buyer sends back are kept with the invoice, a dispute reaching the operators' queue."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import facturx
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from openprocure.core import outbox, platform
from openprocure.core.models import OutboxMessage, PlatformFlow
from openprocure.supplier.business.choices import InvoiceDelivery, InvoiceFormat
from openprocure.supplier.business.models import Integration
from openprocure.supplier.fulfilment import lifecycle, services
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from punchout import cdar
from tests.supplier.worlds import make_operator, place

pytestmark = pytest.mark.django_db

SELLER = "732829304"  # EINVOICE_SELLER_SIREN
BUYER = "732829320"  # the Acme business's tax number


@pytest.fixture
def folders(tmp_path: Path):
    out, inbound = tmp_path / "to-buyer", tmp_path / "to-supplier"
    with override_settings(
        EINVOICE_PLATFORMS={SELLER: {"adapter": "folder", "outbound": str(out), "inbound": str(inbound)}}
    ):
        yield out, inbound


def _through_platform(shop: Integration) -> None:
    Integration.objects.filter(pk=shop.pk).update(
        invoice_format=InvoiceFormat.FACTURX, invoice_delivery=InvoiceDelivery.PLATFORM
    )


def _ship(client) -> Invoice:
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    return Invoice.objects.get(order=order)


def _status(
    invoice: Invoice, code: str, *, issuer: str = BUYER, reason_code: str = "", reason: str = ""
) -> bytes:
    return cdar.build(
        cdar.StatusMessage(
            id=f"{invoice.number}_{code}",
            issued_at=datetime(2026, 12, 7, 11, 0, tzinfo=UTC),
            issuer=cdar.Party(id=issuer, role="BY"),
            recipients=(cdar.Party(id=SELLER, role="SE"),),
            invoice_id=invoice.number,
            invoice_date=date(2026, 12, 7),
            status_code=code,
            invoice_issuer_id=SELLER,
            reason_code=reason_code,
            reason=reason,
        )
    )


def test_an_operator_sends_invoices_through_the_platform_only_as_en16931(client, shop):
    url = reverse("business-integration-settings", args=[shop.pk])
    client.force_login(make_operator())
    refused = client.post(url, {"field": "invoice_delivery", "value": "platform", "reason": "Ticket 11"})
    shop.refresh_from_db()
    assert (refused.status_code, shop.invoice_delivery) == (200, InvoiceDelivery.DIRECT)
    assert (
        "Invoices go through the e-invoicing platform only as EN 16931 documents: choose the CII, UBL or "
        "Factur-X invoice format first."
    ) in refused.content.decode()
    client.post(url, {"field": "invoice_format", "value": "facturx", "reason": "Ticket 12"})
    client.post(url, {"field": "invoice_delivery", "value": "platform", "reason": "Ticket 12"})
    shop.refresh_from_db()
    assert (shop.invoice_format, shop.invoice_delivery) == (InvoiceFormat.FACTURX, InvoiceDelivery.PLATFORM)


def test_the_issued_factur_x_goes_to_the_platform_not_as_cxml(client, shop, folders):
    out, _inbound = folders
    _through_platform(shop)
    invoice = _ship(client)
    message = OutboxMessage.objects.get(kind="Invoice")
    assert (message.url, message.content_type, message.reference) == (
        f"platform://{SELLER}/invoice",
        "application/pdf",
        invoice.order.number,
    )
    assert not OutboxMessage.objects.filter(kind="InvoiceDetailRequest").exists()
    assert (invoice.payload_id, invoice.sent_electronically) == (message.payload_id, False)
    assert outbox.deliver_message(message.pk).delivered
    sent = (out / f"platform-invoice-{SELLER}-{invoice.number}.pdf").read_bytes()
    assert sent == bytes(invoice.einvoice)
    _name, xml = facturx.get_xml_from_pdf(io.BytesIO(sent), check_xsd=True)
    assert f"<ram:ID>{invoice.number}</ram:ID>".encode() in xml


def test_without_a_platform_for_our_siren_the_invoice_is_not_issued(client, shop):
    _through_platform(shop)
    order = place(client, [("B000PAPER1", 3)])
    with override_settings(EINVOICE_PLATFORMS={}), pytest.raises(ValidationError) as refused:
        services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    assert refused.value.messages[0].endswith(
        f"was not issued: No e-invoicing platform is configured for SIREN {SELLER}: add it on the "
        "E-invoicing platforms page or to OPENPROCURE_EINVOICE_PLATFORMS (see docs/operators.md)."
    )
    assert not Invoice.objects.exists()


def test_statuses_from_the_buyer_are_kept_with_the_invoice_and_a_dispute_reaches_the_queue(
    client, shop, folders
):
    _out, inbound = folders
    _through_platform(shop)
    invoice = _ship(client)
    inbound.mkdir(parents=True)
    (inbound / "a-205.xml").write_bytes(_status(invoice, "205"))
    assert platform.pull(SELLER) == [("a-205.xml", "accepted", "")]
    (inbound / "b-207.xml").write_bytes(
        _status(invoice, "207", reason_code="QTE_ERR", reason="Deux boîtes manquent")
    )
    assert platform.pull(SELLER) == [("b-207.xml", "accepted", "")]
    kept = list(BuyerStatus.objects.filter(invoice=invoice).order_by("id"))
    assert [(str(s.label), s.lifecycle_code, s.reason_code, s.note) for s in kept] == [
        ("205 Approved", "205", "", ""),
        ("207 Disputed (QTE_ERR Wrong quantity)", "207", "QTE_ERR", "Deux boîtes manquent"),
    ]
    assert [s.invoice_id for s in services.disputed_invoices()] == [invoice.pk]
    client.force_login(make_operator("o2@m.test"))
    queue = client.get(reverse("fulfilment-queue")).content.decode()
    assert "207 Disputed (QTE_ERR Wrong quantity)" in queue and "Deux boîtes manquent" in queue
    # The same status pulled again (the platform sent it twice) is kept once.
    (inbound / "c-207.xml").write_bytes(
        _status(invoice, "207", reason_code="QTE_ERR", reason="Deux boîtes manquent")
    )
    platform.pull(SELLER)
    assert BuyerStatus.objects.filter(invoice=invoice).count() == 2


def test_a_status_about_someone_elses_invoice_is_refused_with_the_reason(client, shop, folders):
    _out, inbound = folders
    _through_platform(shop)
    invoice = _ship(client)
    inbound.mkdir(parents=True)
    (inbound / "other.xml").write_bytes(_status(invoice, "205", issuer="552100554"))
    unknown = Invoice(number="INV-NOPE")
    (inbound / "unknown.xml").write_bytes(_status(unknown, "205"))
    outcomes = {flow: (outcome, reason) for flow, outcome, reason in platform.pull(SELLER)}
    assert outcomes == {
        "other.xml": (
            "refused",
            f"invoice {invoice.number} was issued to SIREN {BUYER}, not to the status's issuer 552100554",
        ),
        "unknown.xml": ("refused", f"no invoice INV-NOPE was issued by us (SIREN {SELLER})"),
    }
    assert not BuyerStatus.objects.exists()
    assert (inbound / "failed" / "unknown.xml.reason.txt").read_text() == (
        f"no invoice INV-NOPE was issued by us (SIREN {SELLER})\n"
    )
    assert PlatformFlow.objects.count() == 2


def test_the_payment_received_goes_to_the_buyer_as_212_through_the_platform(
    client, shop, folders, django_capture_on_commit_callbacks
):
    out, _inbound = folders
    _through_platform(shop)
    invoice = _ship(client)
    assert outbox.deliver_message(OutboxMessage.objects.get(kind="Invoice").pk).delivered
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_payment(invoice=invoice, actor=make_operator("o3@m.test"))
    message = OutboxMessage.objects.get(kind="CDAR")
    assert outbox.deliver_message(message.pk).delivered
    [path] = sorted(out.glob("*.xml"))
    sent = cdar.parse(path.read_bytes())
    invoice.refresh_from_db()
    assert (sent.status_code, sent.invoice_id, sent.issuer.id, sent.issuer.role) == (
        "212",
        invoice.number,
        SELLER,
        "SE",
    )
    assert [r.id for r in sent.recipients] == [BUYER]
    assert (sent.amount, sent.currency) == (invoice.total, invoice.currency)


def test_the_payment_received_of_a_cxml_business_sends_nothing_to_the_platform(
    client, shop, folders, django_capture_on_commit_callbacks
):
    invoice = _ship(client)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_payment(invoice=invoice, actor=make_operator("o3@m.test"))
    assert not OutboxMessage.objects.filter(kind="CDAR").exists()


def test_a_rejection_by_the_buyers_platform_reaches_the_operators_queue(client, shop, folders):
    _out, inbound = folders
    _through_platform(shop)
    invoice = _ship(client)
    inbound.mkdir(parents=True)
    rejected = cdar.build(
        cdar.StatusMessage(
            id=f"{invoice.number}_213",
            issued_at=datetime(2026, 12, 7, 11, 0, tzinfo=UTC),
            issuer=cdar.Party(id=BUYER, role="WK"),  # a transmission status: the buyer's platform says it
            recipients=(cdar.Party(id=SELLER, role="SE"),),
            invoice_id=invoice.number,
            invoice_date=date(2026, 12, 7),
            status_code="213",
            invoice_issuer_id=SELLER,
            reason_code="DOUBLON",
            reason="Facture déjà reçue",
        )
    )
    (inbound / "r-213.xml").write_bytes(rejected)
    assert platform.pull(SELLER) == [("r-213.xml", "accepted", "")]
    [status] = services.disputed_invoices()
    assert (status.invoice_id, status.lifecycle_code, status.reason_code, status.note) == (
        invoice.pk,
        "213",
        "DOUBLON",
        "Facture déjà reçue",
    )
