"""Pages for requesters and the receiving desk: orders to receive, receiving, returns, ship notices,
receipt history, and the issues suppliers raised. Thin: every write is in services.

Who may see an order may open its receiving pages, and AP clerks open every order's, read-only
(``selectors.receiving_orders``); anyone else gets the 404 the order page gives, and the lists show
only those orders. Receipts and returns are recorded by the order's requester or a procurement
administrator (there is no separate receiving role).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.fulfilment import selectors, services
from openprocure.buyer.fulfilment.choices import IssueStatus, LineState, ShipNoticeStatus
from openprocure.buyer.fulfilment.forms import ReceiptForm, ResolveIssueForm, ReturnForm
from openprocure.buyer.fulfilment.models import ShipNotice, ShipNoticeLine, SupplierIssue
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role
from openprocure.buyer.purchasing.choices import AWAITING_GOODS, POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine
from openprocure.core.forms import report_errors
from openprocure.core.lists import paginate

# An invoice can arrive before the goods (suppliers often invoice at shipment): the order then says
# "Invoiced" while some of its lines still wait to be received.
WAITING_LINE_STATES = [
    LineState.OPEN,
    LineState.ACCEPTED,
    LineState.BACKORDERED,
    LineState.PART_SHIPPED,
    LineState.SHIPPED,
    LineState.PART_RECEIVED,
]


def can_record_receipts(user: Any, po: PurchaseOrder) -> bool:
    """Whether ``user`` may record receipts and returns on ``po``: its requester or a procurement admin."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk == po.requisition.requester_id:
        return True
    return has_role(user, Role.PROCUREMENT_ADMIN)


def _check_can_record(user: Any, po: PurchaseOrder) -> None:
    if not can_record_receipts(user, po):
        raise PermissionDenied(
            _("Receipts and returns are recorded by the order's requester or a procurement administrator.")
        )


@login_required
def to_receive(request: HttpRequest) -> HttpResponse:
    seen = selectors.receiving_orders(request.user).values("pk")
    orders = (
        PurchaseOrder.objects.filter(pk__in=seen)
        .filter(
            Q(status__in=AWAITING_GOODS)
            | Q(status=POStatus.INVOICED, lines__fulfilment__state__in=WAITING_LINE_STATES)
        )
        .distinct()
        .select_related("supplier")
        .order_by("number")
    )
    notices = (
        ShipNotice.objects.filter(status__in=[ShipNoticeStatus.EXPECTED, ShipNoticeStatus.PART_RECEIVED])
        .filter(pk__in=ShipNoticeLine.objects.filter(po_line__purchase_order__in=seen).values("ship_notice"))
        .select_related("supplier")
        .order_by("delivery_date", "pk")
    )
    page, query = paginate(request, orders)
    notices_page, notices_query = paginate(request, notices, param="notices_page")
    # “Receive everything” is for who may record receipts on every order of the notice (as
    # receive_ship_notice checks): a procurement administrator, or the requester of all of them.
    if has_role(request.user, Role.PROCUREMENT_ADMIN):
        refused: set[int] = set()
    else:
        refused = set(
            ShipNoticeLine.objects.filter(ship_notice__in=[n.pk for n in notices_page.object_list])
            .exclude(po_line__purchase_order__requisition__requester_id=request.user.pk)
            .values_list("ship_notice_id", flat=True)
        )
    for notice in notices_page.object_list:
        notice.can_receive = notice.pk not in refused  # read by the template only
    context = {
        "orders": page.object_list,
        "page": page,
        "query": query,
        "notices": notices_page.object_list,
        "notices_page": notices_page,
        "notices_query": notices_query,
    }
    return render(request, "fulfilment/to_receive.html", context)


def _order_context(
    po: PurchaseOrder, user: Any, receipt: ReceiptForm | None = None, returned: ReturnForm | None = None
) -> dict[str, object]:
    """The receiving page; the receipt form is filled with what is still to receive, or with what the
    person typed when their receipt (or return) was refused, each line's errors beside it."""
    rows = services.fulfilments(po)
    lines = []
    for line in po.lines.order_by("line_number"):
        fulfilment = rows[line.pk]
        if receipt is None:
            typed = {"qty": str(fulfilment.still_to_receive), "rejected": "", "reason": "", "errors": []}
        else:
            typed = receipt.row(line.pk)
        typed_return = (
            returned.row(line.pk) if returned is not None else {"qty": "", "reason": "", "errors": []}
        )
        lines.append((line, fulfilment, typed, typed_return))
    notices = (
        ShipNotice.objects.filter(lines__po_line__purchase_order=po)
        .distinct()
        .order_by("-created_at")
        .prefetch_related("lines__po_line")
    )
    return {
        "po": po,
        "lines": lines,
        "notices": notices,
        "receipts": po.goods_receipts.select_related("received_by").prefetch_related("lines__po_line"),
        "issues": po.supplier_issues.all(),
        "confirmations": po.confirmations.all(),
        "status_updates": po.status_updates.all(),
        "can_record": can_record_receipts(user, po),
        "note": receipt["note"].value() or "" if receipt is not None else "",
        "note_errors": receipt["note"].errors if receipt is not None else [],
    }


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    po = get_object_or_404(selectors.receiving_orders(request.user), number=number)
    return render(request, "fulfilment/order.html", _order_context(po, request.user))


def _post_lines(request: HttpRequest, number: str, *, action: str) -> HttpResponse:
    po = get_object_or_404(selectors.receiving_orders(request.user), number=number)
    _check_can_record(request.user, po)
    line_ids = list(po.lines.values_list("pk", flat=True))
    form: ReceiptForm | ReturnForm
    if action == "receive":
        form = ReceiptForm(request.POST, line_ids=line_ids)
        bound: dict[str, Any] = {"receipt": form}
    else:
        form = ReturnForm(request.POST, line_ids=line_ids)
        bound = {"returned": form}
    correct = _("Correct the values marked below, then record again.")
    if not form.is_valid():
        context = _order_context(po, request.user, **bound)
        context["error"] = correct
        return render(request, "fulfilment/order.html", context, status=400)
    lines, note = form.lines(), form.cleaned_data["note"]
    if isinstance(form, ReceiptForm) and form.cleaned_data["receive_all"]:
        rows = services.fulfilments(po)
        lines = [
            services.ReceiptLineInput(po_line_id=line_id, quantity=rows[line_id].still_to_receive)
            for line_id in line_ids
            if not rows[line_id].po_line.is_cancelled
        ]
    try:
        if action == "receive":
            receipt = services.receive_goods(po=po, actor=request.user, lines=lines, note=note)
            messages.success(request, _("Receipt %(number)s recorded.") % {"number": receipt.number})
        else:
            receipt = services.return_goods(po=po, actor=request.user, lines=lines, note=note)
            messages.success(request, _("Return %(number)s recorded.") % {"number": receipt.number})
    except services.FulfilmentError as error:
        form.refuse(error)  # each line's refusal beside it, what was typed kept
        context = _order_context(po, request.user, **bound)
        context["error"] = correct if error.lines else str(error)
        return render(request, "fulfilment/order.html", context, status=400)
    return redirect("fulfilment:order", number=po.number)


@login_required
@require_POST
def receive(request: HttpRequest, number: str) -> HttpResponse:
    return _post_lines(request, number, action="receive")


@login_required
@require_POST
def return_goods(request: HttpRequest, number: str) -> HttpResponse:
    return _post_lines(request, number, action="return")


@login_required
@require_POST
def receive_ship_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(ShipNotice, pk=pk)
    orders = PurchaseOrder.objects.filter(lines__ship_notice_lines__ship_notice=notice).distinct()
    # A notice is shown with the orders it ships; who may see none of them gets the order page's 404.
    if not orders.filter(pk__in=selectors.receiving_orders(request.user).values("pk")).exists():
        raise Http404
    for po in orders.select_related("requisition"):
        _check_can_record(request.user, po)
    try:
        receipts = services.receive_ship_notice(ship_notice=notice, actor=request.user)
        messages.success(
            request, _("Received: %(receipts)s.") % {"receipts": ", ".join(r.number for r in receipts)}
        )
    except services.FulfilmentError as error:
        messages.error(request, str(error))
    first = notice.lines.select_related("po_line__purchase_order").first()
    if first is None:
        return redirect("fulfilment:to_receive")
    return redirect("fulfilment:order", number=first.po_line.purchase_order.number)


@login_required
def line_history(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(
        PurchaseOrderLine.objects.filter(
            purchase_order__in=selectors.receiving_orders(request.user).values("pk")
        ).select_related("purchase_order"),
        pk=pk,
    )
    return render(
        request, "fulfilment/line_history.html", {"line": line, "history": services.receipt_history(line)}
    )


@login_required
def issues(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    queryset = SupplierIssue.objects.filter(
        purchase_order__in=selectors.receiving_orders(request.user).values("pk")
    ).select_related("purchase_order__supplier", "purchase_order__requisition", "po_line")
    if not show_all:
        queryset = queryset.filter(status=IssueStatus.OPEN)
    page, query = paginate(request, queryset)
    # As can_record_receipts, with the role read once for the page.
    administers = has_role(request.user, Role.PROCUREMENT_ADMIN)
    for issue in page.object_list:
        own = issue.purchase_order.requisition.requester_id == request.user.pk
        issue.can_resolve = administers or own  # read by the template only
    return render(
        request,
        "fulfilment/issues.html",
        {"issues": page.object_list, "page": page, "query": query, "show_all": show_all},
    )


@login_required
@require_POST
def resolve_issue(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(
        SupplierIssue.objects.filter(
            purchase_order__in=selectors.receiving_orders(request.user).values("pk")
        ).select_related("purchase_order__requisition"),
        pk=pk,
    )
    if not can_record_receipts(request.user, issue.purchase_order):
        raise PermissionDenied(
            _("Supplier issues are resolved by the order's requester or a procurement administrator.")
        )
    form = ResolveIssueForm(request.POST)
    if not form.is_valid():
        report_errors(request, form, "resolution")
        return redirect("fulfilment:issues")
    try:
        services.resolve_issue(issue=issue, actor=request.user, resolution=form.cleaned_data["resolution"])
        messages.success(request, _("Issue resolved."))
    except services.FulfilmentError as error:
        messages.error(request, str(error))
    return redirect("fulfilment:issues")
