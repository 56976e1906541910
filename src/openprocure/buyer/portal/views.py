"""The buyer suite's home: what waits for the signed-in person, or what the suite is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprocure.buyer.approvals.selectors import inbox
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.choices import RequisitionStatus
from openprocure.buyer.requisitions.models import Requisition

# How many recent documents the home page lists in each panel.
RECENT = 5


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; for a signed-in person, their approvals, requisitions and orders."""
    if not request.user.is_authenticated:
        return render(request, "portal/home.html")
    mine = Requisition.objects.filter(requester=request.user)
    context = {
        "approvals": list(inbox(request.user)[:RECENT]),
        "approval_count": inbox(request.user).count(),
        "drafts": list(mine.filter(status=RequisitionStatus.DRAFT).order_by("-id")[:RECENT]),
        "in_approval": list(mine.filter(status=RequisitionStatus.SUBMITTED).order_by("-id")[:RECENT]),
        "orders": list(
            PurchaseOrder.objects.filter(requisition__requester=request.user)
            .select_related("supplier")
            .order_by("-created_at")[:RECENT]
        ),
    }
    return render(request, "portal/home.html", context)
