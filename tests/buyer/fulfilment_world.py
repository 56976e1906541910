"""Shared set-up for the fulfilment, invoicing and matching tests: a supplier with a cXML connection,
a purchase order, and helpers that post cXML as the supplier's system would."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.test import Client

from openprocure.buyer.invoicing.models import InvoiceException
from openprocure.buyer.organization.models import Company, RoleAssignment, UserProfile
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine, Transmission
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import set_shared_secret
from openprocure.core import outbox
from openprocure.core.models import OutboxMessage, User
from punchout import cxml
from tests.buyer.factories import PunchOutConnectionFactory, SupplierFactory
from tests.factories import UserFactory

SECRET = "s3cret-of-office-supply"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_supplier(
    *,
    name: str = "Office Supply Co",
    identity: str = "office-supply",
    domain: str = "NetworkId",
    order_url: str = "",
) -> tuple[Supplier, PunchOutConnection]:
    supplier = SupplierFactory(name=name)
    connection = PunchOutConnectionFactory(
        supplier=supplier,
        order_url=order_url or "https://supplier.test/cxml",
        to_domain=domain,
        to_identity=identity,
    )
    set_shared_secret(connection=connection, secret=SECRET)
    return supplier, connection


def make_po(
    supplier: Supplier,
    connection: PunchOutConnection | None,
    *,
    number: str = "PO-2026-000001",
    lines: list[tuple[str, str, str]] | None = None,
    requester_email: str = "rita@acme.test",
    unspsc: str = "44121600",
    status: str = POStatus.ACCEPTED,
    payload_id: str = "",
) -> PurchaseOrder:
    """A PO accepted by the supplier; ``lines`` are (part, quantity, unit price)."""
    requester = User.objects.filter(email=requester_email).first() or UserFactory(email=requester_email)
    requisition = Requisition.objects.create(number=f"REQ-{number}", requester=requester, currency="EUR")
    lines = lines or [("PAPER-A4", "12", "10.00"), ("PEN-BLUE", "5", "2.00")]
    total = sum((Decimal(q) * Decimal(p) for _part, q, p in lines), Decimal(0))
    po = PurchaseOrder.objects.create(
        number=number,
        requisition=requisition,
        supplier=supplier,
        connection=connection,
        buyer=requester,
        status=status,
        currency="EUR",
        total_amount=total,
    )
    for index, (part, quantity, price) in enumerate(lines, start=1):
        PurchaseOrderLine.objects.create(
            purchase_order=po,
            line_number=index,
            supplier_part_id=part,
            description=part.title(),
            quantity=Decimal(quantity),
            unit_of_measure="EA",
            unit_price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
            unspsc=unspsc,
        )
    if payload_id:
        Transmission.objects.create(
            purchase_order=po, type="new", version=1, payload_id=payload_id, status="accepted"
        )
    return po


def envelope(
    message: object, *, payload_id: str, identity: str = "office-supply", secret: str = SECRET
) -> bytes:
    header = cxml.make_header(
        from_=[cxml.Credential("NetworkId", identity)],
        to=[cxml.Credential("NetworkId", "acme-buyer")],
        sender=[cxml.Credential("NetworkId", identity, secret)],
        user_agent="Supplier test 1.0",
    )
    return cxml.build(cxml.CXML(message=message, payload_id=payload_id, timestamp=NOW, header=header))  # type: ignore[arg-type]


def post(client: Client, body: bytes) -> cxml.Status:
    answer = client.post("/cxml/", data=body, content_type="text/xml")
    assert answer.status_code == 200
    status = cxml.parse(answer.content).document.status
    assert status is not None
    return status


def money(amount: str) -> cxml.Money:
    return cxml.Money(Decimal(amount), "EUR")


def invoice_request(
    *,
    invoice_id: str,
    order_id: str = "PO-2026-000001",
    lines: list[tuple[int, str, str]],
    purpose: str = "standard",
    tax: str = "0.00",
    shipping: str | None = None,
    parts: dict[int, str] | None = None,
) -> cxml.InvoiceDetailRequest:
    """An InvoiceDetailRequest; ``lines`` are (order line number, quantity, unit price)."""
    credit = purpose != "standard"
    items = []
    subtotal = Decimal(0)
    for index, (line_number, quantity, price) in enumerate(lines, start=1):
        amount = Decimal(quantity) * Decimal(price)
        subtotal += amount
        items.append(
            cxml.InvoiceDetailItem(
                invoice_line_number=index,
                quantity=Decimal(quantity),
                unit_of_measure="EA",
                unit_price=money(price),
                reference=cxml.InvoiceDetailItemReference(
                    line_number=line_number,
                    item_id=cxml.ItemID((parts or {}).get(line_number, "")) if parts else None,
                ),
                subtotal_amount=money(str(amount)),
            )
        )
    gross = subtotal + Decimal(tax) + Decimal(shipping or "0")
    return cxml.InvoiceDetailRequest(
        header=cxml.InvoiceDetailRequestHeader(
            invoice_id=invoice_id,
            invoice_date=datetime(2026, 3, 12 if credit else 10, tzinfo=UTC),
            purpose=cxml.InvoicePurpose(purpose),
        ),
        orders=[
            cxml.InvoiceDetailOrder(
                order_reference=cxml.OrderReference(order_id=order_id, payload_id=f"{order_id}@buyer.test"),
                items=items,
            )
        ],
        summary=cxml.InvoiceDetailSummary(
            subtotal_amount=money(str(subtotal)),
            tax=cxml.Tax(money(tax), cxml.Description("VAT", "en")),
            net_amount=money(str(gross)),
            # A credit memo states no shipping.
            shipping_amount=money(shipping) if shipping is not None and not credit else None,
            gross_amount=money(str(gross)),
            due_amount=money(str(gross)),
        ),
    )


def user_with_role(email: str, role: str) -> User:
    user = UserFactory(email=email)
    company = Company.objects.get_or_create(name="Acme")[0]
    profile = UserProfile.objects.create(user=user, company=company)
    RoleAssignment.objects.create(profile=profile, role=role)
    return user


def receiving_desk() -> User:
    """Someone at the goods-in desk: a procurement administrator (there is no receiving role)."""
    return user_with_role("desk@acme.test", "procurement_admin")


def confirmation(items: list[cxml.ConfirmationItem], kind: str = "detail") -> cxml.ConfirmationRequest:
    return cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(type=cxml.ConfirmationType(kind), notice_date=NOW, confirm_id="C-1"),
        order_reference=cxml.OrderReference(order_id="PO-2026-000001", payload_id="order-1@buyer.test"),
        items=items,
    )


def ship_notice(
    shipment: str, quantities: list[tuple[int, str]], operation: str = "new"
) -> cxml.ShipNoticeRequest:
    return cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(
            shipment_id=shipment,
            notice_date=NOW,
            shipment_date=NOW,
            delivery_date=datetime(2026, 3, 4, tzinfo=UTC),
            operation=cxml.ShipNoticeOperation(operation),
        ),
        controls=[
            cxml.ShipControl(
                carriers=[cxml.CarrierIdentifier("companyName", "UPS")],
                shipment_identifiers=[cxml.ShipmentIdentifier("1Z999AA10123456784")],
            )
        ],
        portions=[
            cxml.ShipNoticePortion(
                order_reference=cxml.OrderReference(
                    order_id="PO-2026-000001", payload_id="order-1@buyer.test"
                ),
                items=[cxml.ShipNoticeItem(n, Decimal(q), "EA") for n, q in quantities],
            )
        ],
    )


def notice_with_tracking(shipment: str, url: str) -> cxml.ShipNoticeRequest:
    return cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(
            shipment_id=shipment,
            notice_date=NOW,
            shipment_date=NOW,
            delivery_date=datetime(2026, 3, 4, tzinfo=UTC),
            operation=cxml.ShipNoticeOperation("new"),
        ),
        controls=[
            cxml.ShipControl(
                carriers=[cxml.CarrierIdentifier("companyName", "UPS")],
                shipment_identifiers=[cxml.ShipmentIdentifier("1Z999", tracking_url=url)],
            )
        ],
        portions=[
            cxml.ShipNoticePortion(
                order_reference=cxml.OrderReference(
                    order_id="PO-2026-000001", payload_id="order-1@buyer.test"
                ),
                items=[cxml.ShipNoticeItem(1, Decimal(1), "EA")],
            )
        ],
    )


def ap_clerk() -> User:
    user = UserFactory(email="ap@acme.test")
    company = Company.objects.get_or_create(name="Acme")[0]
    profile = UserProfile.objects.create(user=user, company=company)
    RoleAssignment.objects.create(profile=profile, role="ap_clerk")
    return user


def receive(client: Client, po: Any, quantities: dict[int, str]) -> None:
    lines = {line.line_number: line for line in po.lines.all()}
    data = {f"qty_{lines[n].pk}": q for n, q in quantities.items()}
    answer = client.post(f"/fulfilment/orders/{po.number}/receive/", data)
    assert answer.status_code == 302, answer.content.decode()


def open_exceptions() -> list[tuple[str, str]]:
    return [(e.code, e.message) for e in InvoiceException.objects.filter(status="open").order_by("pk")]


def deliver(po: PurchaseOrder, url: str) -> PurchaseOrder:
    message = OutboxMessage.objects.filter(reference=po.number).latest("id")
    OutboxMessage.objects.filter(pk=message.pk).update(url=url)
    outbox.deliver_message(message.pk)
    return PurchaseOrder.objects.get(pk=po.pk)
