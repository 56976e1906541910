"""Receiving an invoice or credit memo, from any channel (cXML, an EN 16931 file, a platform, the
supplier portal, or keyed in from paper): refused when it repeats one already received, stored with
its lines and the file as it came, put in the place of the invoice it corrects, then matched."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.invoicing.choices import (
    LIVE_STATUSES,
    SUPERSEDABLE,
    ExceptionStatus,
    InvoiceKind,
    InvoiceStatus,
)
from openprocure.buyer.invoicing.decisions import InvoicingError, move_invoice, resolve_exceptions
from openprocure.buyer.invoicing.einvoice import ParsedInvoice, ParsedLine, amount_due, seller_siren
from openprocure.buyer.invoicing.match_runs import match_invoice, rematch_purchase_order
from openprocure.buyer.invoicing.models import Invoice, InvoiceEvent, InvoiceLine
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.audit import record_event
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from punchout import amounts
from punchout.money import quantize_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Original:
    """The file as received, kept with the invoice."""

    content: bytes = b""
    name: str = ""
    content_type: str = ""


def _kind(parsed: ParsedInvoice) -> str:
    if not parsed.is_credit:
        return InvoiceKind.INVOICE
    return InvoiceKind.LINE_CREDIT_MEMO if parsed.line_level_credit else InvoiceKind.CREDIT_MEMO


def find_orders(*, supplier: Supplier, numbers: Iterable[str]) -> dict[str, PurchaseOrder]:
    """The supplier's POs by number; an unknown number is refused with a message naming it."""
    wanted = {n for n in numbers if n}
    orders = {po.number: po for po in PurchaseOrder.objects.filter(supplier=supplier, number__in=wanted)}
    unknown = sorted(wanted - set(orders))
    if unknown:
        raise InvoicingError(
            _("Unknown purchase order %(orders)s: no order with this number was sent to %(supplier)s.")
            % {"orders": ", ".join(unknown), "supplier": supplier.name},
            code="unknown_order",
        )
    return orders


def receive_invoice(
    *,
    supplier: Supplier,
    parsed: ParsedInvoice,
    original: Original | None = None,
    payload_id: str = "",
    journal: Any = None,
    actor: Any = None,
    orders: dict[str, PurchaseOrder] | None = None,
) -> Invoice:
    """Store an invoice or credit memo (refusing duplicates), then match it."""
    if not parsed.lines and not parsed.is_credit:
        raise InvoicingError(_("The invoice has no lines."))
    with transaction.atomic():
        duplicate = Invoice.objects.filter(
            supplier=supplier, number=parsed.number, year=parsed.invoice_date.year
        ).first()
        if duplicate is not None:
            raise InvoicingError(
                _(
                    "Invoice %(number)s of %(year)s from %(supplier)s was already received on %(date)s. "
                    "Send a credit memo to correct it, or a new invoice number."
                )
                % {
                    "number": parsed.number,
                    "year": parsed.invoice_date.year,
                    "supplier": supplier.name,
                    "date": timezone.localdate(duplicate.created_at).isoformat(),
                },
                code="duplicate",
            )
        if orders is None:
            orders = find_orders(
                supplier=supplier,
                numbers=[parsed.order_number, *(line.order_number for line in parsed.lines)],
            )
        currency = parsed.currency
        invoice = Invoice.objects.create(
            supplier=supplier,
            number=parsed.number[:100],
            year=parsed.invoice_date.year,
            invoice_date=parsed.invoice_date,
            kind=_kind(parsed),
            source=parsed.source,
            currency=currency,
            subtotal=None if parsed.subtotal is None else quantize_money(parsed.subtotal, currency),
            tax=quantize_money(parsed.tax, currency),
            shipping=quantize_money(parsed.shipping, currency),
            special_handling=quantize_money(parsed.special_handling, currency),
            total=None if parsed.total is None else quantize_money(parsed.total, currency),
            due_amount=quantize_money(_due(parsed), currency),
            due_date=parsed.due_date,
            discount_due_date=parsed.discount_due_date,
            discount_percent=parsed.discount_percent,
            discount_amount=parsed.discount_amount,
            reverse_charge=parsed.reverse_charge,
            payload_id=payload_id[:PAYLOAD_ID_LENGTH],
            journal=journal,
            original=(original.content if original else b""),
            original_name=(original.name if original else "")[:200],
            original_content_type=(original.content_type if original else "")[:100],
            sha256=hashlib.sha256(original.content).hexdigest() if original and original.content else "",
            seller_siren=seller_siren(parsed.seller_identifiers),
            buyer_siren=parsed.buyer_siren[:9],
            warnings=parsed.warnings,
            seller_identifiers=[list(pair) for pair in parsed.seller_identifiers],
            tax_details=_details_json(parsed.tax_details, currency),
            entered_by=actor,
            corrective=parsed.corrective,
            corrects_number=parsed.preceding_number[:100],
            corrects_date=parsed.preceding_date,
        )
        invoice.purchase_orders.set(orders.values())
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    line_number=line.line_number,
                    order_number=line.order_number[:64],
                    order_line_number=line.order_line_number,
                    part_id=line.part_id,
                    description=line.description,
                    quantity=line.quantity,
                    unit_of_measure=line.unit_of_measure[:16],
                    unit_price=line.unit_price,
                    amount=quantize_money(line.amount, currency),
                    tax=None if line.tax is None else quantize_money(line.tax, currency),
                    tax_rate=line.tax_rate,
                )
                for line in parsed.lines
            ]
        )
        record_event(
            InvoiceEvent,
            invoice,
            "received",
            actor=actor,
            detail={"source": parsed.source, "payload_id": payload_id},
        )
        superseded = _take_the_place(invoice, actor) if invoice.corrective else None
        match_invoice(invoice=invoice, trigger="received", actor=actor)
        if superseded is not None:
            _rematch_beside(superseded, invoice, actor)
        if invoice.is_credit:
            for po in orders.values():
                transaction.on_commit(
                    partial(rematch_purchase_order, purchase_order=po, trigger="credit_memo")
                )
    return invoice


def _take_the_place(corrective: Invoice, actor: Any) -> Invoice | None:
    """A corrective invoice (384) replaces the invoice of the same supplier it names (BT-25, of the
    year of BT-26 when stated): linked to it, and, when that one is not approved nor paid yet, it
    takes its place: the original's open variances are cleared and it moves to superseded (out of
    matching, kept). Unknown, or approved or paid, the corrective's match says so as an exception
    for a person (:func:`.match_runs._corrective_findings`). Returns the original it superseded, if any."""
    if not corrective.corrects_number:
        return None
    originals = Invoice.objects.select_for_update().filter(
        supplier_id=corrective.supplier_id, number=corrective.corrects_number
    )
    if corrective.corrects_date is not None:
        originals = originals.filter(year=corrective.corrects_date.year)
    original = originals.exclude(pk=corrective.pk).order_by("-year", "-pk").first()
    if original is None:
        return None
    corrective.corrects = original
    corrective.save(update_fields=["corrects"])
    if original.status in SUPERSEDABLE:
        reason = _("replaced by corrective invoice %(number)s") % {"number": corrective.number}
        resolve_exceptions(original, ExceptionStatus.CLEARED, actor, reason)
        move_invoice(original, InvoiceStatus.SUPERSEDED, actor, comment=reason)
        return original
    return None


def _rematch_beside(superseded: Invoice, corrective: Invoice, actor: Any) -> None:
    """The superseded invoice's quantities and amounts no longer count against its orders: their
    other invoices still open (neither approved nor exported) are matched again, so one held in
    exception because of it (over-invoiced) is cleared."""
    others = (
        Invoice.objects.filter(
            purchase_orders__in=superseded.purchase_orders.all(),
            status__in=LIVE_STATUSES - {InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED},
        )
        .exclude(pk__in=[superseded.pk, corrective.pk])
        .distinct()
        .order_by("pk")
    )
    for other in others:
        match_invoice(invoice=other, trigger="corrective_invoice", actor=actor)


def _due(parsed: ParsedInvoice) -> Decimal:
    return amount_due(parsed)


def _details_json(details: Iterable[amounts.TaxDetail], currency: str) -> list[dict[str, str]]:
    """Tax details as stored on the invoice (amounts in the currency's minor unit, as text)."""
    return [
        {
            "purpose": detail.purpose[:40],
            "rate": "" if detail.rate is None else format(detail.rate, "f"),
            "taxable": format(quantize_money(detail.taxable, currency), "f"),
            "amount": format(quantize_money(detail.amount, currency), "f"),
        }
        for detail in details
    ]


# -- paper invoices -----------------------------------------------------------------------------------
def enter_paper_invoice(
    *,
    supplier: Supplier,
    actor: Any,
    number: str,
    invoice_date: date,
    currency: str,
    lines: list[dict[str, Any]],
    tax: Decimal = ZERO,
    shipping: Decimal = ZERO,
    total: Decimal | None = None,
    is_credit: bool = False,
) -> Invoice:
    """Key in a paper invoice: same duplicate check, storage and matching as electronic ones."""
    parsed = ParsedInvoice(
        number=number.strip(),
        invoice_date=invoice_date,
        currency=currency.upper(),
        source="manual",
        is_credit=is_credit,
        tax=tax,
        shipping=shipping,
        total=total,
        lines=[
            ParsedLine(
                line_number=index,
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                amount=line.get("amount") or line["quantity"] * line["unit_price"],
                order_number=line.get("order_number", ""),
                order_line_number=line.get("order_line_number"),
                part_id=line.get("part_id", ""),
                description=line.get("description", ""),
            )
            for index, line in enumerate(lines, start=1)
        ],
    )
    parsed.subtotal = sum((line.amount for line in parsed.lines), ZERO)
    if is_credit:
        parsed.negate()
    return receive_invoice(supplier=supplier, parsed=parsed, actor=actor)
