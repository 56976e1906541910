"""The storefront's cXML handler for OrderRequest (registered in ``AppConfig.ready``).

Thin: the rules are in :mod:`.intake`, the writes in :mod:`.services`. The answer is a cXML
Response whose Status is 200 when the order is accepted for processing (even when some lines will
be rejected) or a coded 4xx saying what is wrong, where, and what to do next.
"""

from __future__ import annotations

from openprocure.core.cxml_endpoint import Inbound, answer_document
from openprocure.supplier.orders import services
from punchout import cxml
from punchout.cxml.profile import Response


def handle_order_request(inbound: Inbound) -> cxml.CXML:
    """Answer an OrderRequest (new, update or delete)."""
    answer, integration = services.receive_order_request(document=inbound.document, journal=inbound.journal)
    if integration is not None:
        inbound.partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
    message = inbound.document.message
    assert isinstance(message, cxml.OrderRequest)  # as receive_order_request asserted above
    order_id = getattr(message.header, "order_id", "") or ""
    inbound.reference = answer.order.number if answer.order is not None else order_id.strip()
    return answer_document(
        inbound, Response(), code=answer.status_code, text=answer.status_text, note=answer.message
    )
