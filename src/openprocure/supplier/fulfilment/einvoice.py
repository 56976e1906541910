"""Our invoices and credit memos as EN 16931 e-invoices: UN/CEFACT CII, UBL 2.1 or Factur-X (the
invoice PDF, PDF/A-3, with its CII embedded), with the French mandatory mentions the data carries,
each checked against its schema, the EN 16931 rules and the French rules (BR-FR) before it may leave
(``openprocure.core.en16931.check`` raises ``InvalidInvoice`` otherwise).

The seller is us: the ``EINVOICE_SELLER_*`` tunables. The buyer is the business: its SIREN and VAT
number come from its registered tax number (a SIREN gives the French VAT number, a French VAT
number gives the SIREN).
"""

from __future__ import annotations

from decimal import Decimal

import facturx
from django.utils import timezone
from stdnum.eu import vat
from stdnum.fr import siren, siret

from openprocure.core import en16931
from openprocure.core.en16931 import cii, ubl
from openprocure.core.en16931.model import Address, Charge, Line, Operation, Party, TypeCode
from openprocure.core.en16931.model import Invoice as EInvoice
from openprocure.core.pdf import render_pdf
from openprocure.core.reference import minor_units
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.business.models import Business
from openprocure.supplier.fulfilment.choices import InvoiceKind
from openprocure.supplier.fulfilment.models import Invoice, InvoiceLine
from punchout.amounts import round_to

# cXML units that are UN/ECE Recommendation 21 package codes without their "X" (as ANSI X12 spells
# them); EN 16931 (BR-CL-23) takes Recommendation 20 codes, or Recommendation 21 ones prefixed with X.
PACKAGE_UNITS = {"PK": "XPK", "BX": "XBX", "RO": "XRO", "CT": "XCT", "BG": "XBG"}


def unit_code(unit_of_measure: str) -> str:
    """The EN 16931 unit code of an order line's cXML unit (``EA`` when it has none)."""
    unit = (unit_of_measure or "EA").upper()
    return PACKAGE_UNITS.get(unit, unit)


def french_vat_number(siren_number: str) -> str:
    """The French VAT number of a SIREN: FR, the two-digit key, the SIREN."""
    key = (12 + 3 * (int(siren_number) % 97)) % 97
    return f"FR{key:02d}{siren_number}"


def business_identifiers(business: Business) -> tuple[str, str]:
    """(SIREN, VAT number) of a business from its tax number, each empty when it cannot be known."""
    number = business.tax_number.replace(" ", "").upper()
    if number.isdigit() and siren.is_valid(number):
        return number, french_vat_number(number)
    if number.isdigit() and siret.is_valid(number):
        return number[:9], french_vat_number(number[:9])
    if vat.is_valid(number):
        compact = vat.compact(number)
        if compact.startswith("FR") and siren.is_valid(compact[4:]):
            return compact[4:], compact
        return "", compact
    return "", ""


def business_siret(business: Business) -> str:
    """The SIRET of the business's establishment we invoice (BT-46, scheme 0009), when its tax number
    is one; empty otherwise."""
    number = business.tax_number.replace(" ", "")
    return number if number.isdigit() and siret.is_valid(number) else ""


def seller() -> Party:
    """Us, as the ``EINVOICE_SELLER_*`` tunables say."""
    return Party(
        name=tunable("EINVOICE_SELLER_NAME"),
        address=Address(
            street=tunable("EINVOICE_SELLER_STREET"),
            postal_code=tunable("EINVOICE_SELLER_POSTAL_CODE"),
            city=tunable("EINVOICE_SELLER_CITY"),
            country=tunable("EINVOICE_SELLER_COUNTRY"),
        ),
        siren=tunable("EINVOICE_SELLER_SIREN"),
        siret=tunable("EINVOICE_SELLER_SIRET"),
        vat_number=tunable("EINVOICE_SELLER_VAT_NUMBER"),
    )


def _minor(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _delivery(invoice: Invoice) -> tuple[str, Address | None]:
    """Where the goods went (BG-13): the shipment's address, else the order's matched address, else
    the ShipTo of the buyer's order as it came."""
    known = invoice.shipment.shipping_address if invoice.shipment else None
    known = known or invoice.order.shipping_address
    if known is not None:
        return known.name, Address(known.street, known.postal_code, known.city, known.country)
    ship_to = invoice.order.ship_to or {}
    if not ship_to.get("street") or not ship_to.get("country"):
        return "", None
    address = Address(
        street=", ".join(ship_to["street"]),
        postal_code=ship_to.get("postal_code", ""),
        city=ship_to.get("city", ""),
        country=ship_to["country"],
    )
    return str(ship_to.get("name", "")), address


def semantic_invoice(invoice: Invoice, lines: list[InvoiceLine]) -> EInvoice:
    """The EN 16931 model of ``invoice`` (its ``lines`` with their order lines)."""
    order = invoice.order
    business = invoice.business
    minor = _minor(invoice.currency)
    rate = Decimal(invoice.tax_rate).normalize()
    buyer_siren, buyer_vat = business_identifiers(business)
    delivery_name, delivery_address = _delivery(invoice)
    payment = order.payment_method
    terms = tunable("EINVOICE_PAYMENT_TERMS")
    if payment is not None:
        terms = f"{payment}. {terms}"
    shipping = round_to(Decimal(invoice.shipping), minor)
    credit = invoice.kind == InvoiceKind.CREDIT_MEMO
    corrected = invoice.corrects if invoice.kind == InvoiceKind.CORRECTIVE else None
    type_code = TypeCode.CREDIT_NOTE if credit else TypeCode.INVOICE
    if corrected is not None:
        type_code = TypeCode.CORRECTIVE
    # A credit memo names the order's last invoice before it (BT-25) and its date (BT-26), the one it
    # credits (French rule BR-FR-CO-05); a corrective invoice names the one it replaces, with its date.
    credited = (
        Invoice.objects.filter(order=order, kind=InvoiceKind.INVOICE, issued_at__lte=invoice.issued_at)
        .order_by("-issued_at", "-pk")
        .values_list("number", "issued_at")
        .first()
        if credit
        else None
    )
    return EInvoice(
        number=invoice.number,
        type_code=type_code,
        issue_date=timezone.localdate(invoice.issued_at),
        currency=invoice.currency,
        seller=seller(),
        buyer=Party(
            name=business.name,
            address=Address(business.street, business.postal_code, business.city, business.country),
            siren=buyer_siren,
            siret=business_siret(business),
            vat_number=buyer_vat,
        ),
        buyer_reference=order.buyer_order_id,
        order_reference=order.buyer_order_id,
        operation=Operation(tunable("EINVOICE_OPERATION")),
        payment_terms=terms,
        lines=tuple(
            Line(
                line_id=str(line.invoice_line_number),
                order_line_id=str(line.order_line.line_number),
                item_id=line.order_line.supplier_part_id,
                name=line.order_line.description,
                quantity=Decimal(line.quantity),
                unit_code=unit_code(line.order_line.unit_of_measure),
                net_price=Decimal(line.unit_price).normalize(),
                net_amount=round_to(Decimal(line.amount), minor),
                vat_rate=rate,
            )
            for line in lines
        ),
        charges=(Charge(tunable("EINVOICE_SHIPPING_REASON"), shipping, rate),) if shipping else (),
        delivery_name=delivery_name,
        delivery_address=delivery_address,
        delivery_date=timezone.localdate(invoice.shipment.shipped_at) if invoice.shipment else None,
        preceding_invoice=corrected.number if corrected is not None else (credited[0] if credited else ""),
        preceding_invoice_date=(
            timezone.localdate(corrected.issued_at)
            if corrected is not None
            else (timezone.localdate(credited[1]) if credited else None)
        ),
        vat_on_debits=bool(tunable("EINVOICE_VAT_ON_DEBITS")),
        vat_amounts=((rate, Decimal(invoice.tax)),),
        notes=(
            ("PMT", tunable("EINVOICE_RECOVERY_FEE_NOTE")),
            ("PMD", tunable("EINVOICE_LATE_PAYMENT_NOTE")),
            ("AAB", tunable("EINVOICE_DISCOUNT_NOTE")),
        ),
    )


def issue(invoice: Invoice, lines: list[InvoiceLine], invoice_format: str) -> tuple[bytes, str]:
    """The e-invoice of ``invoice`` in ``invoice_format`` (CII, UBL or Factur-X) and its media type,
    checked against its schema and the EN 16931 rules: ``en16931.InvalidInvoice`` when it fails."""
    model = semantic_invoice(invoice, lines)
    minor = _minor(invoice.currency)
    if invoice_format == InvoiceFormat.UBL:
        xml = ubl.build(model, minor=minor)
        en16931.check(xml)
        return xml, "application/xml"
    xml = cii.build(model, minor=minor)
    en16931.check(xml)
    if invoice_format == InvoiceFormat.CII:
        return xml, "application/xml"
    if invoice_format == InvoiceFormat.FACTURX:
        context = {"invoice": invoice, "order": invoice.order, "business": invoice.business, "lines": lines}
        pdf = render_pdf("fulfilment/invoice_pdf.html", context, variant="pdf/a-3b")
        return bytes(
            facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931")
        ), "application/pdf"
    raise ValueError(f"not an EN 16931 format: {invoice_format}")
