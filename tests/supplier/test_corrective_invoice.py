"""Corrective invoices (UNTDID 1001 type 384): an operator replaces a wrong invoice in full by a new
numbered one naming it (BT-25, BT-26); the original is marked corrected, never deleted."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from openprocure.core import en16931
from openprocure.core.models import OutboxMessage, User
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.business.models import Integration
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Invoice
from openprocure.supplier.orders.models import OrderEvent
from openprocure.supplier.orders.services import create_api_key
from punchout import cxml
from tests.supplier.worlds import make_member, make_operator, place

pytestmark = pytest.mark.django_db

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
QDT = "{urn:un:unece:uncefact:data:standard:QualifiedDataType:100}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


def _operator() -> User:
    return User.objects.filter(email="operator@marketplace.test").first() or make_operator()


def _invoiced(client, shop: Integration, invoice_format: str = InvoiceFormat.CXML) -> Invoice:
    Integration.objects.filter(pk=shop.pk).update(invoice_format=invoice_format)
    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=_operator())
    return Invoice.objects.get(order=order, kind="invoice")


def _form(invoice: Invoice, reason: str = "Wrong unit price on line 1", **changes: str) -> dict[str, str]:
    """The corrective form as prefilled, with ``changes`` (``price_1="4.00"``: line 1's unit price)."""
    data = {"reason": reason}
    for line in invoice.lines.order_by("invoice_line_number"):
        number = line.invoice_line_number
        data[f"quantity-{line.pk}"] = changes.get(f"quantity_{number}", str(line.quantity))
        data[f"price-{line.pk}"] = changes.get(f"price_{number}", str(line.unit_price))
    return data


def test_the_form_is_prefilled_with_the_original_lines(client, shop):
    invoice = _invoiced(client, shop)
    client.force_login(_operator())
    page = client.get(f"/fulfilment/invoices/{invoice.number}/correct/").content.decode()
    first, second = invoice.lines.order_by("invoice_line_number")
    assert f'name="quantity-{first.pk}" value="3"' in page
    assert f'name="price-{first.pk}" value="{Decimal(first.unit_price).normalize()}"' in page
    assert f'name="quantity-{second.pk}" value="2"' in page


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL])
def test_an_operator_corrects_a_wrong_price_and_the_384_passes_en16931(client, shop, invoice_format):
    invoice = _invoiced(client, shop, invoice_format)
    first = invoice.lines.get(invoice_line_number=1)
    client.force_login(_operator())
    response = client.post(
        f"/fulfilment/invoices/{invoice.number}/correct/", _form(invoice, price_1="4.00"), follow=True
    )
    corrective = Invoice.objects.get(kind="corrective")
    assert f"Corrective invoice {corrective.number} issued: it replaces invoice {invoice.number}" in (
        response.content.decode()
    )
    invoice.refresh_from_db()
    assert (invoice.status, corrective.status, corrective.corrects_id) == ("corrected", "issued", invoice.pk)
    assert corrective.correction_reason == "Wrong unit price on line 1"
    # A full replacement: line 1 at 4.00 instead of its price, line 2 as it was, the same shipping.
    lines = list(
        corrective.lines.order_by("invoice_line_number").values_list("quantity", "unit_price", "amount")
    )
    second = invoice.lines.get(invoice_line_number=2)
    assert lines == [(3, Decimal("4.0000"), Decimal("12.000")), (2, second.unit_price, second.amount)]
    assert (corrective.subtotal, corrective.shipping) == (Decimal("12") + second.amount, invoice.shipping)
    assert corrective.subtotal != invoice.subtotal and first.unit_price != Decimal("4")
    xml = bytes(corrective.einvoice)
    report = en16931.validate(xml)
    assert report.fatal == ()
    tree = etree.fromstring(xml)
    if invoice_format == InvoiceFormat.UBL:
        assert tree.findtext(f"{CBC}InvoiceTypeCode") == "384"
        reference = tree.find(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference")
        assert (reference.findtext(f"{CBC}ID"), reference.findtext(f"{CBC}IssueDate")) == (
            invoice.number,
            invoice.issued_at.date().isoformat(),
        )
        assert tree.findtext(f".//{CBC}PayableAmount") == str(corrective.total.quantize(Decimal("0.01")))
    else:
        assert tree.findtext(f".//{RAM}TypeCode") == "384"
        reference = tree.find(f".//{RAM}InvoiceReferencedDocument")
        assert (
            reference.findtext(f"{RAM}IssuerAssignedID"),
            reference.findtext(f"{RAM}FormattedIssueDateTime/{QDT}DateTimeString"),
        ) == (invoice.number, invoice.issued_at.strftime("%Y%m%d"))
        assert tree.findtext(f".//{RAM}GrandTotalAmount") == str(corrective.total.quantize(Decimal("0.01")))
    # The original stays as issued, its document untouched; the order's timeline says why.
    assert Invoice.objects.filter(pk=invoice.pk).exists() and bytes(invoice.einvoice).count(b"384") == 0
    event = OrderEvent.objects.get(order=invoice.order, kind="invoice_corrected")
    assert event.detail == {
        "invoice": invoice.number,
        "corrective": corrective.number,
        "reason": "Wrong unit price on line 1",
        "total": str(corrective.total.quantize(Decimal("0.01"))),
    }


def test_sent_as_cxml_the_corrective_is_a_standard_invoice_naming_the_original(client, shop):
    invoice = _invoiced(client, shop)
    services.issue_corrective(
        invoice_id=invoice.pk,
        lines=[
            services.CorrectedLine(
                line.pk, line.quantity, Decimal("1.50") if line.invoice_line_number == 2 else line.unit_price
            )
            for line in invoice.lines.all()
        ],
        reason="Pens at the contract price",
        by=_operator(),
    )
    corrective = Invoice.objects.get(kind="corrective")
    assert corrective.sent_electronically and corrective.einvoice_format == ""
    message = OutboxMessage.objects.get(payload_id=corrective.payload_id)
    request = cxml.parse(message.body.encode()).document.message
    header = request.header
    assert (header.invoice_id, header.purpose, header.operation) == (corrective.number, "standard", "new")
    assert header.comments.text == (
        f"Corrective invoice replacing invoice {invoice.number} of {invoice.issued_at.date().isoformat()}: "
        "Pens at the contract price"
    )
    assert [(e.name, e.value) for e in header.extrinsics] == [
        ("invoiceTypeCode", "384"),
        ("precedingInvoiceID", invoice.number),
        ("precedingInvoiceDate", invoice.issued_at.date().isoformat()),
    ]
    assert request.summary.due_amount.amount == corrective.total.quantize(Decimal("0.01"))


def test_submitting_twice_issues_one_corrective(client, shop):
    invoice = _invoiced(client, shop)
    client.force_login(_operator())
    url = f"/fulfilment/invoices/{invoice.number}/correct/"
    data = _form(invoice, quantity_2="1")
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    corrective = Invoice.objects.get(kind="corrective")
    assert Invoice.objects.filter(kind="corrective").count() == 1
    assert again.status_code == 400
    assert "can no longer be corrected" in again.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.issue_corrective(
            invoice_id=invoice.pk,
            lines=[services.CorrectedLine(line.pk, 1, line.unit_price) for line in invoice.lines.all()],
            reason="again",
            by=_operator(),
        )
    assert refused.value.messages == [
        f"Invoice {invoice.number} was already corrected by invoice {corrective.number}."
    ]


def test_a_business_member_may_not_correct_an_invoice(client, shop):
    invoice = _invoiced(client, shop)
    member = make_member(shop.business, "clerk@acme.test", is_administrator=True)
    client.force_login(member)
    url = f"/fulfilment/invoices/{invoice.number}/correct/"
    assert client.get(url).status_code == 403
    assert client.post(url, _form(invoice, price_1="1.00")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.issue_corrective(invoice_id=invoice.pk, lines=[], reason="x", by=member)
    invoice.refresh_from_db()
    assert (invoice.status, Invoice.objects.filter(kind="corrective").count()) == ("issued", 0)


def test_a_corrective_without_a_reason_or_change_is_refused(client, shop):
    invoice = _invoiced(client, shop)
    client.force_login(_operator())
    url = f"/fulfilment/invoices/{invoice.number}/correct/"
    unchanged = client.post(url, _form(invoice))
    assert unchanged.status_code == 400
    assert "Nothing was changed: correct a quantity or a unit price." in unchanged.content.decode()
    no_reason = client.post(url, _form(invoice, reason="", price_1="1.00"))
    assert no_reason.status_code == 400
    nothing_left = client.post(url, _form(invoice, quantity_1="0", quantity_2="0"))
    assert "Keep at least one line: to cancel the whole invoice, issue a credit memo." in (
        nothing_left.content.decode()
    )
    invoice.refresh_from_db()
    assert (invoice.status, Invoice.objects.filter(kind="corrective").count()) == ("issued", 0)


def test_a_corrective_never_invoices_more_than_shipped_on_a_line(client, shop):
    invoice = _invoiced(client, shop)
    client.force_login(_operator())
    url = f"/fulfilment/invoices/{invoice.number}/correct/"
    for typed in ("4", "1000000000"):
        refused = client.post(
            url, _form(invoice, reason="Quantity", quantity_1=typed, price_1="99999999.9999")
        )
        assert refused.status_code == 400
        assert refused.context["form"].non_field_errors() == [
            f"Line 1: {typed} is more than the 3 that shipped; a corrective invoice invoices at most what shipped."
        ]
        assert f'value="{typed}"' in refused.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, Invoice.objects.filter(kind="corrective").count()) == ("issued", 0)
    fewer = client.post(url, _form(invoice, reason="One box was missing", quantity_1="2"))
    assert fewer.status_code == 302
    assert Invoice.objects.get(kind="corrective").lines.order_by("invoice_line_number").first().quantity == 2


def test_the_business_sees_the_corrective_in_its_invoices_and_the_api(client, shop):
    invoice = _invoiced(client, shop)
    corrective = services.issue_corrective(
        invoice_id=invoice.pk,
        lines=[services.CorrectedLine(line.pk, 1, line.unit_price) for line in invoice.lines.all()],
        reason="Only one of each shipped",
        by=_operator(),
    )
    client.force_login(shop.business.memberships.get(is_administrator=True).user)
    listing = client.get("/account/invoices/").content.decode()
    assert f"Replaces invoice {invoice.number}: Only one of each shipped" in listing
    assert "Corrective invoice" in listing and "Corrected" in listing
    pdf = client.get(f"/account/invoices/{corrective.number}/pdf/")
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    issued = timezone.localtime(invoice.issued_at).strftime("%-d %b %Y")  # as the PDF shows it: local time
    assert f"Corrective invoice {corrective.number}" in text
    assert f"Replaces in full invoice {invoice.number} of {issued}: Only one of each shipped" in text
    admin = shop.business.memberships.get(is_administrator=True).user
    key = create_api_key(business=shop.business, by=admin, name="erp")[1]
    body = client.get("/api/invoices/", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [(i["number"], i["kind"], i["status"], i["corrects"], i["correction_reason"]) for i in body] == [
        (corrective.number, "corrective", "issued", invoice.number, "Only one of each shipped"),
        (invoice.number, "invoice", "corrected", None, ""),
    ]


def test_a_corrected_invoice_cannot_be_cashed(client, shop):
    invoice = _invoiced(client, shop)
    operator = _operator()
    services.issue_corrective(
        invoice_id=invoice.pk,
        lines=[services.CorrectedLine(line.pk, 1, line.unit_price) for line in invoice.lines.all()],
        reason="Only one of each shipped",
        by=operator,
    )
    client.force_login(operator)
    response = client.post(f"/fulfilment/invoices/{invoice.number}/payment-received/", follow=True)
    assert (
        f"Invoice {invoice.number} was replaced by a corrective invoice: record the payment on that one."
        in response.content.decode()
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.lifecycle_status) == ("corrected", "")
