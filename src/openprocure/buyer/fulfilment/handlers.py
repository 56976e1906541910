"""cXML handlers registered on the buyer's ``POST /cxml/``: ConfirmationRequest, ShipNoticeRequest,
StatusUpdateRequest. Thin: authentication and idempotency are in :mod:`.inbound`, rules in services."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment import services
from openprocure.buyer.fulfilment.inbound import HANDLERS, Accepted, authenticate, find_purchase_order, handle
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.cxml_endpoint import Inbound, answer_document
from punchout import cxml


def confirmation_request(inbound: Inbound) -> cxml.CXML:
    return handle(inbound, _confirm)


def _confirm(inbound: Inbound, connection: PunchOutConnection) -> Accepted:
    request = inbound.document.message
    assert isinstance(request, cxml.ConfirmationRequest)
    po = find_purchase_order(
        supplier=connection.supplier,
        reference=request.order_reference,
        path="/cXML/Request/ConfirmationRequest/OrderReference",
    )
    inbound.reference = po.number
    confirmation = services.record_confirmation(
        po=po, request=request, payload_id=inbound.document.payload_id or "", journal=inbound.journal
    )
    issues = confirmation.issues.count()
    message = _("Confirmation of %(order)s recorded.") % {"order": po.number}
    if issues:
        message += " " + _("%(count)s change(s) passed to the buyer.") % {"count": issues}
    return Accepted(reference=po.number, message=message)


def ship_notice_request(inbound: Inbound) -> cxml.CXML:
    return handle(inbound, _ship_notice)


def _ship_notice(inbound: Inbound, connection: PunchOutConnection) -> Accepted:
    request = inbound.document.message
    assert isinstance(request, cxml.ShipNoticeRequest)
    notice = services.record_ship_notice(
        supplier=connection.supplier,
        request=request,
        payload_id=inbound.document.payload_id or "",
        journal=inbound.journal,
    )
    orders = sorted(
        {
            line.po_line.purchase_order.number
            for line in notice.lines.select_related("po_line__purchase_order")
        }
    )
    reference = ", ".join(orders) or notice.shipment_id
    inbound.reference = reference
    return Accepted(
        reference=reference,
        message=_("Ship notice %(shipment)s recorded.") % {"shipment": notice.shipment_id},
    )


def status_update_request(inbound: Inbound) -> cxml.CXML:
    return handle(inbound, _status_update)


def _status_update(inbound: Inbound, connection: PunchOutConnection) -> Accepted:
    request = inbound.document.message
    assert isinstance(request, cxml.StatusUpdateRequest)
    update = services.record_status_update(
        supplier=connection.supplier, request=request, payload_id=inbound.document.payload_id or ""
    )
    reference = update.purchase_order.number if update.purchase_order else update.document_reference
    return Accepted(reference=reference, message=_("Status update recorded."))


def profile_request(inbound: Inbound) -> cxml.CXML:
    """Answer a known supplier's ProfileRequest with the transactions our ``/cxml/`` accepts (every
    cXML server must); an unknown sender or a wrong secret gets the same 401 as any document."""
    connection = authenticate(inbound.document)
    inbound.partner = connection.supplier.name
    inbound.reference = f"profile:{connection.pk}"
    url = settings.PUBLIC_URL + reverse("cxml")
    response = cxml.ProfileResponse(
        effective_date=timezone.now().replace(microsecond=0),
        transactions=[cxml.Transaction(request_name=name, url=url) for name in sorted(HANDLERS)],
    )
    return answer_document(inbound, response)
