"""Invoices through the company's e-invoicing platform: pulled, taken by the same intake as an upload
(seller by identifier, stored with the original, matched), and answered 213 Rejetée through the
platform when the intake refuses them; CDAR statuses are read from the official examples."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.einvoice import parse_einvoice, seller_siren
from openprocure.buyer.invoicing.models import Invoice, SupplierIdentifier
from openprocure.core import outbox, platform
from openprocure.core.models import OutboxMessage, PlatformFlow
from punchout import cdar
from tests.buyer.einvoice_world import facturx_pdf
from tests.buyer.fulfilment_world import make_po, make_supplier

pytestmark = pytest.mark.django_db

BUYER = "732829320"
SELLER = "303265045"


@pytest.fixture
def folders(tmp_path: Path):
    out, inbound = tmp_path / "to-supplier", tmp_path / "to-buyer"
    inbound.mkdir()
    with override_settings(
        EINVOICE_PLATFORMS={BUYER: {"adapter": "folder", "outbound": str(out), "inbound": str(inbound)}}
    ):
        yield out, inbound


def _answers(out: Path) -> list[cdar.StatusMessage]:
    for message in OutboxMessage.objects.filter(kind="CDAR").order_by("id"):
        assert outbox.deliver_message(message.pk).delivered
    return [cdar.parse(path.read_bytes()) for path in sorted(out.glob("*.xml"))]


def _refused_and_answered(out: Path, inbound: Path, reason: str) -> cdar.StatusMessage:
    """FX-1.pdf was refused for ``reason``: nothing stored, the file filed as failed with why, and the
    one CDAR answer (returned) carries the same words."""
    assert platform.pull(BUYER) == [("FX-1.pdf", "refused", reason)]
    assert not Invoice.objects.exists()
    assert (inbound / "failed" / "FX-1.pdf").exists()
    assert (inbound / "failed" / "FX-1.pdf.reason.txt").read_text() == reason + "\n"
    [answer] = _answers(out)
    assert answer.reason == reason
    return answer


def test_an_invoice_from_the_platform_is_stored_and_matched_like_an_upload(folders):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    pdf = facturx_pdf("PO-2026-000001", SELLER)
    (inbound / "FX-1.pdf").write_bytes(pdf)
    assert platform.pull(BUYER) == [("FX-1.pdf", "accepted", "")]
    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.number, invoice.total, invoice.status) == (
        "facturx",
        "FX-1",
        Decimal("144.00"),
        "awaiting",
    )
    assert (bytes(invoice.original), invoice.original_name) == (pdf, "FX-1.pdf")
    assert invoice.journal.payload_id == f"platform-{BUYER}-FX-1.pdf"
    assert [f["code"] for f in invoice.match_runs.get().findings if not f["ok"]] == ["quantity_over_received"]
    assert (inbound / "done" / "FX-1.pdf").exists()
    assert _answers(out) == []


def test_an_invoice_from_an_unknown_seller_is_answered_rejetee(folders):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    (inbound / "FX-1.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER))
    reason = (
        "No supplier has the seller's identifiers (VAT FR40303265045, SIREN 303265045). Add the VAT, SIREN or "
        "SIRET to the supplier under Invoices → Supplier identifiers, then upload again."
    )
    answer = _refused_and_answered(out, inbound, reason)
    assert (answer.status_code, answer.label, answer.reason_code) == ("213", "Rejetée", "REJ_SEMAN")
    assert (answer.invoice_id, answer.invoice_date.isoformat(), answer.invoice_issuer_id) == (
        "FX-1",
        "2026-03-06",
        SELLER,
    )
    assert (answer.issuer.id, answer.issuer.role) == (BUYER, "WK")
    assert [(r.id, r.role) for r in answer.recipients] == [(SELLER, "SE")]
    assert PlatformFlow.objects.get().reason == reason


@pytest.mark.parametrize(
    ("identifiers", "siren"),
    [
        ([("vat", "FR40303265045"), ("siren", SELLER)], SELLER),
        ([("siret", "30326504500013")], SELLER),
        ([("vat", "FR40303265045")], SELLER),
        ([("siret", "3032650450"), ("vat", "FR40303265045")], SELLER),  # a SIRET of 10 digits is no SIRET
        ([("siret", "3032650450")], ""),
        ([("vat", "FRXX30326504A")], ""),
        ([("vat", "DE123456789"), ("gln", "3012345678901")], ""),
    ],
)
def test_the_seller_siren_the_intake_stores_is_the_one_a_213_answers(identifiers, siren) -> None:
    """One reading of the seller's SIREN for storing, refusing duplicates and addressing 213 Rejetée."""
    assert seller_siren(identifiers) == siren


def test_an_invoice_addressed_to_another_siren_is_answered_rejetee(folders):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    (inbound / "FX-1.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER, buyer_siren="552100554"))
    reason = (
        "Invoice FX-1 is addressed to SIREN 552100554, not to SIREN 732829320 whose platform delivered it: "
        "send it to its buyer's platform, or correct the buyer's SIREN and send it again."
    )
    answer = _refused_and_answered(out, inbound, reason)
    assert (answer.status_code, answer.label, answer.reason_code) == ("213", "Rejetée", "REJ_ADR")
    assert (answer.invoice_id, answer.invoice_issuer_id, answer.issuer.id, answer.issuer.role) == (
        "FX-1",
        SELLER,
        BUYER,
        "WK",
    )
    assert [(r.id, r.role) for r in answer.recipients] == [(SELLER, "SE")]


def test_an_invoice_addressed_to_our_siren_is_taken(folders):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    (inbound / "FX-1.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER, buyer_siren=BUYER))
    assert platform.pull(BUYER) == [("FX-1.pdf", "accepted", "")]
    assert Invoice.objects.get().buyer_siren == BUYER
    assert _answers(out) == []


def test_a_duplicate_is_answered_rejetee_doublon(folders):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    (inbound / "first.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER))
    (inbound / "again.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER))
    outcomes = dict((flow, outcome) for flow, outcome, _reason in platform.pull(BUYER))
    assert sorted(outcomes.values()) == ["accepted", "refused"]
    assert Invoice.objects.count() == 1
    [answer] = _answers(out)
    assert (answer.status_code, answer.reason_code, answer.invoice_id) == ("213", "DOUBLON", "FX-1")
    assert answer.reason.startswith("Invoice FX-1 of 2026 from Office Supply Co was already received on ")


def test_a_file_that_is_no_invoice_is_refused_and_kept(folders):
    out, inbound = folders
    (inbound / "junk.xml").write_bytes(b"<html>not an invoice</html>")
    assert platform.pull(BUYER) == [
        (
            "junk.xml",
            "refused",
            "junk.xml is neither a UBL 2.1 Invoice/CreditNote nor a CII CrossIndustryInvoice (root element html).",
        )
    ]
    assert (inbound / "failed" / "junk.xml").read_bytes() == b"<html>not an invoice</html>"
    assert _answers(out) == []  # no invoice number nor seller to answer


def test_a_status_from_the_seller_is_recorded_in_the_invoice_history(folders):
    _out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    (inbound / "FX-1.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER))
    platform.pull(BUYER)
    cashed = cdar.StatusMessage(
        id="FX-1_212",
        issued_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        issuer=cdar.Party(id=SELLER, role="SE"),
        recipients=(cdar.Party(id=BUYER, role="BY"),),
        invoice_id="FX-1",
        invoice_date=date(2026, 3, 6),
        status_code="212",
        invoice_issuer_id=SELLER,
        amount=Decimal("144.00"),
        currency="EUR",
        vat_rate=Decimal("20.00"),
    )
    (inbound / "FX-1_212.xml").write_bytes(cdar.build(cashed))
    (inbound / "other_212.xml").write_bytes(cdar.build(replace(cashed, id="X_212", invoice_id="FX-404")))
    assert platform.pull(BUYER) == [
        ("FX-1_212.xml", "accepted", ""),
        ("other_212.xml", "refused", f"no invoice FX-404 of 2026 from SIREN {SELLER}"),
    ]
    event = Invoice.objects.get().events.get(kind="platform_status")
    assert event.detail == {
        "code": "212",
        "label": "Encaissée",
        "message_id": "FX-1_212",
        "amount": "144.00",
        "currency": "EUR",
    }
    assert event.label == "Lifecycle status from the supplier's platform: 212 Cashed"
    with translation.override("fr"):
        assert event.label == "Statut de cycle de vie venu de la plateforme du fournisseur : 212 Encaissée"


def test_a_refusal_of_an_invoice_from_the_platform_goes_back_through_it(
    folders, django_capture_on_commit_callbacks
):
    out, inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    (inbound / "FX-1.pdf").write_bytes(facturx_pdf("PO-2026-000001", SELLER))
    assert platform.pull(BUYER) == [("FX-1.pdf", "accepted", "")]
    invoice = Invoice.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_invoice(invoice=invoice, actor=None, reason="Trop de boîtes facturées")
    [answer] = _answers(out)
    assert (answer.status_code, answer.reason_code, answer.reason, answer.invoice_id) == (
        "210",
        "NON_CONFORME",
        "Trop de boîtes facturées",
        "FX-1",
    )
    assert (answer.issuer.id, answer.issuer.role, [r.id for r in answer.recipients]) == (
        BUYER,
        "BY",
        [SELLER],
    )


def test_a_status_of_an_invoice_that_came_by_upload_does_not_go_to_the_platform(
    folders, django_capture_on_commit_callbacks
):
    out, _inbound = folders
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    SupplierIdentifier.objects.create(supplier=supplier, scheme="siren", value=SELLER)
    parsed = parse_einvoice(facturx_pdf("PO-2026-000001", SELLER), filename="FX-2.pdf")
    invoice = services.receive_invoice(supplier=supplier, parsed=parsed)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_invoice(invoice=invoice, actor=None, reason="Trop de boîtes facturées")
    assert _answers(out) == []
    assert not OutboxMessage.objects.filter(kind="CDAR").exists()
