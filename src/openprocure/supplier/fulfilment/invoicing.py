"""Invoices of the storefront: issuing one (for shipped lines, a return's credit memo, or a
corrective invoice), as cXML or as an EN 16931 e-invoice, sent through the buyer's integration or
our e-invoicing platform; and correcting an issued invoice. Called through ``services``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core import en16931, platform
from openprocure.core.audit import record_event
from openprocure.core.models import User
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.business.services import staff_role
from openprocure.supplier.fulfilment import einvoice
from openprocure.supplier.fulfilment.choices import INVOICE_TRANSITIONS, InvoiceKind, InvoiceStatus
from openprocure.supplier.fulfilment.documents import invoice_request
from openprocure.supplier.fulfilment.models import GoodsReturn, Invoice, InvoiceLine, Shipment
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.choices import EventKind
from openprocure.supplier.orders.models import Order, OrderEvent, OrderLine
from openprocure.supplier.punchout import pricing
from punchout import amounts


def _number(prefix: str) -> str:
    """A new document number: ``prefix``, today's date and 8 random hexadecimal digits (shipments,
    returns and invoices alike)."""
    return f"{prefix}-{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"


def _issue_invoice(
    order: Order,
    shipment: Shipment | None,
    lines: list[tuple[OrderLine, int]],
    totals: amounts.Totals,
    *,
    goods_return: GoodsReturn | None = None,
    corrects: Invoice | None = None,
    unit_prices: list[Decimal] | None = None,
    reason: str = "",
) -> Invoice:
    """An invoice of shipped lines, the credit memo of ``goods_return``, or the corrective invoice
    replacing ``corrects`` (at ``unit_prices``, its rate of VAT, ``reason``), with the amounts of
    ``totals`` (priced from ``lines``, in their order); sent as cXML when the business has
    e-invoicing on."""
    integration = order.integration
    credit = goods_return is not None
    kind, prefix = InvoiceKind.INVOICE, "INV"
    if credit:
        kind, prefix = InvoiceKind.CREDIT_MEMO, "CM"
    elif corrects is not None:
        kind, prefix = InvoiceKind.CORRECTIVE, "INV"
    prices = unit_prices or [Decimal(line.unit_price) for line, _quantity in lines]
    invoice = Invoice.objects.create(
        business_id=order.business_id,
        order=order,
        shipment=shipment,
        kind=kind,
        number=_number(prefix),
        currency=totals.currency,
        subtotal=totals.subtotal,
        shipping=totals.shipping,
        tax_rate=corrects.tax_rate if corrects is not None else pricing.vat_rate(),
        tax=totals.tax,
        total=totals.total,
        corrects=corrects,
        correction_reason=reason[:500],
    )
    invoice_lines = [
        InvoiceLine(
            invoice=invoice,
            order_line=line,
            invoice_line_number=number,
            quantity=quantity,
            unit_price=price,
            amount=priced.amount,
            tax=priced.tax,
        )
        for number, ((line, quantity), price, priced) in enumerate(
            zip(lines, prices, totals.lines, strict=True), start=1
        )
    ]
    InvoiceLine.objects.bulk_create(invoice_lines)
    if goods_return is not None:
        goods_return.credit_memo = invoice
        goods_return.save(update_fields=["credit_memo"])
    if integration.e_invoicing and integration.invoice_format != InvoiceFormat.CXML:
        media_type = _issue_einvoice(invoice, invoice_lines, integration.invoice_format)
        if integration.through_platform:
            _send_through_platform(invoice, media_type)
    elif integration.e_invoicing:
        message = documents.send(
            integration,
            invoice_request(order, invoice, invoice_lines, totals.tax_details),
            reference=order.number,
            is_test=False,
        )
        if message is not None:
            invoice.sent_electronically = True
            invoice.payload_id = message.payload_id
            invoice.save(update_fields=["sent_electronically", "payload_id"])
    if not credit and corrects is None:
        record_event(
            OrderEvent,
            order,
            EventKind.INVOICED,
            detail={"invoice": invoice.number, "total": str(invoice.total)},
        )
    return invoice


def _send_through_platform(invoice: Invoice, media_type: str) -> None:
    """Hand the issued e-invoice to our e-invoicing platform (through the outbox) for the buyer's.
    Without a platform configured for our SIREN, nothing is issued: staff see why."""
    siren = tunable("EINVOICE_SELLER_SIREN")
    try:
        message = platform.push_invoice(
            siren,
            number=invoice.number,
            content=bytes(invoice.einvoice),
            content_type=media_type,
            reference=invoice.order.number,
            partner=invoice.business.name,
        )
    except platform.PlatformNotConfigured as error:
        raise ValidationError(
            _("Invoice %(number)s was not issued: %(reason)s") % {"number": invoice.number, "reason": error}
        ) from error
    invoice.payload_id = message.payload_id
    invoice.save(update_fields=["payload_id"])


def _issue_einvoice(invoice: Invoice, lines: list[InvoiceLine], invoice_format: str) -> str:
    """Issue ``invoice`` as an EN 16931 e-invoice in ``invoice_format`` and keep it with the invoice.
    A document its schema or the EN 16931 rules refuse is never issued: ``ValidationError`` naming
    each failed rule, its message and where, so the whole shipment or return is undone and staff
    see why."""
    try:
        document, media_type = einvoice.issue(invoice, lines, invoice_format)
    except en16931.InvalidInvoice as refused:
        raise ValidationError(
            _(
                "Invoice %(number)s was not issued: it breaks the EN 16931 or French (BR-FR) rules. %(findings)s"
            )
            % {"number": invoice.number, "findings": "; ".join(str(f) for f in refused.report.fatal)}
        ) from refused
    invoice.einvoice_format = invoice_format
    invoice.einvoice = document
    invoice.save(update_fields=["einvoice_format", "einvoice"])
    return media_type


# -- corrective invoices ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CorrectedLine:
    """What one line of a corrected invoice should have said: quantity and unit price (VAT excluded)."""

    invoice_line_id: int
    quantity: int
    unit_price: Decimal


def require_invoicing_staff(user: User | None) -> None:
    """Our operators (the staff who record returns and their credit memos) correct invoices."""
    if user is None or staff_role(user) is None:
        raise PermissionDenied(_("Only our operators may issue a corrective invoice."))


def correctable(invoice: Invoice) -> bool:
    """Whether a corrective invoice may replace ``invoice``: an invoice (or an earlier corrective)
    issued and not paid nor corrected yet."""
    return invoice.kind != InvoiceKind.CREDIT_MEMO and invoice.status == InvoiceStatus.ISSUED


def issue_corrective(*, invoice_id: int, lines: list[CorrectedLine], reason: str, by: User | None) -> Invoice:
    """Replace a wrong invoice by a corrective one (UNTDID 1001 type 384): a new numbered invoice of
    the same order lines at the quantities and unit prices given, with the original's VAT rate and
    shipping, naming the original (BT-25, BT-26) and why; its totals are the corrected totals, not a
    difference (a full replacement, as the French rules want). The buyer's mentions (name, address,
    VAT number) are the business's as they stand now: correct the business first when they were wrong.

    The original is marked corrected (never deleted) in the same transaction; a second submission
    finds it corrected and is refused, so one click twice issues one corrective. A line at quantity 0
    is left out; the document is checked against EN 16931 and sent like any invoice, or nothing
    happens."""
    require_invoicing_staff(by)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Say what was wrong with the invoice."))
    with transaction.atomic():
        original = Invoice.objects.select_for_update().select_related("order").get(pk=invoice_id)
        if original.status == InvoiceStatus.CORRECTED:
            replaced_by = original.corrections.order_by("-pk").values_list("number", flat=True).first()
            raise ValidationError(
                _("Invoice %(number)s was already corrected by invoice %(corrective)s.")
                % {"number": original.number, "corrective": replaced_by or "?"}
            )
        if not correctable(original):
            raise ValidationError(
                _("Invoice %(number)s is %(status)s: it can no longer be corrected; issue a credit memo.")
                % {"number": original.number, "status": original.get_status_display()}
                if original.kind != InvoiceKind.CREDIT_MEMO
                else _("Credit memo %(number)s cannot be corrected by an invoice.")
                % {"number": original.number}
            )
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("integration", "payment_method", "shipping_address")
            .get(pk=original.order_id)
        )
        by_id = {
            line.pk: line
            for line in original.lines.select_related("order_line").order_by("invoice_line_number")
        }
        kept: list[tuple[OrderLine, int]] = []
        prices: list[Decimal] = []
        for corrected in lines:
            line = by_id.get(corrected.invoice_line_id)
            if line is None:
                raise ValidationError(_("A corrected line is not part of this invoice."))
            if corrected.quantity < 0 or corrected.unit_price < 0:
                raise ValidationError(
                    _("Line %(line)s: quantity and unit price cannot be negative.")
                    % {"line": line.invoice_line_number}
                )
            if corrected.quantity > line.order_line.shipped_quantity:
                raise ValidationError(
                    _(
                        "Line %(line)s: %(quantity)s is more than the %(shipped)s that shipped; a corrective "
                        "invoice invoices at most what shipped."
                    )
                    % {
                        "line": line.invoice_line_number,
                        "quantity": corrected.quantity,
                        "shipped": line.order_line.shipped_quantity,
                    }
                )
            if corrected.quantity:
                kept.append((line.order_line, corrected.quantity))
                prices.append(corrected.unit_price)
        if not kept:
            raise ValidationError(
                _("Keep at least one line: to cancel the whole invoice, issue a credit memo.")
            )
        changed = [
            (line.order_line_id, line.quantity, Decimal(line.unit_price)) for line in by_id.values()
        ] != [
            (order_line.pk, quantity, price)
            for (order_line, quantity), price in zip(kept, prices, strict=True)
        ]
        if not changed:
            raise ValidationError(_("Nothing was changed: correct a quantity or a unit price."))
        rate = Decimal(original.tax_rate)
        shipping = Decimal(original.shipping)
        totals = amounts.compute(
            original.currency,
            [
                amounts.Line(Decimal(quantity), price, rate)
                for (_line, quantity), price in zip(kept, prices, strict=True)
            ],
            [amounts.Charge(shipping, rate, amounts.SHIPPING)] if shipping else [],
        )
        corrective = _issue_invoice(
            order,
            original.shipment,
            kept,
            totals,
            corrects=original,
            unit_prices=prices,
            reason=reason,
        )
        set_status(original, InvoiceStatus.CORRECTED, table=INVOICE_TRANSITIONS)
        record_event(
            OrderEvent,
            order,
            EventKind.INVOICE_CORRECTED,
            actor=by,
            detail={
                "invoice": original.number,
                "corrective": corrective.number,
                "reason": corrective.correction_reason,
                "total": str(corrective.total),
            },
        )
    return corrective
