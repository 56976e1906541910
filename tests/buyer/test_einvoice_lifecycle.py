"""Received e-invoices are validated (213 Rejetée with the rule), kept as the legal invoice with their
SHA-256, and their lifecycle statuses are emitted as the invoice moves (core.lifecycle)."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.invoicing import matching
from openprocure.buyer.invoicing.models import Invoice, RejectedFile, SupplierIdentifier
from openprocure.core import lifecycle
from tests.buyer.einvoice_world import facturx_pdf
from tests.buyer.fulfilment_world import ap_clerk, make_po, make_supplier

pytestmark = pytest.mark.django_db


def _upload(client: Client, data: bytes, name: str) -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/invoicing/upload/", {"file": upload})


@pytest.mark.parametrize(("folder", "name"), [("ubl", "ubl-tc434-example1.xml"), ("cii", "CII_example1.xml")])
def test_official_example_is_validated_kept_with_its_hash_and_disputed_without_order(
    client: Client,
    interop: Path,
    lifecycle_heard: Any,
    django_capture_on_commit_callbacks: Any,
    folder: str,
    name: str,
) -> None:
    data = (interop / "en16931" / "examples" / folder / name).read_bytes()
    supplier, _connection = make_supplier()
    SupplierIdentifier.objects.create(supplier=supplier, scheme="vat", value="NL820098395B01")
    client.force_login(ap_clerk())
    with django_capture_on_commit_callbacks(execute=True):
        answer = _upload(client, data, name)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    invoice = Invoice.objects.get()
    assert bytes(invoice.original) == data
    assert invoice.sha256 == hashlib.sha256(data).hexdigest()
    # no order of ours is named: the invoice is an exception, told as 207 En litige with a reason
    assert (invoice.status, invoice.lifecycle_status) == ("exception", "207")
    event = invoice.events.get(kind="lifecycle")
    assert event.detail == {"code": "207", "reason_code": "CMD_ERR", "reason": ""}
    assert [(m.status, m.reason_code, m.invoice_number, r) for m, r in lifecycle_heard] == [
        ("207", "CMD_ERR", invoice.number, False)
    ]
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert invoice.sha256 in page
    assert "Lifecycle status sent: 207 Disputed — CMD_ERR Wrong order reference" in page
    french = client.get(f"/invoicing/{invoice.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "207 En litige" in french


def test_broken_total_is_rejected_213_with_the_rule_and_the_file_kept(
    client: Client, interop: Path, lifecycle_heard: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = (interop / "en16931" / "examples" / "ubl" / "ubl-tc434-example1.xml").read_bytes()
    broken = data.replace(
        b'<cbc:PayableAmount currencyID="EUR">', b'<cbc:PayableAmount currencyID="EUR">9', 1
    )
    assert broken != data
    client.force_login(ap_clerk())
    with django_capture_on_commit_callbacks(execute=True):
        answer = _upload(client, broken, "broken.xml")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "213 Rejected: the invoice breaks the EN 16931 or French (BR-FR) rules: [BR-CO-16]" in page
    assert "LegalMonetaryTotal" in page  # where it failed
    assert not Invoice.objects.exists()
    kept = RejectedFile.objects.get()
    assert bytes(kept.content) == broken
    assert kept.reason_code == "MONTANTTOTAL_ERR"
    assert [f["rule"] for f in kept.findings] == ["BR-CO-16"]
    assert [(m.status, m.reason_code) for m, _r in lifecycle_heard] == [("213", "MONTANTTOTAL_ERR")]


def test_a_french_factur_x_without_the_seller_siren_is_rejected_213_naming_br_fr_10(
    client: Client, lifecycle_heard: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A seller in France with its VAT number (EN 16931 is satisfied) but no SIREN (BT-30).
    data = facturx_pdf("PO-2026-000001", "")
    client.force_login(ap_clerk())
    with django_capture_on_commit_callbacks(execute=True):
        answer = _upload(client, data, "no-siren.pdf")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "213 Rejected: the invoice breaks the EN 16931 or French (BR-FR) rules: [BR-FR-10]" in page
    assert not Invoice.objects.exists()
    kept = RejectedFile.objects.get()
    assert bytes(kept.content) == data
    assert kept.reason_code == "REJ_SEMAN"
    assert [(f["rule"], f["flag"], f["location"]) for f in kept.findings] == [
        (
            "BR-FR-10",
            "fatal",
            "/CrossIndustryInvoice[1]/SupplyChainTradeTransaction[1]/ApplicableHeaderTradeAgreement[1]"
            "/SellerTradeParty[1]",
        )
    ]
    assert [(m.status, m.reason_code) for m, _r in lifecycle_heard] == [("213", "REJ_SEMAN")]
    # The same invoice with the seller's SIREN is taken in.
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value="303265045")
    answer = _upload(client, facturx_pdf("PO-2026-000001", "303265045"), "with-siren.pdf")
    assert answer.status_code == 302
    assert Invoice.objects.get().number == "FX-1"


def test_unknown_unit_code_is_rejected_with_its_rule(client: Client, interop: Path) -> None:
    data = (interop / "en16931" / "examples" / "ubl" / "ubl-tc434-example1.xml").read_bytes()
    broken = data.replace(b'unitCode="', b'unitCode="ZZ', 1)
    client.force_login(ap_clerk())
    answer = _upload(client, broken, "unit.xml")
    assert answer.status_code == 400
    assert "[BR-CL-23]" in answer.content.decode()
    assert not Invoice.objects.exists()


def test_api_refusal_names_the_rules(interop: Path) -> None:
    data = (interop / "en16931" / "examples" / "ubl" / "ubl-tc434-example1.xml").read_bytes()
    broken = data.replace(b'unitCode="', b'unitCode="ZZ', 1)
    _row, token = create_api_token(user=ap_clerk(), name="test")
    upload = io.BytesIO(broken)
    upload.name = "unit.xml"
    answer = Client(headers={"Authorization": f"Bearer {token}"}).post("/api/invoices/", {"file": upload})
    body = answer.json()
    assert answer.status_code == 400
    assert (body["code"], body["reason_code"]) == ("rejected", "REJ_SEMAN")
    assert body["rules"][0]["rule"] == "BR-CL-23"


def test_reason_codes_follow_the_french_list() -> None:
    assert lifecycle.check_reason("210", "cmd_err") == "CMD_ERR"
    assert lifecycle.check_reason("205", "") == ""
    with pytest.raises(lifecycle.LifecycleError, match="needs a reason code"):
        lifecycle.check_reason("210", "")
    with pytest.raises(lifecycle.LifecycleError, match="needs a reason code"):
        lifecycle.check_reason("208", "PU_ERR")
    with pytest.raises(lifecycle.LifecycleError, match="not a lifecycle status"):
        lifecycle.check_reason("299", "")
    assert lifecycle.MANDATORY == {"200", "210", "212", "213"}
    assert lifecycle.LIFECYCLE_TRANSITIONS["210"] == set()
    assert "205" in lifecycle.LIFECYCLE_TRANSITIONS["207"]


@pytest.mark.parametrize(
    ("unit", "codes", "texts"),
    [
        ("EA", [], []),
        ("C62", ["unit_mapped"], ["Line 1: unit C62 read as the order's EA."]),
        (
            "KGM",
            ["unit_mismatch"],
            ["Line 1: invoiced in unit KGM but order PO-1 line 1 is in EA."],
        ),
    ],
)
def test_unit_codes_are_read_as_the_orders_unit(unit: str, codes: list[str], texts: list[str]) -> None:
    order_line = matching.OrderLine(
        order="PO-1",
        line_number=1,
        part_id="P1",
        unit_price=Decimal("2"),
        ordered=Decimal(3),
        received=Decimal(3),
        currency="EUR",
        unit="EA",
    )
    invoice = matching.Invoice(
        number="F1",
        currency="EUR",
        lines=[
            matching.InvoiceLine(
                1, Decimal(3), Decimal("2"), Decimal("6.00"), order="PO-1", order_line=1, unit=unit
            )
        ],
        subtotal=Decimal("6.00"),
        total=Decimal("6.00"),
    )
    result = matching.match_invoice(
        invoice, {"PO-1": [order_line]}, tolerance_for=lambda line: matching.Tolerance(mode="2way")
    )
    unit_findings = [f for f in result.findings if f.code.startswith("unit_")]
    assert [f.code for f in unit_findings] == codes
    assert [f.message for f in unit_findings] == texts
    assert [f.code for f in result.exceptions] == [c for c in codes if c == "unit_mismatch"]


def test_a_seller_is_recognised_by_its_electronic_address(client: Client, interop: Path) -> None:
    supplier, _connection = make_supplier()
    client.force_login(ap_clerk())
    added = client.post(
        "/invoicing/identifiers/", {"supplier": supplier.pk, "scheme": "eaddr", "value": "0201: 0000000196"}
    )
    assert added.status_code == 302
    assert SupplierIdentifier.objects.get().value == "0201:0000000196"
    # a SIREN whose Luhn key is wrong is refused beside the form, nothing added
    wrong = client.post(
        "/invoicing/identifiers/",
        {"supplier": supplier.pk, "scheme": "siren", "value": "732829305"},
        follow=True,
    )
    assert "732829305 is not a valid SIREN" in wrong.content.decode()
    assert SupplierIdentifier.objects.count() == 1
    data = (interop / "en16931" / "examples" / "ubl" / "ubl-tc434-creditnote1.xml").read_bytes()
    answer = _upload(client, data, "creditnote1.xml")
    assert answer.status_code == 302, answer.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert (invoice.supplier, invoice.kind, invoice.source) == (supplier, "credit_memo", "ubl")
    assert ["eaddr", "0201:0000000196"] in invoice.seller_identifiers
