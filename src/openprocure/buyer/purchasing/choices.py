"""Purchase-order statuses and their transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class POStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")  # created at final approval; document not yet stored
    SENT = "sent", _("Sent")  # OrderRequest stored in the outbox; delivery in progress or retrying
    ACCEPTED = "accepted", _("Accepted by supplier")  # the supplier answered cXML 2xx
    FAILED = "failed", _("Delivery failed")  # the supplier refused (cXML 4xx) or retries ran out
    CANCELLED = "cancelled", _("Cancelled")  # a cancellation (type delete) was accepted or nothing was sent
    # Fulfilment and invoicing (moved by openprocure.buyer.fulfilment and .invoicing):
    CONFIRMED = "confirmed", _("Confirmed")  # the supplier confirmed the order (ConfirmationRequest)
    PART_SHIPPED = "part_shipped", _("Partially shipped")  # ship notices cover part of the order
    SHIPPED = "shipped", _("Shipped")  # ship notices cover every expected quantity
    PART_RECEIVED = "part_received", _("Partially received")  # part of the goods received
    RECEIVED = "received", _("Received")  # every expected quantity received
    INVOICED = "invoiced", _("Invoiced")  # invoices cover every expected quantity
    CLOSED = "closed", _("Closed")  # received (where needed), invoiced and approved for payment


PO_TRANSITIONS: dict[str, set[str]] = {
    POStatus.APPROVED: {POStatus.SENT, POStatus.CANCELLED},
    POStatus.SENT: {POStatus.ACCEPTED, POStatus.FAILED},
    POStatus.ACCEPTED: {POStatus.SENT},  # a change order or cancellation goes out
    POStatus.FAILED: {POStatus.SENT, POStatus.CANCELLED},  # resent after fixing the cause, or dropped
    POStatus.CANCELLED: set(),
}
# Fulfilment: the status is derived from the order's documents (see
# ``openprocure.buyer.fulfilment.progress.po_target_status``). Documents move it forward, in any
# order they arrive (an invoice or a receipt may come before a ship notice); a few documents take it
# back: a ship notice deleted by the supplier, goods returned, an invoice that no longer covers the
# order (rejected or credited).
S = POStatus
_FORWARD = (S.CONFIRMED, S.PART_SHIPPED, S.SHIPPED, S.PART_RECEIVED, S.RECEIVED, S.INVOICED, S.CLOSED)
PO_TRANSITIONS[S.ACCEPTED] = PO_TRANSITIONS[S.ACCEPTED] | set(_FORWARD)
for _index, _status in enumerate(_FORWARD):
    PO_TRANSITIONS[_status] = set(_FORWARD[_index + 1 :])
# A ship notice deleted: back to what the remaining notices (or the confirmation) say.
PO_TRANSITIONS[S.PART_SHIPPED] |= {S.CONFIRMED}
PO_TRANSITIONS[S.SHIPPED] |= {S.PART_SHIPPED, S.CONFIRMED}
# Goods returned: back to partially received, or to what the ship notices say when all went back.
PO_TRANSITIONS[S.PART_RECEIVED] |= {S.SHIPPED, S.PART_SHIPPED, S.CONFIRMED}
PO_TRANSITIONS[S.RECEIVED] |= {S.PART_RECEIVED, S.SHIPPED, S.PART_SHIPPED, S.CONFIRMED}
# The invoices no longer cover the order (one rejected or credited): back to what the goods say.
PO_TRANSITIONS[S.INVOICED] |= {S.RECEIVED, S.PART_RECEIVED, S.SHIPPED, S.PART_SHIPPED, S.CONFIRMED}
# A further invoice for the order arrives after the others were approved: it waits for its decision.
PO_TRANSITIONS[S.CLOSED] |= {S.INVOICED}
# Cancelled after acceptance, until something ships: our cancellation (type delete) accepted, or the
# supplier's (ConfirmationRequest type reject).
PO_TRANSITIONS[S.ACCEPTED] |= {S.CANCELLED}
PO_TRANSITIONS[S.CONFIRMED] |= {S.CANCELLED}
del S
#: Where the buyer may still change or cancel an order (and only while nothing has shipped).
CHANGEABLE = frozenset({POStatus.ACCEPTED, POStatus.CONFIRMED})
#: Orders whose goods are still expected: the Receiving page lists them, the requester's home counts them.
AWAITING_GOODS = (
    POStatus.SENT,
    POStatus.ACCEPTED,
    POStatus.CONFIRMED,
    POStatus.PART_SHIPPED,
    POStatus.SHIPPED,
    POStatus.PART_RECEIVED,
)


class TransmissionType(models.TextChoices):
    NEW = "new", _("New order")  # OrderRequest type="new"
    UPDATE = "update", _("Change order")  # OrderRequest type="update", next orderVersion
    DELETE = "delete", _("Cancellation")  # OrderRequest type="delete"


class TransmissionStatus(models.TextChoices):
    QUEUED = "queued", _("In the outbox")  # stored, being delivered or retried
    ACCEPTED = "accepted", _("Accepted")  # supplier answered cXML 2xx
    REFUSED = "refused", _("Refused")  # supplier answered cXML 4xx, or retries ran out


TRANSMISSION_TRANSITIONS: dict[str, set[str]] = {
    TransmissionStatus.QUEUED: {TransmissionStatus.ACCEPTED, TransmissionStatus.REFUSED},
    TransmissionStatus.ACCEPTED: set(),
    TransmissionStatus.REFUSED: set(),
}


# What people read for each ``PurchaseOrderEvent.kind`` (the stored kinds are identifiers).
PO_EVENT_LABELS = {
    "created": _("Purchase order created"),
    "sent": _("Order sent to the supplier"),
    "not_sent": _("Not sent: the supplier has no cXML order address"),
    "accepted": _("Accepted by the supplier"),
    "refused": _("Refused by the supplier"),
    "change_requested": _("Change requested"),
    "changed": _("Change order sent"),
    "cancellation_requested": _("Cancellation requested"),
    "cancelled": _("Cancelled"),
    "cancellation_confirmed": _("Cancellation confirmed by the supplier"),
    "change_refused": _("Change refused by the supplier"),
    "change_accepted": _("Change accepted by the supplier"),
    "cancelled_by_supplier": _("Cancelled by the supplier"),
    "lines_cancelled_by_supplier": _("Lines cancelled by the supplier"),
    "order_confirmed": _("Confirmation received"),
    "acknowledgement_unreadable": _("Acknowledgement not applied"),
    "status_changed": _("Status changed"),
    "status_update": _("Status update received"),
    "shipment_notified": _("Ship notice received"),
    "shipment_cancelled": _("Shipment cancelled by the supplier"),
    "goods_received": _("Goods received"),
    "goods_returned": _("Goods returned"),
    "supplier_issue_resolved": _("Supplier issue resolved"),
    "requester_notified": _("Requester notified by e-mail"),
    "closed_short": _("Closed: nothing more expected"),
    "email_bounced": _("Order e-mail bounced"),
    "portal_link_sent": _("New supplier-portal link e-mailed"),
    "portal_confirmation": _("Confirmed on the supplier portal"),
    "portal_shipment": _("Shipment recorded on the supplier portal"),
    "portal_invoice": _("Invoice sent from the supplier portal"),
    "portal_account_created": _("Supplier account created on the supplier portal"),
}
