"""Acknowledgements of purchase orders sent as OAGIS® BODs (a connection whose order channel is
OAGIS): the synchronous AcknowledgePurchaseOrder that answers a Process or Change PurchaseOrder,
and one sent later to ``POST /oagis/``.

Both are read as the cXML ConfirmationRequest they mean (``punchout.oagis.confirmation_of``) and
applied by the one confirmation service, :func:`services.record_confirmation`: lines accepted,
modified (quantity, price, date) or rejected with their reason, issues and notices as for cXML.
A ConfirmBOD with errors is a refusal: the outbox keeps its text, which the purchase order shows
(``purchasing.services.record_delivery``).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment import services
from openprocure.buyer.fulfilment.inbound import (
    Accepted,
    KeyOfAnotherSender,
    accept_once,
    connections_of,
    find_purchase_order,
    with_secret,
)
from openprocure.buyer.fulfilment.models import Confirmation, InboundDocument
from openprocure.buyer.purchasing.choices import TransmissionType
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, Transmission
from openprocure.core.audit import record_event
from openprocure.core.choices import OutboxStatus
from openprocure.core.models import OutboxMessage
from openprocure.core.oagis_endpoint import InboundBOD, Refused, Reply, application_area, require_credentials
from openprocure.core.outbox import BOD_KINDS
from punchout import cxml, oagis
from punchout.cxml.errors import CXMLError
from punchout.oagis.errors import OAGISError

logger = logging.getLogger(__name__)


def apply_acknowledgement(
    *, po: PurchaseOrder, ack: oagis.PurchaseOrderBOD, journal: object = None
) -> Confirmation:
    """Apply an AcknowledgePurchaseOrder to ``po`` (locked) through the confirmation service."""
    ordered = {line.line_number: Decimal(line.quantity) for line in po.lines.all()}
    request = oagis.confirmation_of(ack, ordered=ordered, now=timezone.now())
    return services.record_confirmation(
        po=po, request=request, payload_id=ack.application_area.bod_id or "", journal=journal
    )


def _acknowledgement(body: str) -> oagis.PurchaseOrderBOD | None:
    try:
        answer = oagis.parse(body)
    except OAGISError:
        return None
    if isinstance(answer, oagis.PurchaseOrderBOD) and answer.verb is oagis.Verb.ACKNOWLEDGE:
        return answer
    return None


def record_answer(message: OutboxMessage, outcome: str) -> None:
    """The outbox result callback of order documents, after ``purchasing.services.record_delivery``:
    a Process or Change PurchaseOrder answered with an AcknowledgePurchaseOrder updates the order's
    lines. (A cancellation's acknowledgement only confirms it: record_delivery applied it.)

    It runs in the outbox's transaction: an acknowledgement that cannot be applied (a line the
    order does not have) is recorded on the order, never raised (that would deliver it again)."""
    if message.kind not in BOD_KINDS or message.status != OutboxStatus.DELIVERED:
        return
    ack = _acknowledgement(message.response_body)
    transmission = Transmission.objects.filter(outbox_message=message).first()
    if ack is None or transmission is None or transmission.type == TransmissionType.DELETE:
        return
    po = services.lock_po(transmission.purchase_order_id)
    try:
        with transaction.atomic():
            apply_acknowledgement(po=po, ack=ack)
    except (CXMLError, OAGISError) as error:
        logger.warning("order %s: acknowledgement not applied: %s", po.number, error)
        record_event(PurchaseOrderEvent, po, "acknowledgement_unreadable", detail={"text": str(error)})


def receive(inbound: InboundBOD) -> Reply:
    """``POST /oagis/`` on the buyer suite: an AcknowledgePurchaseOrder sent after the order.

    Authenticated by HTTP Basic: the supplier's identity (its connection's To identity or a
    document identity) and the connection's shared secret. Idempotent by BODID as ``/cxml/`` is by
    payloadID: a repeated BOD gets the same answer and changes nothing.
    """
    identity, secret = require_credentials(inbound)
    connection = with_secret(connections_of(identity), secret)
    if connection is None:
        raise Refused(
            "AUTH_BAD_SECRET",
            _(
                "Unknown sender or wrong shared secret for %(identity)s: use your supplier identity as the "
                "user name and the shared secret agreed with the buyer as the password (HTTP Basic)."
            )
            % {"identity": identity},
            path="Authorization",
            status_code=401,
        )
    supplier = connection.supplier
    inbound.partner = supplier.name
    ack = inbound.document
    if not isinstance(ack, oagis.PurchaseOrderBOD) or ack.verb is not oagis.Verb.ACKNOWLEDGE:
        name = ack.name if isinstance(ack, oagis.PurchaseOrderBOD) else "ConfirmBOD"
        raise Refused(
            "UNSUPPORTED_BOD",
            _("%(name)s is not accepted here: this endpoint accepts AcknowledgePurchaseOrder.")
            % {"name": name},
            path=f"/{name}",
            status_code=501,
        )
    header = ack.purchase_order.header
    original = ack.original_application_area
    reference = cxml.OrderReference(order_id=header.id, payload_id=original.bod_id if original else None)

    def acknowledge() -> Accepted:
        po = find_purchase_order(
            supplier=supplier,
            reference=reference,
            path="/AcknowledgePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader/ID",
        )
        inbound.reference = po.number
        apply_acknowledgement(po=po, ack=ack, journal=inbound.journal)
        message = _("Acknowledgement of %(order)s recorded.") % {"order": po.number}
        return Accepted(reference=po.number, message=message)

    try:
        result = accept_once(
            (ack.application_area.bod_id or "").strip(),
            kind=ack.name,
            supplier=supplier,
            journal=inbound.journal,
            business=acknowledge,
            key_name="BODID",
            key_path="/AcknowledgePurchaseOrder/ApplicationArea/BODID",
        )
    except CXMLError as error:
        raise Refused("INVALID_BOD", error.message, path=error.path, status_code=400) from None
    except KeyOfAnotherSender as reused:
        raise Refused(
            "DUPLICATE_BODID",
            _("BODID %(bod)s was already used by another sender; send a new BODID.") % {"bod": reused.key},
            path="/AcknowledgePurchaseOrder/ApplicationArea/BODID",
            status_code=409,
        ) from None
    if isinstance(result, InboundDocument):  # the same BODID again: answered as it was
        inbound.reference = result.reference
    return _success(ack, result.message)


def _success(ack: oagis.PurchaseOrderBOD, message: str) -> Reply:
    area = application_area()
    document = oagis.ConfirmBOD(
        application_area=area,
        original_application_area=oagis.original_of(
            ack.application_area, timezone.now().replace(microsecond=0)
        ),
        results=[
            oagis.BODResult(
                bod_id=ack.application_area.bod_id,
                success=oagis.BODOutcome(warnings=[oagis.Message(description=message)] if message else []),
            )
        ],
    )
    return Reply(document)
