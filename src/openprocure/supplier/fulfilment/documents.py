"""ShipNoticeRequest and InvoiceDetailRequest of a shipment, built with ``punchout.cxml``.

They reference the buyer's order (orderID and the OrderRequest's payloadID) and its line numbers,
so the buyer's system matches them to its purchase order lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from openprocure.core.tunables import tunable
from openprocure.supplier.fulfilment.choices import InvoiceKind
from openprocure.supplier.fulfilment.models import Invoice, InvoiceLine, Shipment
from openprocure.supplier.orders.documents import order_reference
from openprocure.supplier.orders.models import Order, OrderLine
from openprocure.supplier.punchout import pricing
from punchout import amounts, cxml
from punchout.money import Money, stated_unit_price

#: The header Extrinsics of a corrective invoice sent as cXML (see :func:`invoice_request`).
INVOICE_TYPE_EXTRINSIC = "invoiceTypeCode"
PRECEDING_INVOICE_EXTRINSIC = "precedingInvoiceID"
PRECEDING_DATE_EXTRINSIC = "precedingInvoiceDate"
CORRECTIVE_TYPE_CODE = "384"


def ship_notice_request(
    order: Order, shipment: Shipment, lines: list[tuple[OrderLine, int]]
) -> cxml.ShipNoticeRequest:
    """The advance ship notice of one order's lines in a shipment: carrier, tracking, quantities."""
    delivery = (
        timezone.make_aware(datetime.combine(shipment.expected_delivery, time(12, 0)))
        if shipment.expected_delivery
        else None
    )
    return cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(
            shipment_id=shipment.shipment_id,
            notice_date=timezone.now().replace(microsecond=0),
            shipment_date=shipment.shipped_at.replace(microsecond=0),
            delivery_date=delivery,
        ),
        controls=[
            cxml.ShipControl(
                carriers=[cxml.CarrierIdentifier(tunable("FULFILMENT_CARRIER_DOMAIN"), shipment.carrier)],
                shipment_identifiers=[
                    cxml.ShipmentIdentifier(
                        shipment.tracking_number, tracking_url=shipment.tracking_url or None
                    )
                ],
            )
        ],
        portions=[
            cxml.ShipNoticePortion(
                order_reference=order_reference(order),
                items=[
                    cxml.ShipNoticeItem(
                        line_number=line.line_number,
                        quantity=Decimal(quantity),
                        unit_of_measure=line.unit_of_measure or "EA",
                        item_id=cxml.ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id or None),
                    )
                    for line, quantity in lines
                ],
            )
        ],
    )


def invoice_request(
    order: Order, invoice: Invoice, lines: list[InvoiceLine], tax_details: Sequence[amounts.TaxDetail]
) -> cxml.InvoiceDetailRequest:
    """The InvoiceDetailRequest of an invoice: each line with its VAT (rounded per line), and the
    summary whose tax is the sum of its details (``tax_details``: the VAT on the lines, and on each
    shipping charge as its own ``shippingTax`` detail) — the money rules of ``punchout.amounts``.

    A credit memo (returned goods) is a ``lineLevelCreditMemo``: the same lines, with negative
    quantities and amounts (unit prices stay positive).

    cXML has no replacement invoice (its ``operation="delete"`` cancels an invoice without replacing
    it), so a corrective invoice is a ``standard`` one with the corrected lines and totals, whose
    Comments say which invoice it replaces and why, and whose header Extrinsics carry the EN 16931
    meaning: ``invoiceTypeCode`` 384, ``precedingInvoiceID`` and ``precedingInvoiceDate`` (BT-3,
    BT-25, BT-26), for a buyer's system that reads them to take it in place of the original.
    """
    currency = invoice.currency
    credit = invoice.kind == InvoiceKind.CREDIT_MEMO
    sign = Decimal(-1) if credit else Decimal(1)
    rate = Decimal(invoice.tax_rate)
    items = []
    for invoice_line in lines:
        line = invoice_line.order_line
        amount = sign * Decimal(invoice_line.amount)
        tax = sign * Decimal(invoice_line.tax)
        items.append(
            cxml.InvoiceDetailItem(
                invoice_line_number=invoice_line.invoice_line_number,
                quantity=sign * Decimal(invoice_line.quantity),
                unit_of_measure=line.unit_of_measure or "EA",
                unit_price=Money(stated_unit_price(Decimal(invoice_line.unit_price), currency), currency),
                reference=cxml.InvoiceDetailItemReference(
                    line_number=line.line_number,
                    item_id=cxml.ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id or None),
                    description=cxml.Description(line.description, lang="en"),
                ),
                subtotal_amount=Money(amount, currency),
                tax=pricing.tax_element(currency, [amounts.TaxDetail(amounts.GOODS, rate, amount, tax)]),
            )
        )
    comments = None
    extrinsics: list[cxml.Extrinsic] = []
    corrected = invoice.corrects if invoice.kind == InvoiceKind.CORRECTIVE else None
    if corrected is not None:
        comments = cxml.Comment(
            f"Corrective invoice replacing invoice {corrected.number} of "
            f"{timezone.localdate(corrected.issued_at).isoformat()}: {invoice.correction_reason}",
            lang="en",
        )
        extrinsics = [
            cxml.Extrinsic(INVOICE_TYPE_EXTRINSIC, CORRECTIVE_TYPE_CODE),
            cxml.Extrinsic(PRECEDING_INVOICE_EXTRINSIC, corrected.number),
            cxml.Extrinsic(PRECEDING_DATE_EXTRINSIC, timezone.localdate(corrected.issued_at).isoformat()),
        ]
    elif invoice.shipment is not None:
        comments = cxml.Comment(f"Shipment {invoice.shipment.shipment_id}", lang="en")
    elif credit and hasattr(invoice, "goods_return"):
        comments = cxml.Comment(
            f"Return {invoice.goods_return.number}: {invoice.goods_return.reason}", lang="en"
        )
    subtotal, shipping, total = (
        sign * Decimal(value) for value in (invoice.subtotal, invoice.shipping, invoice.total)
    )
    details = [
        amounts.TaxDetail(d.purpose, d.rate, sign * abs(d.taxable), sign * abs(d.amount)) for d in tax_details
    ]
    return cxml.InvoiceDetailRequest(
        header=cxml.InvoiceDetailRequestHeader(
            invoice_id=invoice.number,
            invoice_date=invoice.issued_at.replace(microsecond=0),
            purpose=cxml.InvoicePurpose.LINE_LEVEL_CREDIT_MEMO if credit else cxml.InvoicePurpose.STANDARD,
            line_indicators=["isTaxInLine"],
            comments=comments,
            extrinsics=extrinsics,
        ),
        orders=[cxml.InvoiceDetailOrder(order_reference=order_reference(order), items=items)],
        summary=cxml.InvoiceDetailSummary(
            subtotal_amount=Money(subtotal, currency),
            tax=pricing.tax_element(currency, details),
            shipping_amount=Money(shipping, currency) if shipping else None,
            gross_amount=Money(total, currency),
            net_amount=Money(total, currency),
            due_amount=Money(total, currency),
        ),
    )
