"""The numbers on the dashboards, each computed from one documented source.

Spend figures read the monthly summary (:mod:`openprocure.buyer.spend.models`), sum each currency
in SQL, convert the sums with the fixed rates of ``EXCHANGE_RATES`` into the reporting
currency and quantize in Python. Process figures (cycle times, approval times) are read live from
requisitions and approval steps, through the same filters as the purchase history, so a drill-down
link lists exactly the documents behind the number.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from openprocure.buyer.approvals.choices import StepStatus
from openprocure.buyer.approvals.models import ApprovalStep
from openprocure.buyer.invoicing.choices import InvoiceSource as Received
from openprocure.buyer.invoicing.choices import exception_label
from openprocure.buyer.invoicing.models import InvoiceException
from openprocure.buyer.organization.models import CostCenter
from openprocure.buyer.purchasing.models import PurchaseOrderLine
from openprocure.buyer.requisitions.choices import RequisitionStatus
from openprocure.buyer.requisitions.models import RequisitionEvent
from openprocure.buyer.spend.choices import Dimension, DocumentKind
from openprocure.buyer.spend.forms import month_param
from openprocure.buyer.spend.history import (
    HistoryFilters,
    InvoiceSource,
    PurchaseOrderSource,
    RequisitionSource,
    first_match_outcomes,
    invoice_without_order,
    next_month,
)
from openprocure.buyer.spend.models import ALL, MonthlySpend, SummaryRefresh
from openprocure.buyer.spend.unspsc import UNSPSC_FAMILIES, UNSPSC_SEGMENTS
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.reference import exchange_rate, exchange_rates
from openprocure.core.tunables import tunable
from punchout.money import quantize_money

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclasses.dataclass(frozen=True)
class DashboardFilters:
    """Period (whole months, both included), legal entity and cost center of a dashboard."""

    month_from: date
    month_to: date
    entity_id: int | None = None
    cost_center_id: int | None = None

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"from": month_param(self.month_from), "to": month_param(self.month_to)}
        if self.entity_id:
            params["entity"] = self.entity_id
        if self.cost_center_id:
            params["cost_center"] = self.cost_center_id
        return params

    def history_url(self, **extra: Any) -> str:
        """The purchase history filtered like this dashboard, plus ``extra`` filters."""
        params = {**self.params(), **{k: v for k, v in extra.items() if v is not None}}
        return f"{reverse('spend:history')}?{urlencode(params)}"

    def history_filters(self) -> HistoryFilters:
        return HistoryFilters(
            month_from=self.month_from,
            month_to=self.month_to,
            entity_id=self.entity_id,
            cost_center_id=self.cost_center_id,
        )

    def months(self) -> list[date]:
        result, month = [], self.month_from
        while month <= self.month_to:
            result.append(month)
            month = next_month(month)
        return result


class Converter:
    """Converts per-currency sums into the reporting currency with the fixed rates table."""

    def __init__(self) -> None:
        self.currency: str = tunable("SPEND_REPORTING_CURRENCY")
        self.rates: dict[str, Decimal] = {
            code: rate
            for code in exchange_rates()
            if (rate := exchange_rate(code, self.currency)) is not None
        }
        self.unconverted: set[str] = set()

    def __call__(self, amount: Any, currency: str) -> Decimal:
        rate = self.rates.get(currency)
        if rate is None:
            self.unconverted.add(currency)
            return Decimal(0)
        return Decimal(amount or 0) * rate

    def money(self, amount: Decimal) -> Decimal:
        return quantize_money(amount, self.currency)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole × 100 to one decimal (half up), or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclasses.dataclass
class Bar:
    """One bar of a chart and one row of its data table."""

    key: str
    label: str
    amount: Decimal
    url: str | None = None
    share: Decimal | None = None


@dataclasses.dataclass
class MonthPoint:
    month: date
    amount: Decimal
    structured: Decimal
    url: str

    @property
    def other(self) -> Decimal:
        return self.amount - self.structured


@dataclasses.dataclass
class SpendDashboard:
    """Everything the spend dashboard shows, in the reporting currency."""

    currency: str
    total: Decimal
    orders: int
    electronic_orders: int
    structured: Decimal
    listed: Decimal
    list_value: Decimal
    by_month: list[MonthPoint]
    by_supplier: list[Bar]
    by_segment: list[Bar]
    by_family: list[Bar]
    by_cost_center: list[Bar]
    active_suppliers: int
    core_suppliers: int
    tail_suppliers: int
    tail_spend: Decimal
    unconverted: list[str]
    refreshed_at: Any
    urls: dict[str, str]
    maverick: Any = None

    @property
    def structured_pct(self) -> Decimal | None:
        return percent(self.structured, self.total)

    @property
    def electronic_pct(self) -> Decimal | None:
        return percent(self.electronic_orders, self.orders)

    @property
    def savings(self) -> Decimal:
        return self.list_value - self.listed

    @property
    def savings_pct(self) -> Decimal | None:
        return percent(self.savings, self.list_value)

    @property
    def tail_pct(self) -> Decimal | None:
        return percent(self.tail_spend, self.total)


def _slice(filters: DashboardFilters, dimension: str) -> Any:
    return MonthlySpend.objects.filter(
        legal_entity_id=filters.entity_id or ALL,
        dimension=dimension,
        month__gte=filters.month_from,
        month__lte=filters.month_to,
    )


def _by_key(rows: Iterable[dict[str, Any]], convert: Converter, field: str = "key") -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[str(row[field])] += convert(row["amount"], row["currency"])
    return {key: convert.money(amount) for key, amount in sums.items() if amount}


def _ranked(sums: dict[str, Decimal], label: Any, url: Any, total: Decimal, limit: int | None) -> list[Bar]:
    """Bars, biggest first; past ``limit`` the smallest are summed into one "others" bar."""
    ordered = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    rest: list[tuple[str, Decimal]] = []
    if limit and len(ordered) > limit:
        ordered, rest = ordered[: limit - 1], ordered[limit - 1 :]
    bars = [Bar(key, label(key), amount, url(key), percent(amount, total)) for key, amount in ordered]
    if rest:
        amount = sum((value for _key, value in rest), Decimal(0))
        label_rest = _("%(count)s others") % {"count": len(rest)}
        bars.append(Bar("", label_rest, amount, None, percent(amount, total)))
    return bars


def category_label(key: str) -> str:
    if not key:
        return _("No category")
    name = (UNSPSC_SEGMENTS if len(key) == 2 else UNSPSC_FAMILIES).get(key)
    return f"{key} {name}" if name else key


def spend_dashboard(filters: DashboardFilters, user: Any = None) -> SpendDashboard:
    """The spend KPIs for a period, entity and cost center (a handful of indexed queries)."""
    convert = Converter()
    cost_center = filters.cost_center_id or ALL
    money = convert.money

    # Totals per month: spend, structured spend, list-price lines, order counts.
    month_rows = (
        _slice(filters, Dimension.TOTAL)
        .filter(cost_center_id=cost_center)
        .values("month", "currency")
        .annotate(
            amount=Sum("amount"),
            structured=Sum("structured_amount"),
            listed=Sum("listed_amount"),
            list_value=Sum("list_amount"),
            order_count=Sum("orders"),
            electronic=Sum("electronic_orders"),
        )
        .order_by()
    )
    per_month: dict[date, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    structured = listed = list_value = Decimal(0)
    orders = electronic = 0
    for row in month_rows:
        amount = convert(row["amount"], row["currency"])
        part = convert(row["structured"], row["currency"])
        per_month[row["month"]][0] += amount
        per_month[row["month"]][1] += part
        structured += part
        listed += convert(row["listed"], row["currency"])
        list_value += convert(row["list_value"], row["currency"])
        if row["currency"] in convert.rates:
            orders += row["order_count"] or 0
            electronic += row["electronic"] or 0
    by_month = []
    total = Decimal(0)
    for month in filters.months():
        amount, part = per_month.get(month, (Decimal(0), Decimal(0)))
        total += money(amount)
        single = dataclasses.replace(filters, month_from=month, month_to=month)
        by_month.append(
            MonthPoint(
                month,
                money(amount),
                money(part),
                single.history_url(kind=DocumentKind.PURCHASE_ORDER, in_spend="on"),
            )
        )

    def keyed(dimension: str) -> dict[str, Decimal]:
        rows = (
            _slice(filters, dimension)
            .filter(cost_center_id=cost_center)
            .values("key", "currency")
            .annotate(amount=Sum("amount"))
            .order_by()
        )
        return _by_key(rows, convert)

    po = DocumentKind.PURCHASE_ORDER
    suppliers = keyed(Dimension.SUPPLIER)
    names = dict(Supplier.objects.filter(pk__in=[int(k) for k in suppliers]).values_list("pk", "name"))
    bars = tunable("SPEND_CHART_BARS")
    by_supplier = _ranked(
        suppliers,
        lambda key: names.get(int(key), key),
        lambda key: filters.history_url(kind=po, supplier=key, in_spend="on"),
        total,
        bars,
    )

    def category_url(key: str) -> str:
        return filters.history_url(kind=po, category=key or "none", in_spend="on")

    by_segment = _ranked(keyed(Dimension.SEGMENT), category_label, category_url, total, bars)
    by_family = _ranked(keyed(Dimension.FAMILY), category_label, category_url, total, bars)

    # ``IN (ids)`` lets SQLite walk the slice index once per cost center instead of scanning them all.
    cc_ids = [filters.cost_center_id] if filters.cost_center_id else CostCenter.objects.values("pk")
    cc_rows = _slice(filters, Dimension.TOTAL).filter(cost_center_id__in=cc_ids)
    cc_sums = _by_key(
        cc_rows.values("cost_center_id", "currency").annotate(amount=Sum("amount")).order_by(),
        convert,
        field="cost_center_id",
    )
    cc_names = {
        str(pk): f"{code} {name}"
        for pk, code, name in CostCenter.objects.filter(pk__in=[int(k) for k in cc_sums]).values_list(
            "pk", "code", "name"
        )
    }
    by_cost_center = _ranked(
        cc_sums,
        lambda key: cc_names.get(key, key),
        lambda key: dataclasses.replace(filters, cost_center_id=int(key)).history_url(kind=po, in_spend="on"),
        total,
        None,
    )

    # Tail: the suppliers outside the smallest set of biggest suppliers covering the tail share.
    threshold = total * tunable("SPEND_TAIL_SHARE")
    running, core = Decimal(0), 0
    ranked_amounts = sorted(suppliers.values(), reverse=True)
    for amount in ranked_amounts:
        if running >= threshold:
            break
        running += amount
        core += 1
    tail_spend = total - running if ranked_amounts else Decimal(0)
    maverick = maverick_spend(filters, user, convert) if user is not None else None
    refreshed = SummaryRefresh.objects.filter(finished_at__isnull=False).values_list("finished_at", flat=True)
    return SpendDashboard(
        currency=convert.currency,
        total=total,
        orders=orders,
        electronic_orders=electronic,
        structured=money(structured),
        listed=money(listed),
        list_value=money(list_value),
        by_month=by_month,
        by_supplier=by_supplier,
        by_segment=by_segment,
        by_family=by_family,
        by_cost_center=by_cost_center,
        active_suppliers=len(suppliers),
        core_suppliers=core,
        tail_suppliers=len(ranked_amounts) - core,
        tail_spend=tail_spend,
        unconverted=sorted(convert.unconverted),
        maverick=maverick,
        refreshed_at=refreshed.first(),
        urls={
            "total": filters.history_url(kind=po, in_spend="on"),
            "structured": filters.history_url(kind=po, in_spend="on", structured="yes"),
            "electronic": filters.history_url(kind=po, in_spend="on", electronic="yes"),
            "listed": filters.history_url(kind=po, in_spend="on", listed="yes"),
        },
    )


# -- process --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Durations:
    """Median and 90th percentile of a set of durations, in hours."""

    count: int
    median: Decimal | None
    p90: Decimal | None
    url: str | None = None
    label: str = ""


def hours(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / Decimal(3600)).quantize(TENTH, rounding=ROUND_HALF_UP)


def durations(values: list[timedelta], *, url: str | None = None, label: str = "") -> Durations:
    """Median (middle value, or mean of the two middle ones) and p90 (nearest rank: ⌈0.9 n⌉-th)."""
    seconds = sorted(value.total_seconds() for value in values)
    if not seconds:
        return Durations(0, None, None, url, label)
    p90 = seconds[math.ceil(0.9 * len(seconds)) - 1]
    return Durations(len(seconds), hours(statistics.median(seconds)), hours(p90), url, label)


@dataclasses.dataclass
class ExceptionRate:
    code: str
    invoices: int
    pct: Decimal | None
    url: str
    label: str = ""  # the exception type in words (invoicing.choices.EXCEPTION_LABELS)


@dataclasses.dataclass
class InvoiceKpis:
    """Invoices received in the period (credit memos and cancelled invoices left out)."""

    count: int
    electronic: int
    matched: int
    first_time: int
    with_exception: int
    exceptions: list[ExceptionRate]
    urls: dict[str, str]

    @property
    def electronic_pct(self) -> Decimal | None:
        return percent(self.electronic, self.count)

    @property
    def first_time_pct(self) -> Decimal | None:
        return percent(self.first_time, self.matched)

    @property
    def exception_pct(self) -> Decimal | None:
        return percent(self.with_exception, self.count)


@dataclasses.dataclass
class Delivery:
    """Order lines due (need-by date) in the period and already past it, and those received in time."""

    due: int
    on_time: int
    url: str

    @property
    def pct(self) -> Decimal | None:
        return percent(self.on_time, self.due)


@dataclasses.dataclass
class ProcessDashboard:
    cycle_time: Durations
    approval_steps: list[Durations]
    invoices: InvoiceKpis | None = None
    delivery: Delivery | None = None


def _installed(app: str) -> bool:
    from django.apps import apps

    return apps.is_installed(f"openprocure.buyer.{app}")


def invoice_population(filters: DashboardFilters, user: Any) -> Any:
    """The invoices the invoice KPIs count (None when invoicing is not installed)."""
    if not _installed("invoicing"):
        return None
    return InvoiceSource().filtered(dataclasses.replace(filters.history_filters(), in_spend=True), user)


def invoice_kpis(filters: DashboardFilters, user: Any) -> InvoiceKpis | None:
    """E-invoice share, first-time match rate and exception rate per type (None without invoicing)."""
    population = invoice_population(filters, user)
    if population is None:
        return None

    sources = dict(population.values_list("pk", "source"))
    outcomes = first_match_outcomes(list(sources))
    per_code: dict[str, set[int]] = defaultdict(set)
    for invoice_id, code in InvoiceException.objects.filter(invoice_id__in=list(sources)).values_list(
        "invoice_id", "code"
    ):
        per_code[code].add(invoice_id)
    invoice = DocumentKind.INVOICE
    count = len(sources)
    return InvoiceKpis(
        count=count,
        electronic=sum(1 for source in sources.values() if source != Received.MANUAL),
        matched=len(outcomes),
        first_time=sum(1 for matched in outcomes.values() if matched),
        with_exception=len(set().union(*per_code.values())) if per_code else 0,
        exceptions=[
            ExceptionRate(
                code,
                len(ids),
                percent(len(ids), count),
                filters.history_url(kind=invoice, in_spend="on", exception=code),
                exception_label(code),
            )
            for code, ids in sorted(per_code.items(), key=lambda item: (-len(item[1]), item[0]))
        ],
        urls={
            "all": filters.history_url(kind=invoice, in_spend="on"),
            "electronic": filters.history_url(kind=invoice, in_spend="on", electronic="yes"),
            "first_time": filters.history_url(kind=invoice, in_spend="on", first_match="yes"),
        },
    )


@dataclasses.dataclass
class Maverick:
    amount: Decimal
    invoiced: Decimal
    count: int
    url: str

    @property
    def pct(self) -> Decimal | None:
        return percent(self.amount, self.invoiced)


def maverick_spend(filters: DashboardFilters, user: Any, convert: Converter) -> Maverick | None:
    """Invoiced amounts that refer to no purchase order (None without invoicing)."""
    population = invoice_population(filters, user)
    if population is None:
        return None
    from django.db.models import Count
    from django.db.models.functions import Coalesce

    invoiced = amount = Decimal(0)
    count = 0
    rows = (
        population.annotate(
            value=Coalesce("total", "due_amount"), maverick=Count("pk", filter=invoice_without_order())
        )
        .values_list("currency", "value", "maverick")
        .order_by()
    )
    for currency, value, is_maverick in rows:
        converted = convert(value, currency)
        invoiced += converted
        if is_maverick:
            amount += converted
            count += 1
    return Maverick(
        convert.money(amount),
        convert.money(invoiced),
        count,
        filters.history_url(kind=DocumentKind.INVOICE, in_spend="on", without_po="yes"),
    )


def on_time_delivery(filters: DashboardFilters, user: Any) -> Delivery | None:
    """Order lines whose need-by date is in the period (and past): how many were fully received by it."""
    if not _installed("fulfilment"):
        return None
    from django.db.models import Max
    from django.utils import timezone

    orders = PurchaseOrderSource().filtered(
        dataclasses.replace(filters.history_filters(), month_from=None, month_to=None, in_spend=True), user
    )
    today = timezone.localdate()
    start, end = filters.month_from, min(next_month(filters.month_to) - timedelta(days=1), today)
    lines = (
        PurchaseOrderLine.objects.filter(purchase_order__in=orders, need_by__gte=start, need_by__lte=end)
        .annotate(
            last=Max("receipt_lines__receipt__received_at", filter=Q(receipt_lines__receipt__kind="receipt"))
        )
        .values_list(
            "need_by", "quantity", "fulfilment__received_quantity", "fulfilment__rejected_quantity", "last"
        )
        .order_by()
    )
    due = on_time = 0
    for need_by, quantity, received, rejected, last in lines:
        due += 1
        expected = Decimal(quantity) - Decimal(rejected or 0)
        if (
            last is not None
            and need_by is not None  # always: filtered on need_by above
            and Decimal(received or 0) >= expected
            and timezone.localdate(last) <= need_by
        ):
            on_time += 1
    return Delivery(
        due,
        on_time,
        filters.history_url(kind=DocumentKind.PURCHASE_ORDER, in_spend="on", due="yes"),
    )


def process_dashboard(filters: DashboardFilters, user: Any) -> ProcessDashboard:
    """Requisition-to-order cycle time and approval time per step, for requisitions raised in the period."""
    requisitions = RequisitionSource().filtered(filters.history_filters(), user)
    assert requisitions is not None  # no filter of a dashboard leaves requisitions out
    ordered: dict[int, tuple[Any, Any]] = {}
    for requisition_id, at, submitted_at in (
        RequisitionEvent.objects.filter(to_status=RequisitionStatus.ORDERED, requisition__in=requisitions)
        .values_list("requisition_id", "created_at", "requisition__submitted_at")
        .order_by("created_at", "id")
    ):
        if submitted_at is not None:
            ordered.setdefault(requisition_id, (at, submitted_at))
    cycle = durations(
        [at - submitted for at, submitted in ordered.values()],
        url=filters.history_url(kind=DocumentKind.REQUISITION, ordered="yes"),
    )
    per_step: dict[str, list[timedelta]] = defaultdict(list)
    first_position: dict[str, int] = {}
    for position, name, started, finished in (
        ApprovalStep.objects.filter(
            status=StepStatus.APPROVED,
            request__requisition__in=requisitions,
            activated_at__isnull=False,
            completed_at__isnull=False,
        )
        .values_list("position", "name", "activated_at", "completed_at")
        .order_by("position", "id")
    ):
        first_position.setdefault(name, position)
        assert started is not None and finished is not None  # filtered on isnull=False above
        per_step[name].append(finished - started)
    steps = [
        durations(
            per_step[name],
            url=filters.history_url(kind=DocumentKind.REQUISITION, step=name),
            label=name,
        )
        for name in sorted(per_step, key=lambda n: (first_position[n], n))
    ]
    return ProcessDashboard(
        cycle_time=cycle,
        approval_steps=steps,
        invoices=invoice_kpis(filters, user),
        delivery=on_time_delivery(filters, user),
    )
