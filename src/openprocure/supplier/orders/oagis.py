"""The storefront's ``POST /oagis/``: Process, Change and Cancel PurchaseOrder BODs, received by the
same order intake as cXML OrderRequests (``orders.services.receive_order_request``, rules in
``orders.intake``).

A BOD is read as the OrderRequest it means (``punchout.oagis.order_request_of``: new, update,
delete; its BODID as the payloadID), authenticated as cXML orders are: the HTTP Basic user name is
the business integration's buyer identity and the password its shared secret. The answer is an
AcknowledgePurchaseOrder (each line Accepted, Modified — backordered or re-priced — or Rejected with
its code and reason) or a ConfirmBOD whose error carries the intake's code (``ORDER_EXISTS``,
``AUTH_BAD_SECRET``…) and text, with the HTTP status a cXML answer would have. Confirmations, ship
notices and invoices still go out in the business's chosen format (cXML).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.oagis_endpoint import (
    InboundBOD,
    OAGISEndpoint,
    Refused,
    Reply,
    application_area,
    require_credentials,
)
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders import services
from openprocure.supplier.orders.choices import LineOutcome
from openprocure.supplier.orders.models import Order, OrderLine
from punchout import oagis
from punchout.money import stated_unit_price
from punchout.oagis.bridge import ORDER_TYPES

#: Where a cXML path in an intake message lies in a BOD (``{name}``: the BOD's name).
_PATHS = (
    ("The payloadID at /cXML/@payloadID", "The BODID at /{name}/ApplicationArea/BODID"),
    ("/cXML/Request/OrderRequest/OrderRequestHeader", "/{name}/DataArea/PurchaseOrder/PurchaseOrderHeader"),
    ("/cXML/Request/OrderRequest/ItemOut", "/{name}/DataArea/PurchaseOrder/PurchaseOrderLine"),
    ("/cXML/Request/OrderRequest", "/{name}/DataArea/PurchaseOrder"),
)


def _in_bod_terms(text: str, name: str) -> str:
    for cxml_path, bod_path in _PATHS:
        text = text.replace(cxml_path, bod_path.format(name=name))
    return text


def _refusal(answer: services.Answer, bod: oagis.PurchaseOrderBOD, identity: str) -> Refused:
    code = answer.code or "REFUSED"
    if code == "AUTH_UNKNOWN_BUYER":
        text = _(
            "No business account has the identity %(identity)s (the HTTP Basic user name). Check the "
            "identity with the supplier's integration page."
        ) % {"identity": identity}
    elif code == "AUTH_BAD_SECRET":
        text = _(
            "The password (HTTP Basic) does not match the shared secret issued for this account. Check "
            "the shared secret with the supplier's integration page."
        )
    else:
        text = _in_bod_terms(answer.message, bod.name)
    return Refused(code, text, status_code=answer.status_code)


def _line(line: OrderLine) -> oagis.PurchaseOrderLine:
    price = Decimal(line.unit_price)
    repriced = line.buyer_unit_price is not None and Decimal(line.buyer_unit_price) != price
    said = f"{line.code}: {line.reason}" if line.reason else line.code
    reason: str | None = said or None
    if line.outcome in (LineOutcome.REJECTED, LineOutcome.CANCELLED):
        status = oagis.LineStatus.REJECTED
    elif line.outcome == LineOutcome.BACKORDERED or repriced:
        status = oagis.LineStatus.MODIFIED
    else:
        status, reason = oagis.LineStatus.ACCEPTED, None
    quantity = (
        line.accepted_quantity + line.backordered_quantity
        if status != oagis.LineStatus.REJECTED
        else line.quantity
    )
    return oagis.PurchaseOrderLine(
        line_number=str(line.line_number),
        item=oagis.Item(id=line.supplier_part_auxiliary_id or None, supplier_item_id=line.supplier_part_id),
        quantity=oagis.Quantity(Decimal(quantity), line.unit_of_measure or None),
        unit_price=oagis.Amount(stated_unit_price(price, line.currency), line.currency),
        status=status.value,
        status_reason=reason,
    )


def acknowledgement(bod: oagis.PurchaseOrderBOD, answer: services.Answer) -> oagis.PurchaseOrderBOD:
    """The AcknowledgePurchaseOrder of an accepted BOD: the order's current lines, each with its
    outcome (none for a cancellation, which the header accepts)."""
    order = answer.order
    received = bod.application_area
    lines: list[oagis.PurchaseOrderLine] = []
    if order is not None and bod.verb is not oagis.Verb.CANCEL:
        lines = [_line(line) for line in order.lines.filter(is_current=True).order_by("line_number")]
    header = bod.purchase_order.header
    return oagis.PurchaseOrderBOD(
        verb=oagis.Verb.ACKNOWLEDGE,
        application_area=application_area(),
        original_application_area=oagis.original_of(received, timezone.now().replace(microsecond=0)),
        purchase_orders=[
            oagis.PurchaseOrder(
                oagis.PurchaseOrderHeader(
                    id=header.id,
                    revision_id=header.revision_id,
                    notes=[order.number] if isinstance(order, Order) else [],
                    status=oagis.LineStatus.ACCEPTED.value,
                    status_reason=answer.message,
                ),
                lines,
            )
        ],
    )


def receive(inbound: InboundBOD) -> Reply:
    """Answer a Process, Change or Cancel PurchaseOrder (see the module)."""
    identity, secret = require_credentials(inbound)
    bod = inbound.document
    if not isinstance(bod, oagis.PurchaseOrderBOD) or bod.verb not in ORDER_TYPES:
        name = bod.name if isinstance(bod, oagis.PurchaseOrderBOD) else "ConfirmBOD"
        raise Refused(
            "UNSUPPORTED_BOD",
            _(
                "%(name)s is not accepted here: send ProcessPurchaseOrder, ChangePurchaseOrder or "
                "CancelPurchaseOrder."
            )
            % {"name": name},
            path=f"/{name}",
            status_code=501,
        )
    integration = Integration.objects.filter(buyer_identity=identity).order_by("pk").first()
    domain = integration.buyer_domain if integration is not None else "NetworkId"
    document = oagis.order_request_of(bod, domain=domain, identity=identity, secret=secret)
    inbound.reference = (bod.purchase_order.header.id or "").strip()

    def answered(answer: services.Answer, found: Integration | None) -> None:
        if found is not None:
            inbound.partner = f"{found.buyer_domain}:{found.buyer_identity}"
        if answer.order is not None:
            inbound.reference = answer.order.number

    answer, _integration = services.receive_order_request(
        document=document, journal=inbound.journal, answered=answered
    )
    if answer.status_code >= 300:
        raise _refusal(answer, bod, identity)
    return Reply(acknowledgement(bod, answer))


class StorefrontOAGISEndpoint(OAGISEndpoint):
    def handle(self, inbound: InboundBOD) -> Reply:
        return receive(inbound)
