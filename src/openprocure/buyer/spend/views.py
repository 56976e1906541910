"""Spend visibility pages: the spend and process dashboards, the purchase history and its CSV export.

Dashboards are for procurement administrators and accounts-payable clerks (company-wide figures);
the purchase history is for everyone signed in, limited to their own documents unless they hold
one of those roles.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprocure.buyer.spend import charts
from openprocure.buyer.spend.forms import HistoryForm, PeriodForm, default_period
from openprocure.buyer.spend.history import (
    HistoryFilters,
    history_keys,
    history_rows,
    hydrate,
    kind_label,
    sees_everything,
    status_label,
)
from openprocure.buyer.spend.kpis import Converter, DashboardFilters, process_dashboard, spend_dashboard
from openprocure.core.csvsafe import safe_cell
from openprocure.core.formatting import iso_datetime, plain_money
from openprocure.core.lists import paginate, query_without_page
from openprocure.core.tunables import tunable

#: Detail pages of each kind: (URL name, the row field its argument comes from), tried in order (an
#: app may not have one yet).
DETAIL_URLS = {
    "requisition": (("requisitions:detail", "doc_id"),),
    "purchase_order": (("purchasing:detail", "doc_number"),),
    "receipt": (("fulfilment:receipt", "doc_id"), ("fulfilment:receipt_detail", "doc_id")),
    "invoice": (("invoicing:detail", "doc_id"), ("invoicing:invoice", "doc_id")),
}
_PLACEHOLDER = "987654321"  # matches both int and str converters


def _require_analyst(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise PermissionDenied(
            _(
                "Spend dashboards show the whole company's figures: they are for procurement "
                "administrators and accounts-payable clerks. Your own documents are in the purchase history."
            )
        )


def _dashboard_filters(request: HttpRequest) -> tuple[PeriodForm, DashboardFilters]:
    form = PeriodForm(request.GET)
    start, end = default_period()
    if form.is_valid():
        data = form.cleaned_data
        start, end = data.get("date_from") or start, data.get("date_to") or end
        if start > end:  # only one end was given, beyond the default other end
            start, end = (start, start) if data.get("date_from") else (end, end)
        entity, cost_center = data.get("entity"), data.get("cost_center")
        return form, DashboardFilters(
            start, end, entity.pk if entity else None, cost_center.pk if cost_center else None
        )
    return form, DashboardFilters(start, end)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The nav link: the dashboard for those who may see it, otherwise one's own history."""
    return redirect("spend:dashboard" if sees_everything(request.user) else "spend:history")


#: The dashboard's bar charts, each with its data table: (list of the dashboard data, title, table
#: caption, first column, note under the table).
BAR_CHARTS = (
    (
        "by_supplier",
        gettext_lazy("Spend by supplier"),
        gettext_lazy("Spend by supplier"),
        gettext_lazy("Supplier"),
        "",
    ),
    (
        "by_cost_center",
        gettext_lazy("Spend by cost center"),
        gettext_lazy("Spend by cost center"),
        gettext_lazy("Cost center"),
        gettext_lazy("A line split between cost centers counts in each for its share."),
    ),
    (
        "by_segment",
        gettext_lazy("Spend by UNSPSC segment"),
        gettext_lazy("Spend by UNSPSC segment (first 2 digits)"),
        gettext_lazy("Segment"),
        "",
    ),
    (
        "by_family",
        gettext_lazy("Spend by UNSPSC family"),
        gettext_lazy("Spend by UNSPSC family (first 4 digits)"),
        gettext_lazy("Family"),
        "",
    ),
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Spend by supplier, category, cost center and month, with the spend KPIs and their formulas."""
    _require_analyst(request)
    form, filters = _dashboard_filters(request)
    data = spend_dashboard(filters, request.user)
    currency = data.currency
    month_labels = [date_format(point.month, "M Y") for point in data.by_month]
    month_ticks = charts.month_ticks([point.month for point in data.by_month])

    def bars(items: list[Any], title: str) -> Any:
        return charts.bar_chart(
            [charts.Item(bar.label, bar.amount, bar.url) for bar in items],
            title=title,
            desc=_("%(count)s bars, amounts in %(currency)s; the same figures are in the table below.")
            % {"count": len(items), "currency": currency},
        )

    context = {
        "form": form,
        "filters": filters,
        "data": data,
        "sees_everything": True,
        "rates": sorted(Converter().rates.items()),
        "tail_share": int(tunable("SPEND_TAIL_SHARE") * 100),
        "month_chart": charts.line_chart(
            [
                charts.Item(label, point.amount, point.url)
                for label, point in zip(month_labels, data.by_month, strict=True)
            ],
            ticks=month_ticks,
            title=_("Spend by month"),
            desc=_("Purchase-order spend per month in %(currency)s, from %(start)s to %(end)s.")
            % {"currency": currency, "start": month_labels[0], "end": month_labels[-1]},
        ),
        "structured_chart": charts.stacked_bar_chart(
            month_labels,
            [
                charts.Series(_("PunchOut and catalog"), [p.structured for p in data.by_month]),
                charts.Series(_("Free text"), [p.other for p in data.by_month]),
            ],
            urls=[p.url for p in data.by_month],
            ticks=month_ticks,
            title=_("Structured and free-text spend by month"),
            desc=_(
                "Each column is a month's spend in %(currency)s, split into PunchOut or catalog lines and free-text lines."
            )
            % {"currency": currency},
        ),
        "bar_charts": [
            {
                "title": title,
                "svg": bars(getattr(data, name), str(title)),
                "bars": getattr(data, name),
                "caption": caption,
                "head": head,
                "note": note,
            }
            for name, title, caption, head, note in BAR_CHARTS
        ],
        "month_labels": month_labels,
    }
    return render(request, "spend/dashboard.html", context)


@login_required
def process(request: HttpRequest) -> HttpResponse:
    """Cycle and approval times, and the receipt/invoice KPIs once their data exists."""
    _require_analyst(request)
    form, filters = _dashboard_filters(request)
    data = process_dashboard(filters, request.user)
    steps_chart = charts.bar_chart(
        [charts.Item(step.label, step.median or Decimal(0), step.url) for step in data.approval_steps],
        title=_("Median approval time per step"),
        desc=_("Hours from a step's start to its approval; the same figures are in the table below."),
    )
    return render(
        request,
        "spend/process.html",
        {
            "form": form,
            "filters": filters,
            "data": data,
            "steps_chart": steps_chart,
            "sees_everything": True,
        },
    )


def _history_form(request: HttpRequest) -> tuple[HistoryForm, HistoryFilters | None]:
    form = HistoryForm(request.GET)
    if form.is_valid():
        return form, form.filters()
    return form, None


def _detail_url(row: dict[str, Any], cache: dict[str, tuple[str, str] | None]) -> str | None:
    """The detail page of a history row, or None when its app has none (one reverse() per kind)."""
    kind = row["doc_kind"]
    if kind not in cache:
        cache[kind] = None
        for name, field in DETAIL_URLS.get(kind, ()):
            try:
                cache[kind] = (reverse(name, args=[_PLACEHOLDER]), field)
                break
            except NoReverseMatch:
                continue
    found = cache[kind]
    if found is None:
        return None
    pattern, field = found
    return pattern.replace(_PLACEHOLDER, quote(str(row[field]), safe=""))


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """Every document one may see: search, filters, pages of ``SPEND_HISTORY_PAGE_SIZE``."""
    form, filters = _history_form(request)
    page = None
    rows: list[dict[str, Any]] = []
    if filters is not None:
        page, _query = paginate(
            request, history_keys(filters, request.user), tunable("SPEND_HISTORY_PAGE_SIZE")
        )
        cache: dict[str, tuple[str, str] | None] = {}
        for row in hydrate(page.object_list):
            rows.append(
                {
                    **row,
                    "kind_label": kind_label(row["doc_kind"]),
                    "status_label": status_label(row["doc_kind"], row["doc_status"]),
                    "url": _detail_url(row, cache),
                }
            )
    return render(
        request,
        "spend/history.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "sees_everything": sees_everything(request.user),
        },
    )


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


@login_required
def history_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The purchase history as CSV (streamed), with the same filters as the page."""
    form, filters = _history_form(request)
    if filters is None:
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    writer = csv.writer(_Echo())
    rows = history_rows(filters, request.user)

    def lines() -> Iterator[str]:
        yield writer.writerow(
            [
                _("Document"),
                _("Number"),
                _("Date"),
                _("Supplier"),
                _("Requester"),
                _("Description"),
                _("Status"),
                _("Currency"),
                _("Amount"),
            ]
        )
        for row in rows:
            yield writer.writerow(
                [
                    kind_label(row["doc_kind"]),
                    safe_cell(row["doc_number"]),
                    iso_datetime(row["doc_date"]),
                    safe_cell(row["doc_supplier"]),
                    safe_cell(row["doc_requester"]),
                    safe_cell(row["doc_description"]),
                    status_label(row["doc_kind"], row["doc_status"]),
                    safe_cell(row["doc_currency"]),
                    plain_money(row["doc_amount"], row["doc_currency"]),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="purchase-history.csv"'
    return response
