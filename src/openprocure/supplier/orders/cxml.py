"""The storefront's cXML handler for OrderRequest (registered in ``AppConfig.ready``).

Thin: the rules are in :mod:`.intake`, the writes in :mod:`.services`. The answer is a cXML
Response whose Status is 200 when the order is accepted for processing (even when some lines will
be rejected) or a coded 4xx saying what is wrong, where, and what to do next.
"""

from __future__ import annotations

from openprocure.core.cxml_endpoint import Inbound, answer_document
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders import services
from punchout import cxml
from punchout.cxml.profile import Response


def handle_order_request(inbound: Inbound) -> cxml.CXML:
    """Answer an OrderRequest (new, update or delete).

    The answer is journaled in the same transaction as the order and its receipt (see
    :meth:`Inbound.journal_answer`), so an order is never stored without its answer.
    """
    message = inbound.document.message
    assert isinstance(message, cxml.OrderRequest)  # the endpoint dispatches on the message type
    order_id = (getattr(message.header, "order_id", "") or "").strip()
    replies: list[cxml.CXML] = []

    def answered(answer: services.Answer, integration: Integration | None) -> None:
        if integration is not None:
            inbound.partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
        inbound.reference = answer.order.number if answer.order is not None else order_id
        reply = answer_document(
            inbound, Response(), code=answer.status_code, text=answer.status_text, note=answer.message
        )
        inbound.journal_answer(reply)
        replies.append(reply)

    services.receive_order_request(document=inbound.document, journal=inbound.journal, answered=answered)
    # The last reply is the one whose transaction committed (an earlier attempt that lost a race
    # with a concurrent copy was rolled back with its journal entry).
    return replies[-1]
