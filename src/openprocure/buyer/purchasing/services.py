"""Every write on purchase orders: numbering, creation at final approval, sending through the outbox,
following delivery, change orders and cancellations.

Delivery outcome: the core outbox knows nothing about purchase orders. Each OrderRequest is stored
with the result callback :data:`DELIVERY_RESULT` (registered by ``PurchasingConfig.ready``), so the
outbox worker calls :func:`record_delivery` in the transaction that records the outcome and the PO
moves with it: delivered → accepted by supplier, failed (cXML 4xx or retries exhausted) → failed
with the supplier's text. While the outbox retries a transient failure the PO stays "sent" and its
page shows the last error and the next attempt.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.approvals import budgets
from openprocure.buyer.approvals.services import approval_mismatch, restart_after_change
from openprocure.buyer.organization.choices import AddressKind
from openprocure.buyer.organization.models import Address
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.purchasing import emailing, hooks, notices
from openprocure.buyer.purchasing.bods import build_bod, content_type_of
from openprocure.buyer.purchasing.choices import (
    CHANGEABLE,
    PO_TRANSITIONS,
    TRANSMISSION_TRANSITIONS,
    POStatus,
    TransmissionStatus,
    TransmissionType,
)
from openprocure.buyer.purchasing.documents import (
    Version,
    address_snapshot,
    build_order_request,
    build_order_requests,
    rescale,
)
from openprocure.buyer.purchasing.emailing import by_email_channel
from openprocure.buyer.purchasing.models import (
    PONumberCounter,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Transmission,
    order_problem_text,
)
from openprocure.buyer.requisitions.limits import line_amount
from openprocure.buyer.requisitions.services import ITEM_FIELDS, change_status, change_status_many
from openprocure.buyer.suppliers.choices import OrderChannel
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.audit import new_event, record_event
from openprocure.core.choices import OutboxStatus
from openprocure.core.models import OutboxMessage
from openprocure.core.outbox import Outgoing, enqueue_document, enqueue_documents
from openprocure.core.status import can_move, check_transition, set_status, set_status_many
from openprocure.core.tunables import tunable
from punchout.money import quantize_money

logger = logging.getLogger(__name__)

# The outbox result callback every OrderRequest is stored with (:func:`record_delivery`).
DELIVERY_RESULT = "purchasing.order"


class PurchasingError(Exception):
    """A refused purchase-order action; the message says what was wrong and what to do next."""


# -- numbering ----------------------------------------------------------------------------------------
def next_po_number(*, today: Any = None) -> str:
    """The next PO number of the pattern ``settings.PO_NUMBER_PATTERN`` (one counter per year/month scope).

    The counter row is locked (SELECT … FOR UPDATE) while it is incremented, and the PO number is
    unique in the database, so concurrent approvals can never share a number.
    """
    return allocate_po_numbers(1, today=today)[0]


def allocate_po_numbers(count: int, *, today: Any = None) -> list[str]:
    """The next ``count`` PO numbers, taken from the counter at once (locked as in :func:`next_po_number`).

    Numbers already used by an order (e.g. entered before the counter existed) are skipped.
    """
    pattern = tunable("PO_NUMBER_PATTERN")
    today = today or timezone.localdate()
    values = {"year": today.year, "month": f"{today.month:02d}"}
    scope = pattern
    if "{year" in pattern:
        scope += f"|{today.year}"
    if "{month" in pattern:
        scope += f"|{today.month:02d}"
    numbers: list[str] = []
    if count <= 0:
        return numbers
    with transaction.atomic():
        try:
            with transaction.atomic():
                PONumberCounter.objects.get_or_create(scope=scope[:64])
        except IntegrityError:  # another transaction created it first: it exists now
            pass
        counter = PONumberCounter.objects.select_for_update().get(scope=scope[:64])
        while len(numbers) < count:
            needed = count - len(numbers)
            candidates = [pattern.format(seq=counter.last_value + n, **values) for n in range(1, needed + 1)]
            counter.last_value += needed
            taken = set(PurchaseOrder.objects.filter(number__in=candidates).values_list("number", flat=True))
            numbers.extend(number for number in candidates if number not in taken)
        counter.save(update_fields=["last_value"])
    return numbers


# -- creation -----------------------------------------------------------------------------------------
def _distributions(line: Any) -> list[dict[str, str]]:
    splits = list(line.splits.all())
    if not splits and line.cost_center_id:
        cc, gl = line.cost_center, line.gl_account
        return [
            {
                "cost_center": cc.code,
                "cost_center_name": cc.name,
                "gl_account": gl.code if gl else "",
                "gl_account_name": gl.name if gl else "",
                "amount": str(line.amount),
            }
        ]
    result = []
    for split in splits:
        if split.amount is not None:
            amount = quantize_money(Decimal(split.amount), line.currency)
        else:
            amount = quantize_money(
                line.amount * Decimal(split.percentage or 0) / Decimal(100), line.currency
            )
        result.append(
            {
                "cost_center": split.cost_center.code,
                "cost_center_name": split.cost_center.name,
                "gl_account": split.gl_account.code if split.gl_account else "",
                "gl_account_name": split.gl_account.name if split.gl_account else "",
                "amount": str(amount),
                "percentage": str(split.percentage) if split.percentage is not None else "",
            }
        )
    return result


def _bill_to(requisition: Any) -> Any:

    profile = getattr(requisition.requester, "buyer_profile", None)
    rows = Address.objects.filter(kind=AddressKind.BILL_TO)
    if profile is not None:
        rows = rows.filter(company_id=profile.company_id)
    return rows.order_by("-is_default", "code").first()


def _connection_for(supplier: Any, line_connection: Any) -> Any:
    if line_connection is not None and line_connection.sends_orders and line_connection.is_active:
        return line_connection
    return (
        supplier.connections.filter(
            Q(protocol="cxml", order_channel=OrderChannel.CXML) | Q(order_channel=OrderChannel.OAGIS),
            is_active=True,
        )
        .exclude(order_url="")
        .order_by("pk")
        .first()
        or line_connection
    )


#: The fields a PO line copies from its requisition line, as they are.
_ORDERED_AS_REQUESTED = (*ITEM_FIELDS, "amount", "need_by")


def _po_line(po: PurchaseOrder, line_number: int, line: Any) -> PurchaseOrderLine:
    """The PO line ordering one requisition line (not saved: callers create them in bulk)."""
    return PurchaseOrderLine(
        purchase_order=po,
        line_number=line_number,
        requisition_line=line,
        distributions=_distributions(line),
        **{name: getattr(line, name) for name in _ORDERED_AS_REQUESTED},
    )


def create_purchase_orders(*, requisition: Any, actor: Any = None) -> list[PurchaseOrder]:
    """One PO per supplier from an approved requisition, each sent through the outbox.

    Only the lines that were approved are ordered: when the requisition changed after its approval
    (lines, total, currency or suppliers), no order is made and it goes back to approval.
    """

    if _back_to_approval_if_changed(requisition, actor=actor):
        return []

    lines = list(
        requisition.lines.select_related("supplier", "connection", "cost_center", "gl_account", "ship_to")
        .prefetch_related("splits__cost_center", "splits__gl_account")
        .order_by("line_number")
    )
    groups: dict[int, list[Any]] = defaultdict(list)
    for line in lines:
        if line.supplier_id:
            groups[line.supplier_id].append(line)
    bill_to = address_snapshot(_bill_to(requisition))
    orders = []
    for supplier_lines in groups.values():
        first = supplier_lines[0]
        supplier = first.supplier
        total = sum((line.amount for line in supplier_lines), Decimal(0))
        po = PurchaseOrder.objects.create(
            number=next_po_number(),
            requisition=requisition,
            supplier=supplier,
            connection=_connection_for(supplier, first.connection),
            buyer_id=requisition.requester_id,
            currency=requisition.currency,
            total_amount=quantize_money(total, requisition.currency),
            ship_to=address_snapshot(requisition.ship_to or first.ship_to),
            bill_to=bill_to,
        )
        PurchaseOrderLine.objects.bulk_create(
            [_po_line(po, index, line) for index, line in enumerate(supplier_lines, start=1)]
        )
        record_event(
            PurchaseOrderEvent, po, "created", actor=actor, detail={"requisition": requisition.number}
        )
        orders.append(po)
    if orders:
        change_status(
            requisition=requisition,
            target="ordered",
            actor=actor,
            reason=_("Purchase orders %(numbers)s created.")
            % {"numbers": ", ".join(po.number for po in orders)},
            data={"purchase_orders": [po.number for po in orders]},
        )
        budgets.move_to_purchase_order(requisition=requisition, po_numbers=[po.number for po in orders])
        for po in orders:
            send_purchase_order(po=po, actor=actor)
    return orders


def _back_to_approval_if_changed(requisition: Any, *, actor: Any, approval: Any = None) -> bool:
    """True (and the requisition back in approval) when it is not what its approvers approved."""

    mismatch = approval_mismatch(requisition, approval)
    if not mismatch:
        return False
    logger.warning("no order for requisition %s: %s", requisition.number, mismatch)
    restart_after_change(
        requisition=requisition,
        actor=actor,
        reason=_("No order was made: %(why)s It goes back to approval.") % {"why": mismatch},
    )
    return True


def on_final_approval(*, requisition: Any, approval: Any, actor: Any = None) -> None:
    """Registered in ``approvals.hooks``: create the POs, or send the change orders that waited."""
    waiting = list(requisition.purchase_orders.exclude(pending_change={}))
    if waiting:
        for po in waiting:
            apply_change(po=po, actor=actor)
    elif not requisition.purchase_orders.exists():
        create_purchase_orders(requisition=requisition, actor=actor)


def on_final_approval_many(*, requisitions: list[Any], approvals: list[Any], actor: Any = None) -> None:
    """Registered in ``approvals.hooks.FINAL_APPROVAL_BATCH_HOOKS``: :func:`on_final_approval` for a batch."""
    ids = [r.pk for r in requisitions]
    ordered = set(
        PurchaseOrder.objects.filter(requisition_id__in=ids).values_list("requisition_id", flat=True)
    )
    approved = {a.requisition_id: a for a in approvals}
    requisitions = [
        r
        for r in requisitions
        if r.pk in ordered  # change orders: checked by their own round
        or not _back_to_approval_if_changed(r, actor=actor, approval=approved.get(r.pk))
    ]
    for po in PurchaseOrder.objects.filter(requisition_id__in=ids).exclude(pending_change={}):
        apply_change(po=po, actor=actor)  # change orders are rare: one by one
    create_purchase_orders_many(requisitions=[r for r in requisitions if r.pk not in ordered], actor=actor)


def create_purchase_orders_many(*, requisitions: list[Any], actor: Any = None) -> list[PurchaseOrder]:
    """:func:`create_purchase_orders` for many approved requisitions, with bulk statements.

    One PO per requisition and supplier, numbered from one block of the counter, sent through the
    outbox. Requisitions come from ``requisitions.services.batch_queryset`` (requester, ship-to,
    lines with their accounting already loaded).
    """

    if not requisitions:
        return []
    lines = [line for r in requisitions for line in r.lines.all()]
    # The few suppliers, connections and addresses the lines point to, read once for the batch.
    suppliers = Supplier.objects.in_bulk({line.supplier_id for line in lines if line.supplier_id})
    connections_by_id = PunchOutConnection.objects.in_bulk(
        {line.connection_id for line in lines if line.connection_id}
    )
    addresses = Address.objects.in_bulk({line.ship_to_id for line in lines if line.ship_to_id})
    groups: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        if line.supplier_id:
            line.supplier = suppliers[line.supplier_id]
            line.connection = connections_by_id.get(line.connection_id) if line.connection_id else None
            line.ship_to = addresses.get(line.ship_to_id) if line.ship_to_id else None
            groups[line.requisition_id][line.supplier_id].append(line)
    plans = [(r, supplier_lines) for r in requisitions for supplier_lines in groups[r.pk].values()]
    if not plans:
        return []
    numbers = allocate_po_numbers(len(plans))
    bill_to: dict[Any, dict[str, str]] = {}
    connections: dict[tuple[int, Any], Any] = {}
    orders = []
    now = timezone.now()
    for (requisition, supplier_lines), number in zip(plans, numbers, strict=True):
        first = supplier_lines[0]
        profile = getattr(requisition.requester, "buyer_profile", None)
        company = profile.company_id if profile is not None else None
        if company not in bill_to:
            bill_to[company] = address_snapshot(_bill_to(requisition))
        key = (first.supplier_id, first.connection_id)
        if key not in connections:
            connections[key] = _connection_for(first.supplier, first.connection)
        total = sum((line.amount for line in supplier_lines), Decimal(0))
        orders.append(
            PurchaseOrder(
                number=number,
                requisition=requisition,
                supplier=first.supplier,
                connection=connections[key],
                buyer=requisition.requester,
                currency=requisition.currency,
                total_amount=quantize_money(total, requisition.currency),
                ship_to=address_snapshot(requisition.ship_to or first.ship_to),
                bill_to=bill_to[company],
                created_at=now,
            )
        )
    orders = PurchaseOrder.objects.bulk_create(orders)
    PurchaseOrderLine.objects.bulk_create(
        [
            _po_line(po, index, line)
            for po, (_requisition, supplier_lines) in zip(orders, plans, strict=True)
            for index, line in enumerate(supplier_lines, start=1)
        ]
    )
    prefetch_related_objects(orders, "lines")  # what the OrderRequest documents are built from
    PurchaseOrderEvent.objects.bulk_create(
        [
            new_event(
                PurchaseOrderEvent,
                po,
                "created",
                actor=actor,
                detail={"requisition": po.requisition.number},
                created_at=now,
            )
            for po in orders
        ]
    )
    per_requisition: dict[int, list[str]] = defaultdict(list)
    for po in orders:
        per_requisition[po.requisition_id].append(po.number)
    ordered = [r for r in requisitions if r.pk in per_requisition]
    change_status_many(
        requisitions=ordered,
        target="ordered",
        actor=actor,
        reasons={
            pk: _("Purchase orders %(numbers)s created.") % {"numbers": ", ".join(found)}
            for pk, found in per_requisition.items()
        },
        data={pk: {"purchase_orders": found} for pk, found in per_requisition.items()},
    )
    budgets.move_to_purchase_orders(po_numbers=dict(per_requisition))
    send_purchase_orders(orders=orders, actor=actor)
    return orders


def send_purchase_orders(*, orders: list[PurchaseOrder], actor: Any = None) -> None:
    """:func:`send_purchase_order` for many new orders: documents built, then stored with bulk statements."""
    now = timezone.now()
    sendable, unsendable, by_email = [], [], []
    for po in orders:
        connection = po.connection
        values = order_problem_values(po)
        if values:
            _hold_back(po, values)
            unsendable.append(po)
        elif by_email_channel(connection):
            by_email.append(po)  # one e-mail each, below
        elif connection is None or not connection.sends_orders:
            po.supplier_message = _(
                "No cXML order URL for %(supplier)s: add one to the supplier connection, then send the order again."
            ) % {"supplier": po.supplier}
            unsendable.append(po)
        else:
            check_transition(PO_TRANSITIONS, obj=po, current=po.status, target=POStatus.SENT)
            po.sent_at = now
            po.supplier_message = ""
            sendable.append(po)
    if unsendable:
        PurchaseOrder.objects.bulk_update(unsendable, ["supplier_message", "supplier_message_values"])
    bods = [po for po in sendable if po.connection is not None and po.connection.sends_bods]
    sendable = [po for po in sendable if po not in bods]
    built = [
        (payload_id, "OrderRequest", body)
        for payload_id, body in build_order_requests(sendable, kind=TransmissionType.NEW)
    ] + [build_bod(po, kind=TransmissionType.NEW) for po in bods]
    sendable += bods
    messages = enqueue_documents(
        [
            Outgoing(
                kind=name,
                url=po.connection.order_url if po.connection else "",
                payload_id=payload_id,
                body=body,
                reference=po.number,
                partner=str(po.supplier)[:200],
                secret_source=str(po.connection_id),
                on_result=DELIVERY_RESULT,
                content_type=content_type_of(name),
            )
            for po, (payload_id, name, body) in zip(sendable, built, strict=True)
        ]
    )
    transmissions = Transmission.objects.bulk_create(
        [
            Transmission(
                purchase_order=po,
                type=TransmissionType.NEW,
                version=po.version,
                payload_id=payload_id,
                outbox_message=message,
            )
            for po, (payload_id, _name, _body), message in zip(sendable, built, messages, strict=True)
        ]
    )
    set_status_many(
        sendable, POStatus.SENT, table=PO_TRANSITIONS, values={"sent_at": now, "supplier_message": ""}
    )
    PurchaseOrderEvent.objects.bulk_create(
        [_sent_event(sent, actor, now) for sent in transmissions]
        + [
            new_event(
                PurchaseOrderEvent,
                po,
                "not_sent",
                actor=actor,
                detail={"reason": po.supplier_message, "values": po.supplier_message_values}
                if po.supplier_message_values
                else {"reason": "no order URL"},
                created_at=now,
            )
            for po in unsendable
        ]
    )
    for po in by_email:
        send_purchase_order(po=po, actor=actor)


# -- sending ------------------------------------------------------------------------------------------
def order_problem(po: PurchaseOrder) -> str:
    """Why a new order may not be sent as it stands (empty when it may): each line's amount must be its
    quantity × price, and the total their sum and more than zero."""
    return order_problem_text(order_problem_values(po))


def order_problem_values(po: PurchaseOrder) -> dict[str, str]:
    """:func:`order_problem` as data (a code and its numbers; empty when the order may be sent)."""
    total = Decimal(0)
    for line in po.lines.all():
        amount = line_amount(line.quantity, line.unit_price, line.price_basis_quantity, po.currency)
        if amount != Decimal(line.amount) or Decimal(line.quantity) <= 0:
            return {"code": "line-mismatch", "line": str(line.line_number), "number": po.number}
        total += amount
    if total <= 0 or quantize_money(total, po.currency) != Decimal(po.total_amount):
        return {
            "code": "total-mismatch",
            "number": po.number,
            "total": str(quantize_money(po.total_amount, po.currency)),
            "sum": str(total),
            "currency": po.currency,
        }
    return {}


def _hold_back(po: PurchaseOrder, values: dict[str, str]) -> str:
    """Keep why ``po`` was not sent on it (its text, and its values to tell it in any language)."""
    problem = order_problem_text(values)
    po.supplier_message = problem
    po.supplier_message_values = {**values, "message": problem}
    return problem


def send_purchase_order(
    *, po: PurchaseOrder, kind: str = TransmissionType.NEW, actor: Any = None
) -> Transmission | None:
    """Build the OrderRequest and store it in the outbox (delivery and retries happen there).

    Without a cXML connection and order URL the PO stays as it is, with a message saying what to fix:
    orders are never e-mailed or faxed.
    """
    connection = po.connection
    values = order_problem_values(po) if kind == TransmissionType.NEW else {}
    if values:
        problem = _hold_back(po, values)
        po.save(update_fields=["supplier_message", "supplier_message_values"])
        record_event(
            PurchaseOrderEvent, po, "not_sent", actor=actor, detail={"reason": problem, "values": values}
        )
        logger.warning("order %s not sent: %s", po.number, problem)
        return None
    if not by_email_channel(connection) and (connection is None or not connection.sends_orders):
        po.supplier_message = _(
            "No cXML order URL for %(supplier)s: add one to the supplier connection, then send the order again."
        ) % {"supplier": po.supplier}
        po.save(update_fields=["supplier_message"])
        record_event(PurchaseOrderEvent, po, "not_sent", actor=actor, detail={"reason": "no order URL"})
        return None
    transmission = _transmit(po, connection, kind)
    set_status(
        po,
        POStatus.SENT,
        table=PO_TRANSITIONS,
        values={"sent_at": timezone.now(), "supplier_message": ""},
        event=_sent_event(transmission, actor),
    )
    return transmission


def _transmit(
    po: PurchaseOrder,
    connection: PunchOutConnection,
    kind: str,
    version: Version | None = None,
    **fields: Any,
) -> Transmission:
    """Store the order document of ``kind`` in the outbox and keep its transmission (``fields``: the
    change order's changes and reason)."""
    payload_id, message = _enqueue_order(
        po, connection, kind, version=version, reason=fields.get("reason", "")
    )
    return Transmission.objects.create(
        purchase_order=po,
        type=kind,
        version=version.number if version else po.version,
        payload_id=payload_id,
        outbox_message=message,
        **fields,
    )


def _sent_event(transmission: Transmission, actor: Any, at: datetime | None = None) -> PurchaseOrderEvent:
    """The unsaved event of an order document queued for sending (``at``: when, if not now)."""
    return new_event(
        PurchaseOrderEvent,
        transmission.purchase_order,
        "sent",
        actor=actor,
        detail={
            "type": transmission.type,
            "version": transmission.version,
            "payload_id": transmission.payload_id,
        },
        created_at=at,
    )


def resend(*, po: PurchaseOrder, actor: Any) -> Transmission | None:
    """Send a failed (or never sent) order again as a new document, after its cause was fixed."""
    with transaction.atomic():
        po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
        if po.status not in (POStatus.FAILED, POStatus.APPROVED):
            raise PurchasingError(_("Only an order that failed or was never sent can be sent again."))
        last = po.transmissions.order_by("-id").first()
        return send_purchase_order(po=po, kind=last.type if last else TransmissionType.NEW, actor=actor)


def record_delivery(message: OutboxMessage, outcome: str) -> None:
    """The outbox result callback of OrderRequests (see the module docstring): move the PO of the
    transmission that ``message`` carried, inside the outbox's transaction.

    A change order or cancellation (type update/delete) is applied when the supplier accepts it;
    refused, the order stays as it was and shows the supplier's answer. A transmission already
    settled (a message a person retried after its refusal) is left as it is.
    """
    transmission = Transmission.objects.filter(outbox_message=message).first()
    if transmission is None:
        return
    po = PurchaseOrder.objects.select_for_update().get(pk=transmission.purchase_order_id)
    locked = Transmission.objects.select_for_update().get(pk=transmission.pk)
    if locked.status != TransmissionStatus.QUEUED:
        return
    now = timezone.now()
    locked.finished_at = now
    is_change = locked.type != TransmissionType.NEW and po.status != POStatus.SENT
    if message.status == OutboxStatus.DELIVERED:
        set_status(locked, TransmissionStatus.ACCEPTED, table=TRANSMISSION_TRANSITIONS, also=["finished_at"])
        if is_change:
            _apply_version(po, locked)
        elif locked.type == TransmissionType.DELETE:
            _cancel_lines(po, {line.line_number for line in po.lines.all()}, reason=locked.reason)
            _cancelled(po)
        else:
            po.accepted_at = now
            set_status(po, POStatus.ACCEPTED, table=PO_TRANSITIONS, also=["accepted_at"])
        po.supplier_message = message.last_error or ""
        po.save()
        record_event(
            PurchaseOrderEvent,
            po,
            "accepted",
            detail={
                "type": locked.type,
                "version": locked.version,
                "status_code": message.last_status_code,
            },
        )
    else:
        locked.answer = message.last_error or ""
        set_status(
            locked,
            TransmissionStatus.REFUSED,
            table=TRANSMISSION_TRANSITIONS,
            also=["finished_at", "answer"],
        )
        po.supplier_message = message.last_error
        if is_change:  # the order stays as it was
            po.save(update_fields=["supplier_message"])
            record_event(
                PurchaseOrderEvent,
                po,
                "change_refused",
                detail={
                    "type": locked.type,
                    "version": locked.version,
                    "status_code": message.last_status_code,
                    "text": message.last_error,
                },
            )
        else:
            set_status(po, POStatus.FAILED, table=PO_TRANSITIONS, also=["supplier_message"])
            record_event(
                PurchaseOrderEvent,
                po,
                "refused",
                detail={
                    "type": locked.type,
                    "status_code": message.last_status_code,
                    "text": message.last_error,
                },
            )
            notices.notify_requester(
                po, notices.NOT_DELIVERED, [message.last_error] if message.last_error else []
            )


def _requantify(
    po: PurchaseOrder, line: PurchaseOrderLine, quantity: Decimal, released: dict[str, Decimal]
) -> None:
    """Set a line's new quantity, its amount and its cost-center distributions (not saved); what each
    cost center no longer commits is added to ``released``."""
    amount = quantize_money(
        quantity * Decimal(line.unit_price) / (Decimal(line.price_basis_quantity) or Decimal(1)), po.currency
    )
    distributions = rescale(line.distributions, Decimal(line.amount), amount, po.currency)
    for old, new in zip(line.distributions, distributions, strict=True):
        released[old["cost_center"]] += Decimal(old["amount"]) - Decimal(new["amount"])
    line.quantity, line.amount, line.distributions = quantity, amount, distributions


def _apply_version(po: PurchaseOrder, transmission: Transmission) -> None:
    """The supplier accepted a change order or cancellation: lines, total, budget and status follow."""
    changes = {int(number): Decimal(change["to"]) for number, change in transmission.changes.items()}
    if transmission.type == TransmissionType.DELETE:
        changes = {line.line_number: Decimal(0) for line in po.lines.all() if not line.is_cancelled}
    lines = {line.line_number: line for line in po.lines.all()}
    cancelled = {number for number, quantity in changes.items() if quantity == 0}
    _cancel_lines(po, cancelled, reason=transmission.reason, save_po=False)
    released: dict[str, Decimal] = defaultdict(Decimal)
    for number, quantity in changes.items():
        line = lines[number]
        if quantity == 0 or quantity == line.quantity:
            continue
        _requantify(po, line, quantity, released)
        line.save(update_fields=["quantity", "amount", "distributions"])
    _release(po, released, version=transmission.version)
    po.version = transmission.version
    po.total_amount = quantize_money(
        sum((Decimal(line.amount) for line in po.lines.all()), Decimal(0)), po.currency
    )
    if all(line.is_cancelled for line in po.lines.all()):
        _cancelled(po)
    else:
        hooks.refresh_lines(purchase_order=po)
    record_event(
        PurchaseOrderEvent,
        po,
        "cancelled" if po.status == POStatus.CANCELLED else "change_accepted",
        detail={
            "version": transmission.version,
            "total": str(po.total_amount),
            "changes": transmission.changes,
        },
    )


def _release(po: PurchaseOrder, amounts: dict[str, Decimal], *, version: int | None = None) -> None:

    if any(amounts.values()):
        reference = f"{po.number} v{version}" if version else po.number
        budgets.release_part(
            requisition=po.requisition, reference=reference, amounts=dict(amounts), currency=po.currency
        )


def _cancel_lines(po: PurchaseOrder, numbers: set[int], *, reason: str, save_po: bool = True) -> list[int]:
    """Cancel these lines (nothing more is expected of them) and release their budget; returns the
    numbers of the lines that were still open."""
    released: dict[str, Decimal] = defaultdict(Decimal)
    done = []
    for line in po.lines.filter(line_number__in=numbers).order_by("line_number"):
        if line.is_cancelled:
            continue
        for split in line.distributions:
            released[split["cost_center"]] += Decimal(split["amount"])
        line.cancelled_quantity = line.quantity
        line.quantity = Decimal(0)
        line.amount = Decimal(0)
        line.distributions = [{**d, "amount": "0"} for d in line.distributions]
        line.cancel_reason = reason
        line.save(
            update_fields=["cancelled_quantity", "quantity", "amount", "distributions", "cancel_reason"]
        )
        done.append(line.line_number)
    if done:
        hooks.lines_cancelled(purchase_order=po, line_numbers=done)
        _release(po, released)
        if save_po:
            po.total_amount = quantize_money(
                sum((Decimal(line.amount) for line in po.lines.all()), Decimal(0)), po.currency
            )
            po.save(update_fields=["total_amount"])
    return done


def _cancelled(po: PurchaseOrder) -> None:

    # A supplier that accepts a cancellation after a ship notice arrived: the lines are cancelled,
    # the status stays where the shipment took it.
    if can_move(PO_TRANSITIONS, current=po.status, target=POStatus.CANCELLED):
        set_status(po, POStatus.CANCELLED, table=PO_TRANSITIONS)
    if not po.requisition.purchase_orders.exclude(pk=po.pk).exclude(status=POStatus.CANCELLED).exists():
        budgets.release(requisition=po.requisition)


def cancelled_by_supplier(
    *, po: PurchaseOrder, line_numbers: set[int] | None, reason: str, actor: Any = None
) -> list[int]:
    """The supplier cancelled the whole order (``line_numbers`` None) or these lines: they move to
    Cancelled with the supplier's reason and their budget is released. The caller holds the PO's lock.

    Returns the lines cancelled now (already cancelled ones are left as they are).
    """
    if line_numbers is None:
        numbers = {line.line_number for line in po.lines.all()}
        done = _cancel_lines(po, numbers, reason=reason)
        if po.status != POStatus.CANCELLED:
            _cancelled(po)
            po.supplier_message = reason
            po.save(update_fields=["status", "supplier_message", "total_amount"])
            record_event(
                PurchaseOrderEvent,
                po,
                "cancelled_by_supplier",
                actor=actor,
                detail={"reason": reason, "lines": sorted(numbers)},
            )
        return done
    done = _cancel_lines(po, line_numbers, reason=reason)
    if done:
        record_event(
            PurchaseOrderEvent,
            po,
            "lines_cancelled_by_supplier",
            actor=actor,
            detail={"reason": reason, "lines": done},
        )
        if all(line.is_cancelled for line in po.lines.all()) and po.status != POStatus.CANCELLED:
            _cancelled(po)
            po.save(update_fields=["status"])
    return done


# -- change orders and cancellation -------------------------------------------------------------------
def request_change(*, po: PurchaseOrder, actor: Any, quantities: dict[int, Decimal], reason: str = "") -> str:
    """Lower line quantities or cancel lines (quantity 0) of an accepted or confirmed order that has
    not shipped: sent as OrderRequest type="update" with the next orderVersion, applied once the
    supplier accepts it. Raising a quantity is a new order (refused here). Returns ``"sent"``.
    """
    with transaction.atomic():
        po = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("connection", "requisition")
            .get(pk=po.pk)
        )
        _require_changeable(po, actor)
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


def _enqueue_order(
    po: PurchaseOrder,
    connection: PunchOutConnection,
    kind: str,
    *,
    version: Version | None = None,
    reason: str = "",
) -> tuple[str, OutboxMessage]:
    """Build the order document of ``kind`` (a change order's ``version``): a cXML OrderRequest, or
    the OAGIS BOD when the connection's order channel is OAGIS; store it in the outbox for the
    connection's order URL (the secret is inserted at delivery). Returns the payloadID (BODID) and
    the outbox message. A connection whose order channel is e-mail gets the order as an e-mail."""
    if by_email_channel(connection):
        return emailing.enqueue_order_email(po, kind=kind, on_result=DELIVERY_RESULT, version=version)
    if connection.sends_bods:
        payload_id, name, body = build_bod(po, kind=kind, version=version, reason=reason)
    else:
        name = "OrderRequest"
        payload_id, body = build_order_request(po, kind=kind, version=version)
    message = enqueue_document(
        content_type=content_type_of(name),
        kind=name,
        url=connection.order_url,
        payload_id=payload_id,
        body=body,
        reference=po.number,
        partner=str(po.supplier)[:200],
        secret_source=str(connection.pk),
        on_result=DELIVERY_RESULT,
    )
    return payload_id, message


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


def _require_changeable(po: PurchaseOrder, actor: Any) -> None:
    if actor.pk != po.buyer_id and not is_procurement_admin(actor):
        raise PurchasingError(_("Only the requester or a procurement administrator can change this order."))
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
        po = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("connection", "requisition")
            .get(pk=po.pk)
        )
        if actor.pk != po.buyer_id and not is_procurement_admin(actor):
            raise PurchasingError(
                _("Only the requester or a procurement administrator can cancel this order.")
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
        _require_changeable(po, actor)
        _send_cancellation(po, actor, reason)
        return po.transmissions.order_by("-id").first()


# -- closing a partly received order ------------------------------------------------------------------
def close_remaining(*, po: PurchaseOrder, actor: Any, reason: str = "") -> Transmission | None:
    """Close a partly received order: nothing more is expected of it.

    Each line keeps what was received (a line of which nothing came is cancelled); the rest is no
    longer awaited, its budget is released and the order becomes Received. The supplier is told by
    a change order (OrderRequest type="update", the next orderVersion) when its connection accepts
    them; otherwise the event says it was not told. Returns the change order sent, if any.
    """
    with transaction.atomic():
        po = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("connection", "requisition", "supplier")
            .get(pk=po.pk)
        )
        if actor.pk != po.buyer_id and not is_procurement_admin(actor):
            raise PurchasingError(
                _("Only the requester or a procurement administrator can close this order.")
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
        if po.transmissions.filter(status=TransmissionStatus.QUEUED).exists():
            raise PurchasingError(
                _(
                    "A change of order %(number)s is waiting for the supplier's answer: try again once it has answered."
                )
                % {"number": po.number}
            )
        targets = {
            number: (
                row.received_quantity + row.rejected_quantity if row.received_quantity > 0 else Decimal(0)
            )
            for number, row in remaining.items()
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
            detail={"changes": changes, "reason": reason, "supplier_told": can_tell},
        )
        hooks.refresh_status(purchase_order=po, actor=actor)
        return transmission
