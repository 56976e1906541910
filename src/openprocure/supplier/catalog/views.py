"""Catalog pages: search results, browse by category, product page, typeahead JSON, product image."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openprocure.core.audit import save_administered
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.business.models import Business
from openprocure.supplier.business.services import membership_of, staff_role
from openprocure.supplier.catalog import services, tasks
from openprocure.supplier.catalog.choices import ExportStatus
from openprocure.supplier.catalog.forms import (
    SORT_LABELS,
    CatalogSelectionForm,
    ExportForm,
    StorefrontSearchForm,
    SuggestForm,
)
from openprocure.supplier.catalog.models import CatalogExport, CatalogSelection, Category, Product, Seller
from openprocure.supplier.catalog.pricing import PricingStrategy, strategy_for_request
from openprocure.supplier.catalog.search import (
    SearchBackend,
    SearchQuery,
    SearchResult,
    brand_from_token,
    facet_level,
    get_backend,
    trim_code,
)
from openprocure.supplier.catalog.spelling import did_you_mean


def cart_add_url() -> str:
    """The cart's "add" URL, or "" while the cart app is not installed (the form is then hidden)."""
    try:
        return reverse("cart-add")
    except NoReverseMatch:
        return ""


@dataclass
class FacetOption:
    label: str
    count: int
    url: str
    selected: bool


@dataclass
class Facet:
    name: str
    title: str
    options: list[FacetOption]


@dataclass
class PricedProduct:
    product: Product
    price: Any
    list_price: Any
    delivery_date: Any


def _priced(products: list[Product], strategy: PricingStrategy) -> list[PricedProduct]:
    today = timezone.localdate()
    return [
        PricedProduct(
            product,
            strategy.price_for(product, 1),
            strategy.list_price(product),
            today + timedelta(days=product.delivery_days),
        )
        for product in products
    ]


def _band_label(band: int) -> str:
    bounds = list(tunable("CATALOG_PRICE_BANDS"))
    currency = tunable("CATALOG_DEFAULT_CURRENCY")
    if band == 0:
        return _("Under %(amount)s %(currency)s") % {"amount": bounds[0], "currency": currency}
    if band >= len(bounds):
        return _("%(amount)s %(currency)s and above") % {"amount": bounds[-1], "currency": currency}
    return _("%(low)s to %(high)s %(currency)s") % {
        "low": bounds[band - 1],
        "high": bounds[band],
        "currency": currency,
    }


def _search_page(
    request: HttpRequest, *, category: Category | None = None, template: str = "catalog/search.html"
) -> HttpResponse:
    strategy = strategy_for_request(request)
    query = StorefrontSearchForm(request.GET).search_query(
        category=trim_code(category.code) if category else None, price_basis=strategy.price_basis
    )
    text, category_code, page_size = query.text, query.category, query.page_size
    backend = get_backend()
    result = backend.search(query=query)
    spelling = _spelling(request, backend, query, result)
    by_rank = {
        product.sales_rank: product
        for product in Product.objects.filter(sales_rank__in=result.sales_ranks)
        .select_related("seller")
        .prefetch_related("price_tiers")
    }
    products = [by_rank[rank] for rank in result.sales_ranks if rank in by_rank]
    pages = max(1, -(-result.total // page_size))
    breadcrumbs = _breadcrumbs(category_code)
    context = {
        "query": query,
        "text": text,
        "category": category,
        "breadcrumbs": breadcrumbs,
        "category_name": breadcrumbs[-1][0] if breadcrumbs else "",
        "result": result,
        "spelling": spelling,
        "results": _priced(products, strategy),
        "facets": _facets(request, query, result, browsing=category is not None),
        "clear_category_url": _url(request, cat=None) if category_code and not category else "",
        "sort_options": [(value, label, value == query.sort) for value, label in SORT_LABELS.items()],
        "page": query.page,
        "pages": pages,
        "previous_url": _url(request, page=query.page - 1) if query.page > 1 else "",
        "next_url": _url(request, page=query.page + 1) if query.page < pages else "",
        "strategy": strategy,
        "cart_add_url": cart_add_url(),
        "suggest_url": reverse("catalog-suggest"),
    }
    return render(request, template, context)


@dataclass
class SpellingSuggestion:
    text: str
    url: str
    total: int


def _spelling(
    request: HttpRequest, backend: SearchBackend, query: SearchQuery, result: SearchResult
) -> SpellingSuggestion | None:
    """ "Did you mean …?": the query spelt with the catalog's words, when that finds more products."""
    if not query.text or query.page > 1 or result.total > int(tunable("CATALOG_SPELLING_MAX_RESULTS")):
        return None
    corrected = did_you_mean(query.text)
    if corrected is None:
        return None
    found = backend.search(query=replace(query, text=corrected, page=1))
    if found.total <= result.total:
        return None
    return SpellingSuggestion(corrected, _url(request, q=corrected), found.total)


def _url(request: HttpRequest, **changes: Any) -> str:
    """The current page's URL with some parameters changed (None removes one); page resets to 1."""
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None and value != "":
            params[key] = str(value)
    return request.path + ("?" + params.urlencode() if params else "")


def _breadcrumbs(code: str) -> list[tuple[str, str]]:
    if not code:
        return []
    levels = [code[:n] for n in (2, 4, 6, 8) if n <= len(code)]
    names = dict(
        Category.objects.filter(code__in=[level.ljust(8, "0") for level in levels]).values_list(
            "code", "name"
        )
    )
    return [
        (names.get(level.ljust(8, "0")) or level.ljust(8, "0"), reverse("catalog-browse", args=[level]))
        for level in levels
    ]


def _facets(request: HttpRequest, query: SearchQuery, result: SearchResult, *, browsing: bool) -> list[Facet]:
    counts = result.facet_counts
    facets: list[Facet] = []

    level = facet_level(query.category)
    codes = {
        token[3:]: n for token, n in counts.items() if token.startswith(level) and token[3:] != query.category
    }
    if codes:
        names = dict(
            Category.objects.filter(code__in=[code.ljust(8, "0") for code in codes]).values_list(
                "code", "name"
            )
        )
        options = [
            FacetOption(
                names.get(code.ljust(8, "0")) or code.ljust(8, "0"),
                n,
                reverse("catalog-browse", args=[code]) + _keep_query(request)
                if browsing
                else _url(request, cat=code),
                False,
            )
            for code, n in sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:15]
        ]
        facets.append(Facet("category", _("Category"), options))

    brands = sorted(
        (
            (brand_from_token(token), n)
            for token, n in counts.items()
            if token.startswith("br") and len(token) > 2
        ),
        key=lambda item: (-item[1], item[0]),
    )[:15]
    selected_brands = set(query.brands)
    if brands:
        facets.append(
            Facet(
                "brand",
                _("Brand"),
                [
                    FacetOption(
                        brand,
                        n,
                        _url(request, brand=None if brand in selected_brands else brand),
                        brand in selected_brands,
                    )
                    for brand, n in brands
                ],
            )
        )

    seller_counts = {int(token[3:]): n for token, n in counts.items() if token.startswith("sel")}
    if seller_counts:
        seller_names = dict(Seller.objects.filter(id__in=seller_counts).values_list("id", "name"))
        selected = set(query.seller_ids)
        facets.append(
            Facet(
                "seller",
                _("Sold by"),
                [
                    FacetOption(
                        seller_names.get(seller, "?"),
                        n,
                        _url(request, seller=None if seller in selected else seller),
                        seller in selected,
                    )
                    for seller, n in sorted(
                        seller_counts.items(), key=lambda item: (-item[1], seller_names.get(item[0], ""))
                    )[:15]
                ],
            )
        )

    fulfilment = []
    for token, value, label in (
        ("ful1", "us", _("Fulfilled by us")),
        ("ful0", "seller", _("Fulfilled by the seller")),
    ):
        if counts.get(token):
            chosen = query.fulfilled_by_us is (value == "us")
            fulfilment.append(
                FacetOption(label, counts[token], _url(request, ful=None if chosen else value), chosen)
            )
    if fulfilment:
        facets.append(Facet("fulfilment", _("Fulfilment"), fulfilment))

    prefix = "bpb" if query.price_basis == "business" else "lpb"
    bands = sorted((int(token[3:]), n) for token, n in counts.items() if token.startswith(prefix) and n)
    if bands:
        facets.append(
            Facet(
                "price",
                _("Price"),
                [
                    FacetOption(
                        _band_label(band),
                        n,
                        _url(request, price=None if query.price_band == band else band),
                        query.price_band == band,
                    )
                    for band, n in bands
                ],
            )
        )
    return facets


def _keep_query(request: HttpRequest) -> str:
    params = {key: value for key, value in request.GET.items() if key == "q"}
    return "?" + urlencode(params) if params else ""


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """``/search/?q=…``: results with facets, filters, sort and pagination."""
    return _search_page(request)


@require_GET
def browse(request: HttpRequest, code: str) -> HttpResponse:
    """``/browse/<UNSPSC segment, family, class or commodity>/``: the category's products."""
    trimmed = trim_code(code) if len(code) == 8 else code
    if not code.isdigit() or len(trimmed) not in (2, 4, 6, 8):
        raise Http404(_("No such category."))
    category = Category.objects.filter(code=trimmed.ljust(8, "0")).first()
    if category is None:
        raise Http404(_("No such category."))
    return _search_page(request, category=category, template="catalog/browse.html")


@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    """``/browse/``: every UNSPSC segment of the catalog."""
    segments = Category.objects.filter(code__endswith="000000").order_by("name")
    return render(
        request, "catalog/departments.html", {"segments": segments, "suggest_url": reverse("catalog-suggest")}
    )


@require_GET
def product_detail(request: HttpRequest, asin: str) -> HttpResponse:
    """``/product/<asin>/``: one product with the visitor's price, quantity prices and delivery."""
    product = get_object_or_404(
        Product.objects.select_related("seller").prefetch_related("price_tiers"), asin=asin
    )
    strategy = strategy_for_request(request)
    priced = _priced([product], strategy)[0]
    return render(
        request,
        "catalog/product.html",
        {
            "item": priced,
            "product": product,
            "tiers": strategy.tiers_for(product),
            "strategy": strategy,
            "breadcrumbs": _breadcrumbs(trim_code(product.unspsc)),
            "cart_add_url": cart_add_url(),
            "suggest_url": reverse("catalog-suggest"),
        },
    )


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """``/search/suggest/?q=``: typeahead completions as JSON."""
    prefix = SuggestForm(request.GET).typed()
    if len(prefix) < int(tunable("CATALOG_SUGGEST_MIN_CHARS")):
        return JsonResponse({"query": prefix, "suggestions": []})
    found = get_backend().suggest(prefix=prefix, limit=int(tunable("CATALOG_SUGGEST_LIMIT")))
    search_url = reverse("catalog-search")
    return JsonResponse(
        {
            "query": prefix,
            "suggestions": [
                {
                    "text": suggestion.text,
                    "kind": "brand" if suggestion.is_brand else "phrase",
                    "url": f"{search_url}?{urlencode({'q': suggestion.text})}",
                }
                for suggestion in found
            ],
        }
    )


_PALETTE = ("#1f5fbf", "#1d7a3a", "#8a5a00", "#a11d2b", "#5b3fa8", "#00727a", "#b0471b", "#3b4a5e")


@require_GET
def product_image(request: HttpRequest, asin: str) -> HttpResponse:
    """A placeholder picture drawn from the product's ASIN and category (SVG, no stored files)."""
    product = get_object_or_404(Product.objects.only("asin", "unspsc", "brand"), asin=asin)
    digest = hashlib.sha256(product.asin.encode()).digest()
    colour = _PALETTE[int(product.unspsc[:4] or "0") % len(_PALETTE)]
    shapes = "".join(
        f'<circle cx="{40 + digest[i] % 160}" cy="{40 + digest[i + 1] % 120}" r="{10 + digest[i + 2] % 30}" '
        f'fill="{colour}" fill-opacity="0.{2 + digest[i + 3] % 5}"/>'
        for i in range(0, 16, 4)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="200" viewBox="0 0 240 200" role="img">'
        f'<rect width="240" height="200" fill="#f3f4f7"/>{shapes}'
        f'<text x="120" y="185" font-family="system-ui, sans-serif" font-size="14" text-anchor="middle" '
        f'fill="#1d2330">{escape(product.brand[:28])}</text></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# -- a business's catalog export ---------------------------------------------------------------------
def _may_export(user: Any, business_id: int) -> bool:
    """Operators, and the administrators of the business."""
    if staff_role(user) == StaffRole.OPERATOR:
        return True
    membership = membership_of(user)
    return membership is not None and membership.business_id == business_id and membership.is_administrator


@login_required
def catalog_exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Catalog export" of the menu: a business administrator's own business."""
    membership = membership_of(request.user)
    if membership is None or not membership.is_administrator:
        raise PermissionDenied(_("Only the administrators of a business can export its catalog."))
    return _export_page(request, membership.business)


@login_required
def catalog_export(request: AuthenticatedHttpRequest, business_id: int) -> HttpResponse:
    """A business's catalog export, for its administrators and operators (anyone else: not found)."""
    if not _may_export(request.user, business_id):
        raise Http404
    return _export_page(request, get_object_or_404(Business, pk=business_id))


def _export_page(request: AuthenticatedHttpRequest, business: Business) -> HttpResponse:
    """Export the business's catalog as CIF or BMEcat (written in the background, progress shown), download
    the files; operators also choose which products the catalog contains."""
    is_operator = staff_role(request.user) == StaffRole.OPERATOR
    selection = CatalogSelection.objects.filter(business=business).first() or CatalogSelection(
        business=business
    )
    exporting = request.method == "POST" and "export" in request.GET
    choosing = request.method == "POST" and "selection" in request.GET
    form = ExportForm(request.POST if exporting else None)
    selection_form = CatalogSelectionForm(request.POST if choosing else None, instance=selection)
    here = request.path
    if choosing:
        if not is_operator:
            raise PermissionDenied(_("Only operators choose which products a business's catalog contains."))
        if selection_form.is_valid():
            save_administered(selection_form, actor=request.user)
            messages.success(request, _("The catalog's products are saved."))
            return redirect(here)
    elif exporting and form.is_valid():
        try:
            export = services.start_export(
                business=business,
                format=form.cleaned_data["format"],
                since=form.cleaned_data["since"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            tasks.run_catalog_export.enqueue(export.pk)
            messages.success(request, _("The export has started: this page shows its progress."))
            return redirect(here)
    exports = (
        CatalogExport.objects.filter(business=business)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
    )
    page, query = paginate(request, exports)
    running = exports.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).exists()
    return render(
        request,
        "catalog/export.html",
        {
            "business": business,
            "form": form,
            "selection_form": selection_form,
            "selection": selection if selection.pk else None,
            "is_operator": is_operator,
            "page": page,
            "query": query,
            "running": running,
            "done_status": ExportStatus.DONE,
        },
    )


@login_required
def catalog_export_download(request: AuthenticatedHttpRequest, export_id: int) -> FileResponse:
    """The file of a written export, to the business's administrators and operators only."""
    export = get_object_or_404(CatalogExport, pk=export_id, status=ExportStatus.DONE)
    if not _may_export(request.user, export.business_id):
        raise Http404
    path = services.export_path(export)
    if not path.is_file():
        raise Http404
    content_type = "application/xml" if path.suffix == ".xml" else "text/plain; charset=utf-8"
    response = FileResponse(
        open(path, "rb"), as_attachment=True, filename=path.name, content_type=content_type
    )
    return response
