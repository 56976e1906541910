"""Building the OAGIS® 10.2 BOD of a purchase order for a supplier whose order channel is OAGIS:
ProcessPurchaseOrder (a new order), ChangePurchaseOrder (a change: the order as it will stand, its
RevisionID the new version) and CancelPurchaseOrder (the order as it stands), with ``punchout.oagis``.

The lines say what the cXML OrderRequest says (see ``punchout.oagis.bridge`` for the mapping):
``Item/SupplierItemIdentification/ID`` is the SupplierPartID and ``Item/ID`` the
SupplierPartAuxiliaryID, copied unchanged from the requisition line. The BOD carries no secret:
the outbox authenticates it with HTTP Basic (``ApplicationArea/Sender/LogicalID`` as the user name,
the connection's shared secret as the password, put in at delivery).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from openprocure.buyer.purchasing.choices import TransmissionType
from openprocure.buyer.purchasing.documents import USER_AGENT, Version, day, lines_as_sent, payload_domain
from openprocure.buyer.purchasing.models import PurchaseOrder
from punchout import oagis
from punchout.cxml import new_payload_id
from punchout.money import stated_unit_price
from punchout.oagis.transport import CONTENT_TYPE

#: The verb of each kind of order document.
VERBS = {
    TransmissionType.NEW: oagis.Verb.PROCESS,
    TransmissionType.UPDATE: oagis.Verb.CHANGE,
    TransmissionType.DELETE: oagis.Verb.CANCEL,
}


def _party(identity: str, name: str, snapshot: dict[str, str] | None = None) -> oagis.Party:
    address = None
    if snapshot:
        lines = [part for part in (snapshot.get("deliver_to"), snapshot.get("street")) if part]
        address = oagis.Address(
            lines=lines,
            city=snapshot.get("city") or None,
            country_subdivision=snapshot.get("state") or None,
            country_code=snapshot.get("country") or None,
            postal_code=snapshot.get("postal_code") or None,
        )
    return oagis.Party(id=identity or None, name=name or None, address=address)


def _line(line: Any, currency: str) -> oagis.PurchaseOrderLine:
    basis = Decimal(line.price_basis_quantity)
    return oagis.PurchaseOrderLine(
        line_number=str(line.line_number),
        item=oagis.Item(
            id=line.supplier_part_auxiliary_id or None,
            supplier_item_id=line.supplier_part_id,
            manufacturer_item_id=line.manufacturer_part_id or None,
        ),
        descriptions=[line.description or line.supplier_part_id],
        quantity=oagis.Quantity(Decimal(line.quantity), line.unit_of_measure or None),
        unit_price=oagis.Amount(stated_unit_price(Decimal(line.unit_price), currency), currency),
        price_basis=oagis.Quantity(basis, line.unit_of_measure or None) if basis != 1 else None,
        extended_amount=oagis.Amount(Decimal(line.amount), currency),
        requested_delivery=day(line.need_by),
    )


def purchase_order_bod(
    po: PurchaseOrder, *, kind: str, bod_id: str, version: Version | None = None, reason: str = ""
) -> oagis.PurchaseOrderBOD:
    """The typed BOD of ``kind`` (new, update, delete) for ``po``."""
    connection = po.connection
    assert connection is not None, "only orders with a connection are sent"
    lines, total = lines_as_sent(po, version)
    number = version.number if version is not None else po.version
    header = oagis.PurchaseOrderHeader(
        id=po.number,
        revision_id=str(number),
        document_date=timezone.now().replace(microsecond=0),
        order_date=po.created_at.replace(microsecond=0),
        notes=[reason] if reason else [],
        buyer=_party(connection.from_identity, po.buyer.get_full_name() or po.buyer.email),
        supplier=_party(connection.to_identity, po.supplier.name),
        ship_to=_party("", po.ship_to.get("name", ""), po.ship_to) if po.ship_to else None,
        bill_to=_party("", po.bill_to.get("name", ""), po.bill_to) if po.bill_to else None,
        total_amount=oagis.Amount(total, po.currency),
    )
    return oagis.PurchaseOrderBOD(
        verb=VERBS[TransmissionType(kind)],
        application_area=oagis.ApplicationArea(
            sender_logical_id=connection.from_identity,
            sender_component_id=USER_AGENT,
            creation=timezone.now().replace(microsecond=0),
            bod_id=bod_id,
        ),
        purchase_orders=[oagis.PurchaseOrder(header, [_line(line, po.currency) for line in lines])],
    )


def content_type_of(kind: str) -> str:
    """The media type an order document of ``kind`` (OrderRequest or a BOD's name) is sent as."""
    return "text/xml; charset=utf-8" if kind == "OrderRequest" else CONTENT_TYPE


def build_bod(
    po: PurchaseOrder, *, kind: str, version: Version | None = None, reason: str = ""
) -> tuple[str, str, bytes]:
    """(BODID, BOD name, schema-valid bytes) of the order document of ``kind``."""
    bod_id = new_payload_id(payload_domain())
    document = purchase_order_bod(po, kind=kind, bod_id=bod_id, version=version, reason=reason)
    return bod_id, document.name, oagis.build(document)
