"""What the requester is told about their order: one e-mail per event, in their language, sent once
the transaction commits, and a ``requester_notified`` event that the order's page and the
requester's home show.

The events: the order could not be delivered to the supplier, the supplier confirmed it (or
confirmed it with changes or refused lines), it shipped (or its shipment needs checking), its goods
were all received, the supplier's system sent a status of it. Fulfilment, above purchasing, calls :func:`notify_requester` directly; a
supplier resending the same document never reaches it twice (inbound documents are idempotent by
payloadID).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from openprocure.core import mail
from openprocure.core.audit import record_event

#: The events the requester is told about.
NOT_DELIVERED = "not_delivered"
CONFIRMED = "confirmed"
CHANGED = "changed"  # confirmed with changes: lines refused, prices changed, or the order rejected
SHIPPED = "shipped"
SHIPMENT_TO_CHECK = "shipment_to_check"  # a ship notice raised issues
RECEIVED = "received"
STATUS_UPDATE = "status_update"  # the supplier's system sent a status of the order (StatusUpdateRequest)
KINDS = (NOT_DELIVERED, CONFIRMED, CHANGED, SHIPPED, SHIPMENT_TO_CHECK, RECEIVED, STATUS_UPDATE)


def order_url(po: PurchaseOrder) -> str:
    """The order's page, as an absolute address for an e-mail."""
    return settings.PUBLIC_URL + reverse("purchasing:detail", args=[po.number])


def subject_and_intro(kind: str, *, order: str, supplier: str) -> tuple[str, str]:
    """The subject and first sentence of a notice, in the active language."""
    values = {"order": order, "supplier": supplier}
    texts = {
        NOT_DELIVERED: (
            _("Order %(order)s could not be delivered to the supplier"),
            _("Order %(order)s could not be delivered to %(supplier)s: the supplier does not have it."),
        ),
        CONFIRMED: (
            _("Order %(order)s confirmed by the supplier"),
            _("%(supplier)s confirmed order %(order)s."),
        ),
        CHANGED: (
            _("Order %(order)s: the supplier changed or rejected lines"),
            _("%(supplier)s confirmed order %(order)s with changes that need your attention:"),
        ),
        SHIPPED: (
            _("Order %(order)s shipped"),
            _("%(supplier)s shipped goods of order %(order)s."),
        ),
        SHIPMENT_TO_CHECK: (
            _("Order %(order)s: the supplier's shipment needs checking"),
            _("%(supplier)s announced a shipment for order %(order)s that needs your attention:"),
        ),
        RECEIVED: (
            _("Order %(order)s received"),
            _("Every item of order %(order)s from %(supplier)s has been received."),
        ),
        STATUS_UPDATE: (
            _("Order %(order)s: news from the supplier"),
            _("%(supplier)s sent news about order %(order)s:"),
        ),
    }
    subject, intro = texts[kind]
    return subject % values, intro % values


def notify_requester(po: PurchaseOrder, kind: str, details: Sequence[str] = ()) -> None:
    """Tell the order's requester that ``kind`` happened (``details``: one line each, already in the
    requester's language or neutral). Recorded now; the e-mail leaves once the transaction commits."""
    requester = po.requisition.requester if po.requisition_id else po.buyer
    record_event(PurchaseOrderEvent, po, "requester_notified", detail={"notice": kind})
    if not requester or not requester.email:
        return
    with translation.override(requester.preferred_language or settings.LANGUAGE_CODE):
        subject, intro = subject_and_intro(kind, order=po.number, supplier=str(po.supplier))
        parts: list[str] = [_("Hello,"), "", intro]
        if details:
            parts += ["", *[f"- {line}" for line in details]]
        if kind == NOT_DELIVERED:
            parts += ["", _("Send it again once the cause is fixed, or cancel it, from the order's page.")]
        if kind in (CHANGED, SHIPMENT_TO_CHECK):
            link = settings.PUBLIC_URL + reverse("fulfilment:issues")
            parts += ["", _("See them and note what you decide: %(link)s") % {"link": link}]
        parts += ["", _("Order %(order)s: %(link)s") % {"order": po.number, "link": order_url(po)}]
    mail.send_after_commit(subject, "\n".join(parts), [requester.email])


def latest_notices(user: Any, *, limit: int = 5) -> list[dict[str, Any]]:
    """The latest notices sent to ``user`` about their orders, for their home page (active language)."""
    events = (
        PurchaseOrderEvent.objects.filter(
            kind="requester_notified", purchase_order__requisition__requester=user
        )
        .select_related("purchase_order__supplier")
        .order_by("-created_at", "-id")[:limit]
    )
    rows = []
    for event in events:
        po = event.purchase_order
        kind = (event.detail or {}).get("notice", "")
        if kind not in KINDS:
            continue
        subject, _intro = subject_and_intro(kind, order=po.number, supplier=str(po.supplier))
        rows.append({"when": event.created_at, "text": subject, "number": po.number})
    return rows
