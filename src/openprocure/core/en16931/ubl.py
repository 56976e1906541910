"""An EN 16931 invoice as OASIS UBL 2.1: an ``Invoice`` (380, 384) or a ``CreditNote`` (381)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from openprocure.core.en16931.model import (
    Address,
    Invoice,
    Party,
    TypeCode,
    decimal_text,
    price_text,
    sub_element,
)
from punchout.amounts import round_to

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CUSTOMIZATION = "urn:cen.eu:en16931:2017"
_PREFIXES = {"cac": CAC, "cbc": CBC}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    return sub_element(_PREFIXES, parent, tag, text, attrs)


def _address(parent: etree._Element, tag: str, address: Address) -> None:
    element = _el(parent, tag)
    _el(element, "cbc:StreetName", address.street)
    _el(element, "cbc:CityName", address.city)
    _el(element, "cbc:PostalZone", address.postal_code)
    _el(_el(element, "cac:Country"), "cbc:IdentificationCode", address.country)


def _vat_category(parent: etree._Element, tag: str, rate: Decimal) -> None:
    category = _el(parent, tag)
    _el(category, "cbc:ID", "S")
    _el(category, "cbc:Percent", decimal_text(rate))
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _el(_el(parent, tag), "cac:Party")
    if party.siret:
        _el(_el(element, "cac:PartyIdentification"), "cbc:ID", party.siret, schemeID="0009")
    _el(_el(element, "cac:PartyName"), "cbc:Name", party.name)
    _address(element, "cac:PostalAddress", party.address)
    if party.vat_number:
        scheme = _el(element, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", party.vat_number)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(element, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", party.name)
    if party.siren:
        _el(legal, "cbc:CompanyID", party.siren, schemeID="0002")


def build(invoice: Invoice, *, minor: Decimal) -> bytes:
    """The UBL XML of ``invoice``, amounts rounded to ``minor``."""
    credit = invoice.type_code == TypeCode.CREDIT_NOTE
    kind = "CreditNote" if credit else "Invoice"
    # The None key is the default namespace for lxml; its stubs type the keys as str only.
    namespaces: dict[Any, str] = {None: CREDIT_NOTE if credit else INVOICE, **_PREFIXES}
    root = etree.Element(
        f"{{{CREDIT_NOTE if credit else INVOICE}}}{kind}",
        nsmap=namespaces,
    )
    currency = invoice.currency

    def money(parent: etree._Element, tag: str, value: Decimal) -> None:
        _el(parent, tag, str(round_to(value, minor)), currencyID=currency)

    _el(root, "cbc:CustomizationID", CUSTOMIZATION)
    _el(root, "cbc:ProfileID", invoice.operation)
    _el(root, "cbc:ID", invoice.number)
    _el(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    _el(root, f"cbc:{kind}TypeCode", invoice.type_code)
    for subject, text in invoice.notes:
        _el(root, "cbc:Note", f"#{subject}#{text}")
    _el(root, "cbc:DocumentCurrencyCode", currency)
    if invoice.buyer_reference:
        _el(root, "cbc:BuyerReference", invoice.buyer_reference)
    if invoice.vat_on_debits:
        # BT-8: VAT due at the invoice date
        _el(_el(root, "cac:InvoicePeriod"), "cbc:DescriptionCode", "3")
    if invoice.order_reference:
        _el(_el(root, "cac:OrderReference"), "cbc:ID", invoice.order_reference)
    if invoice.preceding_invoice:
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", invoice.preceding_invoice)
        if invoice.preceding_invoice_date is not None:
            _el(reference, "cbc:IssueDate", invoice.preceding_invoice_date.isoformat())
    _party(root, "cac:AccountingSupplierParty", invoice.seller)
    _party(root, "cac:AccountingCustomerParty", invoice.buyer)
    if invoice.delivery_address is not None or invoice.delivery_date is not None:
        delivery = _el(root, "cac:Delivery")
        if invoice.delivery_date is not None:
            _el(delivery, "cbc:ActualDeliveryDate", invoice.delivery_date.isoformat())
        if invoice.delivery_address is not None:
            _address(_el(delivery, "cac:DeliveryLocation"), "cac:Address", invoice.delivery_address)
        if invoice.delivery_name:
            _el(_el(_el(delivery, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", invoice.delivery_name)
    if invoice.payment_terms:
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)
    for charge in invoice.charges:
        element = _el(root, "cac:AllowanceCharge")
        _el(element, "cbc:ChargeIndicator", "true")
        _el(element, "cbc:AllowanceChargeReason", charge.reason)
        money(element, "cbc:Amount", charge.amount)
        _vat_category(element, "cac:TaxCategory", charge.vat_rate)
    tax_total = _el(root, "cac:TaxTotal")
    money(tax_total, "cbc:TaxAmount", invoice.tax_total(minor))
    for breakdown in invoice.vat_breakdown(minor):
        subtotal = _el(tax_total, "cac:TaxSubtotal")
        money(subtotal, "cbc:TaxableAmount", breakdown.basis)
        money(subtotal, "cbc:TaxAmount", breakdown.amount)
        _vat_category(subtotal, "cac:TaxCategory", breakdown.rate)
    totals = _el(root, "cac:LegalMonetaryTotal")
    money(totals, "cbc:LineExtensionAmount", invoice.line_total)
    money(totals, "cbc:TaxExclusiveAmount", invoice.tax_basis)
    money(totals, "cbc:TaxInclusiveAmount", invoice.grand_total(minor))
    if invoice.charges:
        money(totals, "cbc:ChargeTotalAmount", invoice.charge_total)
    money(totals, "cbc:PayableAmount", invoice.grand_total(minor))
    for line in invoice.lines:
        element = _el(root, f"cac:{kind}Line")
        _el(element, "cbc:ID", line.line_id)
        _el(
            element,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            decimal_text(line.quantity),
            unitCode=line.unit_code,
        )
        money(element, "cbc:LineExtensionAmount", line.net_amount)
        _el(_el(element, "cac:OrderLineReference"), "cbc:LineID", line.order_line_id)
        item = _el(element, "cac:Item")
        _el(item, "cbc:Name", line.name)
        if line.item_id:
            _el(_el(item, "cac:SellersItemIdentification"), "cbc:ID", line.item_id)
        _vat_category(item, "cac:ClassifiedTaxCategory", line.vat_rate)
        _el(
            _el(element, "cac:Price"),
            "cbc:PriceAmount",
            price_text(line.net_price, currency),
            currencyID=currency,
        )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
