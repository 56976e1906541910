"""Pages of support: the PO lookup and an order's dossier (documents raw and parsed, attempts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate
from openprocure.supplier.orders.models import Order
from openprocure.supplier.orders.selectors import with_lines
from openprocure.supplier.support import services
from openprocure.supplier.support.forms import LookupForm


@login_required
def lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search by buyer PO number, our order number, payloadID or the user's e-mail."""
    services.require_support(request.user)
    query = LookupForm(request.GET).query()
    context: dict[str, object] = {"query": query, "result": None}
    if query.strip():
        result = services.lookup(query=query, by=request.user)
        page, kept = paginate(request, result.orders)
        refused_page, refused_kept = paginate(request, result.refused, param="refused_page")
        context.update(
            result=result,
            page=page,
            kept=kept,
            refused_page=refused_page,
            refused_kept=refused_kept,
        )
    return render(request, "support/lookup.html", context)


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
