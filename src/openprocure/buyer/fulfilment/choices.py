"""Statuses of confirmations, ship notices, receipts and supplier-raised issues."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineState(models.TextChoices):
    """Where one purchase-order line stands, derived from confirmations, ship notices and receipts."""

    OPEN = "open", _("Ordered")  # no confirmation yet
    ACCEPTED = "accepted", _("Accepted")  # the supplier accepted the whole quantity
    BACKORDERED = "backordered", _("Backordered")  # some quantity is backordered
    REJECTED = "rejected", _("Rejected")  # the supplier rejected the whole quantity
    PART_SHIPPED = "part_shipped", _("Partially shipped")  # some quantity on a ship notice
    SHIPPED = "shipped", _("Shipped")  # the whole accepted quantity on ship notices
    PART_RECEIVED = "part_received", _("Partially received")  # some quantity received
    RECEIVED = "received", _("Received")  # the whole accepted quantity received
    CANCELLED = "cancelled", _("Cancelled")  # cancelled by our change order or by the supplier


# The line state is derived from quantities (``fulfilment.progress.derive_state``), which move both
# ways (a ship notice deleted, goods returned, a new confirmation): any derived state may follow any
# other. Cancelled is final: a cancelled line is no longer derived.
_DERIVED = {state for state in LineState if state != LineState.CANCELLED}
LINE_STATE_TRANSITIONS: dict[str, set[str]] = {
    **{state: (_DERIVED - {state}) | {LineState.CANCELLED} for state in _DERIVED},
    LineState.CANCELLED: set(),
}


class IssueKind(models.TextChoices):
    """Why a supplier document needs the buyer's attention."""

    ORDER_REJECTED = "order_rejected", _("Order rejected")  # ConfirmationRequest type="reject"
    LINE_REJECTED = "line_rejected", _("Line rejected")  # some quantity of a line rejected
    PRICE_CHANGED = "price_changed", _("Price changed")  # confirmed unit price differs from the PO
    UNIT_MISMATCH = "unit_mismatch", _("Other unit shipped")  # ship notice in another unit than the line
    OVER_SHIPPED = "over_shipped", _("More shipped than ordered")  # ship notices exceed the line


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for the buyer
    RESOLVED = "resolved", _("Resolved")  # the buyer acknowledged it (with a note)


ISSUE_TRANSITIONS: dict[str, set[str]] = {
    IssueStatus.OPEN: {IssueStatus.RESOLVED},
    IssueStatus.RESOLVED: set(),
}


class ShipNoticeStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")  # on its way, nothing received against it yet
    PART_RECEIVED = "part_received", _("Partially received")  # some of it received
    RECEIVED = "received", _("Received")  # everything on it received
    CANCELLED = "cancelled", _("Cancelled")  # the supplier deleted the notice


class ReceiptKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # goods arrived (accepted and/or rejected quantity)
    RETURN = "return", _("Return")  # goods sent back after they were received


SHIP_NOTICE_TRANSITIONS: dict[str, set[str]] = {
    ShipNoticeStatus.EXPECTED: {
        ShipNoticeStatus.PART_RECEIVED,
        ShipNoticeStatus.RECEIVED,
        ShipNoticeStatus.CANCELLED,
    },
    ShipNoticeStatus.PART_RECEIVED: {ShipNoticeStatus.RECEIVED},
    ShipNoticeStatus.RECEIVED: set(),
    ShipNoticeStatus.CANCELLED: set(),
}


#: What people read for a ConfirmationRequest's ``type`` (cXML 1.2, ConfirmationHeader ``type``); the
#: stored value stays the protocol's word, an unknown one is shown as received.
CONFIRMATION_TYPE_LABELS = {
    "accept": _("Accepted"),
    "allDetail": _("Accepted with details for every line"),
    "detail": _("Accepted with line details"),
    "backordered": _("Backordered"),
    "except": _("Accepted with exceptions"),
    "reject": _("Rejected"),
    "requestToPay": _("Request to pay"),
    "replace": _("Replaces an earlier confirmation"),
}
