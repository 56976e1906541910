"""An EN 16931 invoice as UN/CEFACT Cross Industry Invoice D16B (the EN 16931 profile, which is also
the XML of a Factur-X EN 16931 PDF)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from openprocure.core.en16931.model import Address, Invoice, Party, decimal_text, price_text, sub_element
from punchout.amounts import round_to

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE = "urn:cen.eu:en16931:2017"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    return sub_element(NSMAP, parent, tag, text, attrs)


def _amount(value: Decimal, minor: Decimal) -> str:
    return str(round_to(value, minor))


def _address(parent: etree._Element, address: Address) -> None:
    postal = _el(parent, "ram:PostalTradeAddress")
    _el(postal, "ram:PostcodeCode", address.postal_code)
    _el(postal, "ram:LineOne", address.street)
    _el(postal, "ram:CityName", address.city)
    _el(postal, "ram:CountryID", address.country)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _el(parent, tag)
    if party.siret:
        _el(element, "ram:GlobalID", party.siret, schemeID="0009")
    _el(element, "ram:Name", party.name)
    if party.siren:
        legal = _el(element, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", party.siren, schemeID="0002")
    _address(element, party.address)
    if party.vat_number:
        registration = _el(element, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", party.vat_number, schemeID="VA")


def _date(parent: etree._Element, tag: str, value: object) -> None:
    holder = _el(parent, tag)
    _el(holder, "udt:DateTimeString", format(value, "%Y%m%d"), format="102")


def build(invoice: Invoice, *, minor: Decimal) -> bytes:
    """The CII XML of ``invoice``, amounts rounded to ``minor`` (``Decimal("0.01")`` for EUR)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", invoice.operation)
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", invoice.type_code)
    _date(document, "ram:IssueDateTime", invoice.issue_date)
    for subject, text in invoice.notes:
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", text)
        _el(note, "ram:SubjectCode", subject)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.line_id)
        product = _el(item, "ram:SpecifiedTradeProduct")
        if line.item_id:
            _el(product, "ram:SellerAssignedID", line.item_id)
        _el(product, "ram:Name", line.name)
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        _el(_el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:LineID", line.order_line_id)
        price = _el(agreement, "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", price_text(line.net_price, invoice.currency))
        _el(
            _el(item, "ram:SpecifiedLineTradeDelivery"),
            "ram:BilledQuantity",
            decimal_text(line.quantity),
            unitCode=line.unit_code,
        )
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", decimal_text(line.vat_rate))
        summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, "ram:LineTotalAmount", _amount(line.net_amount, minor))

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        _el(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", invoice.seller)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    if invoice.order_reference:
        _el(
            _el(agreement, "ram:BuyerOrderReferencedDocument"),
            "ram:IssuerAssignedID",
            invoice.order_reference,
        )

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    if invoice.delivery_address is not None:
        ship_to = _el(delivery, "ram:ShipToTradeParty")
        if invoice.delivery_name:
            _el(ship_to, "ram:Name", invoice.delivery_name)
        _address(ship_to, invoice.delivery_address)
    if invoice.delivery_date is not None:
        event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
        _date(event, "ram:OccurrenceDateTime", invoice.delivery_date)

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    for breakdown in invoice.vat_breakdown(minor):
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(breakdown.amount, minor))
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:BasisAmount", _amount(breakdown.basis, minor))
        _el(tax, "ram:CategoryCode", "S")
        if invoice.vat_on_debits:
            _el(tax, "ram:DueDateTypeCode", "5")  # BT-8: VAT due at the invoice date
        _el(tax, "ram:RateApplicablePercent", decimal_text(breakdown.rate))
    for charge in invoice.charges:
        element = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _el(_el(element, "ram:ChargeIndicator"), "udt:Indicator", "true")
        _el(element, "ram:ActualAmount", _amount(charge.amount, minor))
        _el(element, "ram:Reason", charge.reason)
        tax = _el(element, "ram:CategoryTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", decimal_text(charge.vat_rate))
    if invoice.payment_terms:
        _el(_el(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:Description", invoice.payment_terms)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(invoice.line_total, minor))
    if invoice.charges:
        _el(summation, "ram:ChargeTotalAmount", _amount(invoice.charge_total, minor))
    _el(summation, "ram:TaxBasisTotalAmount", _amount(invoice.tax_basis, minor))
    _el(
        summation, "ram:TaxTotalAmount", _amount(invoice.tax_total(minor), minor), currencyID=invoice.currency
    )
    _el(summation, "ram:GrandTotalAmount", _amount(invoice.grand_total(minor), minor))
    _el(summation, "ram:DuePayableAmount", _amount(invoice.grand_total(minor), minor))
    if invoice.preceding_invoice:
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", invoice.preceding_invoice)
        if invoice.preceding_invoice_date is not None:
            issued = _el(reference, "ram:FormattedIssueDateTime")
            _el(issued, "qdt:DateTimeString", format(invoice.preceding_invoice_date, "%Y%m%d"), format="102")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
