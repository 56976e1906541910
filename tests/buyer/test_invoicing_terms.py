"""What a cXML invoice says about when to pay, read into the invoice and the payment export: payment
terms and early-payment discounts, and a reverse-charged VAT; and a currency that is not ISO 4217,
refused before any amount is booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.models import Invoice
from openprocure.core.models import User
from punchout import cxml
from tests.buyer.fulfilment_world import (
    ap_clerk,
    envelope,
    invoice_request,
    make_po,
    make_supplier,
    post,
    receive,
)

pytestmark = pytest.mark.django_db

TERMS = [
    cxml.PaymentTerm(10, cxml.Discount(percent=Decimal("2"))),
    cxml.PaymentTerm(30),
]


def received(client: Client, request: cxml.InvoiceDetailRequest, payload_id: str) -> Invoice:
    status = post(client, envelope(request, payload_id=payload_id))
    assert status.code == 200, status
    return Invoice.objects.get(number=request.header.invoice_id)


def test_payment_terms_give_the_due_date_and_the_early_payment_discount(client: Client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    request = invoice_request(invoice_id="INV-T1", lines=[(1, "12", "10.00")])
    request.header.payment_terms = list(TERMS)
    invoice = received(client, request, "t1@s")
    assert invoice.invoice_date == date(2026, 3, 10)
    assert (invoice.due_date, invoice.discount_due_date) == (date(2026, 4, 9), date(2026, 3, 20))
    assert (invoice.discount_percent, invoice.discount_amount, invoice.due_amount) == (
        Decimal("2.0000"),
        Decimal("2.40"),
        Decimal("120.00"),
    )
    assert invoice.reverse_charge is False
    client.force_login(ap_clerk())
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert "Early-payment discount: 2.40\xa0EUR if paid by 20 Mar 2026 (2 %)" in page


def test_an_invoices_older_payment_term_form_is_read_too(client: Client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    request = invoice_request(invoice_id="INV-T2", lines=[(1, "12", "10.00")])
    request.header.payment_terms = [
        cxml.PaymentTerm(14, cxml.Discount(percent=Decimal("3")), older_form=True),
        cxml.PaymentTerm(45, cxml.Discount(percent=Decimal("0")), older_form=True),
    ]
    body = envelope(request, payload_id="t2@s")
    assert b'<InvoiceDetailPaymentTerm payInNumberOfDays="14" percentageRate="3"/>' in body
    status = post(client, body)
    assert status.code == 200
    invoice = Invoice.objects.get(number="INV-T2")
    assert (invoice.due_date, invoice.discount_due_date, invoice.discount_amount) == (
        date(2026, 4, 24),
        date(2026, 3, 24),
        Decimal("3.60"),
    )


def test_a_payment_term_nobody_pays_by_is_ignored_with_a_warning(client: Client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    request = invoice_request(invoice_id="INV-T3", lines=[(1, "12", "10.00")])
    request.header.payment_terms = [
        cxml.PaymentTerm(2_000_000_000),
        cxml.PaymentTerm(5, cxml.Discount(Decimal("900"))),
    ]
    invoice = received(client, request, "t3@s")
    assert (invoice.due_date, invoice.discount_due_date, invoice.discount_amount) == (None, None, None)
    assert invoice.warnings == [
        "A payment term of 2000000000 days was ignored: it is not one anyone pays by.",
        "A payment term of 5 days was ignored: it is not one anyone pays by.",
    ]


def test_a_reverse_charge_exemption_is_marked_on_the_invoice(client: Client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    request = invoice_request(invoice_id="INV-T4", lines=[(1, "12", "10.00")])
    summary_tax = request.summary.tax
    assert summary_tax is not None
    summary_tax.details.append(
        cxml.TaxDetail(
            "vat",
            tax_amount=cxml.Money(Decimal("0.00"), "EUR"),
            percentage_rate=Decimal("0"),
            exempt_detail="exempt",
            exemption=cxml.TaxExemption("AE", "Autoliquidation", "fr"),
        )
    )
    invoice = received(client, request, "t4@s")
    assert invoice.reverse_charge is True
    client.force_login(ap_clerk())
    assert (
        "VAT reverse-charged: we account for it." in client.get(f"/invoicing/{invoice.pk}/").content.decode()
    )


def test_the_payment_export_carries_the_discount_and_the_reverse_charge(client: Client) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection)
    client.force_login(User.objects.get(email="rita@acme.test"))
    receive(client, po, {1: "12", 2: "5"})
    client.force_login(ap_clerk())
    request = invoice_request(invoice_id="INV-T5", lines=[(1, "12", "10.00"), (2, "5", "2.00")])
    request.header.payment_terms = list(TERMS)
    invoice = received(client, request, "t5@s")
    assert invoice.status == "approved", services.invoice_data(invoice, invoice.lines.all())
    answer = client.post("/invoicing/payments/")
    assert answer.status_code == 302
    rows = client.get(answer["Location"]).content.decode().splitlines()
    assert rows == [
        "supplier_number,supplier,vat,invoice_number,invoice_date,due_date,kind,currency,amount_due,"
        "purchase_orders,discount_due_date,discount_percent,discount_amount,reverse_charge",
        "S-100,Office Supply Co,,INV-T5,2026-03-10,2026-04-09,invoice,EUR,130.00,PO-2026-000001,"
        "2026-03-20,2.0000,2.60,",
    ]


def test_an_invoice_in_a_currency_that_is_not_iso_4217_is_refused_with_a_code(client: Client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    request = invoice_request(invoice_id="INV-T6", lines=[(1, "12", "10.00")])
    item = request.orders[0].items[0]
    item.unit_price = cxml.Money(Decimal("10.00"), "DOLLARS")
    status = post(client, envelope(request, payload_id="t6@s"))
    assert (status.code, status.message) == (
        400,
        "The currency 'DOLLARS' is not an ISO 4217 code: send the invoice in EUR, USD or another ISO code.",
    )
    assert Invoice.objects.count() == 0
