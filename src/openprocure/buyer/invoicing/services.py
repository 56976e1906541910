"""Every write of invoicing: intake (cXML, EN 16931 files, paper), matching, the exceptions queue,
statuses sent back to suppliers, and payment exports.

The matching rules themselves are in :mod:`.matching` (a pure function); this module loads the data
it needs in bulk, stores its result, and moves the invoice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.models import LineFulfilment
from openprocure.buyer.fulfilment.services import lock_po, refresh_po_status
from openprocure.buyer.invoicing import lifecycle, matching
from openprocure.buyer.invoicing.choices import (
    EXCEPTION_TRANSITIONS,
    INVOICE_TRANSITIONS,
    LIVE_STATUSES,
    SUPERSEDABLE,
    ExceptionStatus,
    IdentifierScheme,
    InvoiceKind,
    InvoiceStatus,
)
from openprocure.buyer.invoicing.einvoice import (
    ParsedInvoice,
    ParsedLine,
    amount_due,
    normalize_identifier,
    seller_siren,
)
from openprocure.buyer.invoicing.forms import ToleranceRuleForm
from openprocure.buyer.invoicing.models import (
    Invoice,
    InvoiceEvent,
    InvoiceException,
    InvoiceLine,
    MatchRun,
    PaymentExport,
    SupplierIdentifier,
    ToleranceRule,
)
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.audit import delete_administered, new_event, record_event, save_administered
from openprocure.core.csvsafe import safe_cell
from openprocure.core.exceptions import ServiceError
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.lifecycle import REASONS_BY_STATUS, reason_label
from openprocure.core.status import check_transition, set_status
from openprocure.core.tunables import tunable
from punchout import amounts
from punchout.money import quantize_money

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
# rows per UPDATE/INSERT of match results: SQLite allows 999 (older) or 32,766 bound variables per
# statement, and bulk_update binds several per row
WRITE_BATCH = 200
#: The statuses an invoice never leaves (exported to payment, rejected, cancelled, superseded): a new
#: match does not move it and its supplier can no longer cancel it.
FINAL_STATUSES = frozenset(status for status, targets in INVOICE_TRANSITIONS.items() if not targets)


class InvoicingError(ServiceError):
    """A refused invoicing action; ``message`` says what was wrong and what to do next."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        self.code = code
        super().__init__(message)


# -- suppliers by identifier --------------------------------------------------------------------------
def save_tolerance_rule(*, form: ToleranceRuleForm, actor: Any) -> ToleranceRule:
    """A procurement administrator adds or changes a tolerance rule (recorded with who and what)."""
    rule: ToleranceRule = save_administered(form, actor=actor)
    return rule


def delete_tolerance_rule(*, rule: ToleranceRule, actor: Any) -> None:
    """A procurement administrator removes a tolerance rule (the removal is recorded)."""
    delete_administered(rule, actor=actor)


def add_identifier(*, supplier: Supplier, scheme: str, value: str) -> SupplierIdentifier:
    """Register an identifier (VAT, SIREN, SIRET, cXML identity…) of a supplier, checked where we can."""
    clean = normalize_identifier(value)
    if scheme == IdentifierScheme.CXML:
        clean = value.strip()
    elif scheme == IdentifierScheme.ADDRESS:
        clean = "".join(value.split())
    if not clean:
        raise InvoicingError(_("Enter the identifier."))
    _validate_identifier(scheme, clean)
    try:
        with transaction.atomic():
            return SupplierIdentifier.objects.create(supplier=supplier, scheme=scheme, value=clean)
    except IntegrityError:
        owner = SupplierIdentifier.objects.select_related("supplier").get(scheme=scheme, value=clean).supplier
        raise InvoicingError(
            _("%(value)s is already registered for %(supplier)s.") % {"value": clean, "supplier": owner}
        ) from None


def _validate_identifier(scheme: str, value: str) -> None:
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siren, siret

    try:
        if scheme == IdentifierScheme.SIREN:
            siren.validate(value)
        elif scheme == IdentifierScheme.SIRET:
            siret.validate(value)
        elif scheme == IdentifierScheme.VAT:
            from stdnum.eu import vat

            if value[:2].isalpha() and value[:2] in vat.MEMBER_STATES | {"EL"}:
                vat.validate(value)
    except ValidationError as error:
        raise InvoicingError(
            _("%(value)s is not a valid %(scheme)s: %(error)s")
            % {"value": value, "scheme": IdentifierScheme(scheme).label, "error": error}
        ) from None


def supplier_for(identifiers: Iterable[tuple[str, str]]) -> Supplier:
    """The supplier an invoice's seller identifiers name (VAT, SIREN, SIRET…): never by name."""
    wanted = [(scheme, value) for scheme, value in identifiers if value]
    query = Q(pk__in=[])
    for scheme, value in wanted:
        query |= Q(scheme=scheme, value=value)
        if scheme == "siret":
            query |= Q(scheme="siren", value=value[:9])
        if scheme == "vat" and value.startswith("FR") and len(value) == 13:
            query |= Q(scheme="siren", value=value[4:])
    found = {row.supplier for row in SupplierIdentifier.objects.filter(query).select_related("supplier")}
    shown = ", ".join(f"{scheme.upper()} {value}" for scheme, value in wanted) or _("none")
    if not found:
        raise InvoicingError(
            _(
                "No supplier has the seller's identifiers (%(identifiers)s). Add the VAT, SIREN or SIRET "
                "to the supplier under Invoices → Supplier identifiers, then upload again."
            )
            % {"identifiers": shown},
            code="unknown_supplier",
        )
    if len(found) > 1:
        raise InvoicingError(
            _("The seller's identifiers (%(identifiers)s) belong to several suppliers: %(suppliers)s.")
            % {"identifiers": shown, "suppliers": ", ".join(sorted(s.name for s in found))},
            code="ambiguous_supplier",
        )
    return found.pop()


# -- tolerances ---------------------------------------------------------------------------------------
def _tolerance(rule: ToleranceRule | None) -> matching.Tolerance:
    if rule is None:
        return matching.Tolerance(**tunable("INVOICING_DEFAULT_TOLERANCE"))
    # The rule's fields have the tolerance's names.
    return matching.Tolerance(
        **{field.name: getattr(rule, field.name) for field in fields(matching.Tolerance)}
    )


class Tolerances:
    """Every tolerance rule in memory; ``for_line`` picks the most specific for a supplier and category."""

    def __init__(self, rules: Iterable[ToleranceRule] | None = None) -> None:
        self.rules = list(ToleranceRule.objects.all() if rules is None else rules)
        self._cache: dict[tuple[int | None, str], matching.Tolerance] = {}

    def for_line(self, supplier_id: int, category: str) -> matching.Tolerance:
        key = (supplier_id, category)
        if key not in self._cache:
            self._cache[key] = _tolerance(self._pick(supplier_id, category))
        return self._cache[key]

    def _pick(self, supplier_id: int, category: str) -> ToleranceRule | None:
        def score(rule: ToleranceRule) -> tuple[int, int, int] | None:
            if rule.supplier_id not in (None, supplier_id):
                return None
            if rule.unspsc_prefix and not category.startswith(rule.unspsc_prefix):
                return None
            return (1 if rule.unspsc_prefix else 0, 1 if rule.supplier_id else 0, len(rule.unspsc_prefix))

        scored = [(s, rule) for rule in self.rules if (s := score(rule)) is not None]
        return max(scored, key=lambda pair: pair[0])[1] if scored else None

    def resolver(self, supplier_id: int) -> Any:
        def tolerance_for(line: matching.OrderLine | None) -> matching.Tolerance:
            return self.for_line(supplier_id, line.category if line is not None else "")

        return tolerance_for


# -- intake -------------------------------------------------------------------------------------------
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
                    "date": duplicate.created_at.date().isoformat(),
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
    for a person (:func:`_corrective_findings`). Returns the original it superseded, if any."""
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
        _resolve_all(original, ExceptionStatus.CLEARED, actor, reason)
        _move(original, InvoiceStatus.SUPERSEDED, actor, comment=reason)
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


def _corrective_findings(invoice: Invoice) -> list[matching.Finding]:
    """The check of a corrective invoice: it took the place of the invoice it names, or (an
    exception) that invoice is unknown, or already approved or paid."""
    if not invoice.corrective:
        return []
    original = invoice.corrects
    named = {"invoice": invoice.corrects_number or "?"}
    if original is None:
        return [matching.Finding("corrects_unknown", False, None, named)]
    if original.status in (InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED):
        return [matching.Finding("corrects_settled", False, None, named)]
    return [matching.Finding("corrects_ok", True, None, named)]


def _due(parsed: ParsedInvoice) -> Decimal:
    return amount_due(parsed)


# -- matching -----------------------------------------------------------------------------------------
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
    if matching.waits_for_receipt(exception.code for exception in new):
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
        _move(invoice, InvoiceStatus.APPROVED, actor)
    elif waiting:
        if invoice.status in (InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED, InvoiceStatus.EXCEPTION):
            _move(invoice, InvoiceStatus.AWAITING_RECEIPT, actor)
    elif invoice.status in (InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED, InvoiceStatus.AWAITING_RECEIPT):
        _move(invoice, InvoiceStatus.EXCEPTION, actor)
    return run


def _move(invoice: Invoice, target: str, actor: Any = None, comment: str = "", reason_code: str = "") -> None:
    if invoice.status == target:
        return
    also = []
    if target == InvoiceStatus.APPROVED:
        check_transition(INVOICE_TRANSITIONS, obj=invoice, current=invoice.status, target=target)
        invoice.approved_at = timezone.now()
        also.append("approved_at")
    set_status(
        invoice,
        target,
        table=INVOICE_TRANSITIONS,
        also=also,
        event=new_event(
            InvoiceEvent,
            invoice,
            "status_changed",
            actor=actor,
            detail={"from": invoice.status, "to": target, "comment": comment},
        ),
    )
    lifecycle.emit(invoice=invoice, comment=comment, reason_code=reason_code, actor=actor)
    for po in invoice.purchase_orders.all():
        transaction.on_commit(partial(_refresh_po, po.pk))


def _refresh_po(po_id: int) -> None:

    with transaction.atomic():
        refresh_po_status(lock_po(po_id))


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


def po_invoice_state(*, purchase_order: PurchaseOrder) -> str:
    """Registered in ``fulfilment.hooks.INVOICE_STATE``: "closed", "invoiced" or ""."""
    invoices = list(
        Invoice.objects.filter(purchase_orders=purchase_order, status__in=LIVE_STATUSES).prefetch_related(
            "lines"
        )
    )
    if not invoices:
        return ""
    invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice in invoices:
        for line in invoice.lines.all():
            if line.po_line_id:
                invoiced[line.po_line_id] += line.quantity
    rows = {f.po_line_id: f for f in LineFulfilment.objects.filter(po_line__purchase_order=purchase_order)}
    for po_line in purchase_order.lines.all():
        row = rows.get(po_line.pk)
        expected = po_line.quantity - (row.rejected_quantity if row else ZERO)
        if expected > 0 and invoiced[po_line.pk] < expected:
            return ""
    done = {InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED}
    return "closed" if all(invoice.status in done for invoice in invoices) else "invoiced"


# -- the exceptions queue -----------------------------------------------------------------------------
def _open_exceptions(invoice: Invoice) -> list[InvoiceException]:
    return list(
        invoice.exceptions.select_for_update().filter(
            status__in=[ExceptionStatus.OPEN, ExceptionStatus.ON_HOLD, ExceptionStatus.CREDIT_REQUESTED]
        )
    )


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise InvoicingError(_("Give a reason: it is recorded with the decision."))
    return reason.strip()


def accept_variance(*, exception: InvoiceException, actor: Any, reason: str) -> Invoice:
    """Accept one variance with a recorded reason; the invoice is approved when none is left open."""
    reason = _require_reason(reason)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=exception.invoice_id)
        exception = InvoiceException.objects.select_for_update().get(pk=exception.pk)
        if exception.status not in (
            ExceptionStatus.OPEN,
            ExceptionStatus.ON_HOLD,
            ExceptionStatus.CREDIT_REQUESTED,
        ):
            raise InvoicingError(_("This exception is no longer open."))
        set_status(
            exception,
            ExceptionStatus.ACCEPTED,
            table=EXCEPTION_TRANSITIONS,
            values={"reason": reason, "resolved_by": actor, "resolved_at": timezone.now()},
        )
        record_event(
            InvoiceEvent,
            invoice,
            "variance_accepted",
            actor=actor,
            detail={"code": exception.code, "line": exception.line_number, "reason": reason},
        )
        if not _open_exceptions(invoice):
            _move(invoice, InvoiceStatus.APPROVED, actor, reason)
    return invoice


def _resolve_all(invoice: Invoice, status: str, actor: Any, reason: str) -> None:
    for exception in _open_exceptions(invoice):
        set_status(
            exception,
            status,
            table=EXCEPTION_TRANSITIONS,
            values={"reason": reason, "resolved_by": actor, "resolved_at": timezone.now()},
        )


def _decide(
    invoice: Invoice,
    actor: Any,
    reason: str,
    exceptions: str,
    status: str,
    refused: Callable[[Invoice], str] | None = None,
    reason_code: str = "",
) -> Invoice:
    """A person's decision on a whole invoice, with a reason: its open exceptions are resolved as
    ``exceptions`` and it moves to ``status``, unless ``refused`` says why not. ``reason_code`` is the
    lifecycle reason code chosen (``core.lifecycle``; derived from the exceptions when empty)."""
    reason = _require_reason(reason)
    code = lifecycle.LIFECYCLE_OF.get(status, "")
    if reason_code and reason_code not in REASONS_BY_STATUS.get(code, ()):
        raise InvoicingError(
            _("%(reason)s is not a reason this decision may give.") % {"reason": reason_label(reason_code)},
            code="reason_code",
        )
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        refusal = refused(invoice) if refused else ""
        if refusal:
            raise InvoicingError(refusal)
        _resolve_all(invoice, exceptions, actor, reason)
        _move(invoice, status, actor, reason, reason_code)
    return invoice


def request_credit_memo(*, invoice: Invoice, actor: Any, reason: str, reason_code: str = "") -> Invoice:
    """Ask the supplier for a credit memo; the invoice waits, and is matched again when it arrives."""
    return _decide(
        invoice,
        actor,
        reason,
        ExceptionStatus.CREDIT_REQUESTED,
        InvoiceStatus.CREDIT_REQUESTED,
        reason_code=reason_code,
    )


def hold_invoice(*, invoice: Invoice, actor: Any, reason: str, reason_code: str = "") -> Invoice:
    """Put an invoice aside (it will not be paid) with a reason."""
    return _decide(
        invoice, actor, reason, ExceptionStatus.ON_HOLD, InvoiceStatus.ON_HOLD, reason_code=reason_code
    )


def _approved_for_payment(invoice: Invoice) -> str:
    if invoice.status in (InvoiceStatus.EXPORTED, InvoiceStatus.APPROVED):
        return _("An invoice approved for payment cannot be rejected here; ask for a credit memo.")
    return ""


def reject_invoice(*, invoice: Invoice, actor: Any, reason: str, reason_code: str = "") -> Invoice:
    """Refuse an invoice (lifecycle 210 Refusée, with ``reason_code``): it is never paid, and its
    quantities no longer count as invoiced."""
    return _decide(
        invoice,
        actor,
        reason,
        ExceptionStatus.REJECTED,
        InvoiceStatus.REJECTED,
        _approved_for_payment,
        reason_code=reason_code,
    )


def cancel_invoice(*, supplier: Supplier, number: str, year: int) -> Invoice:
    """The supplier cancels an invoice (cXML operation="delete") not yet sent to payment."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().filter(supplier=supplier, number=number, year=year).first()
        )
        if invoice is None:
            raise InvoicingError(
                _("No invoice %(number)s of %(year)s to cancel.") % {"number": number, "year": year},
                code="unknown_invoice",
            )
        if invoice.status in FINAL_STATUSES:
            raise InvoicingError(
                _("Invoice %(number)s is %(status)s and can no longer be cancelled; send a credit memo.")
                % {"number": number, "status": invoice.get_status_display()},
                code="duplicate",
            )
        _resolve_all(invoice, ExceptionStatus.CLEARED, None, "cancelled by the supplier")
        _move(invoice, InvoiceStatus.CANCELLED, None)
    return invoice


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


# -- payment export -----------------------------------------------------------------------------------
def export_payments(*, actor: Any) -> PaymentExport:
    """A CSV of every invoice approved for payment and not yet exported; they become "sent to payment"."""
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update()
            .filter(status=InvoiceStatus.APPROVED)
            .select_related("supplier")
            .prefetch_related("purchase_orders", "supplier__identifiers")
            .order_by("supplier__name", "invoice_date", "pk")
        )
        if not invoices:
            raise InvoicingError(_("No invoice is approved for payment."))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(tunable("INVOICING_PAYMENT_COLUMNS"))
        for invoice in invoices:
            vat = next(
                (i.value for i in invoice.supplier.identifiers.all() if i.scheme == IdentifierScheme.VAT), ""
            )
            writer.writerow(
                [
                    safe_cell(invoice.supplier.number),
                    safe_cell(invoice.supplier.name),
                    safe_cell(vat),
                    safe_cell(invoice.number),
                    invoice.invoice_date.isoformat(),
                    invoice.due_date.isoformat() if invoice.due_date else "",
                    safe_cell(invoice.kind),
                    safe_cell(invoice.currency),
                    format(quantize_money(invoice.due_amount, invoice.currency), "f"),
                    safe_cell(" ".join(sorted(po.number for po in invoice.purchase_orders.all()))),
                    invoice.discount_due_date.isoformat() if invoice.discount_due_date else "",
                    "" if invoice.discount_percent is None else format(invoice.discount_percent, "f"),
                    ""
                    if invoice.discount_amount is None
                    else format(quantize_money(invoice.discount_amount, invoice.currency), "f"),
                    "yes" if invoice.reverse_charge else "",
                ]
            )
        export = PaymentExport.objects.create(
            number=f"tmp-{timezone.now().timestamp()}",
            created_by=actor,
            content=buffer.getvalue(),
            invoice_count=len(invoices),
        )
        export.number = f"PAY-{export.created_at:%Y}-{export.pk:05d}"
        export.save(update_fields=["number"])
        for invoice in invoices:
            invoice.payment_export = export
            invoice.save(update_fields=["payment_export"])
            _move(invoice, InvoiceStatus.EXPORTED, actor)
    return export
