"""Pages of purchasing: the PO list, a PO with its document timeline, a printable PO, actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.purchasing import emailing, notices, selectors, services
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.forms import CancelOrderForm, ChangeOrderForm, CloseOrderForm, ReorderForm
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions import services as requisitions
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate
from openprocure.core.pdf import pdf_response


def _po(request: HttpRequest, number: str) -> PurchaseOrder:
    """The order if the person may see it (the one rule the API uses too), otherwise 404."""
    return get_object_or_404(
        selectors.visible_orders(request.user).select_related("connection"), number=number
    )


@login_required
def po_list(request: HttpRequest) -> HttpResponse:
    """Purchase orders I may see, newest first."""
    page, query = paginate(request, selectors.visible_orders(request.user))
    return render(request, "purchasing/list.html", {"orders": page.object_list, "page": page, "query": query})


@login_required
def po_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A purchase order: lines, accounting, status, and every document exchanged for it."""
    return _detail_page(request, _po(request, number))


def _detail_page(
    request: HttpRequest,
    po: PurchaseOrder,
    change: ChangeOrderForm | None = None,
    cancel: CancelOrderForm | None = None,
    close: CloseOrderForm | None = None,
) -> HttpResponse:
    """The order's page; a refused change or cancellation shows what was typed, each error beside its field."""
    lines = list(po.lines.all())
    change_rows: list[dict[str, Any]] = []
    for line in lines:
        if change is None:
            change_rows.append({"line": line, "value": None, "errors": []})
        else:
            field = change[f"qty_{line.line_number}"]
            change_rows.append({"line": line, "value": field.value() or "", "errors": field.errors})
    events = list(po.events.select_related("actor"))
    for event in events:
        notice = (event.detail or {}).get("notice") if event.kind == "requester_notified" else None
        if notice in notices.KINDS:
            event.notice_text = notices.subject_and_intro(  # type: ignore[attr-defined]  # read by the template only
                notice, order=po.number, supplier=str(po.supplier)
            )[0]
    connection = po.connection
    return render(
        request,
        "purchasing/detail.html",
        {
            "po": po,
            "lines": lines,
            "change_rows": change_rows,
            "change_form": change,
            "cancel_form": cancel,
            "timeline": selectors.timeline(po),
            "transmissions": po.transmissions.select_related("outbox_message"),
            "events": events,
            "can_manage": selectors.can_manage(request.user, po),
            "can_close": po.status == POStatus.PART_RECEIVED,
            "can_reorder": po.requisition_id is not None
            and po.requisition.requester_id == request.user.pk
            and po.requisition.status in requisitions.COPYABLE_STATUSES,
            "close_form": close,
            "by_email": emailing.by_email(po),
            "supplier_takes_changes": emailing.takes_changes(connection),
        },
        status=400 if change is not None or cancel is not None or close is not None else 200,
    )


@login_required
def po_print(request: HttpRequest, number: str) -> HttpResponse:
    """The printable purchase order."""
    po = _po(request, number)
    return render(request, "purchasing/print.html", {"po": po, "lines": po.lines.all()})


@login_required
def po_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The purchase order as a PDF, for whoever may open the order."""
    po = _po(request, number)
    return pdf_response(
        request, "purchasing/pdf.html", {"po": po, "lines": po.lines.all()}, filename=f"{po.number}.pdf"
    )


#: A message to show after an action on an order: its level (``messages.SUCCESS``…) and text.
Answer = tuple[int, str]


def _act_on(
    request: HttpRequest, po: PurchaseOrder, action: Callable[[], Answer | None], **forms: Any
) -> HttpResponse:
    """Run ``action``, a service call on ``po`` that answers with the message to show (its level and
    text), if any; a refusal of the service is shown as an error. Back to the order either way.

    ``forms`` are the posted forms by their name on the order's page: when one is invalid, nothing
    runs and the page is shown again with what was typed and each error beside its field."""
    if not all(form.is_valid() for form in forms.values()):
        return _detail_page(request, po, **forms)
    try:
        answer = action()
    except services.PurchasingError as error:
        messages.error(request, str(error))
    else:
        if answer is not None:
            messages.add_message(request, *answer)
    return redirect("purchasing:detail", number=po.number)


@login_required
@require_POST
def po_cancel(request: HttpRequest, number: str) -> HttpResponse:
    po = _po(request, number)
    form = CancelOrderForm(request.POST)

    def cancel() -> Answer:
        sent = services.cancel_purchase_order(po=po, actor=request.user, reason=form.cleaned_data["reason"])
        text = (
            _("Cancellation of %(number)s sent: it applies once the supplier accepts it.")
            if sent is not None
            else _("Cancellation of %(number)s recorded.")
        )
        return messages.SUCCESS, text % {"number": po.number}

    return _act_on(request, po, cancel, cancel=form)


@login_required
@require_POST
def po_change(request: HttpRequest, number: str) -> HttpResponse:
    """Lower quantities or cancel lines (form fields ``qty_<line number>``; 0 cancels the line)."""
    po = _po(request, number)
    form = ChangeOrderForm(request.POST, line_numbers=list(po.lines.values_list("line_number", flat=True)))

    def change() -> Answer:
        services.request_change(
            po=po, actor=request.user, quantities=form.quantities(), reason=form.cleaned_data["reason"]
        )
        return messages.SUCCESS, _("Change order sent: it applies once the supplier accepts it.")

    return _act_on(request, po, change, change=form)


@login_required
@require_POST
def po_resend(request: HttpRequest, number: str) -> HttpResponse:
    po = _po(request, number)

    def resend() -> None:
        services.resend(po=po, actor=request.user)

    return _act_on(request, po, resend)


@login_required
@require_POST
def po_portal_link(request: HttpRequest, number: str) -> HttpResponse:
    """E-mail the supplier a new portal link for an order that went by e-mail (the buyer or an admin)."""
    po = _po(request, number)
    if not selectors.can_manage(request.user, po):
        raise PermissionDenied(
            _("Only the order's buyer or a procurement administrator may send a new link.")
        )

    def send() -> Answer:
        try:
            emailing.send_portal_link(po=po, actor=request.user)
        except ValueError as error:
            return messages.ERROR, str(error)
        return messages.SUCCESS, _("A new portal link was e-mailed to %(address)s.") % {
            "address": po.connection.order_email
        }

    return _act_on(request, po, send)


@login_required
@require_POST
def po_close(request: HttpRequest, number: str) -> HttpResponse:
    """Close a partly received order: nothing more is expected (a ticked confirmation is required)."""
    po = _po(request, number)
    form = CloseOrderForm(request.POST)

    def close() -> Answer:
        sent = services.close_remaining(po=po, actor=request.user, reason=form.cleaned_data["reason"])
        closed = po.events.filter(kind="closed_short").latest("id")
        in_transit = sorted(closed.detail.get("in_transit", {}), key=int)
        on_its_way = (
            " "
            + _(
                "Goods already shipped are still on their way (line(s) %(lines)s): receive them when they arrive."
            )
            % {"lines": ", ".join(in_transit)}
            if in_transit
            else ""
        )
        if sent is not None:
            return messages.SUCCESS, _(
                "Order %(number)s closed: nothing more is expected. The supplier was sent a change order."
            ) % {"number": po.number} + on_its_way
        return messages.WARNING, _(
            "Order %(number)s closed: nothing more is expected. %(supplier)s does not accept change "
            "orders by cXML: tell the supplier yourself."
        ) % {"number": po.number, "supplier": po.supplier} + on_its_way

    return _act_on(request, po, close, close=form)


@login_required
@require_POST
def po_reorder(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """“Reorder”: the order's lines copied into a new draft requisition of its requester (the same copy
    as on the requisition's page), to change, re-validate at the supplier with “Edit cart” and submit."""
    po = _po(request, number)
    form = ReorderForm(request.POST)
    if not form.is_valid() or po.requisition is None:
        messages.error(request, _("Order %(number)s has no requisition to copy.") % {"number": po.number})
        return redirect("purchasing:detail", number=po.number)
    try:
        draft = requisitions.copy_requisition(
            requisition=po.requisition,
            actor=request.user,
            line_ids=[line.requisition_line_id for line in po.lines.all() if line.requisition_line_id],
        )
    except requisitions.RequisitionError as error:
        messages.error(request, error.message)
        return redirect("purchasing:detail", number=po.number)
    messages.success(
        request,
        _("Requisition %(number)s is a new draft with the lines of order %(order)s: change it and submit it.")
        % {"number": draft.number, "order": po.number},
    )
    return redirect("requisitions:detail", pk=draft.pk)
