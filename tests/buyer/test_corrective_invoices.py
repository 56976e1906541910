"""Corrective invoices (UNTDID 1001 type 384) received by the buyer: one that names an invoice of the
same seller takes its place in matching (the original is superseded, kept); one naming an unknown
invoice, or one already approved, is an exception for a person."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.invoicing.einvoice import parsed_from_cxml
from openprocure.buyer.invoicing.models import (
    Invoice,
    InvoiceEvent,
    InvoiceException,
    SupplierIdentifier,
    ToleranceRule,
)
from openprocure.core.en16931 import cii, ubl
from openprocure.core.en16931.model import Address, Line, Operation, Party, TypeCode
from openprocure.core.en16931.model import Invoice as EInvoice
from punchout import cxml
from tests.buyer.fulfilment_world import ap_clerk, invoice_request, make_po, make_supplier

pytestmark = pytest.mark.django_db

SELLER = Party(
    "Office Supply Co",
    Address("1 rue du Papier", "75002", "Paris", "FR"),
    siren="303265045",
    vat_number="FR40303265045",
)
BUYER = Party("Acme", Address("2 rue de la Paix", "75002", "Paris", "FR"), siren="732829320")


def _einvoice(
    number: str, price: str, *, corrects: str = "", corrects_date: date | None = None, quantity: int = 12
) -> EInvoice:
    """An invoice of ``quantity`` (12) x PAPER-A4 at ``price`` on PO-2026-000001 (20 % VAT); a 384
    naming ``corrects``."""
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    return EInvoice(
        number=number,
        type_code=TypeCode.CORRECTIVE if corrects else TypeCode.INVOICE,
        issue_date=date(2026, 3, 9) if corrects else date(2026, 3, 6),
        currency="EUR",
        seller=SELLER,
        buyer=BUYER,
        buyer_reference="PO-2026-000001",
        order_reference="PO-2026-000001",
        operation=Operation.GOODS,
        payment_terms="Paiement à réception",
        lines=(
            Line("1", "1", "PAPER-A4", "Paper", Decimal(quantity), "EA", Decimal(price), amount, Decimal(20)),
        ),
        preceding_invoice=corrects,
        preceding_invoice_date=corrects_date,
    )


def _upload(client: Client, document: EInvoice, *, syntax=cii) -> int:
    upload = io.BytesIO(syntax.build(document, minor=Decimal("0.01")))
    upload.name = f"{document.number}.xml"
    return client.post("/invoicing/upload/", {"file": upload}).status_code


@pytest.fixture
def seller(client: Client):
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value="303265045")
    ToleranceRule.objects.create(supplier=supplier, mode="2way")
    client.force_login(ap_clerk())
    return supplier


@pytest.mark.parametrize("syntax", [cii, ubl])
def test_a_corrective_supersedes_the_wrong_invoice_and_is_matched_in_its_place(client, seller, syntax):
    # 12 x 11.00 where the order says 10.00: an exception.
    assert _upload(client, _einvoice("FX-1", "11.00"), syntax=syntax) == 302
    original = Invoice.objects.get(number="FX-1")
    assert (original.status, [e.code for e in original.exceptions.all()]) == ("exception", ["price_over"])
    assert (
        _upload(
            client,
            _einvoice("FX-1C", "10.00", corrects="FX-1", corrects_date=date(2026, 3, 6)),
            syntax=syntax,
        )
        == 302
    )
    corrective = Invoice.objects.get(number="FX-1C")
    original.refresh_from_db()
    assert (corrective.corrective, corrective.corrects_number, corrective.corrects_date) == (
        True,
        "FX-1",
        date(2026, 3, 6),
    )
    assert (corrective.corrects_id, corrective.status, corrective.total) == (
        original.pk,
        "approved",
        Decimal("144.00"),
    )
    # The original is kept, out of matching; its variance no longer waits for anyone.
    assert original.status == "superseded"
    assert [(e.code, e.status, e.reason) for e in original.exceptions.all()] == [
        ("price_over", "cleared", "replaced by corrective invoice FX-1C")
    ]
    moved = InvoiceEvent.objects.filter(invoice_id=original.pk, kind="status_changed").order_by("pk").last()
    assert moved.detail == {
        "from": "exception",
        "to": "superseded",
        "comment": "replaced by corrective invoice FX-1C",
    }
    page = client.get(f"/invoicing/{corrective.pk}/").content.decode()
    assert "Corrective invoice (type 384): it replaces invoice FX-1 in full." in page
    assert "Corrective invoice: it replaces invoice FX-1, which no longer counts." in page
    assert (
        "Replaced by corrective invoice FX-1C." in client.get(f"/invoicing/{original.pk}/").content.decode()
    )
    # Duplicate detection still applies to the corrective itself.
    again = _upload(
        client, _einvoice("FX-1C", "10.00", corrects="FX-1", corrects_date=date(2026, 3, 6)), syntax=syntax
    )
    assert (again, Invoice.objects.count()) == (400, 2)


def test_the_other_invoices_of_the_order_are_matched_again_once_the_original_is_superseded(client, seller):
    # FX-1 bills all 12 reams at 11.00 (price over); FX-2 bills 6 more at 10.00: over-invoiced.
    assert _upload(client, _einvoice("FX-1", "11.00")) == 302
    assert _upload(client, _einvoice("FX-2", "10.00", quantity=6)) == 302
    first, second = Invoice.objects.get(number="FX-1"), Invoice.objects.get(number="FX-2")
    assert (second.status, [(e.code, e.status) for e in second.exceptions.all()]) == (
        "exception",
        [("quantity_over_ordered", "open")],
    )
    # The corrective replaces FX-1 with the 6 reams not billed by FX-2: FX-1 no longer counts, FX-2 fits.
    corrective = _einvoice("FX-1C", "10.00", corrects="FX-1", corrects_date=date(2026, 3, 6), quantity=6)
    assert _upload(client, corrective) == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, Invoice.objects.get(number="FX-1C").status) == (
        "superseded",
        "approved",
        "approved",
    )
    assert [(e.code, e.status) for e in second.exceptions.all()] == [("quantity_over_ordered", "cleared")]
    assert list(second.match_runs.order_by("pk").values_list("trigger", "matched")) == [
        ("received", False),
        ("corrective_invoice", True),
    ]


def test_an_approved_invoice_of_the_order_is_not_matched_again_after_a_corrective(client, seller):
    assert _upload(client, _einvoice("FX-1", "11.00", quantity=6)) == 302
    assert _upload(client, _einvoice("FX-2", "10.00", quantity=6)) == 302
    second = Invoice.objects.get(number="FX-2")
    assert second.status == "approved"
    corrective = _einvoice("FX-1C", "10.00", corrects="FX-1", corrects_date=date(2026, 3, 6), quantity=6)
    assert _upload(client, corrective) == 302
    assert Invoice.objects.get(number="FX-1").status == "superseded"
    assert list(second.match_runs.values_list("trigger", flat=True)) == ["received"]


def test_a_corrective_for_an_unknown_invoice_is_an_exception(client, seller):
    assert (
        _upload(client, _einvoice("FX-9C", "10.00", corrects="FX-404", corrects_date=date(2026, 3, 1))) == 302
    )
    corrective = Invoice.objects.get()
    assert (corrective.status, corrective.corrects_id) == ("exception", None)
    exception = InvoiceException.objects.get()
    assert (exception.code, exception.status) == ("corrects_unknown", "open")
    assert exception.text == (
        "Corrective invoice: it replaces invoice FX-404, which was never received from this supplier."
    )
    page = client.get(f"/invoicing/{corrective.pk}/").content.decode()
    assert "it replaces invoice FX-404, which was never received from this supplier." in page


def test_a_corrective_after_approval_is_an_exception_and_the_original_stays_approved(client, seller):
    assert _upload(client, _einvoice("FX-1", "10.00")) == 302
    original = Invoice.objects.get()
    assert original.status == "approved"
    assert _upload(client, _einvoice("FX-1C", "9.00", corrects="FX-1", corrects_date=date(2026, 3, 6))) == 302
    corrective = Invoice.objects.get(number="FX-1C")
    original.refresh_from_db()
    assert (original.status, corrective.status, corrective.corrects_id) == (
        "approved",
        "exception",
        original.pk,
    )
    # The original still counts as invoiced: the corrective's 12 are over what was ordered too.
    assert sorted(e.code for e in corrective.exceptions.filter(status="open")) == [
        "corrects_settled",
        "quantity_over_ordered",
    ]
    assert corrective.exceptions.get(code="corrects_settled").text == (
        "Corrective invoice: it replaces invoice FX-1, which is already approved for payment or paid; "
        "decide which of the two is paid."
    )


def test_a_cxml_corrective_names_the_original_in_its_header_extrinsics():
    request = invoice_request(invoice_id="INV-2", lines=[(1, "12", "10.00")])
    request.header.extrinsics = [
        cxml.Extrinsic("invoiceTypeCode", "384"),
        cxml.Extrinsic("precedingInvoiceID", "INV-1"),
        cxml.Extrinsic("precedingInvoiceDate", "2026-03-06"),
    ]
    parsed = parsed_from_cxml(request, {})
    assert (parsed.corrective, parsed.preceding_number, parsed.preceding_date, parsed.is_credit) == (
        True,
        "INV-1",
        date(2026, 3, 6),
        False,
    )
    plain = parsed_from_cxml(
        dataclasses.replace(request, header=dataclasses.replace(request.header, extrinsics=[])), {}
    )
    assert (plain.corrective, plain.preceding_number) == (False, "")
