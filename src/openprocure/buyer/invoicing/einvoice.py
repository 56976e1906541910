"""Reading EN 16931 invoices into plain data: UBL 2.1 (lxml with the UBL namespaces), UN/CEFACT CII
(``drafthorse``) and Factur-X PDFs (``factur-x`` extracts the embedded XML and checks it against the
Factur-X XSD, offline).

The result, :class:`ParsedInvoice`, is the same for every format and for cXML, so the services store
and match invoices one way. Business terms are cited by their EN 16931 number (BT-…).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from openprocure.buyer.invoicing.matching import VAT_BREAKDOWN
from openprocure.core.exceptions import ServiceError
from punchout import amounts, cxml
from punchout.money import quantize_money

ZERO = Decimal(0)

UBL_NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII_ROOT = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
# UNTDID 1001 document types that are credit notes (BT-3).
CREDIT_TYPE_CODES = {"381", "396", "532", "81", "83", "261", "262", "308"}
# UNTDID 1001 corrective invoice (BT-3): it replaces in full the invoice it names (BT-25).
CORRECTIVE_TYPE_CODE = "384"
CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
# The header Extrinsics a seller's cXML corrective invoice carries (a standard invoice naming the one it
# replaces; cXML has no replacement invoice): the EN 16931 type code, BT-25 and BT-26.
INVOICE_TYPE_EXTRINSIC = "invoiceTypeCode"
PRECEDING_INVOICE_EXTRINSIC = "precedingInvoiceID"
PRECEDING_DATE_EXTRINSIC = "precedingInvoiceDate"
# ISO 6523 ICD schemes of French company numbers (BT-30 / BT-29 schemeID).
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"


class EInvoiceError(ServiceError):
    """A file that is not a readable EN 16931 invoice; the message says what is wrong."""


@dataclass
class ParsedLine:
    line_number: int
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    order_number: str = ""
    order_line_number: int | None = None
    part_id: str = ""
    description: str = ""
    unit_of_measure: str = ""
    tax: Decimal | None = None
    tax_rate: Decimal | None = None  # percent, when the line states one rate


@dataclass
class ParsedInvoice:
    """An invoice in any format, as plain data (credit memos carry negative amounts)."""

    number: str
    invoice_date: date
    currency: str
    source: str
    is_credit: bool = False
    line_level_credit: bool = False
    seller_identifiers: list[tuple[str, str]] = field(default_factory=list)
    seller_name: str = ""
    #: The buyer's SIREN (BT-47 with scheme 0002, or the SIREN in its French VAT number), when stated.
    buyer_siren: str = ""
    order_number: str = ""
    lines: list[ParsedLine] = field(default_factory=list)
    subtotal: Decimal | None = None
    tax: Decimal = ZERO
    shipping: Decimal = ZERO
    special_handling: Decimal = ZERO
    total: Decimal | None = None
    due_amount: Decimal | None = None
    due_date: date | None = None
    # an early-payment discount from the payment terms: pay by this date to deduct this much
    discount_due_date: date | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    # a tax exemption says the VAT is reverse-charged: the buyer accounts for it
    reverse_charge: bool = False
    warnings: list[str] = field(default_factory=list)
    #: The header tax broken down (``punchout.amounts.TaxDetail``): tax on lines, shipping, handling
    #: (cXML), or the VAT of each rate on its lines and charges (EN 16931 BG-23, ``VAT_BREAKDOWN``).
    tax_details: list[amounts.TaxDetail] = field(default_factory=list)
    #: A corrective invoice (type 384): it replaces in full the invoice numbered ``preceding_number``
    #: (BT-25) of ``preceding_date`` (BT-26, when stated).
    corrective: bool = False
    preceding_number: str = ""
    preceding_date: date | None = None

    def negate(self) -> None:
        """Make a credit note's amounts negative (EN 16931 writes them positive)."""
        for line in self.lines:
            line.quantity = -abs(line.quantity)
            line.amount = -abs(line.amount)
            if line.tax is not None:
                line.tax = -abs(line.tax)
        self.subtotal = None if self.subtotal is None else -abs(self.subtotal)
        self.tax = -abs(self.tax)
        self.shipping = -abs(self.shipping)
        self.special_handling = -self.special_handling
        self.total = None if self.total is None else -abs(self.total)
        self.due_amount = None if self.due_amount is None else -abs(self.due_amount)
        self.tax_details = [
            amounts.TaxDetail(d.purpose, d.rate, -abs(d.taxable), -abs(d.amount)) for d in self.tax_details
        ]


def seller_siren(identifiers: list[tuple[str, str]]) -> str:
    """The SIREN among identifiers: stated, the head of a SIRET, or inside a French VAT number."""
    for scheme, value in identifiers:
        if scheme == "siren":
            return value
    for scheme, value in identifiers:
        if scheme == "siret" and len(value) == 14:
            return value[:9]
        if scheme == "vat" and value.startswith("FR") and len(value) == 13 and value[4:].isdigit():
            return value[4:]
    return ""


def normalize_identifier(value: str) -> str:
    """An identifier as stored: no spaces, dots or dashes, upper case."""
    return "".join(ch for ch in value if ch.isalnum() or ch in ":_").upper()


def _decimal(text: str | None, what: str) -> Decimal:
    try:
        return Decimal((text or "").strip())
    except (InvalidOperation, ValueError):
        raise EInvoiceError(_("%(what)s is not a number: %(text)r.") % {"what": what, "text": text}) from None


def _date(text: str | None, what: str) -> date:
    raw = (text or "").strip()
    try:
        if len(raw) == 8 and raw.isdigit():
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise EInvoiceError(_("%(what)s is not a date: %(text)r.") % {"what": what, "text": raw}) from None


def _int_or_none(text: str | None) -> int | None:
    raw = (text or "").strip()
    return int(raw) if raw.isdigit() else None


def _parser() -> etree.XMLParser:
    # Never fetch anything a document names: no DTD, no network, no entity expansion.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_einvoice(data: bytes, *, filename: str = "") -> ParsedInvoice:
    """Read a UBL, CII or Factur-X file (detected from its content)."""
    if data.lstrip().startswith(b"%PDF"):
        return parse_facturx(data)
    root = _xml_root(data)
    if root.tag == CII_ROOT:
        return parse_cii(data, source="cii")
    if root.tag in (f"{{{UBL_NS['inv']}}}Invoice", f"{{{UBL_NS['cn']}}}CreditNote"):
        return parse_ubl(root)
    raise EInvoiceError(
        _(
            "%(name)s is neither a UBL 2.1 Invoice/CreditNote nor a CII CrossIndustryInvoice (root element %(root)s)."
        )
        % {"name": filename or _("The file"), "root": etree.QName(root).localname}
    )


def _xml_root(data: bytes) -> Any:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise EInvoiceError(_("The XML declares a DOCTYPE or entities; EN 16931 invoices have none."))
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise EInvoiceError(_("The file is not well-formed XML: %(error)s") % {"error": error}) from None


# -- UBL 2.1 ------------------------------------------------------------------------------------------
def parse_ubl(root: Any) -> ParsedInvoice:
    """A UBL 2.1 Invoice or CreditNote (EN 16931 UBL syntax binding)."""
    is_credit_note = etree.QName(root).localname == "CreditNote"

    def text(node: Any, path: str) -> str:
        found = node.find(path, UBL_NS)
        return (found.text or "").strip() if found is not None and found.text else ""

    number = text(root, "cbc:ID")
    if not number:
        raise EInvoiceError(_("The invoice has no number (BT-1, cbc:ID)."))
    type_code = text(root, "cbc:CreditNoteTypeCode" if is_credit_note else "cbc:InvoiceTypeCode")
    currency = text(root, "cbc:DocumentCurrencyCode")
    if not currency:
        raise EInvoiceError(_("The invoice has no currency (BT-5, cbc:DocumentCurrencyCode)."))
    parsed = ParsedInvoice(
        number=number,
        invoice_date=_date(text(root, "cbc:IssueDate"), "BT-2 IssueDate"),
        currency=currency.upper(),
        source="ubl",
        is_credit=is_credit_note or type_code in CREDIT_TYPE_CODES,
        order_number=text(root, "cac:OrderReference/cbc:ID"),
    )
    if type_code == CORRECTIVE_TYPE_CODE and not is_credit_note:
        reference = "cac:BillingReference/cac:InvoiceDocumentReference/"
        preceding_date = text(root, reference + "cbc:IssueDate")
        parsed.corrective = True
        parsed.preceding_number = text(root, reference + "cbc:ID")
        parsed.preceding_date = _date(preceding_date, "BT-26 IssueDate") if preceding_date else None
    due = text(root, "cbc:DueDate") or text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    parsed.due_date = _date(due, "BT-9 DueDate") if due else None
    party = root.find("cac:AccountingSupplierParty/cac:Party", UBL_NS)
    if party is None:
        raise EInvoiceError(_("The invoice has no seller (BG-4, cac:AccountingSupplierParty)."))
    parsed.seller_name = text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or text(
        party, "cac:PartyName/cbc:Name"
    )
    for node in party.findall("cac:PartyTaxScheme/cbc:CompanyID", UBL_NS):
        parsed.seller_identifiers.append(("vat", normalize_identifier(node.text or "")))
    for node in [
        *party.findall("cac:PartyLegalEntity/cbc:CompanyID", UBL_NS),
        *party.findall("cac:PartyIdentification/cbc:ID", UBL_NS),
    ]:
        parsed.seller_identifiers.append(_scheme_identifier(node.get("schemeID", ""), node.text or ""))
    for node in party.findall("cbc:EndpointID", UBL_NS):
        parsed.seller_identifiers.append(_electronic_address(node.get("schemeID", ""), node.text or ""))
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", UBL_NS)
    if buyer is not None:
        parsed.buyer_siren = seller_siren(
            [
                _scheme_identifier(node.get("schemeID", ""), node.text or "")
                for node in buyer.findall("cac:PartyLegalEntity/cbc:CompanyID", UBL_NS)
            ]
            + [
                ("vat", normalize_identifier(node.text or ""))
                for node in buyer.findall("cac:PartyTaxScheme/cbc:CompanyID", UBL_NS)
            ]
        )
    line_tag = "cac:CreditNoteLine" if is_credit_note else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity"
    for index, node in enumerate(root.findall(line_tag, UBL_NS), start=1):
        quantity_node = node.find(quantity_tag, UBL_NS)
        base = text(node, "cac:Price/cbc:BaseQuantity")
        price = _decimal(text(node, "cac:Price/cbc:PriceAmount"), f"BT-146 line {index}")
        if base:
            price = price / _decimal(base, f"BT-149 line {index}")
        parsed.lines.append(
            ParsedLine(
                line_number=_int_or_none(text(node, "cbc:ID")) or index,
                quantity=_decimal(
                    quantity_node.text if quantity_node is not None else "", f"BT-129 line {index}"
                ),
                unit_of_measure=(quantity_node.get("unitCode", "") if quantity_node is not None else "")[:16],
                unit_price=price,
                amount=_decimal(text(node, "cbc:LineExtensionAmount"), f"BT-131 line {index}"),
                order_number=parsed.order_number,
                order_line_number=_int_or_none(text(node, "cac:OrderLineReference/cbc:LineID")),
                part_id=text(node, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
                description=text(node, "cac:Item/cbc:Name"),
                tax_rate=_rate(text(node, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"), index),
            )
        )
    totals = root.find("cac:LegalMonetaryTotal", UBL_NS)
    if totals is None:
        raise EInvoiceError(_("The invoice has no totals (BG-22, cac:LegalMonetaryTotal)."))
    parsed.subtotal = _decimal(text(totals, "cbc:LineExtensionAmount"), "BT-106")
    charges = text(totals, "cbc:ChargeTotalAmount")
    allowances = text(totals, "cbc:AllowanceTotalAmount")
    parsed.shipping = _decimal(charges, "BT-108") if charges else ZERO
    parsed.special_handling = -_decimal(allowances, "BT-107") if allowances else ZERO
    tax_amounts = [
        _decimal(node.text, "BT-110")
        for node in root.findall("cac:TaxTotal/cbc:TaxAmount", UBL_NS)
        if (node.get("currencyID") or currency).upper() == parsed.currency
    ]
    parsed.tax = tax_amounts[0] if tax_amounts else ZERO
    for total in root.findall("cac:TaxTotal", UBL_NS):
        stated = total.find("cbc:TaxAmount", UBL_NS)
        if stated is None or (stated.get("currencyID") or currency).upper() != parsed.currency:
            continue
        for node in total.findall("cac:TaxSubtotal", UBL_NS):
            _add_breakdown(
                parsed,
                text(node, "cac:TaxCategory/cbc:Percent"),
                text(node, "cbc:TaxableAmount"),
                text(node, "cbc:TaxAmount"),
            )
    parsed.total = _decimal(text(totals, "cbc:TaxInclusiveAmount"), "BT-112")
    parsed.due_amount = _decimal(text(totals, "cbc:PayableAmount"), "BT-115")
    if parsed.is_credit:
        parsed.negate()
    return parsed


def _rate(text: str, index: int) -> Decimal | None:
    """A line's VAT rate (BT-152), when stated."""
    return _decimal(text, f"BT-152 line {index}") if text else None


def _add_breakdown(parsed: ParsedInvoice, rate: str, basis: str, amount: str) -> None:
    """One VAT breakdown (BG-23) of the invoice: its rate (BT-119), basis (BT-116) and VAT (BT-117)."""
    if not rate:
        return
    parsed.tax_details.append(
        amounts.TaxDetail(
            VAT_BREAKDOWN,
            _decimal(rate, "BT-119"),
            _decimal(basis or "0", "BT-116"),
            _decimal(amount or "0", "BT-117"),
        )
    )


def _electronic_address(scheme: str, value: str) -> tuple[str, str]:
    """A seller's electronic address (BT-34): its EAS scheme and the address, as registered."""
    address = "".join(value.split())
    return ("eaddr", f"{scheme.strip()}:{address}" if scheme.strip() else address)


def _scheme_identifier(scheme: str, value: str) -> tuple[str, str]:
    clean = normalize_identifier(value)
    if scheme == SIREN_SCHEME or (not scheme and len(clean) == 9 and clean.isdigit()):
        return ("siren", clean)
    if scheme == SIRET_SCHEME or (not scheme and len(clean) == 14 and clean.isdigit()):
        return ("siret", clean)
    if scheme in ("0088",):
        return ("gln", clean)
    if scheme in ("0060",):
        return ("duns", clean)
    if scheme in ("9957", "VA") or (clean[:2].isalpha() and clean[2:].isalnum() and scheme.startswith("99")):
        return ("vat", clean)
    return ("other", f"{scheme}:{clean}" if scheme else clean)


# -- CII (drafthorse) ---------------------------------------------------------------------------------
def _value(element: Any) -> Any:
    """The value drafthorse read into an element (it keeps it in a private slot per element kind)."""
    for slot in ("_amount", "_value", "_text"):
        value = getattr(element, slot, None)
        if value not in (None, ""):
            return value
    return None


def _text(element: Any) -> str:
    value = _value(element)
    return "" if value is None else str(value).strip()


def _amount(element: Any, what: str) -> Decimal | None:
    value = _value(element)
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else _decimal(str(value), what)


def parse_cii(data: bytes, *, source: str) -> ParsedInvoice:
    """A UN/CEFACT CII invoice (EN 16931 CII binding; Factur-X / ZUGFeRD)."""
    from drafthorse.models.document import Document

    root = _xml_root(data)  # the same hostile-XML refusal as UBL before drafthorse reads it
    try:
        document = Document.parse(data)
    except Exception as error:  # drafthorse raises plain exceptions on unexpected structure
        raise EInvoiceError(_("The CII invoice cannot be read: %(error)s") % {"error": error}) from None
    header = document.header
    number = _text(header.id)
    if not number:
        raise EInvoiceError(_("The invoice has no number (BT-1, rsm:ExchangedDocument/ram:ID)."))
    issue = _value(header.issue_date_time)
    if not isinstance(issue, date):
        raise EInvoiceError(_("The invoice has no date (BT-2)."))
    settlement = document.trade.settlement
    currency = _text(settlement.currency_code).upper()
    if not currency:
        raise EInvoiceError(_("The invoice has no currency (BT-5, ram:InvoiceCurrencyCode)."))
    agreement = document.trade.agreement
    parsed = ParsedInvoice(
        number=number,
        invoice_date=issue,
        currency=currency,
        source=source,
        is_credit=_text(header.type_code) in CREDIT_TYPE_CODES,
        order_number=_text(agreement.buyer_order.issuer_assigned_id),
        seller_name=_text(agreement.seller.name),
    )
    if _text(header.type_code) == CORRECTIVE_TYPE_CODE:
        referenced = ".//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/"
        preceding_date = root.findtext(
            referenced + "ram:FormattedIssueDateTime/qdt:DateTimeString", "", CII_NS
        )
        parsed.corrective = True
        parsed.preceding_number = root.findtext(referenced + "ram:IssuerAssignedID", "", CII_NS).strip()
        parsed.preceding_date = _date(preceding_date, "BT-26") if preceding_date.strip() else None
    seller = agreement.seller
    for registration in seller.tax_registrations.children:
        scheme = getattr(registration.id, "_scheme_id", "") or ""
        value = normalize_identifier(_text(registration.id))
        if value:
            parsed.seller_identifiers.append(
                ("vat", value) if scheme == "VA" else ("other", f"{scheme}:{value}")
            )
    legal = seller.legal_organization.id
    if _text(legal):
        parsed.seller_identifiers.append(
            _scheme_identifier(getattr(legal, "_scheme_id", "") or "", _text(legal))
        )
    endpoint = seller.electronic_address.uri_ID
    if _text(endpoint):
        parsed.seller_identifiers.append(
            _electronic_address(getattr(endpoint, "_scheme_id", "") or "", _text(endpoint))
        )
    buyer = agreement.buyer
    buyer_ids = [
        _scheme_identifier(
            getattr(buyer.legal_organization.id, "_scheme_id", "") or "", _text(buyer.legal_organization.id)
        )
    ]
    buyer_ids += [
        ("vat", normalize_identifier(_text(registration.id)))
        for registration in buyer.tax_registrations.children
    ]
    parsed.buyer_siren = seller_siren([pair for pair in buyer_ids if pair[1]])
    rates = [
        node.findtext(
            "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent", "", CII_NS
        ).strip()
        for node in root.findall(
            "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", CII_NS
        )
    ]
    for index, item in enumerate(document.trade.items.children, start=1):
        quantity = _amount(item.delivery.billed_quantity, f"BT-129 line {index}") or ZERO
        price = _amount(item.agreement.net.amount, f"BT-146 line {index}") or ZERO
        basis = _amount(item.agreement.net.basis_quantity, f"BT-149 line {index}")
        parsed.lines.append(
            ParsedLine(
                line_number=_int_or_none(_text(item.document.line_id)) or index,
                quantity=quantity,
                unit_of_measure=(getattr(item.delivery.billed_quantity, "_unit_code", "") or "")[:16],
                unit_price=price / basis if basis else price,
                amount=_amount(item.settlement.monetary_summation.total_amount, f"BT-131 line {index}")
                or ZERO,
                order_number=parsed.order_number,
                order_line_number=_int_or_none(_text(item.agreement.buyer_order.line_id)),
                part_id=_text(item.product.seller_assigned_id),
                description=_text(item.product.name),
                tax_rate=_rate(rates[index - 1] if index <= len(rates) else "", index),
            )
        )
    totals = settlement.monetary_summation
    parsed.subtotal = _amount(totals.line_total, "BT-106")
    parsed.shipping = _amount(totals.charge_total, "BT-108") or ZERO
    parsed.special_handling = -(_amount(totals.allowance_total, "BT-107") or ZERO)
    # BT-110: drafthorse reads every TaxTotalAmount into the multi-currency container as
    # (amount, currency) pairs; keep the one in the invoice currency.
    candidates: list[tuple[Any, Any]] = [
        (_value(totals.tax_total), getattr(totals.tax_total, "_currency", None))
    ]
    candidates += [tuple(child) for child in totals.tax_total_other_currency.children]
    for amount, amount_currency in candidates:
        if amount not in (None, "") and (amount_currency or currency).upper() == currency:
            parsed.tax = _decimal(str(amount), "BT-110")
    parsed.total = _amount(totals.grand_total, "BT-112")
    parsed.due_amount = _amount(totals.due_amount, "BT-115")
    for node in root.findall(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", CII_NS
    ):
        _add_breakdown(
            parsed,
            node.findtext("ram:RateApplicablePercent", "", CII_NS).strip(),
            node.findtext("ram:BasisAmount", "", CII_NS).strip(),
            node.findtext("ram:CalculatedAmount", "", CII_NS).strip(),
        )
    for term in settlement.terms.children:
        due = _value(term.due)
        if isinstance(due, date):
            parsed.due_date = due
            break
    if parsed.is_credit:
        parsed.negate()
    return parsed


# -- Factur-X -----------------------------------------------------------------------------------------
def parse_facturx(data: bytes) -> ParsedInvoice:
    """A Factur-X (or ZUGFeRD 2) PDF: the embedded CII, checked against its XSD, then read as CII."""
    import facturx

    try:
        _name, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    except Exception as error:  # factur-x raises plain exceptions for broken PDFs and XSD failures
        raise EInvoiceError(
            _("The Factur-X XML does not pass its XSD check: %(error)s") % {"error": error}
        ) from None
    return parse_cii(carried_xml(xml), source="facturx")


def carried_xml(xml: bytes | None) -> bytes:
    """The XML a Factur-X PDF was found to carry; :class:`EInvoiceError` when it carries none."""
    if not xml:
        raise EInvoiceError(
            _(
                "This PDF carries no Factur-X/ZUGFeRD XML: upload the electronic invoice, or enter a paper invoice by hand."
            )
        )
    return bytes(xml)


def check_cii_xsd(data: bytes) -> list[str]:
    """Warnings from the Factur-X XSD check of a bare CII file (empty when it passes)."""
    import facturx

    try:
        facturx.xml_check_xsd(data, flavor="factur-x", level="autodetect")
    except Exception as error:
        return [str(error)[:500]]
    return []


# -- cXML -------------------------------------------------------------------------------------------
def parsed_from_cxml(request: cxml.InvoiceDetailRequest, orders: Mapping[str, Any]) -> ParsedInvoice:
    """A cXML InvoiceDetailRequest as plain invoice data (credit memos made negative).

    ``orders`` maps an order reference (``orderID``, or ``payload:<payloadID>``) to the purchase order
    it names (anything with a ``number``).
    """
    header = request.header
    summary = request.summary
    purpose = str(header.purpose)
    is_credit = purpose in ("creditMemo", "lineLevelCreditMemo")
    currency = ""
    lines: list[ParsedLine] = []
    for order in request.orders:
        reference = order.order_reference
        po = orders.get(reference.order_id or "") or orders.get(f"payload:{reference.payload_id}")
        number = po.number if po else (reference.order_id or "")
        for item in order.items:
            price = item.unit_price.amount if item.unit_price else ZERO
            money = item.subtotal_amount or item.net_amount or item.gross_amount
            amount = money.amount if money else item.quantity * price
            currency = currency or (money or item.unit_price or cxml.Money(ZERO, "")).currency
            lines.append(
                ParsedLine(
                    line_number=item.invoice_line_number,
                    quantity=-abs(item.quantity) if is_credit else item.quantity,
                    unit_price=abs(price) if is_credit else price,
                    amount=-abs(amount) if is_credit else amount,
                    order_number=number,
                    order_line_number=item.reference.line_number,
                    part_id=item.reference.item_id.supplier_part_id if item.reference.item_id else "",
                    description=item.reference.description.text if item.reference.description else "",
                    unit_of_measure=item.unit_of_measure,
                    tax=_signed_tax(item.tax, is_credit),
                    tax_rate=_single_rate(item.tax),
                )
            )

    def signed(money: cxml.Money | None) -> Decimal | None:
        if money is None:
            return None
        return -abs(money.amount) if is_credit else money.amount

    for money in (summary.subtotal_amount, summary.gross_amount, summary.net_amount, summary.due_amount):
        if money is not None:
            currency = money.currency
            break
    tax = summary.tax.money if summary.tax else None
    total = summary.gross_amount
    if total is None and summary.net_amount is not None and summary.net_amount.amount:
        total = summary.net_amount
    parsed = ParsedInvoice(
        number=header.invoice_id,
        invoice_date=(header.invoice_date.date() if header.invoice_date else timezone.localdate()),
        currency=(currency or "EUR").upper(),
        source="cxml",
        is_credit=is_credit,
        line_level_credit=purpose == "lineLevelCreditMemo",
        order_number="",
        lines=lines,
        subtotal=signed(summary.subtotal_amount),
        tax=signed(tax) or ZERO,
        shipping=signed(summary.shipping_amount) or ZERO,
        special_handling=signed(summary.special_handling_amount) or ZERO,
        total=signed(total),
        due_amount=signed(summary.due_amount),
        tax_details=_tax_details(summary.tax, is_credit),
        reverse_charge=_reverse_charged(request),
    )
    _apply_payment_terms(parsed, header.payment_terms)
    if (
        not is_credit
        and cxml.get_extrinsic(header.extrinsics, INVOICE_TYPE_EXTRINSIC) == CORRECTIVE_TYPE_CODE
    ):
        preceding_date = (cxml.get_extrinsic(header.extrinsics, PRECEDING_DATE_EXTRINSIC) or "").strip()
        parsed.corrective = True
        parsed.preceding_number = (
            cxml.get_extrinsic(header.extrinsics, PRECEDING_INVOICE_EXTRINSIC) or ""
        ).strip()
        parsed.preceding_date = _date(preceding_date, "precedingInvoiceDate") if preceding_date else None
    return parsed


def amount_due(parsed: ParsedInvoice) -> Decimal:
    """What the invoice asks to be paid: its due amount, else its total, else lines + charges + tax."""
    if parsed.due_amount is not None:
        return parsed.due_amount
    if parsed.total is not None:
        return parsed.total
    subtotal = (
        parsed.subtotal if parsed.subtotal is not None else sum((line.amount for line in parsed.lines), ZERO)
    )
    return subtotal + parsed.tax + parsed.shipping + parsed.special_handling


#: Payment terms beyond this many days, discounts beyond 100 % or beyond this amount are not terms
#: anyone pays by: they are ignored with a warning instead of stored.
MAX_PAYMENT_DAYS = 3660
MAX_DISCOUNT_AMOUNT = Decimal("1e15")


def _apply_payment_terms(parsed: ParsedInvoice, terms: list[cxml.PaymentTerm]) -> None:
    """Due date and early-payment discount from the invoice's payment terms (cXML PaymentTerm:
    pay within so many days of the invoice date; a term with a Discount earns it)."""
    usable = []
    for term in terms:
        discount = term.discount
        if not 0 <= term.pay_in_days <= MAX_PAYMENT_DAYS or (
            discount is not None
            and (
                (discount.percent is not None and not -100 <= discount.percent <= 100)
                or (discount.amount is not None and abs(discount.amount.amount) >= MAX_DISCOUNT_AMOUNT)
            )
        ):
            parsed.warnings.append(
                _("A payment term of %(days)s days was ignored: it is not one anyone pays by.")
                % {"days": term.pay_in_days}
            )
            continue
        usable.append(term)
    due_date, early = cxml.due_dates(usable, parsed.invoice_date)
    parsed.due_date = due_date
    if early is None or early.discount is None:
        return
    parsed.discount_due_date = parsed.invoice_date + timedelta(days=early.pay_in_days)
    if early.discount.percent is not None:
        parsed.discount_percent = early.discount.percent.quantize(Decimal("0.0001"))
        parsed.discount_amount = quantize_money(
            amount_due(parsed) * early.discount.percent / 100, parsed.currency
        )
    elif early.discount.amount is not None:
        parsed.discount_amount = quantize_money(early.discount.amount.amount, parsed.currency)


def _reverse_charged(request: cxml.InvoiceDetailRequest) -> bool:
    """Whether a tax detail of the invoice (summary or lines) is a reverse charge."""
    taxes = [request.summary.tax, *(item.tax for order in request.orders for item in order.items)]
    return any(
        detail.exemption is not None and detail.exemption.is_reverse_charge
        for tax in taxes
        if tax is not None
        for detail in tax.details
    )


def _signed_tax(tax: cxml.Tax | None, is_credit: bool) -> Decimal | None:
    """A line's stated tax (negative on a credit memo, however the supplier signed it)."""
    if tax is None or tax.money is None:
        return None
    return -abs(tax.money.amount) if is_credit else tax.money.amount


def _single_rate(tax: cxml.Tax | None) -> Decimal | None:
    """The rate of a line taxed at one rate (one TaxDetail stating ``percentageRate``), else None."""
    if tax is None:
        return None
    rates = {detail.percentage_rate for detail in tax.details}
    if len(rates) != 1:
        return None
    return rates.pop()


def _tax_details(tax: cxml.Tax | None, is_credit: bool) -> list[amounts.TaxDetail]:
    """The header tax's TaxDetails that state an amount (negative on a credit memo)."""
    found = []
    for detail in tax.details if tax is not None else []:
        if detail.tax_amount is None:
            continue
        amount = detail.tax_amount.amount
        taxable = detail.taxable_amount.amount if detail.taxable_amount is not None else ZERO
        if is_credit:
            amount, taxable = -abs(amount), -abs(taxable)
        purpose = amounts.charge_purpose(detail.purpose) or (detail.purpose or amounts.GOODS)
        found.append(amounts.TaxDetail(purpose, detail.percentage_rate, taxable, amount))
    return found
