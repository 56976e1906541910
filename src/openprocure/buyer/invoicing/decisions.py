"""An invoice's status and the decisions people take on it: the one move of an invoice's status (told
to its supplier through :mod:`.lifecycle`, its orders refreshed), the exceptions queue (accept a
variance, ask for a credit memo, hold, reject), the supplier's cancellation, and payment exports.

The other service modules (:mod:`.receiving`, :mod:`.match_runs`, :mod:`.identifiers`) import
:class:`InvoicingError`, :data:`FINAL_STATUSES`, :func:`move_invoice` and :func:`resolve_exceptions`
from here; other apps, the pages and the tests reach this module's names through :mod:`.services`.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.models import LineFulfilment
from openprocure.buyer.fulfilment.services import lock_po, refresh_po_status
from openprocure.buyer.invoicing import lifecycle
from openprocure.buyer.invoicing.choices import (
    EXCEPTION_TRANSITIONS,
    INVOICE_TRANSITIONS,
    LIVE_STATUSES,
    ExceptionStatus,
    IdentifierScheme,
    InvoiceStatus,
)
from openprocure.buyer.invoicing.models import Invoice, InvoiceEvent, InvoiceException, PaymentExport
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.audit import new_event, record_event
from openprocure.core.csvsafe import safe_cell
from openprocure.core.exceptions import ServiceError
from openprocure.core.lifecycle import REASONS_BY_STATUS, reason_label
from openprocure.core.status import check_transition, set_status
from openprocure.core.tunables import tunable
from punchout.money import quantize_money

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
#: The statuses an invoice never leaves (exported to payment, rejected, cancelled, superseded): a new
#: match does not move it and its supplier can no longer cancel it.
FINAL_STATUSES = frozenset(status for status, targets in INVOICE_TRANSITIONS.items() if not targets)


class InvoicingError(ServiceError):
    """A refused invoicing action; ``message`` says what was wrong and what to do next."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        self.code = code
        super().__init__(message)


# -- the status of an invoice -------------------------------------------------------------------------
def move_invoice(
    invoice: Invoice, target: str, actor: Any = None, comment: str = "", reason_code: str = ""
) -> None:
    """Move ``invoice`` to ``target`` (nothing when it is there already): recorded with who and why,
    told to its supplier (:func:`.lifecycle.emit`), and its orders' status refreshed once committed."""
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
            move_invoice(invoice, InvoiceStatus.APPROVED, actor, reason)
    return invoice


def resolve_exceptions(invoice: Invoice, status: str, actor: Any, reason: str) -> None:
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
        if invoice.status != status and status not in INVOICE_TRANSITIONS.get(invoice.status, set()):
            # Decided meanwhile (another clerk, a page left open): said in words, nothing changes.
            raise InvoicingError(
                _("Invoice %(number)s is %(status)s: this decision no longer applies to it.")
                % {"number": invoice.number, "status": invoice.get_status_display()}
            )
        if invoice.status == status and not _open_exceptions(invoice):
            # The same decision again (a second click): nothing to record, and the clerk is told so.
            raise InvoicingError(
                _("Invoice %(number)s is already %(status)s: nothing was changed.")
                % {"number": invoice.number, "status": invoice.get_status_display()}
            )
        resolve_exceptions(invoice, exceptions, actor, reason)
        move_invoice(invoice, status, actor, reason, reason_code)
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
        resolve_exceptions(invoice, ExceptionStatus.CLEARED, None, "cancelled by the supplier")
        move_invoice(invoice, InvoiceStatus.CANCELLED, None)
    return invoice


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
            move_invoice(invoice, InvoiceStatus.EXPORTED, actor)
    return export
