"""REST API (django-ninja) for purchase orders: the list and a PO with lines and documents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from openprocure.buyer.purchasing import selectors
from punchout.money import quantize_money


class POLineOut(Schema):
    line_number: int
    supplier_part_id: str
    supplier_part_auxiliary_id: str
    description: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    amount: Decimal
    distributions: list[dict[str, str]]


class DocumentOut(Schema):
    created_at: datetime
    direction: str
    kind: str
    payload_id: str
    status_code: int | None
    status_text: str
    raw: str


class POOut(Schema):
    number: str
    status: str
    version: int
    supplier: str
    requisition: str
    total_amount: Decimal
    currency: str
    created_at: datetime
    sent_at: datetime | None
    supplier_message: str


class PODetailOut(POOut):
    ship_to: dict[str, str]
    bill_to: dict[str, str]
    lines: list[POLineOut]
    documents: list[DocumentOut]


def po_out(po: Any) -> dict[str, Any]:
    return {
        "number": po.number,
        "status": po.status,
        "version": po.version,
        "supplier": po.supplier.name,
        "requisition": po.requisition.number,
        "total_amount": quantize_money(po.total_amount, po.currency),
        "currency": po.currency,
        "created_at": po.created_at,
        "sent_at": po.sent_at,
        "supplier_message": po.supplier_message,
    }


router = Router(tags=["purchase orders"])


@router.get("/", response=list[POOut], summary="Purchase orders I may see")
def list_orders(request: HttpRequest, status: str | None = None, limit: int = 100, offset: int = 0) -> Any:
    rows = selectors.visible_orders(request.user)
    if status:
        rows = rows.filter(status=status)
    return [po_out(po) for po in rows[offset : offset + min(limit, 500)]]


@router.get("/{number}", response=PODetailOut, summary="A purchase order with its lines and documents")
def get_order(request: HttpRequest, number: str) -> Any:
    po = get_object_or_404(selectors.visible_orders(request.user), number=number)
    return {
        **po_out(po),
        "ship_to": po.ship_to,
        "bill_to": po.bill_to,
        "lines": [
            {
                "line_number": line.line_number,
                "supplier_part_id": line.supplier_part_id,
                "supplier_part_auxiliary_id": line.supplier_part_auxiliary_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit_of_measure": line.unit_of_measure,
                "unit_price": line.unit_price,
                "amount": quantize_money(line.amount, po.currency),
                "distributions": line.distributions,
            }
            for line in po.lines.all()
        ],
        "documents": [
            {
                "created_at": d.created_at,
                "direction": d.direction,
                "kind": d.kind,
                "payload_id": d.payload_id,
                "status_code": d.status_code,
                "status_text": d.status_text,
                "raw": d.raw,
            }
            for d in selectors.timeline(po)
        ],
    }
