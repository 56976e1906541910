"""The supplier portal: the page of one e-mailed purchase order, opened by its signed link (no
account), where the supplier confirms, ships and invoices; from a valid link the supplier may create
an account (the address the link went to), which signs in through the site's sign-in and lists
every order of that supplier ("Your orders"), each opening its portal page as a link would.

Trust: the link names the order and the address it went to, signed by this site; nothing the page
posts may name another order (lines are the order's own, by line number). An expired link answers
410, an altered one 403, each with a page saying how to get a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.fulfilment.models import ShipNotice
from openprocure.buyer.purchasing.emailing import LinkRefused, PortalLink, portal_token, read_portal_token
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.supplierportal import services
from openprocure.buyer.supplierportal.forms import AccountForm, ConfirmForm, InvoiceForm, ShipForm, UploadForm
from openprocure.buyer.supplierportal.selectors import account_supplier_id
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate
from openprocure.core.models import User
from punchout.cxml.errors import CXMLError


class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _open(request: HttpRequest, token: str) -> tuple[PortalLink, PurchaseOrder]:
    """The link's order, or a refusal page (410 expired, 403 altered or naming no order)."""
    try:
        link = read_portal_token(token)
    except LinkRefused as refusal:
        status = 410 if refusal.expired else 403
        raise _Refused(
            render(request, "supplierportal/link_refused.html", {"expired": refusal.expired}, status=status)
        ) from None
    po = (
        PurchaseOrder.objects.select_related("supplier", "connection", "buyer")
        .filter(pk=link.order_id)
        .first()
    )
    if po is None:
        raise _Refused(render(request, "supplierportal/link_refused.html", {"expired": False}, status=403))
    return link, po


def _page(
    request: HttpRequest, token: str, po: PurchaseOrder, link: PortalLink, **forms: Any
) -> HttpResponse:
    lines = list(po.lines.all())
    confirm = forms.get("confirm") or ConfirmForm(lines=lines, auto_id="confirm_%s")
    ship = forms.get("ship") or ShipForm(open_quantities=services.open_to_ship(po), auto_id="ship_%s")
    invoice = forms.get("invoice") or InvoiceForm(
        invoiceable=services.invoiceable(po),
        initial={"invoice_date": timezone.localdate()},
        auto_id="invoice_%s",
    )
    confirm_rows = [
        {
            "line": line,
            "answer": confirm[f"answer_{line.line_number}"],
            "qty": confirm[f"qty_{line.line_number}"],
            "date": confirm[f"date_{line.line_number}"],
        }
        for line in confirm.lines
    ]
    notices = (
        ShipNotice.objects.filter(lines__po_line__purchase_order=po).distinct().order_by("created_at", "pk")
    )
    return render(
        request,
        "supplierportal/order.html",
        {
            "po": po,
            "lines": lines,
            "token": token,
            "email": link.email,
            "confirm_form": confirm,
            "confirm_rows": confirm_rows,
            "ship_form": ship,
            "ship_rows": [ship[f"qty_{n}"] for n in ship.numbers],
            "invoice_form": invoice,
            "invoice_rows": [(invoice[f"qty_{n}"], invoice[f"tax_{n}"]) for n in invoice.numbers],
            "notices": notices,
            "upload_form": forms.get("upload") or UploadForm(auto_id="upload_%s"),
            "invoices": po.invoices.order_by("created_at", "pk"),
            "signed_in_account": account_supplier_id(request) is not None,
        },
        status=400 if forms else 200,
    )


def order(request: HttpRequest, token: str) -> HttpResponse:
    """The order's page for the supplier."""
    try:
        link, po = _open(request, token)
    except _Refused as refused:
        return refused.response
    return _page(request, token, po, link)


def _action(
    view: Callable[[HttpRequest, str, PortalLink, PurchaseOrder], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A POST on the link's order: the view runs only when the link opens it (else the refusal page)."""

    @require_POST
    @wraps(view)
    def opened(request: HttpRequest, token: str) -> HttpResponse:
        try:
            link, po = _open(request, token)
        except _Refused as refused:
            return refused.response
        return view(request, token, link, po)

    return opened


def _act(
    request: HttpRequest, token: str, po: PurchaseOrder, link: PortalLink, name: str, form: Any, action: Any
) -> HttpResponse:
    if not form.is_valid():
        return _page(request, token, po, link, **{name: form})
    try:
        text = action()
    except (CXMLError, services.PortalError) as error:
        form.add_error(None, services.describe_refusal(error))
        return _page(request, token, po, link, **{name: form})
    messages.success(request, text)
    return redirect("supplierportal:order", token=token)


@_action
def confirm(request: HttpRequest, token: str, link: PortalLink, po: PurchaseOrder) -> HttpResponse:
    form = ConfirmForm(request.POST, lines=list(po.lines.all()), auto_id="confirm_%s")

    def act() -> str:
        services.confirm_order(
            po=po, email=link.email, answers=form.answers(), comment=form.cleaned_data["comment"]
        )
        return _("Your confirmation of %(number)s was sent to the buyer.") % {"number": po.number}

    return _act(request, token, po, link, "confirm", form, act)


@_action
def ship(request: HttpRequest, token: str, link: PortalLink, po: PurchaseOrder) -> HttpResponse:
    form = ShipForm(request.POST, open_quantities=services.open_to_ship(po), auto_id="ship_%s")

    def act() -> str:
        notice = services.record_shipment(
            po=po,
            email=link.email,
            carrier=form.cleaned_data["carrier"],
            tracking=form.cleaned_data["tracking_number"],
            quantities=form.quantities(),
            delivery=form.cleaned_data["delivery_date"],
        )
        return _("Shipment %(shipment)s was sent to the buyer.") % {"shipment": notice.shipment_id}

    return _act(request, token, po, link, "ship", form, act)


@_action
def invoice(request: HttpRequest, token: str, link: PortalLink, po: PurchaseOrder) -> HttpResponse:
    form = InvoiceForm(request.POST, invoiceable=services.invoiceable(po), auto_id="invoice_%s")

    def act() -> str:
        made = services.invoice_order(
            po=po,
            email=link.email,
            number=form.cleaned_data["number"],
            invoice_date=form.cleaned_data["invoice_date"],
            lines=form.lines(),
        )
        return _("Invoice %(number)s was sent to the buyer.") % {"number": made.number}

    return _act(request, token, po, link, "invoice", form, act)


@_action
def upload(request: HttpRequest, token: str, link: PortalLink, po: PurchaseOrder) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, auto_id="upload_%s")

    def act() -> str:
        file = form.cleaned_data["file"]
        made = services.upload_invoice(
            po=po,
            email=link.email,
            data=file.read(),
            name=file.name or "",
            content_type=file.content_type or "",
        )
        return _("Invoice %(number)s was sent to the buyer.") % {"number": made.number}

    return _act(request, token, po, link, "upload", form, act)


def account(request: HttpRequest, token: str) -> HttpResponse:
    """Create the supplier's account from a valid link: the address is the one the link went to;
    then the supplier signs in through the site's sign-in."""
    try:
        link, po = _open(request, token)
    except _Refused as refused:
        return refused.response
    exists = User.objects.filter(email=link.email).exists()
    form = AccountForm(User(email=link.email), request.POST if request.method == "POST" else None)
    if request.method == "POST" and not exists and form.is_valid():
        try:
            services.create_account(po=po, email=link.email, password=form.cleaned_data["new_password1"])
        except services.PortalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your account is ready: sign in with %(email)s and your password.") % {"email": link.email},
            )
            return redirect(f"{reverse('login')}?next={reverse('supplierportal:orders')}")
    return render(
        request,
        "supplierportal/account.html",
        {"po": po, "token": token, "email": link.email, "form": form, "exists": exists},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Your orders": every purchase order sent to the signed-in account's supplier, newest first,
    each linking to its portal page for the account's address."""
    supplier_id = account_supplier_id(request)
    if supplier_id is None:
        raise PermissionDenied(_("Only a supplier's account on the supplier portal has this page."))
    rows = (
        PurchaseOrder.objects.select_related("supplier")
        .filter(supplier_id=supplier_id, sent_at__isnull=False)
        .order_by("-created_at", "-id")
    )
    page, query = paginate(request, rows)
    for po in page:
        po.portal_token = portal_token(po, request.user.email)
    supplier = Supplier.objects.get(pk=supplier_id)
    return render(request, "supplierportal/orders.html", {"page": page, "query": query, "supplier": supplier})
