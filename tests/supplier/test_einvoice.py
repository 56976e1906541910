"""Storefront invoices and credit memos issued as EN 16931 e-invoices (CII, UBL 2.1, Factur-X), each
checked against its schema and the EN 16931 schematron before it is kept; a refused one is not issued."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import facturx
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from openprocure.core import en16931
from openprocure.core.models import OutboxMessage
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.business.models import Integration, SettingsChange
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.fulfilment import einvoice, services
from openprocure.supplier.fulfilment.models import Invoice, Shipment
from openprocure.supplier.orders.models import OrderSettings
from tests.supplier.worlds import make_operator, place

pytestmark = pytest.mark.django_db

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


def _use(shop: Integration, invoice_format: str) -> None:
    Integration.objects.filter(pk=shop.pk).update(invoice_format=invoice_format)


def _invoice_and_credit_memo(client) -> tuple[Invoice, Invoice]:
    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    line = order.lines.get(line_number=1)
    goods_return = services.record_return(
        order_id=order.pk,
        quantities=[services.ReturnedQuantity(line.pk, 2)],
        reason="Not needed",
        by=operator,
    )
    invoice = Invoice.objects.get(order=order, kind="invoice")
    return invoice, Invoice.objects.get(pk=goods_return.credit_memo_id)


def _xml(invoice: Invoice) -> bytes:
    document = bytes(invoice.einvoice)
    if invoice.einvoice_format == InvoiceFormat.FACTURX:
        _name, document = facturx.get_xml_from_pdf(document, check_xsd=True)
    return document


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL, InvoiceFormat.FACTURX])
def test_an_invoice_and_a_credit_memo_pass_the_schema_and_the_en16931_rules(client, shop, invoice_format):
    _use(shop, invoice_format)
    invoice, credit_memo = _invoice_and_credit_memo(client)
    assert (invoice.einvoice_format, credit_memo.einvoice_format) == (invoice_format, invoice_format)
    # No cXML invoice leaves when the business takes an EN 16931 format.
    assert not OutboxMessage.objects.filter(kind="InvoiceDetailRequest").exists()
    assert (invoice.sent_electronically, credit_memo.sent_electronically) == (False, False)
    for document, type_code in ((invoice, "380"), (credit_memo, "381")):
        report = en16931.validate(_xml(document))
        assert (len(report.fatal), report.syntax) == (0, "ubl" if invoice_format == "ubl" else "cii")
        # The French rules pass too; only the directory's electronic addresses are missing (warnings).
        assert [(f.rule, f.flag) for f in report.findings if f.rule.startswith("BR-FR")] == [
            ("BR-FR-12", "warning"),
            ("BR-FR-13", "warning"),
        ]
        tree = etree.fromstring(_xml(document))
        if invoice_format == InvoiceFormat.UBL:
            kind = "Invoice" if type_code == "380" else "CreditNote"
            assert tree.findtext(f"{CBC}{kind}TypeCode") == type_code
            assert tree.findtext(f"{CBC}ID") == document.number
            assert tree.findtext(f".//{CBC}PayableAmount") == str(document.total.quantize(Decimal("0.01")))
            credited = tree.findtext(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference/{CBC}ID")
            credited_on = tree.findtext(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference/{CBC}IssueDate")
        else:
            assert tree.findtext(f".//{RAM}TypeCode") == type_code
            assert tree.findtext(f".//{RAM}GrandTotalAmount") == str(document.total.quantize(Decimal("0.01")))
            credited = tree.findtext(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID")
            credited_on = tree.findtext(f".//{RAM}InvoiceReferencedDocument//{{*}}DateTimeString")
            if credited_on is not None:
                credited_on = f"{credited_on[:4]}-{credited_on[4:6]}-{credited_on[6:]}"
        # The net prices (BT-146), stored as 5.2000 and 10.0000, in euros' minor units.
        price = (
            f".//{CAC}Price/{CBC}PriceAmount"
            if invoice_format == InvoiceFormat.UBL
            else f".//{RAM}NetPriceProductTradePrice/{RAM}ChargeAmount"
        )
        assert [element.text for element in tree.iterfind(price)] == (
            ["5.20", "10.00"] if document == invoice else ["5.20"]
        )
        # The credit memo names the invoice it credits and its date (BT-25, BT-26); the invoice none.
        assert credited == (invoice.number if document == credit_memo else None)
        assert credited_on == (
            timezone.localdate(invoice.issued_at).isoformat() if document == credit_memo else None
        )


def test_the_einvoice_dates_are_the_sellers_local_days(client, shop):
    """An invoice issued at 23:30 UTC on 7 December is issued on 8 December in Paris, as its PDF says:
    its issue date, delivery date and the credit memo's reference to it state that day."""
    _use(shop, InvoiceFormat.CII)
    invoice, credit_memo = _invoice_and_credit_memo(client)
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=late)
    Shipment.objects.filter(pk=invoice.shipment_id).update(shipped_at=late)
    invoice.refresh_from_db()
    credit_memo.refresh_from_db()
    model = einvoice.semantic_invoice(invoice, list(invoice.lines.all()))
    assert (model.issue_date, model.delivery_date) == (date(2026, 12, 8), date(2026, 12, 8))
    memo = einvoice.semantic_invoice(credit_memo, list(credit_memo.lines.all()))
    assert (memo.preceding_invoice, memo.preceding_invoice_date) == (invoice.number, date(2026, 12, 8))


def test_the_cii_carries_the_french_mentions(client, shop):
    _use(shop, InvoiceFormat.CII)
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    tree = etree.fromstring(bytes(invoice.einvoice))
    seller, buyer = tree.find(f".//{RAM}SellerTradeParty"), tree.find(f".//{RAM}BuyerTradeParty")
    assert (
        seller.findtext(f"{RAM}SpecifiedLegalOrganization/{RAM}ID"),
        seller.findtext(f"{RAM}GlobalID"),
        seller.findtext(f"{RAM}SpecifiedTaxRegistration/{RAM}ID"),
        buyer.findtext(f"{RAM}SpecifiedLegalOrganization/{RAM}ID"),
        buyer.findtext(f"{RAM}SpecifiedTaxRegistration/{RAM}ID"),
    ) == ("732829304", "73282930400011", "FR93732829304", "732829320", "FR44732829320")
    assert tree.findtext(f".//{RAM}BuyerOrderReferencedDocument/{RAM}IssuerAssignedID") == "PO-2026-000001"
    assert [e.text for e in tree.iter(f"{RAM}LineID")] == ["1", "1", "2", "2"]
    assert tree.findtext(f".//{RAM}BusinessProcessSpecifiedDocumentContextParameter/{RAM}ID") == "B1"
    assert tree.findtext(f".//{RAM}SpecifiedTradePaymentTerms/{RAM}Description") == (
        "Visa •••• 4242 (12/29). Paiement à réception de facture, sans escompte."
    )
    assert [n.findtext(f"{RAM}SubjectCode") for n in tree.iter(f"{RAM}IncludedNote")] == ["PMT", "PMD", "AAB"]
    ship_to = tree.find(f".//{RAM}ShipToTradeParty/{RAM}PostalTradeAddress")
    assert [child.text for child in ship_to] == ["69007", "12 rue des Entrepôts", "Lyon", "FR"]


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL])
def test_a_business_registered_by_its_siret_is_invoiced_with_it(client, shop, invoice_format):
    _use(shop, invoice_format)
    type(shop.business).objects.filter(pk=shop.business_id).update(tax_number="73282932000009")
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    report = en16931.validate(_xml(invoice))
    assert report.fatal == ()
    tree = etree.fromstring(_xml(invoice))
    if invoice_format == InvoiceFormat.CII:
        buyer = tree.find(f".//{RAM}BuyerTradeParty")
        found = (
            buyer.findtext(f"{RAM}GlobalID[@schemeID='0009']"),
            buyer.findtext(f"{RAM}SpecifiedLegalOrganization/{RAM}ID"),
            buyer.findtext(f"{RAM}SpecifiedTaxRegistration/{RAM}ID"),
        )
    else:
        buyer = tree.find(f"{CAC}AccountingCustomerParty/{CAC}Party")
        found = (
            buyer.findtext(f"{CAC}PartyIdentification/{CBC}ID[@schemeID='0009']"),
            buyer.findtext(f"{CAC}PartyLegalEntity/{CBC}CompanyID"),
            buyer.findtext(f"{CAC}PartyTaxScheme/{CBC}CompanyID"),
        )
    # The establishment's SIRET (BT-46), its company's SIREN (BT-47) and the VAT number made from it.
    assert found == ("73282932000009", "732829320", "FR44732829320")


def test_the_factur_x_pdf_carries_the_cii(client, shop):
    _use(shop, InvoiceFormat.FACTURX)
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    pdf = bytes(invoice.einvoice)
    assert pdf.startswith(b"%PDF-")
    # PDF/A-3B, as its XMP metadata says, with the CII as factur-x.xml.
    xmp = PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert xmp is not None
    xmp_text = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp_text or "<pdfaid:part>3</pdfaid:part>" in xmp_text
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp_text
    name, embedded = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.get_level(etree.fromstring(embedded)) == "en16931"
    # The same CII as issued on its own.
    _use(shop, InvoiceFormat.CII)
    assert etree.fromstring(embedded).findtext(f".//{RAM}GrandTotalAmount") == str(
        invoice.total.quantize(Decimal("0.01"))
    )


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL])
@override_settings(EINVOICE_SELLER_VAT_NUMBER="", EINVOICE_SELLER_SIREN="", EINVOICE_SELLER_SIRET="")
def test_an_invoice_without_the_seller_vat_number_nor_siren_is_not_issued(client, shop, invoice_format):
    _use(shop, invoice_format)
    order = place(client, [("B000PAPER1", 3)])
    outbox_before = OutboxMessage.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    message = refused.value.messages[0]
    assert message.startswith("Invoice INV-") and "it breaks the EN 16931 or French (BR-FR) rules" in message
    assert "[BR-CO-26]" in message and "[BR-S-02]" in message
    # Nothing was issued, shipped or sent.
    assert (Invoice.objects.count(), Shipment.objects.count(), OutboxMessage.objects.count()) == (
        0,
        0,
        outbox_before,
    )


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL])
@override_settings(EINVOICE_SELLER_SIREN="", EINVOICE_SELLER_SIRET="")
def test_an_invoice_without_the_seller_siren_is_not_issued_naming_br_fr_10(client, shop, invoice_format):
    # The VAT number satisfies EN 16931; a French seller also owes its SIREN (BT-30).
    _use(shop, invoice_format)
    order = place(client, [("B000PAPER1", 3)])
    with pytest.raises(ValidationError) as refused:
        services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    message = refused.value.messages[0]
    party = (
        "SellerTradeParty[1]"
        if invoice_format == InvoiceFormat.CII
        else "AccountingSupplierParty[1]/Party[1]"
    )
    assert message.startswith("Invoice INV-") and "it breaks the EN 16931 or French (BR-FR) rules" in message
    assert "[BR-FR-10] The seller's SIREN (BT-30" in message and message.endswith(f"{party})")
    assert "[BR-CO-26]" not in message
    assert (Invoice.objects.count(), Shipment.objects.count()) == (0, 0)


def test_the_ship_page_tells_staff_why_the_invoice_was_refused(client, shop):
    _use(shop, InvoiceFormat.UBL)
    order = place(client, [("B000PAPER1", 3)])
    client.force_login(make_operator())
    line = order.lines.get()
    with override_settings(EINVOICE_SELLER_VAT_NUMBER="", EINVOICE_SELLER_SIREN="", EINVOICE_SELLER_SIRET=""):
        response = client.post(
            f"/fulfilment/orders/{order.pk}/ship/",
            {f"line-{line.pk}": "3", "carrier": "DHL", "tracking_number": "JD1"},
            follow=True,
        )
    page = response.content.decode()
    assert "BR-S-02" in page and "BR-CO-26" in page
    assert (Invoice.objects.count(), Shipment.objects.count()) == (0, 0)


def test_a_wrong_total_is_refused_with_the_rule_named(client, shop):
    _use(shop, InvoiceFormat.CII)
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    tree = etree.fromstring(bytes(invoice.einvoice))
    grand = tree.find(f".//{RAM}GrandTotalAmount")
    grand.text = str(Decimal(grand.text) + 1)
    broken = etree.tostring(tree)
    with pytest.raises(en16931.InvalidInvoice) as refused:
        en16931.check(broken)
    # The grand total no longer is the net total plus VAT, nor the amount due the grand total.
    assert refused.value.report.rules == ["BR-CO-15", "BR-CO-16"]
    finding = refused.value.report.fatal[0]
    assert finding.location == "/CrossIndustryInvoice[1]"
    assert finding.message.startswith("Invoice total amount with VAT (BT-112) = Invoice total amount")


def test_the_cxml_default_issues_no_en16931_document(client, shop):
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    assert (invoice.einvoice_format, bytes(invoice.einvoice), invoice.sent_electronically) == ("", b"", True)
    assert OutboxMessage.objects.filter(kind="InvoiceDetailRequest").count() == 2


def test_an_operator_chooses_the_invoice_format_on_the_settings_page(client, shop):
    url = reverse("business-integration-settings", args=[shop.pk])
    client.force_login(make_operator())
    refused = client.post(url, {"field": "invoice_format", "value": "pdf", "reason": "Ticket 9"})
    shop.refresh_from_db()
    assert (refused.status_code, shop.invoice_format) == (200, InvoiceFormat.CXML)
    client.post(url, {"field": "invoice_format", "value": "ubl", "reason": "Ticket 10"})
    shop.refresh_from_db()
    change = SettingsChange.objects.get()
    assert (shop.invoice_format, change.old_value, change.new_value) == ("ubl", "cxml", "ubl")
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator("o2@m.test"))
    invoice = Invoice.objects.get()
    assert invoice.einvoice_format == "ubl"
    assert etree.fromstring(bytes(invoice.einvoice)).tag.endswith("}Invoice")


def test_the_business_downloads_the_einvoice_from_its_invoices(client, shop):
    _use(shop, InvoiceFormat.FACTURX)
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    client.force_login(shop.business.memberships.get(is_administrator=True).user)
    listing = client.get("/account/invoices/").content.decode()
    url = f"/account/invoices/{invoice.number}/einvoice/"
    assert f'<a href="{url}">Factur-X PDF (EN 16931)</a>' in listing
    download = client.get(url)
    assert (download.status_code, download["Content-Type"], download.content) == (
        200,
        "application/pdf",
        bytes(invoice.einvoice),
    )
    assert download["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    # Someone of another business gets nothing.
    client.force_login(make_operator("stranger@elsewhere.test"))
    assert client.get(url).status_code == 404


def test_an_invoice_sent_as_cxml_has_no_einvoice_to_download(client, shop):
    invoice, _credit_memo = _invoice_and_credit_memo(client)
    client.force_login(shop.business.memberships.get(is_administrator=True).user)
    assert client.get(f"/account/invoices/{invoice.number}/einvoice/").status_code == 404
    assert "/einvoice/" not in client.get("/account/invoices/").content.decode()


def test_automatic_fulfilment_leaves_an_order_whose_invoice_is_refused_in_the_queue(client, shop, caplog):
    _use(shop, InvoiceFormat.CII)
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    order = place(client, [("B000PAPER1", 1)])
    later = timezone.now() + timedelta(minutes=6)
    with override_settings(EINVOICE_SELLER_VAT_NUMBER="", EINVOICE_SELLER_SIREN="", EINVOICE_SELLER_SIRET=""):
        assert services.auto_fulfil(now=later) == []
    assert (Shipment.objects.count(), Invoice.objects.count()) == (0, 0)
    assert order in services.queue()
    assert f"Orders [{order.pk}] not shipped automatically: Invoice INV-" in caplog.text
    assert "[BR-S-02]" in caplog.text
    # Once the seller's identity is set, the next run ships it with a valid invoice.
    (shipment,) = services.auto_fulfil(now=later)
    assert en16931.validate(bytes(Invoice.objects.get(shipment=shipment).einvoice)).fatal == ()


@pytest.mark.parametrize("invoice_format", [InvoiceFormat.CII, InvoiceFormat.UBL])
def test_the_einvoice_states_the_vat_and_total_the_invoice_records(client, shop, invoice_format):
    # Two lines of 10.03 and shipping of 4.99, at 20 %: their VAT is 2.006, 2.006 and 0.998, rounded
    # 2.01, 2.01 and 1.00, 5.02 in all; the VAT of their basis, 25.05, would be 5.01. The e-invoice
    # states what the invoice records (and its cXML twin states): 5.02, within the ±1 EN 16931 allows
    # on a category's VAT (BR-S-09, BR-CO-17).
    _use(shop, invoice_format)
    Product.objects.filter(asin__in=["B000PAPER1", "B000PENS01"]).update(business_price=Decimal("10.03"))
    order = place(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    invoice = Invoice.objects.get(order=order, kind="invoice")
    assert (invoice.subtotal, invoice.shipping, invoice.tax, invoice.total) == (
        Decimal("20.06"),
        Decimal("4.99"),
        Decimal("5.02"),
        Decimal("30.07"),
    )
    xml = _xml(invoice)
    assert en16931.validate(xml).fatal == ()
    tree = etree.fromstring(xml)
    if invoice_format == InvoiceFormat.UBL:
        stated = (
            tree.findtext(f"{CAC}TaxTotal/{CBC}TaxAmount"),
            tree.findtext(f"{CAC}TaxTotal/{CAC}TaxSubtotal/{CBC}TaxAmount"),
            tree.findtext(f".//{CBC}PayableAmount"),
        )
    else:
        stated = (
            tree.findtext(f".//{RAM}TaxTotalAmount"),
            tree.findtext(f".//{RAM}ApplicableTradeTax/{RAM}CalculatedAmount"),
            tree.findtext(f".//{RAM}GrandTotalAmount"),
        )
    assert stated == ("5.02", "5.02", "30.07")
