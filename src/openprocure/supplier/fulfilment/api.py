"""REST API (django-ninja) routers for shipments, invoices and charges, mounted on the storefront's
``/api/``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from openprocure.supplier.fulfilment.models import Charge, Invoice, Shipment
from openprocure.supplier.orders.schemas import BuyerStatusOut, buyer_status_out
from punchout.money import quantize_money


class ShipmentLineOut(Schema):
    order: str
    line_number: int
    quantity: int


class ShipmentOut(Schema):
    shipment_id: str
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime
    expected_delivery: date | None
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]


class InvoiceOut(Schema):
    number: str
    kind: str = Field(
        description="invoice, credit_memo for returned goods, or corrective for an invoice (type 384) "
        "replacing a wrong one in full"
    )
    order: str
    buyer_order_id: str
    shipment: str | None
    currency: str
    subtotal: Decimal
    shipping: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    issued_at: datetime
    sent_electronically: bool
    status: str = Field(
        description="issued, paid once the buyer says it paid it in full, or corrected once a corrective "
        "invoice replaced it"
    )
    corrects: str | None = Field(description="the invoice a corrective invoice replaces (BT-25); else empty")
    correction_reason: str = Field(description="what was wrong, on a corrective invoice; else empty")
    lifecycle_status: str = Field(
        description="the French lifecycle status of record (CDAR code: 205 approved … 212 cashed), or empty"
    )
    buyer_statuses: list[BuyerStatusOut] = Field(description="what the buyer's system said, newest first")


class ChargeOut(Schema):
    id: int
    order: str
    buyer_order_id: str
    shipment: str | None = Field(description="the shipment charged; empty for a refund")
    goods_return: str | None = Field(
        description="the return refunded (a negative amount); empty for a charge"
    )
    payment_method: str
    amount: Decimal
    currency: str
    charged_at: datetime


def charge_out(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "order": charge.order.number,
        "buyer_order_id": charge.order.buyer_order_id,
        "shipment": charge.shipment.shipment_id if charge.shipment else None,
        "goods_return": charge.goods_return.number if charge.goods_return else None,
        "payment_method": charge.payment_method_label,
        "amount": quantize_money(charge.amount, charge.currency),
        "currency": charge.currency,
        "charged_at": charge.created_at,
    }


def shipment_out(shipment: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": shipment.shipment_id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "shipped_at": shipment.shipped_at,
        "expected_delivery": shipment.expected_delivery,
        "delivered_at": shipment.delivered_at,
        "lines": [
            {
                "order": part.order_line.order.number,
                "line_number": part.order_line.line_number,
                "quantity": part.quantity,
            }
            for part in shipment.lines.all()
        ],
    }


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "order": invoice.order.number,
        "buyer_order_id": invoice.order.buyer_order_id,
        "shipment": invoice.shipment.shipment_id if invoice.shipment else None,
        "currency": invoice.currency,
        "subtotal": quantize_money(invoice.subtotal, invoice.currency),
        "shipping": quantize_money(invoice.shipping, invoice.currency),
        "tax_rate": invoice.tax_rate,
        "tax": quantize_money(invoice.tax, invoice.currency),
        "total": quantize_money(invoice.total, invoice.currency),
        "issued_at": invoice.issued_at,
        "sent_electronically": invoice.sent_electronically,
        "status": invoice.status,
        "corrects": invoice.corrects.number if invoice.corrects else None,
        "correction_reason": invoice.correction_reason,
        "lifecycle_status": invoice.lifecycle_status,
        "buyer_statuses": [buyer_status_out(s) for s in invoice.buyer_statuses.all()],
    }


def _of_business(request: HttpRequest, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The one row of the API key's business matching ``lookup``, else 404 (other businesses' too)."""
    return get_object_or_404(queryset, business=request.auth, **lookup)  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth


shipments_router = Router(tags=["shipments"])
invoices_router = Router(tags=["invoices"])
charges_router = Router(tags=["charges"])


@shipments_router.get("/", response=list[ShipmentOut], summary="The business's shipments, newest first")
def list_shipments(request: HttpRequest, limit: int = 100) -> Any:
    shipments = Shipment.objects.filter(business=request.auth).prefetch_related("lines__order_line__order")  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    return [shipment_out(s) for s in shipments[: max(1, min(limit, 500))]]


@shipments_router.get("/{shipment_id}", response=ShipmentOut, summary="One shipment")
def get_shipment(request: HttpRequest, shipment_id: str) -> Any:
    return shipment_out(_of_business(request, Shipment.objects.all(), shipment_id=shipment_id))


@invoices_router.get("/", response=list[InvoiceOut], summary="The business's invoices, newest first")
def list_invoices(request: HttpRequest, limit: int = 100) -> Any:
    business = request.auth  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    invoices = (
        Invoice.objects.filter(business=business)
        .select_related("order", "shipment", "corrects")
        .prefetch_related("buyer_statuses__invoice")
    )
    return [invoice_out(i) for i in invoices[: max(1, min(limit, 500))]]


@invoices_router.get("/{number}", response=InvoiceOut, summary="One invoice")
def get_invoice(request: HttpRequest, number: str) -> Any:
    return invoice_out(
        _of_business(request, Invoice.objects.select_related("order", "shipment", "corrects"), number=number)
    )


@charges_router.get(
    "/", response=list[ChargeOut], summary="What we charged the business's payment methods, newest first"
)
def list_charges(request: HttpRequest, limit: int = 100) -> Any:
    business = request.auth  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    charges = Charge.objects.filter(business=business).select_related("order", "shipment", "goods_return")
    return [charge_out(c) for c in charges[: max(1, min(limit, 500))]]


@charges_router.get("/{charge_id}", response=ChargeOut, summary="One charge")
def get_charge(request: HttpRequest, charge_id: int) -> Any:
    return charge_out(
        _of_business(
            request, Charge.objects.select_related("order", "shipment", "goods_return"), pk=charge_id
        )
    )
