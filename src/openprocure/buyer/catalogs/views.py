"""Hosted catalog pages: versions (upload, check, compare, publish) for procurement administrators,
and the catalog search everyone shops from (add an item to a requisition, or open it at the supplier)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.catalogs import services, tasks
from openprocure.buyer.catalogs.choices import WARNINGS, ChangeKind, SearchSort, VersionStatus
from openprocure.buyer.catalogs.filters import ChangeFilter, VersionFilter
from openprocure.buyer.catalogs.forms import (
    AddItemForm,
    DiscardForm,
    OpenItemForm,
    PublishForm,
    SearchForm,
    UploadForm,
)
from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.catalogs.search import Matches, SearchQuery, price_currencies
from openprocure.buyer.organization.models import UserProfile
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.punchout.choices import SessionStatus
from openprocure.buyer.punchout.services import start_url
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.forms import report_labelled_errors
from openprocure.core.lists import paginate
from openprocure.core.tunables import tunable


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not is_procurement_admin(request.user):
        raise PermissionDenied(_("Only procurement administrators manage hosted catalogs."))


@login_required
def versions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every catalog file received, newest first (filter by supplier and status), and the upload form."""
    _require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.upload(
                supplier=form.cleaned_data["supplier"],
                chunks=upload.chunks(),
                name=upload.name or "",
                actor=request.user,
            )
        except services.CatalogError as error:
            form.add_error("file", error.message)
        else:
            tasks.check_catalog.enqueue(version.pk)
            messages.success(
                request, _("The file is kept; it is being checked. This page shows the progress.")
            )
            return redirect("catalogs:version", pk=version.pk)
    rows = CatalogVersion.objects.select_related("supplier", "uploaded_by").order_by("-uploaded_at", "-id")
    filterset = VersionFilter(request.GET or None, queryset=rows)
    page, query = paginate(request, filterset.qs)
    current = set(services.current_versions().values())
    return render(
        request,
        "catalogs/versions.html",
        {"form": form, "filterset": filterset, "page": page, "query": query, "current": current},
        status=400 if form.errors else 200,
    )


@login_required
def version_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One version: its file, the check's progress, each bad row, the changes, publish or discard."""
    _require_admin(request)
    version = get_object_or_404(
        CatalogVersion.objects.select_related("supplier", "uploaded_by", "published_by", "base"), pk=pk
    )
    problems, problems_query = paginate(
        request, version.problems.order_by("line", "id"), param="problems_page"
    )
    current_id = services.current_versions(supplier_id=version.supplier_id).get(version.supplier_id)
    return render(
        request,
        "catalogs/version_detail.html",
        {
            "version": version,
            "problems": problems,
            "problems_query": problems_query,
            "kept_problems": min(version.problem_count, int(tunable("HOSTED_CATALOG_MAX_PROBLEMS"))),
            "warnings": []
            if version.status == VersionStatus.REJECTED
            else list(
                version.problems.filter(code__in=WARNINGS).order_by("line", "id")[
                    : int(tunable("HOSTED_CATALOG_MAX_PROBLEMS"))
                ]
            ),
            "change_kinds": [(kind, version.changes.get(kind.value, 0)) for kind in ChangeKind],
            "is_current": current_id == version.pk,
            "publish_form": PublishForm(),
            "events": version.events.select_related("actor").order_by("created_at", "id"),
        },
    )


@login_required
def changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The items of a version that differ from the version it was compared with (filter by change)."""
    _require_admin(request)
    version = get_object_or_404(CatalogVersion.objects.select_related("supplier", "base"), pk=pk)
    filterset = ChangeFilter(
        request.GET or None, queryset=version.item_changes.order_by("kind", "supplier_part_id", "id")
    )
    page, query = paginate(request, filterset.qs)
    return render(
        request,
        "catalogs/changes.html",
        {"version": version, "filterset": filterset, "page": page, "query": query},
    )


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    version = get_object_or_404(CatalogVersion, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        report_labelled_errors(request, form)
        return redirect("catalogs:version", pk=pk)
    try:
        services.publish(
            version=version, actor=request.user, effective_from=form.cleaned_data["effective_from"]
        )
    except services.CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
    return redirect("catalogs:version", pk=pk)


@login_required
@require_POST
def discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    version = get_object_or_404(CatalogVersion, pk=pk)
    DiscardForm(request.POST).is_valid()
    try:
        services.discard(version=version, actor=request.user)
    except services.CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %(number)s is discarded.") % {"number": version.number})
    return redirect("catalogs:version", pk=pk)


@login_required
def download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The file as it was received."""
    _require_admin(request)
    version = get_object_or_404(CatalogVersion, pk=pk)
    return FileResponse(
        services.file_path(version).open("rb"),
        as_attachment=True,
        filename=version.original_name or f"catalog-{version.supplier_id}-{version.number}",
        content_type="application/octet-stream",
    )


def _company_currency(request: AuthenticatedHttpRequest) -> str:
    """The base currency of the signed-in person's company ("" without a profile)."""
    found = UserProfile.objects.filter(user=request.user).values_list("company__default_currency", flat=True)
    return next(iter(found), "")


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search the items of every supplier's catalog in force: words, supplier, category, price (in one
    currency at a time); best match first or by price."""
    in_force = services.current_versions()
    currencies = price_currencies(sorted(in_force.values()))
    preferred = _company_currency(request) if len(currencies) > 1 else ""
    form = SearchForm(request.GET or None, currencies=currencies, preferred=preferred)
    data = form.cleaned_data if form.is_valid() else {}
    supplier = data.get("supplier")
    current = {key: value for key, value in in_force.items() if supplier is None or key == supplier.pk}
    query = SearchQuery(
        text=data.get("q") or "",
        category=data.get("category") or "",
        min_price=data.get("min_price"),
        max_price=data.get("max_price"),
        sort=data.get("sort") or SearchSort.BEST_MATCH,
        currency=form.currency,
    )
    matches = Matches(query, sorted(current.values()) if not form.errors else [])
    page, page_query = paginate(request, matches, int(tunable("HOSTED_CATALOG_PAGE_SIZE")))
    requisition = None
    if data.get("requisition"):
        requisition = Requisition.objects.filter(pk=data["requisition"], requester=request.user).first()
    several = len(form.currencies) > 1
    return render(
        request,
        "catalogs/search.html",
        {
            "form": form,
            "page": page,
            "query": page_query,
            "total_exact": matches.total_exact,
            "requisition": requisition if requisition and requisition.is_editable else None,
            "searched": bool(request.GET),
            "currency": query.currency,
            "currency_filtered": several and query.priced,
            "currency_sorted": several and query.sort in (SearchSort.PRICE_ASC, SearchSort.PRICE_DESC),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def add_item(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an item as a catalog line: the price is the catalog's, whatever the browser sent."""
    form = AddItemForm(request.POST)
    back = reverse("catalogs:search")
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back)
    requisition = None
    if form.cleaned_data["requisition"]:
        requisition = Requisition.objects.filter(
            pk=form.cleaned_data["requisition"], requester=request.user
        ).first()
        if requisition is None:
            messages.error(request, _("The requisition to add to is not one of yours."))
            return redirect(back)
    try:
        added = services.add_to_requisition(
            item_id=form.cleaned_data["item"],
            quantity=form.cleaned_data["quantity"],
            actor=request.user,
            requisition=requisition,
        )
    except services.CatalogError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Line %(line)s is in requisition %(number)s.")
        % {"line": added.line_number, "number": added.requisition.number},
    )
    return redirect(reverse("requisitions:detail", args=[added.requisition.pk]))


class _Redirect(HttpResponseRedirect):
    # Start pages are the supplier's http(s) URL (checked below), not our own hosts.
    allowed_schemes = ["http", "https"]


@login_required
@require_POST
def open_item(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A PunchOut-enabled item: open the supplier's site on it (the cart comes back as usual)."""
    form = OpenItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an item to open."))
        return redirect("catalogs:search")
    try:
        session = services.open_item(item_id=form.cleaned_data["item"], actor=request.user)
    except services.CatalogError as error:
        messages.error(request, error.message)
        return redirect("catalogs:search")
    url = start_url(session) if session.status == SessionStatus.OPEN else ""
    if not url.lower().startswith(("http://", "https://")):
        messages.error(request, session.error_text or _("The supplier gave no start page."))
        return redirect("catalogs:search")
    return _Redirect(url)
