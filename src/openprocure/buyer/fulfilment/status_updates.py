"""Status updates (StatusUpdateRequest) a supplier sends about a document we sent."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.models import StatusUpdate
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.models import PurchaseOrderEvent, Transmission
from openprocure.core.audit import record_event
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from punchout import cxml
from punchout.cxml.errors import InvalidDocument


def record_status_update(
    *, supplier: Any, request: cxml.StatusUpdateRequest, payload_id: str = ""
) -> StatusUpdate:
    """Keep a supplier's StatusUpdateRequest against the order document it names (by payloadID)."""

    reference = (request.document_reference or "").strip()
    transmission = (
        Transmission.objects.filter(payload_id=reference, purchase_order__supplier=supplier)
        .select_related("purchase_order")
        .first()
        if reference
        else None
    )
    if reference and transmission is None:
        raise InvalidDocument(
            _("DocumentReference payloadID %(payload)s names no document we sent to %(supplier)s.")
            % {"payload": reference, "supplier": supplier},
            path="/cXML/Request/StatusUpdateRequest/DocumentReference/@payloadID",
        )
    po = transmission.purchase_order if transmission else None
    update = StatusUpdate.objects.create(
        supplier=supplier,
        purchase_order=po,
        document_reference=reference[:PAYLOAD_ID_LENGTH],
        code=request.status.code,
        text=(request.status.text or "")[:100],
        message=request.status.message or "",
        payload_id=payload_id[:PAYLOAD_ID_LENGTH],
    )
    if po is not None:
        record_event(
            PurchaseOrderEvent,
            po,
            "status_update",
            detail={"code": update.code, "text": update.text, "message": update.message},
        )
        # The requester reads the supplier's own words (or its status code and text when it sent none).
        said = update.message.strip() or f"{update.code} {update.text}".strip()
        notices.notify_requester(po, notices.STATUS_UPDATE, [said])
    return update
