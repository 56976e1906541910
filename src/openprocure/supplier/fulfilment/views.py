"""Pages of fulfilment: the operators' queue and ship form; invoices and charges in "Your account"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.formatting import format_money
from openprocure.core.forms import report_errors, report_refusal
from openprocure.core.lists import paginate
from openprocure.core.pdf import pdf_response
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.business.services import membership_of, staff_role
from openprocure.supplier.fulfilment import lifecycle, services
from openprocure.supplier.fulfilment.choices import ReturnRequestStatus
from openprocure.supplier.fulfilment.forms import (
    CorrectiveInvoiceForm,
    DeclineReturnForm,
    LineQuantitiesForm,
    ReturnRequestRefForm,
    ShipmentDetailsForm,
    ShipTogetherForm,
)
from openprocure.supplier.fulfilment.models import Charge, Invoice, ReturnRequest, Shipment
from openprocure.supplier.orders.models import Order, OrderLine
from openprocure.supplier.orders.selectors import orders_for, with_lines
from openprocure.supplier.orders.views import order_page


def _require_staff(request: HttpRequest) -> None:
    if staff_role(request.user) is None:
        raise PermissionDenied


def _ship(request: AuthenticatedHttpRequest, **shipment: Any) -> bool:
    """Ship through the service and say so with the shipment's ID, or say why not; True when shipped."""
    try:
        shipped = services.ship(by=request.user, **shipment)
    except ValidationError as error:
        report_refusal(request, error)
        return False
    messages.success(request, _("Shipment %(id)s sent.") % {"id": shipped.shipment_id})
    return True


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Orders waiting to ship, and the consolidated deliveries (addresses with a preferred day)."""
    _require_staff(request)
    orders = services.queue()
    groups = services.consolidation_groups(orders)
    page, query = paginate(request, Shipment.objects.select_related("business").filter(status="shipped"))
    disputes_page, disputes_query = paginate(request, services.disputed_invoices(), param="disputes_page")
    return render(
        request,
        "fulfilment/queue.html",
        {
            "orders": orders,
            "groups": groups,
            "shipments": page.object_list,
            "page": page,
            "query": query,
            "disputes": disputes_page.object_list,
            "disputes_page": disputes_page,
            "disputes_query": disputes_query,
        },
    )


@login_required
def ship_order(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    """Ship an order, whole or in part (a quantity per line), with carrier and tracking."""
    _require_staff(request)
    order = with_lines(Order.objects.filter(pk=order_id)).first()
    if order is None:
        return redirect("fulfilment-queue")
    details = ShipmentDetailsForm(request.POST if request.method == "POST" else None)
    # current_lines is set by with_lines' Prefetch(to_attr=...), which django-stubs cannot see.
    lines = order.current_lines  # type: ignore[attr-defined]  # prefetched with to_attr by orders.selectors.with_lines
    quantities = LineQuantitiesForm(request.POST if request.method == "POST" else None, lines=lines)
    if request.method == "POST" and not quantities.is_valid():
        for message in quantities.messages():
            messages.error(request, message)
    elif request.method == "POST" and details.is_valid():
        wanted = [services.ShipRequest(line_id=line.pk, quantity=quantities.quantity(line)) for line in lines]
        shown = quantities.shown()
        if _ship(request, order_ids=[order.pk], quantities=wanted, shown_open=shown, **details.cleaned_data):
            return redirect("fulfilment-queue")
    rows = [(line, quantities.typed(line)) for line in lines]
    return render(
        request,
        "fulfilment/ship.html",
        {"order": order, "details": details, "rows": rows},
    )


@login_required
def record_return(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    """Goods of an order came back: the quantity per line and why (operators and support)."""
    _require_staff(request)
    order = get_object_or_404(with_lines(Order.objects.filter(is_test=False)), pk=order_id)
    # current_lines is set by with_lines' Prefetch(to_attr=...), which django-stubs cannot see.
    lines = order.current_lines  # type: ignore[attr-defined]  # prefetched with to_attr by orders.selectors.with_lines
    returned = services.returned_quantities([line.pk for line in lines])
    asked = order.return_requests.filter(
        pk=ReturnRequestRefForm(request.GET).request_id() or ReturnRequestRefForm(request.POST).request_id(),
        status=ReturnRequestStatus.REQUESTED,
    ).first()
    wanted = asked.quantities if asked else {}
    rows = [
        (line, line.shipped_quantity - returned.get(line.pk, 0), wanted.get(str(line.pk), 0))
        for line in lines
        if line.shipped_quantity
    ]
    form = LineQuantitiesForm(
        request.POST if request.method == "POST" else None, lines=[line for line, _left, _asked in rows]
    )
    if request.method == "POST" and not form.is_valid():
        for message in form.messages():
            messages.error(request, message)
    elif request.method == "POST":
        try:
            goods_return = services.record_return(
                order_id=order.pk,
                quantities=_returned(form),
                reason=form.cleaned_data["reason"],
                by=request.user,
                request_id=asked.pk if asked else None,
                shown_left=form.shown(),
            )
        except ValidationError as error:
            report_refusal(request, error)
        else:
            messages.success(
                request,
                _("Return %(number)s recorded: %(amount)s refunded, credit memo %(memo)s.")
                % {
                    "number": goods_return.number,
                    "amount": format_money(-goods_return.refund.amount, order.currency),
                    "memo": goods_return.credit_memo.number if goods_return.credit_memo else "—",
                },
            )
            return redirect("support-order", number=order.number)
    return render(
        request,
        "fulfilment/return.html",
        {
            "order": order,
            "rows": [(line, left, wanted, form.typed(line)) for line, left, wanted in rows],
            "reason": form["reason"].value() if form.is_bound else None,
            "asked": asked,
            "returns": order.returns.prefetch_related("lines__order_line"),
        },
    )


def _returned(form: LineQuantitiesForm) -> list[services.ReturnedQuantity]:
    """The quantity typed for each line of a valid form (empty is none)."""
    return [services.ReturnedQuantity(line_id=line.pk, quantity=form.quantity(line)) for line in form.lines]


@login_required
def return_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return requests waiting for our staff: record the return when the goods arrive, or decline."""
    _require_staff(request)
    page, query = paginate(
        request,
        ReturnRequest.objects.filter(status=ReturnRequestStatus.REQUESTED)
        .select_related("order", "business", "requested_by")
        .order_by("created_at", "pk"),
    )
    waiting: list[ReturnRequest] = list(page.object_list)
    lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order__in=[r.order_id for r in waiting]).only(
            "pk", "line_number", "description"
        )
    }
    rows = [
        (asked, [(lines[int(pk)], quantity) for pk, quantity in asked.quantities.items() if int(pk) in lines])
        for asked in waiting
    ]
    return render(request, "fulfilment/return_requests.html", {"rows": rows, "page": page, "query": query})


@login_required
@require_POST
def decline_return_request(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    _require_staff(request)
    form = DeclineReturnForm(request.POST)
    if not form.is_valid():
        report_errors(request, form, "reason")
        return redirect("fulfilment-return-requests")
    try:
        asked = services.decline_return_request(
            request_id=request_id,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ReturnRequest.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("Return request of %(order)s declined.") % {"order": asked.order.number})
    return redirect("fulfilment-return-requests")


@login_required
@require_POST
def request_return(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The business asks to send goods of one of its orders back (from Your account)."""
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    orders = orders_for(membership, whole_business=membership.is_administrator).filter(is_test=False)
    order = get_object_or_404(orders, number=number)
    form = LineQuantitiesForm(request.POST, lines=order.lines.filter(is_current=True, shipped_quantity__gt=0))
    if form.is_valid():
        try:
            services.request_return(
                order=order,
                quantities=_returned(form),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your return request is recorded. Send the goods back; we refund them when they arrive."),
            )
            return redirect("orders-account-order", number=number)
    # The order page again, the return form open with what was typed and what to correct.
    return order_page(request, with_lines(orders.filter(pk=order.pk)).get(), return_form=form, status=400)


@login_required
@require_POST
def ship_together(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ship several orders to one address in one consolidated shipment."""
    _require_staff(request)
    form = ShipTogetherForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("fulfilment-queue")
    _ship(
        request,
        order_ids=form.cleaned_data["order"],
        carrier=form.cleaned_data["carrier"],
        tracking_number=form.cleaned_data["tracking_number"],
    )
    return redirect("fulfilment-queue")


@login_required
@require_POST
def delivered(request: AuthenticatedHttpRequest, shipment_id: int) -> HttpResponse:
    _require_staff(request)
    shipment = get_object_or_404(Shipment, pk=shipment_id)
    try:
        services.mark_delivered(shipment_id=shipment.pk, by=request.user)
    except ValidationError as error:
        report_refusal(request, error)
    return redirect("fulfilment-queue")


@login_required
def account_invoices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invoices of your orders (the administrator: of the whole business)."""
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    orders = orders_for(membership, whole_business=membership.is_administrator)
    invoices = (
        Invoice.objects.filter(order__in=orders)
        .select_related("order", "shipment", "corrects")
        .defer("einvoice", "corrects__einvoice")
        .prefetch_related("buyer_statuses")
    )
    page, query = paginate(request, invoices)
    return render(
        request, "fulfilment/invoices.html", {"invoices": page.object_list, "page": page, "query": query}
    )


@login_required
def invoice_pdf(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """An invoice as a PDF, for whoever may see it in the list of invoices (404 for anyone else)."""
    membership = membership_of(request.user)
    if membership is None:
        raise Http404
    orders = orders_for(membership, whole_business=membership.is_administrator)
    invoice = get_object_or_404(
        Invoice.objects.filter(order__in=orders).select_related("order", "business", "shipment"),
        number=number,
    )
    lines = invoice.lines.select_related("order_line").order_by("invoice_line_number")
    context = {"invoice": invoice, "order": invoice.order, "business": invoice.business, "lines": lines}
    return pdf_response(request, "fulfilment/invoice_pdf.html", context, filename=f"{invoice.number}.pdf")


@login_required
def invoice_einvoice(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The EN 16931 e-invoice issued for an invoice (CII or UBL XML, or the Factur-X PDF), as it
    passed the EN 16931 rules, for whoever may see the invoice (404 for anyone else, or when the
    invoice went as cXML)."""
    membership = membership_of(request.user)
    if membership is None:
        raise Http404
    orders = orders_for(membership, whole_business=membership.is_administrator)
    invoice = get_object_or_404(
        Invoice.objects.filter(order__in=orders).exclude(einvoice_format=""), number=number
    )
    pdf = invoice.einvoice_format == InvoiceFormat.FACTURX
    response = HttpResponse(
        bytes(invoice.einvoice), content_type="application/pdf" if pdf else "application/xml"
    )
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.{"pdf" if pdf else "xml"}"'
    return response


@login_required
def account_charges(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Charges on the business's payment methods (administrator only)."""
    membership = membership_of(request.user)
    if membership is None or not membership.is_administrator:
        raise PermissionDenied
    charges = Charge.objects.filter(business_id=membership.business_id).select_related(
        "order", "shipment", "goods_return"
    )
    page, query = paginate(request, charges)
    return render(
        request, "fulfilment/charges.html", {"charges": page.object_list, "page": page, "query": query}
    )


@login_required
def correct_invoice(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Issue a corrective invoice (384) replacing a wrong one: its lines prefilled with the original's
    quantities and unit prices, the operator changes what was wrong and says why."""
    _require_staff(request)
    invoice = get_object_or_404(
        Invoice.objects.defer("einvoice").select_related("order", "business"), number=number
    )
    lines = invoice.lines.select_related("order_line").order_by("invoice_line_number")
    form = CorrectiveInvoiceForm(request.POST if request.method == "POST" else None, lines=lines)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            corrective = services.issue_corrective(
                invoice_id=invoice.pk,
                lines=[
                    services.CorrectedLine(invoice_line_id=pk, quantity=quantity, unit_price=price)
                    for pk, quantity, price in form.corrected()
                ],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Corrective invoice %(corrective)s issued: it replaces invoice %(number)s (%(total)s).")
                % {
                    "corrective": corrective.number,
                    "number": invoice.number,
                    "total": format_money(corrective.total, corrective.currency),
                },
            )
            return redirect("support-order", invoice.order.number)
    if form.is_bound and form.errors:
        status = 400
    return render(
        request,
        "fulfilment/correct_invoice.html",
        {"invoice": invoice, "form": form, "correctable": services.correctable(invoice)},
        status=status,
    )


@login_required
@require_POST
def payment_received(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Staff record that an invoice's payment was received: it is paid, and we say 212 Encaissée."""
    _require_staff(request)
    invoice = get_object_or_404(Invoice, number=number)
    try:
        lifecycle.record_payment(invoice=invoice, actor=request.user)
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("Payment of invoice %(number)s recorded.") % {"number": invoice.number})
    return redirect("support-order", invoice.order.number)
