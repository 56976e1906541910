"""The buyer's intake of a CII or UBL invoice whose VAT is the sum of its lines' rounded VAT rather than
rate × basis: EN 16931 lets a rate's VAT (BT-117) differ from its basis × rate (BR-S-09, BR-CO-17),
and the matching accepts it within one minor unit of it, or as far as rounding each of the rate's
lines and charges on its own can go; beyond, the invoice is an exception that says why.

Two lines of 10.03 and shipping of 4.99 at 20 %: the basis is 25.05, its VAT 5.01; rounded line by
line (2.01 + 2.01 + 1.00) it is 5.02.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.invoicing.findings import Finding
from openprocure.buyer.invoicing.matching import VAT_BREAKDOWN, vat_range
from openprocure.buyer.invoicing.models import Invoice, SupplierIdentifier
from openprocure.core import en16931
from openprocure.core.en16931 import cii, ubl
from openprocure.core.en16931.model import Invoice as EInvoice
from openprocure.core.en16931.model import Line
from tests.buyer.fulfilment_world import ap_clerk, make_po, make_supplier
from tests.en16931_world import french_invoice

pytestmark = pytest.mark.django_db

D = Decimal
SELLER = "732829304"
CENT = D("0.01")


def _einvoice(vat: str) -> EInvoice:
    """Two lines of 10.03 on PO-2026-000001 and 4.99 shipping, at 20 %, stating ``vat``."""
    lines = tuple(
        Line(str(n), str(n), part, part.title(), D(1), "C62", D("10.03"), D("10.03"), D(20))
        for n, part in ((1, "PAPER-A4"), (2, "PEN-BLUE"))
    )
    return french_invoice(
        number="INV-VAT-1",
        buyer_reference="PO-2026-000001",
        order_reference="PO-2026-000001",
        lines=lines,
        vat_amounts=((D(20), D(vat)),),
    )


def _upload(client: Client, data: bytes, name: str) -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/invoicing/upload/", {"file": upload})


@pytest.fixture
def clerk(client: Client, django_capture_on_commit_callbacks: Any) -> Client:
    supplier, connection = make_supplier()
    make_po(supplier, connection, lines=[("PAPER-A4", "1", "10.03"), ("PEN-BLUE", "1", "10.03")])
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    client.force_login(ap_clerk())
    return client


def _received(client: Client, build: Any, vat: str, capture: Any) -> Invoice:
    xml = build(_einvoice(vat), minor=CENT)
    # EN 16931 itself lets a rate's VAT be off its basis × rate by less than one whole unit (the
    # schematron's "± 1" is in the currency's units): every one of these passes validation.
    assert en16931.validate(xml).fatal == ()
    with capture(execute=True):
        answer = _upload(client, xml, "invoice.xml")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return Invoice.objects.get()


def _findings(invoice: Invoice) -> list[Finding]:
    return [Finding.from_json(f) for f in invoice.match_runs.first().findings]


@pytest.mark.parametrize("build", [cii.build, ubl.build], ids=["cii", "ubl"])
@pytest.mark.parametrize(
    ("vat", "total"),
    [("5.02", "30.07"), ("5.01", "30.06"), ("5.00", "30.05")],
    ids=["per-line sum", "rate x basis", "one unit under"],
)
def test_vat_within_one_unit_or_the_per_line_rounding_is_accepted(
    clerk: Client, django_capture_on_commit_callbacks: Any, build: Any, vat: str, total: str
) -> None:
    invoice = _received(clerk, build, vat, django_capture_on_commit_callbacks)
    assert (invoice.tax, invoice.total, invoice.due_amount) == (D(vat), D(total), D(total))
    assert invoice.tax_details == [
        {"purpose": VAT_BREAKDOWN, "rate": "20", "taxable": "25.05", "amount": vat}
    ]
    assert [line.tax_rate for line in invoice.lines.order_by("line_number")] == [D(20), D(20)]
    findings = _findings(invoice)
    breakdown = [f.message for f in findings if f.code.startswith("vat_breakdown")]
    assert breakdown == [f"VAT at 20%: {vat} on 25.05 (20% of it is 5.01; accepted from 5.00 to 5.02)."]
    assert f"Tax {vat} equals the sum of its tax details." in [f.message for f in findings]
    # Nothing wrong but the goods not received yet: it waits for the receipt, no exception.
    assert [f.code for f in findings if not f.ok] == ["quantity_over_received", "quantity_over_received"]
    assert (invoice.status, invoice.exceptions.count()) == ("awaiting", 0)


@pytest.mark.parametrize("build", [cii.build, ubl.build], ids=["cii", "ubl"])
@pytest.mark.parametrize("vat", ["5.03", "4.99"], ids=["two units over", "two units under"])
def test_vat_two_units_off_is_an_exception_that_says_why(
    clerk: Client, django_capture_on_commit_callbacks: Any, build: Any, vat: str
) -> None:
    invoice = _received(clerk, build, vat, django_capture_on_commit_callbacks)
    message = (
        f"VAT at 20% is {vat} but 20% of 25.05 is 5.01: one minor unit either way, or what rounding its "
        "3 lines and charges one by one can give, accepts 5.00 to 5.02 (tolerance 0.00)."
    )
    assert [f.message for f in _findings(invoice) if f.code.startswith("vat_breakdown")] == [message]
    assert invoice.status == "exception"
    [exception] = invoice.exceptions.filter(code="vat_breakdown_variance")
    assert (exception.message, exception.label) == (message, "VAT of a rate does not add up")
    assert invoice.lifecycle_status == "207"
    page = clerk.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert f'class="wrap">{message}</h3>' in page


@pytest.mark.parametrize(
    ("basis", "items", "expected"),
    [
        # one line: only the one-unit allowance
        ("10.03", 1, ("2.01", "2.00", "2.02")),
        # 25.05 at 20 % is exactly 5.010: three items rounded on their own stay within 0.015 of it
        ("25.05", 3, ("5.01", "5.00", "5.02")),
        # seven lines of 10.03 (VAT 2.006 each, 2.01 rounded): 14.07 line by line, 14.04 on the basis
        ("70.21", 7, ("14.04", "14.01", "14.07")),
        # a credit note's negative amounts give the mirror image
        ("-25.05", 3, ("-5.01", "-5.02", "-5.00")),
    ],
)
def test_the_accepted_range_of_a_rate(basis: str, items: int, expected: tuple[str, str, str]) -> None:
    assert vat_range(D(basis), D(20), items, CENT) == tuple(D(value) for value in expected)
