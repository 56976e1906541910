"""Invoices and orders as PDFs in "Your account": their facts, in the reader's language, only for their business."""

from __future__ import annotations

import io

import pypdf
import pytest

from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Invoice
from tests.supplier.worlds import PASSWORD, make_business, make_member, make_operator, place

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.fixture
def invoiced(client, shop) -> Invoice:
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="UPS", tracking_number="1Z999", by=make_operator())
    return Invoice.objects.get()


def test_the_administrator_downloads_an_invoice_as_a_pdf(client, invoiced):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    listing = client.get("/account/invoices/").content.decode()
    assert f'<a href="/account/invoices/{invoiced.number}/pdf/">{invoiced.number}</a>' in listing

    answer = client.get(f"/account/invoices/{invoiced.number}/pdf/")

    assert answer.status_code == 200
    assert (answer["Content-Type"], answer["Content-Disposition"]) == (
        "application/pdf",
        f'inline; filename="{invoiced.number}.pdf"',
    )
    lines = text_of(answer.content)
    assert lines[0] == f"Invoice {invoiced.number}"
    assert [line for line in lines if line.startswith(("Subtotal", "Shipping", "VAT 20", "Total"))] == [
        "Subtotal 15.60\xa0EUR",
        "VAT 20 % 3.12\xa0EUR",
        "Total 18.72\xa0EUR",
    ]
    assert [line for line in lines if "B000PAPER1" in line] == [
        "1 B000PAPER1 Copy paper A4 80 g, 500 sheets 3 PK 5.20\xa0EUR 15.60\xa0EUR 3.12\xa0EUR"
    ]


def test_the_invoice_pdf_is_in_the_readers_language(client, invoiced):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    answer = client.get(f"/account/invoices/{invoiced.number}/pdf/", HTTP_ACCEPT_LANGUAGE="fr")
    assert text_of(answer.content)[0] == f"Facture {invoiced.number}"


def test_another_business_gets_404(client, invoiced):
    make_business("Globex", "admin@globex.test")
    assert client.login(username="admin@globex.test", password=PASSWORD)
    assert client.get(f"/account/invoices/{invoiced.number}/pdf/").status_code == 404
    # A member of the business who did not place the order does not see it either.
    make_member(invoiced.business, "someone@acme.test")
    client.logout()
    assert client.login(username="someone@acme.test", password=PASSWORD)
    assert client.get(f"/account/invoices/{invoiced.number}/pdf/").status_code == 404


def test_the_order_prints_as_a_pdf_outside_a_punchout_session(client, shop):
    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    assert client.login(username="admin@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert f'<a href="/account/orders/{order.number}/pdf/">Download PDF</a>' in page

    answer = client.get(f"/account/orders/{order.number}/pdf/")

    assert (answer.status_code, answer["Content-Disposition"]) == (
        200,
        f'inline; filename="{order.number}.pdf"',
    )
    lines = text_of(answer.content)
    assert " ".join(lines[:2]) == f"Order {order.number} (your PO PO-2026-000001)"  # the title wraps
    assert [line for line in lines if line.startswith(("Subtotal", "Total"))] == [
        "Subtotal 35.60\xa0EUR",
        "Total 48.71\xa0EUR",
    ]
    make_business("Globex", "admin@globex.test")
    client.logout()
    assert client.login(username="admin@globex.test", password=PASSWORD)
    assert client.get(f"/account/orders/{order.number}/pdf/").status_code == 404
