"""The orders router of the storefront's REST API (mounted by ``openprocure.supplier.api``), and the
API key authentication every router uses: a key of one business (``Authorization: Bearer opk_…``,
stored hashed) that sees only that business.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from openprocure.core.signin import TokenLockedOut, check_api_token
from openprocure.supplier.orders import services
from openprocure.supplier.orders.models import Order, OrderLine
from openprocure.supplier.orders.schemas import BuyerStatusOut, buyer_status_out
from punchout.money import quantize_money


class ApiKeyAuth(HttpBearer):
    """A business's API key; the request carries the business afterwards (``request.auth``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # A wrong key counts like a wrong password for the address (core.signin).
        try:
            return check_api_token(request, lambda: services.business_for_api_key(token))
        except TokenLockedOut as locked:
            raise HttpError(429, locked.message) from None


class LineOut(Schema):
    line_number: int
    supplier_part_id: str
    supplier_part_auxiliary_id: str
    description: str
    quantity: int
    accepted_quantity: int
    backordered_quantity: int
    rejected_quantity: int
    shipped_quantity: int
    unit_price: Decimal
    currency: str
    outcome: str
    code: str
    reason: str


class OrderOut(Schema):
    number: str
    buyer_order_id: str
    order_version: int
    payload_id: str
    status: str
    is_test: bool
    email: str
    currency: str
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    created_at: datetime


class OrderDetailOut(OrderOut):
    lines: list[LineOut]
    buyer_statuses: list[BuyerStatusOut]


def line_out(line: OrderLine) -> dict[str, Any]:
    return {field: getattr(line, field) for field in LineOut.model_fields}


def order_out(order: Order) -> dict[str, Any]:
    """An order as the API shows it: amounts in the currency's minor unit (12.50 EUR, 1250 JPY)."""
    data = {field: getattr(order, field) for field in OrderOut.model_fields}
    for field in ("subtotal", "shipping", "tax", "total"):
        data[field] = quantize_money(Decimal(data[field]), order.currency)
    return data


router = Router(tags=["orders"])


@router.get("/", response=list[OrderOut], summary="The business's orders, newest first")
def list_orders(request: HttpRequest, status: str | None = None, limit: int = 100) -> Any:
    orders = Order.objects.filter(business=request.auth).order_by("-created_at", "-id")  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    if status:
        orders = orders.filter(status=status)
    return [order_out(order) for order in orders[: max(1, min(limit, 500))]]


@router.get("/{number}", response=OrderDetailOut, summary="One order with each line's outcome")
def get_order(request: HttpRequest, number: str) -> Any:
    order = get_object_or_404(Order, business=request.auth, number=number)  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    data = order_out(order)
    data["lines"] = [
        line_out(line) for line in order.lines.filter(is_current=True).order_by("line_number", "id")
    ]
    data["buyer_statuses"] = [buyer_status_out(s) for s in order.buyer_statuses.select_related("invoice")]
    return data
