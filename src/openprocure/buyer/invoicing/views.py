"""Pages for AP clerks: invoices, upload of EN 16931 files, paper entry, the exceptions queue with its
actions, and payment exports. Thin: every write is in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.invoicing import services
from openprocure.buyer.invoicing.choices import ExceptionStatus, InvoiceStatus
from openprocure.buyer.invoicing.einvoice import EInvoiceError
from openprocure.buyer.invoicing.findings import Finding
from openprocure.buyer.invoicing.forms import (
    ExceptionActionForm,
    PaperInvoiceForm,
    SupplierIdentifierForm,
    ToleranceRuleForm,
)
from openprocure.buyer.invoicing.intake import receive_einvoice
from openprocure.buyer.invoicing.matching import VAT_BREAKDOWN
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
from openprocure.core.lists import paginate
from openprocure.core.pdf import pdf_response
from openprocure.core.tunables import tunable
from punchout import amounts


def _require_ap(request: HttpRequest) -> None:
    if not has_role(request.user, Role.AP_CLERK):
        raise PermissionDenied(_("Invoices are handled by accounts-payable clerks."))


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    page, query = paginate(request, Invoice.objects.select_related("supplier").order_by("-created_at", "-pk"))
    return render(
        request, "invoicing/list.html", {"invoices": page.object_list, "page": page, "query": query}
    )


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
            "reason_codes": ExceptionActionForm.base_fields["reason_code"].choices,  # type: ignore[attr-defined]  # a ChoiceField, typed as plain Field in the stubs
        },
    )


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice as received, printable (PDF), for whoever may open its page."""
    invoice = get_object_or_404(visible_invoices(request.user).select_related("supplier"), pk=pk)
    context = {
        "invoice": invoice,
        "lines": invoice.lines.select_related("po_line__purchase_order"),
        "tax_details": _tax_details(invoice),
    }
    return pdf_response(request, "invoicing/pdf.html", context, filename=f"{invoice.number}.pdf")


def _tax_details(invoice: Invoice) -> list[dict[str, Any]]:
    """The header tax's details: what is taxed, the rate (``None`` when not stated), taxable and tax
    (the template writes them for the reader)."""
    what = {
        amounts.SHIPPING: _("Tax on shipping"),
        amounts.SPECIAL_HANDLING: _("Tax on special handling"),
        VAT_BREAKDOWN: _("VAT on the lines and charges at this rate"),
    }
    return [
        {
            "what": str(what.get(detail.purpose, _("Tax on the lines"))),
            "rate": detail.rate,
            "taxable": detail.taxable,
            "amount": detail.amount,
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
            if file.size and file.size > tunable("INVOICING_MAX_UPLOAD_BYTES"):
                raise services.InvoicingError(_("The file is larger than 10 MB."))
            invoice = receive_file(request, file.read(), file.name or "", file.content_type or "")
        except (services.InvoicingError, EInvoiceError) as error:
            context = {
                "error": getattr(error, "message", str(error)),
                "findings": getattr(error, "findings", []),
            }
            return render(request, "invoicing/upload.html", context, status=400)
        messages.success(request, _("Invoice %(number)s received.") % {"number": invoice.number})
        return redirect("invoicing:detail", pk=invoice.pk)
    return render(request, "invoicing/upload.html", {})


def receive_file(request: HttpRequest, data: bytes, name: str, content_type: str) -> Invoice:
    """Validate an EN 16931 file, recognise its seller, store and match it (shared by page and API)."""
    return receive_einvoice(
        data=data,
        name=name,
        content_type=content_type,
        actor=request.user if request.user.is_authenticated else None,
    )


@login_required
def manual(request: HttpRequest) -> HttpResponse:
    _require_ap(request)
    form = PaperInvoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services.enter_paper_invoice(
                supplier=data["supplier"],
                actor=request.user,
                number=data["number"],
                invoice_date=data["invoice_date"],
                currency=data["currency"],
                lines=form.lines(),
                tax=data["tax"],
                shipping=data["shipping"],
                total=data["total"],
                is_credit=data["is_credit"],
            )
        except services.InvoicingError as error:
            return _manual_page(request, form, error.message)
        return redirect("invoicing:detail", pk=invoice.pk)
    if request.method == "POST":
        return _manual_page(request, form, _("Correct the values marked below, then save again."))
    return _manual_page(request, form)


def _manual_page(request: HttpRequest, form: PaperInvoiceForm, error: str = "") -> HttpResponse:
    context = {"form": form, "error": error, "rows": form.rows()}
    return render(request, "invoicing/manual.html", context, status=400 if error else 200)


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
    page, query = paginate(request, queue)
    return render(
        request, "invoicing/exceptions.html", {"exceptions": page.object_list, "page": page, "query": query}
    )


@login_required
@require_POST
def exception_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_ap(request)
    exception = get_object_or_404(InvoiceException, pk=pk)
    form = ExceptionActionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect("invoicing:detail", pk=exception.invoice_id)
    reason = form.cleaned_data["reason"]
    code = form.cleaned_data["reason_code"]
    try:
        if action == "accept":
            services.accept_variance(exception=exception, actor=request.user, reason=reason)
        elif action == "credit":
            services.request_credit_memo(
                invoice=exception.invoice, actor=request.user, reason=reason, reason_code=code
            )
        elif action == "hold":
            services.hold_invoice(
                invoice=exception.invoice, actor=request.user, reason=reason, reason_code=code
            )
        elif action == "reject":
            services.reject_invoice(
                invoice=exception.invoice, actor=request.user, reason=reason, reason_code=code
            )
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
    # The approved invoices are the next export, shown whole; the past exports are the list that grows.
    page, query = paginate(request, PaymentExport.objects.order_by("-created_at", "-pk"))
    return render(
        request,
        "invoicing/payments.html",
        {"approved": approved, "exports": page.object_list, "page": page, "query": query},
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
    form = SupplierIdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supplier = form.cleaned_data["supplier"]
        try:
            added = services.add_identifier(
                supplier=supplier, scheme=form.cleaned_data["scheme"], value=form.cleaned_data["value"]
            )
        except services.InvoicingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(identifier)s added to %(supplier)s.") % {"identifier": added, "supplier": supplier},
            )
            return redirect("invoicing:identifiers")
    page, query = paginate(request, SupplierIdentifier.objects.select_related("supplier"))
    return render(
        request,
        "invoicing/identifiers.html",
        {"identifiers": page.object_list, "page": page, "query": query, "form": form},
        status=400 if form.errors else 200,
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
    page, query = paginate(
        request,
        ToleranceRule.objects.select_related("supplier").order_by("supplier__name", "unspsc_prefix", "pk"),
    )
    return render(
        request,
        "invoicing/tolerances.html",
        {
            "rules": page.object_list,
            "page": page,
            "query": query,
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
