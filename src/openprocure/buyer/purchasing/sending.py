"""Sending purchase orders through the outbox, and following their delivery.

Delivery outcome: the core outbox knows nothing about purchase orders. Each OrderRequest is stored
with the result callback :data:`DELIVERY_RESULT` (registered by ``PurchasingConfig.ready``), so the
outbox worker calls :func:`record_delivery` in the transaction that records the outcome and the PO
moves with it: delivered → accepted by supplier, failed (cXML 4xx or retries exhausted) → failed
with the supplier's text. While the outbox retries a transient failure the PO stays "sent" and its
page shows the last error and the next attempt.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.purchasing import emailing, hooks, notices
from openprocure.buyer.purchasing.bods import build_bod, content_type_of
from openprocure.buyer.purchasing.choices import (
    PO_TRANSITIONS,
    TRANSMISSION_TRANSITIONS,
    POStatus,
    TransmissionStatus,
    TransmissionType,
)
from openprocure.buyer.purchasing.documents import Version, build_order_request, build_order_requests
from openprocure.buyer.purchasing.emailing import by_email_channel
from openprocure.buyer.purchasing.line_changes import _apply_version, _cancel_lines, _cancelled
from openprocure.buyer.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    Transmission,
    order_problem_text,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.audit import new_event, record_event
from openprocure.core.choices import OutboxStatus
from openprocure.core.exceptions import ServiceError
from openprocure.core.models import OutboxMessage
from openprocure.core.outbox import Outgoing, enqueue_document, enqueue_documents
from openprocure.core.status import check_transition, set_status, set_status_many
from punchout.amounts import line_amount
from punchout.money import quantize_money

logger = logging.getLogger(__name__)

# The outbox result callback every OrderRequest is stored with (:func:`record_delivery`).
DELIVERY_RESULT = "purchasing.order"


class PurchasingError(ServiceError):
    """A refused purchase-order action; the message says what was wrong and what to do next."""


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
            _order_document(po, name=name, payload_id=payload_id, body=body)
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


def order_problem(po: PurchaseOrder) -> str:
    """Why a new order may not be sent as it stands (empty when it may): each line's amount must be its
    quantity × price, and the total their sum and more than zero."""
    return order_problem_text(order_problem_values(po))


def order_problem_values(po: PurchaseOrder) -> dict[str, str]:
    """:func:`order_problem` as data (a code and its numbers; empty when the order may be sent)."""
    total = Decimal(0)
    for line in po.lines.all():
        amount = line_amount(
            Decimal(line.quantity), Decimal(line.unit_price), po.currency, Decimal(line.price_basis_quantity)
        )
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
    """Send a failed (or never sent) order again as a new document, after its cause was fixed (its
    requester or a procurement administrator: the others who may open the order only read it)."""
    with transaction.atomic():
        po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
        if actor.pk != po.buyer_id and not is_procurement_admin(actor):
            raise PurchasingError(
                _("Only the requester or a procurement administrator can send this order again.")
            )
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
        if not is_change and locked.type == TransmissionType.NEW:
            hooks.delivered(purchase_order=po, since=locked.created_at)
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
    message = enqueue_document(**asdict(_order_document(po, name=name, payload_id=payload_id, body=body)))
    return payload_id, message


def _order_document(po: PurchaseOrder, *, name: str, payload_id: str, body: bytes) -> Outgoing:
    """The outbox entry of the order document ``name`` of ``po`` (an OrderRequest or an OAGIS BOD):
    for its connection's order URL, with that connection's shared secret inserted at delivery, and
    its outcome told to :func:`record_delivery`."""
    connection = po.connection
    return Outgoing(
        kind=name,
        url=connection.order_url if connection else "",
        payload_id=payload_id,
        body=body,
        reference=po.number,
        partner=str(po.supplier)[:200],
        secret_source=str(po.connection_id),
        on_result=DELIVERY_RESULT,
        content_type=content_type_of(name),
    )
