"""Pages for AP clerks: invoices, upload of EN 16931 files, paper entry, the exceptions queue with its
actions, and payment exports. Thin: every write is in services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.invoicing import defaults, services
from openprocure.buyer.invoicing.choices import ExceptionStatus, IdentifierScheme, InvoiceStatus
from openprocure.buyer.invoicing.einvoice import EInvoiceError, parse_einvoice
from openprocure.buyer.invoicing.forms import ToleranceRuleForm
from openprocure.buyer.invoicing.matching import Finding
from openprocure.buyer.invoicing.models import (
    Invoice,
    InvoiceException,
    PaymentExport,
    SupplierIdentifier,
    ToleranceRule,
)
from openprocure.buyer.invoicing.selectors import visible_invoices
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role
from openprocure.buyer.suppliers.models import Supplier
from punchout import amounts


def _require_ap(request: HttpRequest) -> None:
    if not has_role(request.user, Role.AP_CLERK):
        raise PermissionDenied(_("Invoices are handled by accounts-payable clerks."))


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    invoices = Invoice.objects.select_related("supplier").order_by("-created_at")[:200]
    return render(request, "invoicing/list.html", {"invoices": invoices})


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(visible_invoices(request.user), pk=pk)
    run = invoice.match_runs.first()
    explanation = [Finding.from_json(f) for f in run.findings] if run else []
    return render(
        request,
        "invoicing/detail.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("po_line__purchase_order"),
            "run": run,
            "explanation": explanation,
            "exceptions": invoice.exceptions.exclude(status=ExceptionStatus.CLEARED),
            "events": invoice.events.all(),
            "tax_details": _tax_details(invoice),
        },
    )


def _tax_details(invoice: Invoice) -> list[dict[str, str]]:
    """The header tax's details as shown: what is taxed, the rate as written, taxable and tax."""
    what = {
        amounts.SHIPPING: _("Tax on shipping"),
        amounts.SPECIAL_HANDLING: _("Tax on special handling"),
    }
    return [
        {
            "what": str(what.get(detail.purpose, _("Tax on the lines"))),
            "rate": "" if detail.rate is None else f"{amounts.rate_text(detail.rate)} %",
            "taxable": format(detail.taxable, "f"),
            "amount": format(detail.amount, "f"),
        }
        for detail in services.tax_details_of(invoice)
    ]


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    if request.method == "POST":
        file = request.FILES.get("file")
        try:
            if file is None:
                raise services.InvoicingError(_("Choose a UBL, CII or Factur-X file."))
            if file.size and file.size > defaults.INVOICING_MAX_UPLOAD_BYTES:
                raise services.InvoicingError(_("The file is larger than 10 MB."))
            invoice = receive_file(request, file.read(), file.name or "", file.content_type or "")
        except (services.InvoicingError, EInvoiceError) as error:
            return render(
                request, "invoicing/upload.html", {"error": getattr(error, "message", str(error))}, status=400
            )
        messages.success(request, _("Invoice %(number)s received.") % {"number": invoice.number})
        return redirect("invoicing:detail", pk=invoice.pk)
    return render(request, "invoicing/upload.html", {})


def receive_file(request: HttpRequest, data: bytes, name: str, content_type: str) -> Invoice:
    """Parse an EN 16931 file, recognise its seller, store and match it (shared by page and API)."""
    parsed = parse_einvoice(data, filename=name)
    supplier = services.supplier_for(parsed.seller_identifiers)
    return services.receive_invoice(
        supplier=supplier,
        parsed=parsed,
        original=services.Original(content=data, name=name[:200], content_type=content_type),
        actor=request.user if request.user.is_authenticated else None,
    )


def _decimal(value: str, default: str = "0") -> Decimal:
    try:
        return Decimal((value or default).strip())
    except InvalidOperation:
        raise services.InvoicingError(_("%(value)s is not a number.") % {"value": value}) from None


@login_required
def manual(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    suppliers = Supplier.objects.filter(is_active=True)
    if request.method == "POST":
        try:
            supplier = get_object_or_404(Supplier, pk=request.POST.get("supplier"))
            invoice_date = parse_date(request.POST.get("invoice_date", ""))
            if invoice_date is None:
                raise services.InvoicingError(_("Enter the invoice date as YYYY-MM-DD."))
            lines = []
            for index in range(1, 21):
                quantity = request.POST.get(f"quantity_{index}", "").strip()
                if not quantity:
                    continue
                order_line = request.POST.get(f"order_line_{index}", "").strip()
                lines.append(
                    {
                        "quantity": _decimal(quantity),
                        "unit_price": _decimal(request.POST.get(f"unit_price_{index}", "")),
                        "order_number": request.POST.get(f"order_{index}", "").strip(),
                        "order_line_number": int(order_line) if order_line.isdigit() else None,
                        "part_id": request.POST.get(f"part_{index}", "").strip(),
                        "description": request.POST.get(f"description_{index}", "").strip(),
                    }
                )
            invoice = services.enter_paper_invoice(
                supplier=supplier,
                actor=request.user,
                number=request.POST.get("number", ""),
                invoice_date=invoice_date,
                currency=request.POST.get("currency", "EUR"),
                lines=lines,
                tax=_decimal(request.POST.get("tax", "")),
                shipping=_decimal(request.POST.get("shipping", "")),
                total=_decimal(request.POST["total"]) if request.POST.get("total") else None,
                is_credit=request.POST.get("is_credit") == "on",
            )
        except services.InvoicingError as error:
            return render(
                request,
                "invoicing/manual.html",
                {"suppliers": suppliers, "error": error.message, "rows": range(1, 6)},
                status=400,
            )
        return redirect("invoicing:detail", pk=invoice.pk)
    return render(request, "invoicing/manual.html", {"suppliers": suppliers, "rows": range(1, 6)})


@login_required
def exceptions(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    queue = (
        InvoiceException.objects.filter(
            status__in=[ExceptionStatus.OPEN, ExceptionStatus.ON_HOLD, ExceptionStatus.CREDIT_REQUESTED]
        )
        .select_related("invoice__supplier")
        .order_by("invoice__created_at", "pk")
    )
    return render(request, "invoicing/exceptions.html", {"exceptions": queue})


@login_required
@require_POST
def exception_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_ap(request)
    exception = get_object_or_404(InvoiceException, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "accept":
            services.accept_variance(exception=exception, actor=request.user, reason=reason)
        elif action == "credit":
            services.request_credit_memo(invoice=exception.invoice, actor=request.user, reason=reason)
        elif action == "hold":
            services.hold_invoice(invoice=exception.invoice, actor=request.user, reason=reason)
        elif action == "reject":
            services.reject_invoice(invoice=exception.invoice, actor=request.user, reason=reason)
        else:
            raise services.InvoicingError(_("Unknown action."))
        messages.success(request, _("Recorded."))
    except services.InvoicingError as error:
        messages.error(request, error.message)
    return redirect("invoicing:detail", pk=exception.invoice_id)


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    if request.method == "POST":
        try:
            export = services.export_payments(actor=request.user)
        except services.InvoicingError as error:
            messages.error(request, error.message)
            return redirect("invoicing:payments")
        return redirect("invoicing:payment_csv", pk=export.pk)
    approved = Invoice.objects.filter(status=InvoiceStatus.APPROVED).select_related("supplier")
    return render(
        request,
        "invoicing/payments.html",
        {"approved": approved, "exports": PaymentExport.objects.all()[:50]},
    )


@login_required
def payment_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _require_ap(request)
    export = get_object_or_404(PaymentExport, pk=pk)
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.number}.csv"'
    return response


@login_required
def original(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(visible_invoices(request.user), pk=pk)
    response = HttpResponse(
        bytes(invoice.original), content_type=invoice.original_content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="{invoice.original_name or invoice.number}"'
    return response


@login_required
def identifiers(request: HttpRequest) -> HttpResponse:
    """Suppliers' identifiers (VAT, SIREN, SIRET, cXML identity…) by which invoices are recognised."""
    _require_ap(request)
    suppliers = Supplier.objects.order_by("name")
    if request.method == "POST":
        supplier = suppliers.filter(pk=request.POST.get("supplier") or 0).first()
        scheme = request.POST.get("scheme", "")
        if supplier is None or scheme not in IdentifierScheme.values:
            messages.error(request, _("Choose a supplier and a kind of identifier."))
        else:
            try:
                added = services.add_identifier(
                    supplier=supplier, scheme=scheme, value=request.POST.get("value", "")
                )
            except services.InvoicingError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(identifier)s added to %(supplier)s.") % {"identifier": added, "supplier": supplier},
                )
                return redirect("invoicing:identifiers")
    return render(
        request,
        "invoicing/identifiers.html",
        {
            "identifiers": SupplierIdentifier.objects.select_related("supplier"),
            "suppliers": suppliers,
            "schemes": IdentifierScheme.choices,
            "posted": request.POST,
        },
    )


# -- tolerance rules -----------------------------------------------------------------------------------
def _require_policy_reader(request: HttpRequest) -> None:
    if not has_role(request.user, Role.AP_CLERK, Role.PROCUREMENT_ADMIN):
        raise PermissionDenied(
            _("Tolerance rules are for accounts-payable clerks and procurement administrators.")
        )


@login_required
def tolerances(request: HttpRequest) -> HttpResponse:
    """The matching tolerances: everyone, a supplier, a category, or both (the most specific wins)."""
    _require_policy_reader(request)
    return render(
        request,
        "invoicing/tolerances.html",
        {
            "rules": ToleranceRule.objects.select_related("supplier"),
            "can_edit": has_role(request.user, Role.PROCUREMENT_ADMIN),
        },
    )


def _require_policy_editor(request: HttpRequest) -> None:
    if not has_role(request.user, Role.PROCUREMENT_ADMIN):
        raise PermissionDenied(_("Only procurement administrators change tolerance rules."))


@login_required
def tolerance_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a tolerance rule, or change one."""
    _require_policy_editor(request)
    rule = get_object_or_404(ToleranceRule, pk=pk) if pk else None
    form = ToleranceRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.save_tolerance_rule(form=form, actor=request.user)
        messages.success(request, _("Tolerance rule saved; it applies to invoices matched from now on."))
        return redirect("invoicing:tolerances")
    title = _("Change a tolerance rule") if rule else _("Add a tolerance rule")
    return render(request, "invoicing/tolerance_form.html", {"form": form, "title": title})


@login_required
@require_POST
def tolerance_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_policy_editor(request)
    services.delete_tolerance_rule(rule=get_object_or_404(ToleranceRule, pk=pk), actor=request.user)
    messages.success(request, _("Tolerance rule deleted."))
    return redirect("invoicing:tolerances")
