"""Factur-X invoices for the buyer's tests (uploads and the e-invoicing platform)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import facturx
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.party import TaxRegistration
from drafthorse.models.tradelines import LineItem
from pypdf import PdfWriter


def facturx_pdf(order_id: str, siren: str, number: str = "FX-1", *, buyer_siren: str = "") -> bytes:
    """A Factur-X (EN 16931) invoice of 12 x 10.00 EUR + 20% VAT on order ``order_id``, from SIREN
    ``siren`` (none when empty) to SIREN ``buyer_siren`` when given."""
    doc = Document()
    doc.context.guideline_parameter.id = "urn:cen.eu:en16931:2017"
    doc.header.id = number
    doc.header.type_code = "380"
    doc.header.issue_date_time = date(2026, 3, 6)
    doc.trade.agreement.seller.name = "Office Supply Co"
    doc.trade.agreement.seller.address.country_id = "FR"
    doc.trade.agreement.seller.tax_registrations.add(TaxRegistration(id=("VA", "FR40303265045")))
    if siren:
        doc.trade.agreement.seller.legal_organization.id = ("0002", siren)
    doc.trade.agreement.buyer.name = "Acme"
    doc.trade.agreement.buyer.address.country_id = "FR"
    if buyer_siren:
        doc.trade.agreement.buyer.legal_organization.id = ("0002", buyer_siren)
    doc.trade.agreement.buyer_order.issuer_assigned_id = order_id
    doc.trade.settlement.currency_code = "EUR"
    doc.trade.settlement.payment_means.type_code = "30"
    item = LineItem()
    item.document.line_id = "1"
    item.agreement.buyer_order.line_id = "1"
    item.product.seller_assigned_id = "PAPER-A4"
    item.product.name = "Paper"
    item.agreement.net.amount = Decimal("10.00")
    item.delivery.billed_quantity = (Decimal("12"), "C62")
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = "S"
    item.settlement.trade_tax.rate_applicable_percent = Decimal("20.00")
    item.settlement.monetary_summation.total_amount = Decimal("120.00")
    doc.trade.items.add(item)
    tax = ApplicableTradeTax()
    tax.calculated_amount = Decimal("24.00")
    tax.basis_amount = Decimal("120.00")
    tax.type_code = "VAT"
    tax.category_code = "S"
    tax.rate_applicable_percent = Decimal("20.00")
    doc.trade.settlement.trade_tax.add(tax)
    totals = doc.trade.settlement.monetary_summation
    totals.line_total = Decimal("120.00")
    totals.charge_total = Decimal("0.00")
    totals.allowance_total = Decimal("0.00")
    totals.tax_basis_total = Decimal("120.00")
    totals.tax_total = (Decimal("24.00"), "EUR")
    totals.grand_total = Decimal("144.00")
    totals.due_amount = Decimal("144.00")
    xml = doc.serialize(schema="FACTUR-X_EN16931")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    pdf = io.BytesIO()
    writer.write(pdf)
    return facturx.generate_from_binary(pdf.getvalue(), xml)
