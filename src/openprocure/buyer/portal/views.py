"""The buyer suite's home: the work that is the signed-in person's, by role, or what the suite is."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprocure.buyer.approvals.selectors import inbox
from openprocure.buyer.invoicing.choices import ExceptionStatus
from openprocure.buyer.invoicing.models import InvoiceException
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import roles_of
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.choices import AWAITING_GOODS
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.recurring import services as recurring
from openprocure.buyer.requisitions.choices import RequisitionStatus
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.choices import OutboxStatus
from openprocure.core.models import OutboxMessage

# How many recent documents the home page lists in each panel.
RECENT = 5
OPEN_EXCEPTIONS = [ExceptionStatus.OPEN, ExceptionStatus.ON_HOLD, ExceptionStatus.CREDIT_REQUESTED]


def _requester_panels(user: Any) -> dict[str, Any]:
    mine = Requisition.objects.filter(requester=user)
    orders = PurchaseOrder.objects.filter(requisition__requester=user).select_related("supplier")
    return {
        "drafts": list(mine.filter(status=RequisitionStatus.DRAFT).order_by("-id")[:RECENT]),
        "in_approval": list(mine.filter(status=RequisitionStatus.SUBMITTED).order_by("-id")[:RECENT]),
        "orders": list(orders.order_by("-created_at")[:RECENT]),
        "to_receive": list(orders.filter(status__in=AWAITING_GOODS).order_by("-created_at")[:RECENT]),
        "order_news": notices.latest_notices(user, limit=RECENT),
        "recurring_news": recurring.latest_notices(user, limit=RECENT),
    }


def _administrator_panel() -> dict[str, Any]:
    connections = PunchOutConnection.objects.filter(is_active=True)
    return {
        "active_connections": connections.count(),
        "failing_connections": list(
            connections.filter(last_test_ok=False).select_related("supplier")[:RECENT]
        ),
        "untested_connections": connections.filter(last_tested_at__isnull=True).count(),
        "undelivered": OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count(),
        "retrying": OutboxMessage.objects.filter(status=OutboxStatus.RETRYING).count(),
    }


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; for a signed-in person, the panels of their roles."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/home.html")
    roles = roles_of(user)
    context: dict[str, Any] = {"buys": Role.REQUESTER in roles or not roles}
    if context["buys"]:
        context.update(_requester_panels(user))
    waiting = inbox(user)
    context["approval_count"] = waiting.count()
    context["approves"] = Role.APPROVER in roles or context["approval_count"] > 0
    context["approvals"] = list(waiting[:RECENT])
    context["handles_invoices"] = Role.AP_CLERK in roles
    if context["handles_invoices"]:
        exceptions = InvoiceException.objects.filter(status__in=OPEN_EXCEPTIONS)
        context["exception_count"] = exceptions.count()
        context["exceptions"] = list(
            exceptions.select_related("invoice__supplier").order_by("invoice__created_at", "pk")[:RECENT]
        )
    if roles & {Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN}:
        context["setup"] = _administrator_panel()
    return render(request, "portal/home.html", context)
