"""Shared set-up for the fulfilment, invoicing and matching tests: a supplier with a cXML connection,
a purchase order, and helpers that post cXML as the supplier's system would."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.test import Client

from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine, Transmission
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import set_shared_secret
from openprocure.core.models import User
from punchout import cxml

SECRET = "s3cret-of-office-supply"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_supplier(
    *,
    name: str = "Office Supply Co",
    identity: str = "office-supply",
    domain: str = "NetworkId",
    order_url: str = "",
) -> tuple[Supplier, PunchOutConnection]:
    supplier = Supplier.objects.create(name=name, number="S-100")
    connection = PunchOutConnection.objects.create(
        supplier=supplier,
        setup_url="https://supplier.test/punchout",
        order_url=order_url or "https://supplier.test/cxml",
        from_domain="NetworkId",
        from_identity="acme-buyer",
        to_domain=domain,
        to_identity=identity,
        sender_domain="NetworkId",
        sender_identity="acme-buyer",
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
    requester = User.objects.filter(email=requester_email).first() or User.objects.create_user(
        email=requester_email, password="x-correct-horse"
    )
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
    return (
        cxml.InvoiceDetailRequest(
            header=cxml.InvoiceDetailRequestHeader(
                invoice_id=invoice_id,
                invoice_date=datetime(2026, 3, 10, tzinfo=UTC),
                purpose=cxml.InvoicePurpose(purpose),
            ),
            orders=[
                cxml.InvoiceDetailOrder(
                    order_reference=cxml.OrderReference(
                        order_id=order_id, payload_id=f"{order_id}@buyer.test"
                    ),
                    items=items,
                )
            ],
            summary=cxml.InvoiceDetailSummary(
                subtotal_amount=money(str(subtotal)),
                tax=cxml.Tax(money(tax), cxml.Description("VAT", "en")),
                net_amount=money(str(gross)),
                shipping_amount=money(shipping) if shipping is not None else None,
                gross_amount=money(str(gross)),
                due_amount=money(str(gross)),
            ),
        )
        if not credit
        else cxml.InvoiceDetailRequest(
            header=cxml.InvoiceDetailRequestHeader(
                invoice_id=invoice_id,
                invoice_date=datetime(2026, 3, 12, tzinfo=UTC),
                purpose=cxml.InvoicePurpose(purpose),
            ),
            orders=[
                cxml.InvoiceDetailOrder(
                    order_reference=cxml.OrderReference(
                        order_id=order_id, payload_id=f"{order_id}@buyer.test"
                    ),
                    items=items,
                )
            ],
            summary=cxml.InvoiceDetailSummary(
                subtotal_amount=money(str(subtotal)),
                tax=cxml.Tax(money(tax), cxml.Description("VAT", "en")),
                net_amount=money(str(gross)),
                gross_amount=money(str(gross)),
                due_amount=money(str(gross)),
            ),
        )
    )
