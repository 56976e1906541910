"""Pages of support: the PO lookup and an order's dossier (documents raw and parsed, attempts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.supplier.orders.models import Order
from openprocure.supplier.orders.selectors import with_lines
from openprocure.supplier.support import services


@login_required
def lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search by buyer PO number, our order number, payloadID or the user's e-mail."""
    services.require_support(request.user)
    query = request.GET.get("q", "")
    result = services.lookup(query=query, by=request.user) if query.strip() else None
    return render(request, "support/lookup.html", {"query": query, "result": result})


@login_required
def order(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    services.require_support(request.user)
    try:
        found = services.dossier(number=number, by=request.user)
    except Order.DoesNotExist:
        raise Http404 from None
    order = with_lines(Order.objects.filter(pk=found.order.pk)).get()
    outbox = [(message, found.attempts.get(message.pk, [])) for message in found.outbox]
    return render(
        request,
        "support/order.html",
        {"order": order, "documents": found.parsed(), "outbox": outbox, "events": order.events.all()},
    )
