"""Matching stored invoices: the matcher's input loaded in bulk (a fixed number of queries whatever the
number of invoices), one run of the pure matcher (:mod:`.matching`), its result stored (a
:class:`MatchRun`, the lines re-mapped, the exceptions for a person), and the invoice moved; and
matching again when what it depends on changes (a receipt, a return, a credit memo)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprocure.buyer.fulfilment.models import LineFulfilment
from openprocure.buyer.invoicing import matching
from openprocure.buyer.invoicing.choices import (
    EXCEPTION_TRANSITIONS,
    LIVE_STATUSES,
    ExceptionStatus,
    InvoiceKind,
    InvoiceStatus,
)
from openprocure.buyer.invoicing.decisions import FINAL_STATUSES, move_invoice
from openprocure.buyer.invoicing.findings import Finding, waits_for_receipt
from openprocure.buyer.invoicing.models import Invoice, InvoiceEvent, InvoiceException, InvoiceLine, MatchRun
from openprocure.buyer.invoicing.tolerances import Tolerances
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine
from openprocure.core.audit import record_event
from openprocure.core.status import set_status
from punchout import amounts

ZERO = Decimal(0)
# rows per UPDATE/INSERT of match results: SQLite allows 999 (older) or 32,766 bound variables per
# statement, and bulk_update binds several per row
WRITE_BATCH = 200


def order_lines_for(invoices: list[Invoice]) -> dict[int, dict[str, list[matching.OrderLine]]]:
    """Matcher input for several invoices at once: each invoice's candidate order lines, with what
    was received and invoiced before it (a fixed number of queries whatever the count)."""
    invoice_ids = [invoice.pk for invoice in invoices]
    po_ids_by_invoice: dict[int, set[int]] = defaultdict(set)
    for invoice_id, po_id in Invoice.purchase_orders.through.objects.filter(
        invoice_id__in=invoice_ids
    ).values_list("invoice_id", "purchaseorder_id"):
        po_ids_by_invoice[invoice_id].add(po_id)
    all_po_ids = {po_id for ids in po_ids_by_invoice.values() for po_id in ids}
    po_lines = list(
        PurchaseOrderLine.objects.filter(purchase_order_id__in=all_po_ids).select_related("purchase_order")
    )
    fulfil = {
        f.po_line_id: f for f in LineFulfilment.objects.filter(po_line__purchase_order_id__in=all_po_ids)
    }
    invoiced = list(
        InvoiceLine.objects.filter(
            po_line__purchase_order_id__in=all_po_ids, invoice__status__in=LIVE_STATUSES
        ).values_list("po_line_id", "invoice_id", "invoice__kind", "quantity", "amount")
    )
    # grouped once, so that each invoice only walks the rows of its own orders (linear in invoices)
    lines_by_po: dict[int, list[tuple[int, PurchaseOrderLine]]] = defaultdict(list)
    for index, line in enumerate(po_lines):
        lines_by_po[line.purchase_order_id].append((index, line))
    invoiced_by_line: dict[int, list[tuple[int, str, Decimal, Decimal]]] = defaultdict(list)
    for line_id, other_id, kind, quantity, amount in invoiced:
        invoiced_by_line[line_id].append((other_id, kind, quantity, amount))
    result: dict[int, dict[str, list[matching.OrderLine]]] = {}
    kinds = {invoice.pk: invoice.kind for invoice in invoices}
    for invoice_id in invoice_ids:
        is_credit = kinds[invoice_id] != InvoiceKind.INVOICE
        own_lines = sorted(
            (item for po_id in po_ids_by_invoice.get(invoice_id, ()) for item in lines_by_po.get(po_id, ())),
            key=lambda item: item[0],
        )
        candidates: dict[str, list[matching.OrderLine]] = defaultdict(list)
        for _index, line in own_lines:
            before_qty = before_amount = credit_qty = credit_amount = ZERO
            for other_id, kind, quantity, amount in invoiced_by_line.get(line.pk, ()):
                if other_id == invoice_id:
                    continue
                if kind != InvoiceKind.INVOICE:
                    credit_qty += quantity
                    credit_amount += amount
                elif is_credit or other_id < invoice_id:
                    before_qty += quantity
                    before_amount += amount
            row = fulfil.get(line.pk)
            rejected = row.rejected_quantity if row else ZERO
            candidates[line.purchase_order.number].append(
                matching.OrderLine(
                    order=line.purchase_order.number,
                    line_number=line.line_number,
                    part_id=line.supplier_part_id,
                    unit_price=line.unit_price,
                    price_basis_quantity=line.price_basis_quantity or Decimal(1),
                    ordered=line.quantity - rejected,
                    received=row.received_quantity if row else ZERO,
                    currency=line.purchase_order.currency,
                    category=line.unspsc,
                    invoiced_before=before_qty,
                    amount_before=before_amount,
                    credited_quantity=credit_qty,
                    credited_amount=credit_amount,
                    unit=line.unit_of_measure,
                    ref=line.pk,
                )
            )
        result[invoice_id] = dict(candidates)
    return result


def tax_details_of(invoice: Invoice) -> list[amounts.TaxDetail]:
    """The invoice's stored tax details, as the money rules read them."""
    return [
        amounts.TaxDetail(
            purpose=str(item.get("purpose") or amounts.GOODS),
            rate=Decimal(item["rate"]) if item.get("rate") else None,
            taxable=Decimal(item.get("taxable") or 0),
            amount=Decimal(item.get("amount") or 0),
        )
        for item in invoice.tax_details or []
    ]


def invoice_data(invoice: Invoice, lines: Iterable[InvoiceLine]) -> matching.Invoice:
    return matching.Invoice(
        number=invoice.number,
        currency=invoice.currency,
        is_credit=invoice.is_credit,
        subtotal=invoice.subtotal,
        tax=invoice.tax,
        shipping=invoice.shipping,
        special_handling=invoice.special_handling,
        total=invoice.total,
        tax_details=tax_details_of(invoice),
        lines=[
            matching.InvoiceLine(
                line_number=line.line_number,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                order=line.order_number,
                order_line=line.order_line_number,
                part_id=line.part_id,
                tax=line.tax,
                tax_rate=line.tax_rate,
                unit=line.unit_of_measure,
            )
            for line in lines
        ],
    )


def match_invoice(*, invoice: Invoice, trigger: str, actor: Any = None) -> MatchRun:
    """Run the matcher on one invoice, store its explanation, refresh exceptions and the status."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        lines = list(invoice.lines.all())
        candidates = order_lines_for([invoice])[invoice.pk]
        if not candidates:
            # no order referenced: any open order of the supplier may carry the lines (fallback mapping)
            candidates = _open_orders_of(invoice)
        result = matching.match_invoice(
            invoice_data(invoice, lines), candidates, tolerance_for=Tolerances().resolver(invoice.supplier_id)
        )
        result.header.extend(_corrective_findings(invoice))
        return _store_result(invoice, lines, result, trigger, actor)


def _open_orders_of(invoice: Invoice) -> dict[str, list[matching.OrderLine]]:

    pos = list(
        PurchaseOrder.objects.filter(supplier=invoice.supplier, currency=invoice.currency).exclude(
            status__in=[POStatus.CANCELLED, POStatus.CLOSED, POStatus.APPROVED, POStatus.FAILED]
        )[:50]
    )
    if not pos:
        return {}
    invoice.purchase_orders.add(*pos)
    candidates = order_lines_for([invoice])[invoice.pk]
    return candidates


def _store_result(
    invoice: Invoice, lines: list[InvoiceLine], result: matching.MatchResult, trigger: str, actor: Any
) -> MatchRun:
    by_number = {line.line_number: line for line in lines}
    mapped_pos: set[str] = set()
    remapped: list[InvoiceLine] = []
    for line_result in result.lines:
        line = by_number[line_result.line_number]
        target = line_result.order_line.ref if line_result.order_line is not None else None
        if line.po_line_id != target:
            line.po_line_id = target
            remapped.append(line)
        if line_result.order_line is not None:
            mapped_pos.add(line_result.order_line.order)
    if remapped:
        InvoiceLine.objects.bulk_update(remapped, ["po_line"], batch_size=WRITE_BATCH)
    if mapped_pos:
        # keep only the orders the lines actually map to (the fallback may have offered more)
        invoice.purchase_orders.set(
            PurchaseOrder.objects.filter(number__in=mapped_pos, supplier=invoice.supplier)
        )
    run = MatchRun.objects.create(
        invoice=invoice,
        mode=result.mode,
        matched=result.matched,
        findings=result.findings_json(),
        trigger=trigger,
    )
    previous = list(
        invoice.exceptions.exclude(status__in=[ExceptionStatus.CLEARED, ExceptionStatus.REJECTED])
    )
    accepted = {
        (e.code, e.line_number, tuple(sorted(e.params.items()))): e
        for e in previous
        if e.status == ExceptionStatus.ACCEPTED
    }
    for exception in previous:
        if exception.status != ExceptionStatus.ACCEPTED:
            set_status(exception, ExceptionStatus.CLEARED, table=EXCEPTION_TRANSITIONS)
    kept_accepted = set()
    new = []
    waiting = False
    for finding in result.exceptions:
        key = (finding.code, finding.line, tuple(sorted(dict(finding.params).items())))
        if key in accepted:
            kept_accepted.add(key)
            continue
        new.append(
            InvoiceException(
                invoice=invoice,
                match_run=run,
                code=finding.code,
                line_number=finding.line,
                params=dict(finding.params),
            )
        )
    for key, exception in accepted.items():
        if key not in kept_accepted:
            set_status(exception, ExceptionStatus.CLEARED, table=EXCEPTION_TRANSITIONS)
    if waits_for_receipt(exception.code for exception in new):
        # only goods not received yet: no exception for anyone to handle, the receipt will match it
        waiting, new = True, []
    InvoiceException.objects.bulk_create(new, batch_size=WRITE_BATCH)
    invoice.match_mode = result.mode
    invoice.matched_at = timezone.now()
    invoice.save(update_fields=["match_mode", "matched_at"])
    record_event(
        InvoiceEvent,
        invoice,
        "matched",
        actor=actor,
        detail={
            "trigger": trigger,
            "matched": result.matched,
            "exceptions": len(new),
            "waiting_for_receipt": waiting,
        },
    )
    if invoice.status in FINAL_STATUSES:
        return run
    if not new and not waiting:
        move_invoice(invoice, InvoiceStatus.APPROVED, actor)
    elif waiting:
        if invoice.status in (InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED, InvoiceStatus.EXCEPTION):
            move_invoice(invoice, InvoiceStatus.AWAITING_RECEIPT, actor)
    elif invoice.status in (InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED, InvoiceStatus.AWAITING_RECEIPT):
        move_invoice(invoice, InvoiceStatus.EXCEPTION, actor)
    return run


def _corrective_findings(invoice: Invoice) -> list[Finding]:
    """The check of a corrective invoice: it took the place of the invoice it names, or (an
    exception) that invoice is unknown, or already approved or paid."""
    if not invoice.corrective:
        return []
    original = invoice.corrects
    named = {"invoice": invoice.corrects_number or "?"}
    if original is None:
        return [Finding("corrects_unknown", False, None, named)]
    if original.status in (InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED):
        return [Finding("corrects_settled", False, None, named)]
    return [Finding("corrects_ok", True, None, named)]


def rematch_purchase_order(*, purchase_order: PurchaseOrder, trigger: str) -> int:
    """Match again every open invoice of an order (after a new receipt, a return or a credit memo)."""
    invoices = list(
        Invoice.objects.filter(
            purchase_orders=purchase_order,
            # Every live invoice but those sent to payment, which are never matched again.
            status__in=LIVE_STATUSES - {InvoiceStatus.EXPORTED},
        ).order_by("pk")
    )
    for invoice in invoices:
        match_invoice(invoice=invoice, trigger=trigger)
    return len(invoices)


def on_receipts_changed(*, purchase_order: PurchaseOrder) -> None:
    """Registered in ``fulfilment.hooks.RECEIPTS_CHANGED``."""
    rematch_purchase_order(purchase_order=purchase_order, trigger="receipt")
