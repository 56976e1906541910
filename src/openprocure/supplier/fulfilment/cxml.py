"""The storefront's cXML handler for StatusUpdateRequest (registered in ``AppConfig.ready``): the
buyer's status of one of its orders or of one of our invoices.

Thin: the buyer is authenticated as for an order, the write is in :mod:`.services`. The answer is
200 when the status is kept (again 200 for a repeat of the same payloadID), a coded 4xx naming the
element to correct otherwise.
"""

from __future__ import annotations

from openprocure.core.cxml_endpoint import Inbound, answer_document
from openprocure.supplier.fulfilment import services
from openprocure.supplier.orders.intake import authenticate
from punchout import cxml
from punchout.cxml.errors import CXMLError
from punchout.cxml.profile import Response


def handle_status_update(inbound: Inbound) -> cxml.CXML:
    """Keep a buyer's StatusUpdateRequest and answer it."""
    integration, _secret = authenticate(inbound.document)
    inbound.partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
    try:
        status, created = services.record_buyer_status(
            business=integration.business, document=inbound.document, journal=inbound.journal
        )
    except services.StatusNotRecorded as error:
        raise CXMLError(error.messages[0], path=error.path, status_code=400, text="Bad Request") from None
    inbound.reference = (
        status.invoice.number if status.invoice else status.order.number if status.order else ""
    )
    note = (
        f"Status {status.label} kept for {inbound.reference}."
        if created
        else f"Already received: status {status.label} for {inbound.reference}."
    )
    return answer_document(inbound, Response(), note=note)
