"""Change orders, cancellations and closing a partly received order: the buyer's side, sent to the
supplier as the next version of the order (applied once the supplier accepts it).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.approvals import budgets
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.purchasing import emailing, hooks
from openprocure.buyer.purchasing.choices import (
    CHANGEABLE,
    PO_TRANSITIONS,
    POStatus,
    TransmissionStatus,
    TransmissionType,
)
from openprocure.buyer.purchasing.documents import Version
from openprocure.buyer.purchasing.line_changes import _cancel_lines, _release, _requantify
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, Transmission
from openprocure.buyer.purchasing.sending import PurchasingError, _sent_event, _transmit
from openprocure.core.audit import new_event, record_event
from openprocure.core.status import set_status
from punchout.money import quantize_money


def request_change(*, po: PurchaseOrder, actor: Any, quantities: dict[int, Decimal], reason: str = "") -> str:
    """Lower line quantities or cancel lines (quantity 0) of an accepted or confirmed order that has
    not shipped: sent as OrderRequest type="update" with the next orderVersion, applied once the
    supplier accepts it. Raising a quantity is a new order (refused here). Returns ``"sent"``.
    """
    with transaction.atomic():
        po = _lock_for_buyer(
            po, actor, _("Only the requester or a procurement administrator can change this order.")
        )
        _require_changeable(po)
        lines = {line.line_number: line for line in po.lines.all()}
        unknown = set(quantities) - set(lines)
        if unknown:
            raise PurchasingError(
                _("Unknown line numbers: %(lines)s.") % {"lines": ", ".join(map(str, sorted(unknown)))}
            )
        if any(q < 0 for q in quantities.values()):
            raise PurchasingError(_("Quantities cannot be negative; 0 cancels the line."))
        raised = sorted(n for n, q in quantities.items() if q > lines[n].quantity)
        if raised:
            raise PurchasingError(
                _(
                    "Line %(lines)s: a higher quantity (or a new line) is a new order. Order the extra "
                    "quantity on a new requisition; here you can only lower quantities or cancel lines."
                )
                % {"lines": ", ".join(map(str, raised))}
            )
        changes = {
            str(n): {"from": _quantity(lines[n].quantity), "to": _quantity(q)}
            for n, q in sorted(quantities.items())
            if q != lines[n].quantity
        }
        if not changes:
            raise PurchasingError(_("Nothing to change: enter a lower quantity, or 0 to cancel a line."))
        if all(line.is_cancelled or quantities.get(n, line.quantity) == 0 for n, line in lines.items()):
            return _send_cancellation(po, actor, reason)
        if not emailing.takes_changes(po.connection):
            raise PurchasingError(
                _("%(supplier)s does not accept change orders: cancel and order again.")
                % {"supplier": po.supplier}
            )
        _send_version(po, TransmissionType.UPDATE, changes, actor, reason)
        record_event(
            PurchaseOrderEvent,
            po,
            "change_requested",
            actor=actor,
            detail={"changes": changes, "reason": reason},
        )
        return "sent"


def apply_change(*, po: PurchaseOrder, actor: Any = None) -> Transmission | None:
    """A change that waited for approval (from before higher quantities became new orders): dropped
    with an event, as raising a quantity is now a new order."""
    if not po.pending_change:
        return None
    po.pending_change = {}
    po.save(update_fields=["pending_change"])
    record_event(
        PurchaseOrderEvent,
        po,
        "change_refused",
        actor=actor,
        detail={"text": _("A higher quantity is a new order.")},
    )
    return None


def _quantity(value: Decimal) -> str:
    """A quantity as people write it: 3, 2.5 (never 3.0000 nor 1E+1)."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _next_version(po: PurchaseOrder) -> int:
    sent = [t.version for t in po.transmissions.all()]
    return max([po.version, *sent]) + 1


def _send_version(
    po: PurchaseOrder, kind: str, changes: dict[str, dict[str, str]], actor: Any, reason: str
) -> Transmission:
    """Store the change order or cancellation in the outbox as the next version of the order."""
    connection = po.connection
    assert emailing.takes_changes(connection) or emailing.takes_changes(connection, cancellation=True)
    original = po.transmissions.filter(type=TransmissionType.NEW).order_by("id").first()
    version = Version(
        number=_next_version(po),
        quantities={int(n): Decimal(c["to"]) for n, c in changes.items()},
        reference=original.payload_id if original else None,
    )
    transmission = _transmit(po, connection, kind, version, changes=changes, reason=reason)
    po.supplier_message = ""
    po.save(update_fields=["supplier_message"])
    _sent_event(transmission, actor).save()
    return transmission


def _lock_for_buyer(po: PurchaseOrder, actor: Any, refusal: str) -> PurchaseOrder:
    """``po`` read again and locked for this transaction, with its connection, requisition and
    supplier, when ``actor`` is its requester or a procurement administrator; else a
    :class:`PurchasingError` saying ``refusal``."""
    po = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("connection", "requisition", "supplier")
        .get(pk=po.pk)
    )
    if actor.pk != po.buyer_id and not is_procurement_admin(actor):
        raise PurchasingError(refusal)
    return po


def _require_changeable(po: PurchaseOrder) -> None:
    if po.status not in CHANGEABLE:
        raise PurchasingError(
            _(
                "Order %(number)s is %(status)s: it can change only once the supplier has accepted it, "
                "and until it ships."
            )
            % {"number": po.number, "status": po.get_status_display()}
        )
    if any(hooks.shipping_started(purchase_order=po)):
        raise PurchasingError(
            _("Order %(number)s has started shipping: it can no longer change. Refuse or return the goods.")
            % {"number": po.number}
        )
    _refuse_while_change_waits(po)


def _refuse_while_change_waits(po: PurchaseOrder) -> None:
    """Refuse another version of ``po`` while one sent earlier still waits for the supplier's answer."""
    if po.transmissions.filter(status=TransmissionStatus.QUEUED).exists():
        raise PurchasingError(
            _(
                "A change of order %(number)s is waiting for the supplier's answer: try again once it has answered."
            )
            % {"number": po.number}
        )


def _send_cancellation(po: PurchaseOrder, actor: Any, reason: str) -> str:
    if not emailing.takes_changes(po.connection, cancellation=True):
        raise PurchasingError(
            _("%(supplier)s does not accept cancellations by cXML: contact the supplier.")
            % {"supplier": po.supplier}
        )
    changes = {
        str(line.line_number): {"from": _quantity(line.quantity), "to": "0"}
        for line in po.lines.all()
        if not line.is_cancelled
    }
    _send_version(po, TransmissionType.DELETE, changes, actor, reason)
    record_event(PurchaseOrderEvent, po, "cancellation_requested", actor=actor, detail={"reason": reason})
    return "sent"


def cancel_purchase_order(*, po: PurchaseOrder, actor: Any, reason: str = "") -> Transmission | None:
    """Cancel an order: OrderRequest type="delete" when accepted (the connection must allow it and
    nothing may have shipped), applied once the supplier accepts it; an order never delivered is
    dropped at once."""

    with transaction.atomic():
        po = _lock_for_buyer(
            po, actor, _("Only the requester or a procurement administrator can cancel this order.")
        )
        if (
            po.status in (POStatus.APPROVED, POStatus.FAILED)
            and not po.transmissions.filter(status=TransmissionStatus.ACCEPTED).exists()
        ):
            set_status(
                po,
                POStatus.CANCELLED,
                table=PO_TRANSITIONS,
                event=new_event(PurchaseOrderEvent, po, "cancelled", actor=actor, detail={"reason": reason}),
            )
            if not po.requisition.purchase_orders.exclude(status=POStatus.CANCELLED).exists():
                budgets.release(requisition=po.requisition)
            return None
        if po.status == POStatus.SENT:
            raise PurchasingError(
                _("Wait until the supplier has received order %(number)s before cancelling it.")
                % {"number": po.number}
            )
        _require_changeable(po)
        _send_cancellation(po, actor, reason)
        return po.transmissions.order_by("-id").first()


def close_remaining(*, po: PurchaseOrder, actor: Any, reason: str = "") -> Transmission | None:
    """Close a partly received order: nothing more is expected of it.

    Each line keeps what was received, or what the supplier's ship notices say shipped when more is
    on its way (a line of which nothing came nor shipped is cancelled); the rest is no longer
    awaited, its budget is released and the order becomes Received once what is on its way is
    received (the event lists it as in transit). The supplier is told by a change order
    (OrderRequest type="update", the next orderVersion) when its connection accepts them; otherwise
    the event says it was not told. Returns the change order sent, if any.
    """
    with transaction.atomic():
        po = _lock_for_buyer(
            po, actor, _("Only the requester or a procurement administrator can close this order.")
        )
        rows = {pk: row for result in hooks.refresh_lines(purchase_order=po) for pk, row in result.items()}
        remaining = {
            row.po_line.line_number: row
            for row in rows.values()
            if not row.po_line.is_cancelled and row.open_quantity > 0
        }
        if po.status != POStatus.PART_RECEIVED or not remaining:
            raise PurchasingError(
                _("Order %(number)s has nothing partly received left to close: it is %(status)s.")
                % {"number": po.number, "status": po.get_status_display()}
            )
        _refuse_while_change_waits(po)
        # What the supplier's ship notices say shipped is on its way and cannot be called back: a
        # line keeps it too (the supplier ships no more than that, and invoices it).
        kept = {number: max(row.received_quantity, row.shipped_quantity) for number, row in remaining.items()}
        targets = {}
        for number, row in remaining.items():
            target = kept[number] + row.rejected_quantity if kept[number] > 0 else Decimal(0)
            if target < row.po_line.quantity:
                targets[number] = target
        if not targets:
            raise PurchasingError(
                _(
                    "Order %(number)s has nothing left to close: what is still open has shipped and is on "
                    "its way. Receive it when it arrives, or refuse it then."
                )
                % {"number": po.number}
            )
        in_transit = {
            str(number): _quantity(kept[number] - row.received_quantity)
            for number, row in sorted(remaining.items())
            if kept[number] > row.received_quantity
        }
        changes = {
            str(number): {"from": _quantity(remaining[number].po_line.quantity), "to": _quantity(target)}
            for number, target in sorted(targets.items())
        }
        connection = po.connection
        can_tell = emailing.takes_changes(connection)
        transmission = (
            _send_version(po, TransmissionType.UPDATE, changes, actor, reason) if can_tell else None
        )
        _cancel_lines(po, {n for n, target in targets.items() if target == 0}, reason=reason, save_po=False)
        released: dict[str, Decimal] = defaultdict(Decimal)
        for number, target in targets.items():
            line = remaining[number].po_line
            if target == 0:
                continue
            line.cancelled_quantity = Decimal(line.cancelled_quantity) + Decimal(line.quantity) - target
            _requantify(po, line, target, released)
            line.cancel_reason = reason
            line.save(
                update_fields=["quantity", "cancelled_quantity", "amount", "distributions", "cancel_reason"]
            )
        _release(po, released)
        po.total_amount = quantize_money(
            sum((Decimal(line.amount) for line in po.lines.all()), Decimal(0)), po.currency
        )
        po.save(update_fields=["total_amount"])
        record_event(
            PurchaseOrderEvent,
            po,
            "closed_short",
            actor=actor,
            detail={
                "changes": changes,
                "reason": reason,
                "supplier_told": can_tell,
                **({"in_transit": in_transit} if in_transit else {}),
            },
        )
        hooks.refresh_status(purchase_order=po, actor=actor)
        return transmission
