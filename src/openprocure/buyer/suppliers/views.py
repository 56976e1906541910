"""Pages of the supplier directory and of PunchOut connections (procurement administrators)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.organization.forms import PreferredSupplierForm
from openprocure.buyer.organization.models import PreferredSupplier
from openprocure.buyer.organization.services import (
    can_administer_procurement,
    delete_preferred_supplier,
    profile_for,
    save_preferred_supplier,
)
from openprocure.buyer.suppliers import conformance, services
from openprocure.buyer.suppliers.forms import (
    ConformanceRunForm,
    ConnectionForm,
    DocumentIdentityForm,
    SupplierForm,
)
from openprocure.buyer.suppliers.models import ConformanceRun, DocumentIdentity, PunchOutConnection, Supplier
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate
from punchout.conformance.report import Report


def _require_admin(request: HttpRequest) -> None:
    if not can_administer_procurement(request.user):
        raise PermissionDenied(_("Only procurement or technical administrators manage suppliers."))


@login_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, Supplier.objects.prefetch_related("connections").order_by("name", "pk"))
    return render(
        request,
        "suppliers/supplier_list.html",
        {
            "suppliers": page.object_list,
            "page": page,
            "query": query,
            "can_admin": can_administer_procurement(request.user),
        },
    )


@login_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    profile = profile_for(request.user)
    can_admin = can_administer_procurement(request.user)
    preferences = (
        PreferredSupplier.objects.filter(company=profile.company, supplier=supplier) if profile else []
    )
    form = None
    if can_admin and profile is not None:
        form = PreferredSupplierForm(request.POST or None, company=profile.company, supplier=supplier)
        if request.method == "POST" and form.is_valid():
            preference = save_preferred_supplier(form=form, actor=request.user)
            messages.success(
                request,
                _("%(supplier)s is now preferred for UNSPSC %(prefix)s.")
                % {"supplier": supplier.name, "prefix": preference.unspsc_prefix}
                if preference.unspsc_prefix
                else _("%(supplier)s is now preferred for everything.") % {"supplier": supplier.name},
            )
            return redirect(reverse("suppliers:detail", args=[supplier.pk]) + "#preferences")
    elif request.method == "POST":
        _require_admin(request)
    return render(
        request,
        "suppliers/supplier_detail.html",
        {
            "supplier": supplier,
            "connections": supplier.connections.all(),
            "can_admin": can_admin,
            "preferences": preferences,
            "preference_form": form,
        },
    )


@login_required
@require_POST
def preference_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The company no longer prefers the supplier (for that category)."""
    _require_admin(request)
    profile = profile_for(request.user)
    preference = get_object_or_404(PreferredSupplier, pk=pk, company=getattr(profile, "company", None))
    delete_preferred_supplier(preference=preference, actor=request.user)
    messages.success(request, _("Preference removed."))
    return redirect(reverse("suppliers:detail", args=[preference.supplier_id]) + "#preferences")


@login_required
def supplier_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supplier = services.add_supplier(form=form, actor=request.user)
        messages.success(request, _("Supplier %(name)s added.") % {"name": supplier.name})
        return redirect("suppliers:detail", pk=supplier.pk)
    return render(request, "suppliers/supplier_form.html", {"form": form})


@login_required
def connection_edit(request: HttpRequest, supplier_pk: int, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    supplier = get_object_or_404(Supplier, pk=supplier_pk)
    connection = get_object_or_404(PunchOutConnection, pk=pk, supplier=supplier) if pk else None
    form = ConnectionForm(request.POST or None, instance=connection or PunchOutConnection(supplier=supplier))
    if request.method == "POST" and form.is_valid():
        connection = form.save(commit=False)
        connection.supplier = supplier
        services.save_connection(
            connection=connection,
            new_secret=form.cleaned_data["new_shared_secret"],
            free_text_chosen="accepts_free_text" in form.changed_data,
            actor=request.user,
        )
        messages.success(request, _("Connection saved."))
        return redirect("suppliers:detail", pk=supplier.pk)
    return render(
        request,
        "suppliers/connection_form.html",
        {"form": form, "supplier": supplier, "connection": connection},
    )


@login_required
@require_POST
def connection_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The "Test connection" button: send a ProfileRequest (or open the OCI page) and show the answer."""
    _require_admin(request)
    connection = get_object_or_404(PunchOutConnection.objects.select_related("supplier"), pk=pk)
    try:
        result = services.test_connection(connection=connection, actor=request.user)
    except services.ConnectionError_ as error:
        messages.error(request, error.message)
        return redirect("suppliers:detail", pk=connection.supplier_id)
    return render(request, "suppliers/connection_test.html", {"connection": connection, "result": result})


@login_required
def document_identities(request: HttpRequest, pk: int) -> HttpResponse:
    """The other identities a supplier signs its documents with (recognised on inbound cXML)."""
    _require_admin(request)
    connection = get_object_or_404(PunchOutConnection.objects.select_related("supplier"), pk=pk)
    form = DocumentIdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_document_identity(
                connection=connection,
                domain=form.cleaned_data["domain"],
                identity=form.cleaned_data["identity"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Documents signed %(identity)s are now recognised.") % {"identity": added}
            )
            return redirect("suppliers:document_identities", pk=connection.pk)
    return render(
        request,
        "suppliers/document_identities.html",
        {"connection": connection, "identities": connection.document_identities.all(), "form": form},
    )


@login_required
@require_POST
def document_identity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    document_identity = get_object_or_404(DocumentIdentity, pk=pk)
    services.remove_document_identity(document_identity=document_identity)
    messages.success(request, _("%(identity)s removed.") % {"identity": document_identity})
    return redirect("suppliers:document_identities", pk=document_identity.connection_id)


#: Seconds between two reloads of a run's page while it waits or runs (a meta refresh: no script).
RUN_REFRESH_SECONDS = 3


@login_required
def connection_conformance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Run conformance checks" of a connection: start a run (test orders only in test mode) and
    the runs so far, newest first."""
    _require_admin(request)
    connection = get_object_or_404(PunchOutConnection.objects.select_related("supplier"), pk=pk)
    form = ConformanceRunForm(request.POST if request.method == "POST" else None, connection=connection)
    if request.method == "POST" and form.is_valid():
        try:
            run = conformance.start_conformance_run(
                connection=connection, actor=request.user, send_orders=form.cleaned_data["send_orders"]
            )
        except ValidationError as error:
            form.add_error("send_orders", error)
        else:
            return redirect("suppliers:conformance_run", pk=run.pk)
    runs = connection.conformance_runs.select_related("requested_by").order_by("-created_at", "-pk")
    page, query = paginate(request, runs, 20)
    return render(
        request,
        "suppliers/connection_conformance.html",
        {"connection": connection, "form": form, "runs": page.object_list, "page": page, "query": query},
        status=400 if form.errors else 200,
    )


def _run_for(request: HttpRequest, pk: int) -> ConformanceRun:
    _require_admin(request)
    return get_object_or_404(
        ConformanceRun.objects.select_related("connection__supplier", "requested_by"), pk=pk
    )


@login_required
def conformance_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its progress while it runs (the page reloads itself), then its report."""
    run = _run_for(request, pk)
    return render(
        request,
        "suppliers/conformance_run.html",
        {
            "run": run,
            "connection": run.connection,
            "report": run.report,
            "refresh_seconds": RUN_REFRESH_SECONDS if run.is_active else None,
            "form": ConformanceRunForm(connection=run.connection, initial={"send_orders": run.send_orders}),
        },
    )


@login_required
def conformance_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A finished run's report to download: JSON (as kept) or JUnit XML (for a partner's CI)."""
    run = _run_for(request, pk)
    if run.report is None:
        raise Http404(_("This run has no report yet."))
    name = f"conformance-{run.connection_id}-{run.pk}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(run.report, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        name += ".json"
    else:
        response = HttpResponse(
            Report.from_dict(run.report).to_junit(), content_type="application/xml; charset=utf-8"
        )
        name += ".junit.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
