"""Pages of orders: the code catalogue, "Your account" (orders, lines, invoices), the business's orders."""

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
from openprocure.core.forms import report_errors, report_refusal
from openprocure.core.lists import paginate
from openprocure.core.pdf import pdf_response
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.business.models import Integration, Membership
from openprocure.supplier.business.services import membership_of, staff_role
from openprocure.supplier.orders import selectors, services, tasks
from openprocure.supplier.orders.choices import ConformanceStatus
from openprocure.supplier.orders.codes import CODES, LINE, ORDER
from openprocure.supplier.orders.forms import ApiKeyForm, CancelOrderForm, ConformanceRunForm, OrdersScopeForm
from openprocure.supplier.orders.models import ApiKey, ConformanceRun, Order


def order_codes(request: HttpRequest) -> HttpResponse:
    """``/help/order-codes/``: every code an order or a line can get, what it means and what to do."""
    return render(
        request,
        "orders/codes.html",
        {
            "order_codes": [c for c in CODES if c.scope == ORDER],
            "line_codes": [c for c in CODES if c.scope == LINE],
        },
    )


def _in_session(request: HttpRequest) -> bool:
    """Whether the request comes through a PunchOut session (a partner's credential, not a sign-in)."""
    return getattr(request, "punchout", None) is not None


def _membership(request: HttpRequest):
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    return membership


@login_required
def account_orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your orders (PunchOut user) or, for an administrator with ``?all=1``, the whole business's."""
    membership = _membership(request)
    in_session = _in_session(request)
    whole = OrdersScopeForm(request.GET).whole_business() and membership.is_administrator and not in_session
    page, query = paginate(
        request, selectors.with_lines(selectors.orders_for(membership, whole_business=whole))
    )
    return render(
        request,
        "orders/account_orders.html",
        {
            "orders": page.object_list,
            "page": page,
            "query": query,
            "whole": whole,
            "membership": membership,
            "in_session": in_session,
        },
    )


@login_required
def account_order(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """One order with each line's status: accepted, backordered, shipped with tracking, rejected with reason."""
    membership = _membership(request)
    in_session = _in_session(request)
    # In a PunchOut session the shopper sees their own orders only, whatever their role.
    orders = selectors.orders_for(membership, whole_business=membership.is_administrator and not in_session)
    order = selectors.with_lines(orders.filter(number=number)).first()
    if order is None:
        raise Http404
    return order_page(request, order)


def order_page(
    request: AuthenticatedHttpRequest, order: Order, *, return_form: Any = None, status: int = 200
) -> HttpResponse:
    """The order page of Your account; a return request that failed is shown again in its form, with
    what was typed and each error beside its line."""
    lines = [line for line in order.current_lines if line.shipped_quantity]  # type: ignore[attr-defined]  # prefetched with to_attr by selectors.with_lines
    return render(
        request,
        "orders/account_order.html",
        {
            "order": order,
            "membership": _membership(request),
            "in_session": _in_session(request),
            "return_form": return_form,
            "return_rows": [
                (line, return_form[f"line-{line.pk}"] if return_form is not None else None) for line in lines
            ],
        },
        status=status,
    )


@login_required
def account_order_pdf(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The order as a PDF, for the people who may open its page (never inside a PunchOut session)."""
    membership = _membership(request)
    orders = selectors.orders_for(membership, whole_business=membership.is_administrator)
    order = get_object_or_404(orders.select_related("business"), number=number)
    lines = order.lines.filter(is_current=True).order_by("line_number", "id")
    context = {"order": order, "business": order.business, "lines": lines}
    return pdf_response(request, "orders/order_pdf.html", context, filename=f"{order.number}.pdf")


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The administrator cancels an order that has not shipped."""
    membership = _membership(request)
    order = get_object_or_404(selectors.orders_for(membership, whole_business=True), number=number)
    _cancel(request, order)
    return redirect("orders-account-order", number=number)


def _cancel(request: AuthenticatedHttpRequest, order: Order) -> None:
    """Cancel the order, or the lines ticked (form field ``line``, repeated), and say what happened."""
    form = CancelOrderForm(request.POST)
    if not form.is_valid():
        report_errors(request, form, "line")
        return
    numbers = form.cleaned_data["line"]
    try:
        services.cancel_order(order_id=order.pk, by=request.user, line_numbers=numbers or None)
    except ValidationError as error:
        report_refusal(request, error)
    else:
        if numbers:
            messages.success(
                request,
                _("Line(s) %(lines)s cancelled; the buyer's system is told.")
                % {"lines": ", ".join(map(str, sorted(numbers)))},
            )
        else:
            messages.success(request, _("Order cancelled; the buyer's system is told."))


@login_required
@require_POST
def staff_cancel(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Our staff cancel an order, or lines of it, that has not shipped (the buyer is told it was us)."""
    order = get_object_or_404(Order, number=number)
    _cancel(request, order)
    return redirect("support-order", number=number)


def _key_administrator(request: AuthenticatedHttpRequest) -> Membership:
    membership = membership_of(request.user)
    if membership is None or not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(_("Only the administrators of your business can manage its API keys."))
    return membership


@login_required
def api_keys(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The business's API keys for the REST API: create one (shown once, stored hashed) or revoke one."""
    membership = _key_administrator(request)
    new_key = ""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _api_key, new_key = services.create_api_key(
                business=membership.business, by=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            report_refusal(request, error)
        else:
            form = ApiKeyForm()
    keys = ApiKey.objects.filter(business_id=membership.business_id).select_related("created_by")
    return render(
        request,
        "orders/api_keys.html",
        {
            "keys": keys.order_by("-created_at", "-id"),
            "new_key": new_key,
            "membership": membership,
            "form": form,
        },
        status=400 if request.method == "POST" and not new_key else 200,
    )


@login_required
@require_POST
def revoke_api_key(request: AuthenticatedHttpRequest, key_id: int) -> HttpResponse:
    """Revoke one of the business's API keys."""
    membership = _key_administrator(request)
    api_key = get_object_or_404(ApiKey, pk=key_id, business_id=membership.business_id)
    services.revoke_api_key(key_id=api_key.pk, by=request.user)
    messages.success(
        request,
        _("The key “%(name)s” is revoked: calls with it are refused from now on.") % {"name": api_key.name},
    )
    return redirect("orders-api-keys")


# -- checks of a business's procurement system -------------------------------------------------------
def _may_check(user: object, integration: Integration) -> bool:
    """Operators, and the business's administrators and technical administrators."""
    if staff_role(user) == StaffRole.OPERATOR:
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.business_id == integration.business_id
        and (membership.is_administrator or membership.is_technical_administrator)
    )


@login_required
def conformance_run(request: AuthenticatedHttpRequest, integration_id: int) -> HttpResponse:
    """ "Check your procurement system": run the buyer-role checks against the business's inbound
    cXML URL with its latest test order, follow their progress and read the latest report."""
    integration = get_object_or_404(Integration.objects.select_related("business"), pk=integration_id)
    if not _may_check(request.user, integration):
        raise PermissionDenied(
            _("Only operators and the business's administrators can check its procurement system.")
        )
    form = ConformanceRunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            started = services.start_conformance_run(integration=integration, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            tasks.run_conformance_checks.enqueue(started.pk)
            messages.success(request, _("The checks have started: this page shows their progress."))
            return redirect("business-conformance-run", integration_id=integration.pk)
    try:
        order, target = services.conformance_target(integration)
        missing = ""
    except ValidationError as error:
        order, target, missing = None, None, " ".join(error.messages)
    run = ConformanceRun.objects.filter(integration=integration).select_related("order").first()
    # The report as kept (Report.to_dict, secrets masked): the partial the buyer suite shows too.
    report = run.report if run is not None and run.report else None
    running = run is not None and run.status in (ConformanceStatus.QUEUED, ConformanceStatus.RUNNING)
    context = {
        "integration": integration,
        "order": order,
        "target": target,
        "missing": missing,
        "form": form,
        "run": run,
        "report": report,
        "running": running,
        "passed": report is not None
        and run is not None
        and run.status == ConformanceStatus.DONE
        and report.get("passed") is True,
    }
    return render(request, "orders/conformance_run.html", context)
