"""Building the cXML OrderRequest of a purchase order with ``punchout.cxml`` (cXML 1.2.071 §OrderRequest).

SupplierPartID and SupplierPartAuxiliaryID are copied unchanged from the requisition line. The
Sender SharedSecret is not decrypted here: the document is built with the mask in its place and
stored so in the outbox, which puts the connection's secret in at delivery (``outbox_secret`` in
``suppliers.services``), so a secret replaced meanwhile is the one sent and none is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from openprocure.buyer.purchasing import hooks
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.journal import MASK
from punchout.amounts import line_amount
from punchout.cxml import (
    CXML,
    Accounting,
    AccountingSegment,
    Address,
    Classification,
    Contact,
    Credential,
    DeploymentMode,
    Description,
    Distribution,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemOut,
    Money,
    OrderRequest,
    OrderRequestHeader,
    OrderRequestType,
    PostalAddress,
    PriceBasisQuantity,
    build,
    make_header,
    new_payload_id,
)
from punchout.money import quantize_money, stated_unit_price

USER_AGENT = "OpenProcure Buyer 0.1"


def payload_domain() -> str:
    """The host name our payloadIDs end with (from the public URL)."""
    return (
        getattr(settings, "PAYLOAD_ID_DOMAIN", "")
        or urlsplit(settings.PUBLIC_URL).hostname
        or "openprocure.local"
    )


def address_snapshot(address: Any) -> dict[str, str]:
    """An organisation address frozen on the PO (a later address edit does not change sent orders)."""
    if address is None:
        return {}
    return {
        "code": address.code,
        "name": address.name,
        "deliver_to": address.deliver_to,
        "street": address.street,
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def _address(snapshot: dict[str, str], *, deliver_to: str = "") -> Address | None:
    if not snapshot:
        return None
    deliver = [d for d in (snapshot.get("deliver_to"), deliver_to) if d]
    return Address(
        name=snapshot["name"],
        address_id=snapshot.get("code") or None,
        iso_country_code=snapshot["country"],
        postal_address=PostalAddress(
            street=[snapshot["street"]],
            city=snapshot["city"],
            iso_country_code=snapshot["country"],
            country=snapshot["country"],
            deliver_to=deliver,
            state=snapshot.get("state") or None,
            postal_code=snapshot.get("postal_code") or None,
        ),
    )


def _classifications(line: Any) -> list[Classification]:
    found = [
        Classification(domain=c.get("domain") or "UNSPSC", value=c.get("value") or "")
        for c in line.classifications
        if isinstance(c, dict) and c.get("value")
    ]
    return found or [Classification(domain="UNSPSC", value=line.unspsc)]


def _distribution(split: dict[str, str], currency: str) -> Distribution:
    segments = [
        AccountingSegment(
            id=split["cost_center"], name="CostCenter", description=split.get("cost_center_name", "")
        )
    ]
    if split.get("gl_account"):
        segments.append(
            AccountingSegment(
                id=split["gl_account"], name="GLAccount", description=split.get("gl_account_name", "")
            )
        )
    return Distribution(
        accounting=Accounting(name=split["cost_center"], segments=segments),
        charge=Money(Decimal(split["amount"]), currency),
    )


def day(value: Any) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(datetime.combine(value, time(12, 0)))


@dataclass(frozen=True)
class Version:
    """A change order or cancellation: its orderVersion, the quantities it asks for (line number →
    quantity; a line at 0 is left out, as cXML's update replaces the whole order) and the payloadID
    of the original order it names in ``DocumentReference``."""

    number: int
    quantities: dict[int, Decimal]
    reference: str | None


def amount_at(line: Any, quantity: Decimal, currency: str) -> Decimal:
    """An order line's amount at ``quantity`` (its price and price basis unchanged)."""
    return line_amount(quantity, Decimal(line.unit_price), currency, Decimal(line.price_basis_quantity))


def rescale(
    distributions: list[dict[str, str]], old: Decimal, new: Decimal, currency: str
) -> list[dict[str, str]]:
    """The accounting splits of a line whose amount goes from ``old`` to ``new``, in proportion."""
    if not old:
        return distributions
    return [
        {**d, "amount": str(quantize_money(Decimal(d["amount"]) * new / old, currency))}
        for d in distributions
    ]


def lines_as_sent(po: PurchaseOrder, version: Version | None) -> tuple[list[Any], Decimal]:
    """The open lines an order document states and its total: as ordered, or as ``version`` asks
    (a line at 0 left out; a delete repeats the order as it stands). Lines are not saved."""
    lines = [line for line in po.lines.all() if not line.is_cancelled]
    total = Decimal(po.total_amount)
    if version is not None:
        asked = {line.line_number: version.quantities.get(line.line_number, line.quantity) for line in lines}
        if any(asked.values()):  # a delete repeats the order as it stands
            lines = [line for line in lines if asked[line.line_number]]
            for line in lines:
                if asked[line.line_number] != line.quantity:
                    line.quantity = asked[line.line_number]
                    amount = amount_at(line, line.quantity, po.currency)
                    line.distributions = rescale(
                        line.distributions, Decimal(line.amount), amount, po.currency
                    )
                    line.amount = amount
            total = sum((Decimal(line.amount) for line in lines), Decimal(0))
    return lines, total


def order_request(
    po: PurchaseOrder, *, kind: str, payload_id: str, secret: str | None, version: Version | None = None
) -> CXML:
    """The typed OrderRequest for ``po`` (``kind``: new, update or delete; ``version`` for the last two)."""
    connection = po.connection
    assert connection is not None, "only orders with a cXML connection are sent"
    requester = po.buyer
    lines, total = lines_as_sent(po, version)
    items = [
        ItemOut(
            quantity=Decimal(line.quantity),
            line_number=line.line_number,
            requested_delivery_date=day(line.need_by),
            item_id=ItemID(
                supplier_part_id=line.supplier_part_id,
                supplier_part_auxiliary_id=line.supplier_part_auxiliary_id or None,
            ),
            item_detail=ItemDetail(
                unit_price=Money(stated_unit_price(Decimal(line.unit_price), po.currency), po.currency),
                descriptions=[Description(text=line.description or line.supplier_part_id, lang="en")],
                unit_of_measure=line.unit_of_measure,
                price_basis_quantity=(
                    PriceBasisQuantity(
                        quantity=Decimal(line.price_basis_quantity),
                        conversion_factor=Decimal(1),
                        unit_of_measure=line.unit_of_measure,
                    )
                    if Decimal(line.price_basis_quantity) != 1
                    else None
                ),
                classifications=_classifications(line),
                manufacturer_part_id=line.manufacturer_part_id or None,
                manufacturer_name=line.manufacturer_name or None,
            ),
            distributions=[_distribution(split, po.currency) for split in line.distributions],
        )
        for line in lines
    ]
    contact = Contact(
        name=requester.get_full_name() or requester.email, role="endUser", emails=[requester.email]
    )
    header = OrderRequestHeader(
        order_id=po.number,
        order_date=po.created_at,
        total=Money(total, po.currency),
        type=OrderRequestType(kind),
        order_version=version.number if version is not None else po.version,
        document_reference=version.reference if version is not None else None,
        ship_to=_address(po.ship_to, deliver_to=contact.name),
        bill_to=_address(po.bill_to),
        contacts=[contact],
        extrinsics=[
            Extrinsic("UserEmail", requester.email),
            Extrinsic("RequisitionNumber", po.requisition.number),
            *(
                Extrinsic(name, value)
                for pairs in hooks.order_extrinsics(requisition=po.requisition)
                for name, value in pairs
            ),
        ],
    )
    return CXML(
        message=OrderRequest(header=header, items=items),
        payload_id=payload_id,
        timestamp=timezone.now().replace(microsecond=0),
        header=make_header(
            from_=[Credential(connection.from_domain, connection.from_identity)],
            to=[Credential(connection.to_domain, connection.to_identity)],
            sender=[Credential(connection.sender_domain, connection.sender_identity, secret)],
            user_agent=USER_AGENT,
        ),
        deployment_mode=DeploymentMode(connection.deployment_mode),
        lang="en-US",
    )


def _masked_secret(po: PurchaseOrder) -> str | None:
    """The placeholder the outbox replaces with the connection's secret, or None when it has none."""
    connection = po.connection
    assert connection is not None, "only orders with a cXML connection are sent"
    return MASK if connection.shared_secret_encrypted else None


def build_order_request(po: PurchaseOrder, *, kind: str, version: Version | None = None) -> tuple[str, bytes]:
    """(payloadID, DTD-valid bytes) of the OrderRequest, the shared secret masked (see the module)."""
    payload_id = new_payload_id(payload_domain())
    body = build(
        order_request(po, kind=kind, payload_id=payload_id, secret=_masked_secret(po), version=version)
    )
    return payload_id, body


def build_order_requests(orders: list[PurchaseOrder], *, kind: str) -> list[tuple[str, bytes]]:
    """:func:`build_order_request` for many orders (lines prefetched)."""
    domain = payload_domain()
    built = []
    for po in orders:
        payload_id = new_payload_id(domain)
        body = build(order_request(po, kind=kind, payload_id=payload_id, secret=_masked_secret(po)))
        built.append((payload_id, body))
    return built
