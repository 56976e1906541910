"""The one write of spend visibility: rebuilding the monthly spend summary from the purchase orders.

This is where the rules of "what counts as spend" live:

- spend is the amount of every line of every purchase order that is not cancelled, in the month
  the order was created (local time zone), in the order's currency;
- a line is *structured* when it came from a PunchOut cart or a catalog (its requisition line is
  not free text);
- a line's cost centers and shares are its accounting distributions as frozen on the order;
- a line's legal entity is the one of the requisition's ship-to address;
- a line carries a *list price* when it has one of the ``SPEND_LIST_PRICE_EXTRINSICS`` extrinsics
  (price per price basis quantity, in the line currency); its list value is list price × quantity
  ÷ price basis quantity;
- an order is *electronic* when at least one cXML OrderRequest was stored for it.

Sums are exact: amounts are added as integers of 1/10,000 of the currency unit. The periodic task
rebuilds only the months whose orders changed since its previous run (orders record every change as
an event), and every month once a day.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from openprocure.buyer.organization.models import CostCenter
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Transmission,
)
from openprocure.buyer.spend.choices import Dimension
from openprocure.buyer.spend.history import first_moment, next_month
from openprocure.buyer.spend.models import ALL, MonthlySpend, SummaryRefresh
from openprocure.core.tunables import tunable

_SCALE = 4  # amounts are accumulated as integers of 10**-4 currency units
_ONE = Decimal(1).scaleb(-_SCALE)


def _units(value: Any) -> int:
    return int(Decimal(value).quantize(_ONE).scaleb(_SCALE))


def _amount(units: int) -> Decimal:
    return Decimal(units).scaleb(-_SCALE)


def category_keys(unspsc: str) -> tuple[str, str]:
    """(segment, family) of a UNSPSC code; ("", "") when fewer than four characters say nothing."""
    code = (unspsc or "").strip()
    if len(code) < 4:
        return "", ""
    return code[:2], code[:4]


def list_price_of(extrinsics: Any, names: Sequence[str]) -> Decimal | None:
    """The list price carried by a line's extrinsics under one of ``names`` (the tunable
    ``SPEND_LIST_PRICE_EXTRINSICS``, read once by the caller), or None when absent or unreadable."""
    if not isinstance(extrinsics, dict):
        return None
    for name in names:
        value = extrinsics.get(name)
        if value in (None, ""):
            continue
        try:
            price = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return price if price.is_finite() and price >= 0 else None
    return None


class _Accumulator:
    """Sums per (month, entity, cost center, dimension, key, currency), and order sets per slice."""

    def __init__(self) -> None:
        # [amount, structured, listed, list value, lines] in 10**-4 units
        self.sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        self.orders: dict[tuple[Any, ...], set[int]] = defaultdict(set)
        self.electronic: dict[tuple[Any, ...], set[int]] = defaultdict(set)

    def add(
        self,
        slice_key: tuple[date, int, int],
        *,
        currency: str,
        keys: tuple[tuple[str, str], ...],
        amount: int,
        structured: bool,
        list_value: int | None,
        order_id: int,
        electronic: bool,
    ) -> None:
        for dimension, key in keys:
            row = self.sums[(*slice_key, dimension, key, currency)]
            row[0] += amount
            if structured:
                row[1] += amount
            if list_value is not None:
                row[2] += amount
                row[3] += list_value
            row[4] += 1
        self.orders[(*slice_key, currency)].add(order_id)
        if electronic:
            self.electronic[(*slice_key, currency)].add(order_id)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """One tuple per summary row, in the order of :data:`_COLUMNS`."""
        for (month, entity, cost_center, dimension, key, currency), values in self.sums.items():
            orders = electronic = 0
            if dimension == Dimension.TOTAL:
                orders = len(self.orders[(month, entity, cost_center, currency)])
                electronic = len(self.electronic.get((month, entity, cost_center, currency), ()))
            yield (
                month,
                entity,
                cost_center,
                dimension,
                key,
                currency,
                _amount(values[0]),
                _amount(values[1]),
                _amount(values[2]),
                _amount(values[3]),
                values[4],
                orders,
                electronic,
            )


_COLUMNS = (
    "month",
    "legal_entity_id",
    "cost_center_id",
    "dimension",
    "key",
    "currency",
    "amount",
    "structured_amount",
    "listed_amount",
    "list_amount",
    "lines",
    "orders",
    "electronic_orders",
)


def _write(rows: Iterator[tuple[Any, ...]], batch_size: int) -> int:
    """Insert summary rows with plain ``executemany`` (``bulk_create`` on SQLite is capped at 999
    parameters a statement, i.e. 76 rows: 20× slower here)."""
    table = connection.ops.quote_name(MonthlySpend._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    count = 0
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, batch_size)):
            # Dates as ISO text and Decimals as they are: both database drivers take them.
            cursor.executemany(sql, [(row[0].isoformat(), *row[1:]) for row in batch])
            count += len(batch)
    return count


def touched_months(*, since: Any) -> list[date]:
    """Months (of order creation) of the orders created or changed since ``since``.

    Every change to an order goes through the purchasing services, which record a
    ``PurchaseOrderEvent`` (sent, accepted, changed, cancelled…), so events tell what moved.
    """
    changed = PurchaseOrderEvent.objects.filter(created_at__gte=since).values("purchase_order_id")
    zone = timezone.get_current_timezone()
    created = PurchaseOrder.objects.filter(Q(pk__in=changed) | Q(created_at__gte=since)).values_list(
        "created_at", flat=True
    )
    return sorted({timezone.localtime(moment, zone).date().replace(day=1) for moment in created})


def refresh_monthly_spend(*, full: bool | None = None, batch_size: int = 5000) -> SummaryRefresh:
    """Rebuild the monthly spend summary: every month (``full``), or only the months whose orders
    were created or changed since the previous refresh started. One transaction: readers keep
    seeing the previous summary until the new one is committed.

    ``full=None`` (the periodic task) rebuilds everything when there was no refresh yet or the last
    full one is older than ``SPEND_FULL_REFRESH_HOURS``.
    """
    last = SummaryRefresh.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    if full is None:
        last_full = SummaryRefresh.objects.filter(finished_at__isnull=False, full=True).order_by(
            "-started_at"
        )
        newest_full = last_full.values_list("started_at", flat=True).first()
        full = newest_full is None or timezone.now() - newest_full > timedelta(
            hours=tunable("SPEND_FULL_REFRESH_HOURS")
        )
    full = full or last is None
    run = SummaryRefresh.objects.create(full=full)
    months = [] if full or last is None else touched_months(since=last.started_at)
    run.months = [month.isoformat() for month in months]
    if not full and not months:
        run.finished_at = timezone.now()
        run.save(update_fields=["months", "finished_at"])
        return run
    cost_centers = dict(CostCenter.objects.values_list("code", "id"))
    electronic_orders = set(Transmission.objects.values_list("purchase_order_id", flat=True).distinct())
    zone = timezone.get_current_timezone()
    order_months: dict[int, date] = {}
    totals = _Accumulator()
    lines = (
        PurchaseOrderLine.objects.exclude(purchase_order__status=POStatus.CANCELLED)
        .values_list(
            "purchase_order_id",
            "purchase_order__created_at",
            "purchase_order__supplier_id",
            "purchase_order__currency",
            "purchase_order__requisition__ship_to__legal_entity_id",
            "amount",
            "unspsc",
            "distributions",
            "extrinsics",
            "quantity",
            "price_basis_quantity",
            "requisition_line__is_free_text",
        )
        .order_by()
    )
    if not full:
        period = Q()
        for month in months:
            period |= Q(
                purchase_order__created_at__gte=first_moment(month),
                purchase_order__created_at__lt=first_moment(next_month(month)),
            )
        lines = lines.filter(period)
    count = 0
    list_price_names = tuple(tunable("SPEND_LIST_PRICE_EXTRINSICS"))
    for (
        order_id,
        created_at,
        supplier_id,
        currency,
        entity_id,
        amount,
        unspsc,
        distributions,
        extrinsics,
        quantity,
        basis,
        free_text,
    ) in lines.iterator(chunk_size=batch_size):
        count += 1
        if order_id in order_months:
            month = order_months[order_id]
        else:
            month = order_months[order_id] = timezone.localtime(created_at, zone).date().replace(day=1)
        line_units = _units(amount)
        segment, family = category_keys(unspsc)
        keys = (
            (Dimension.TOTAL.value, ""),
            (Dimension.SUPPLIER.value, str(supplier_id)),
            (Dimension.SEGMENT.value, segment),
            (Dimension.FAMILY.value, family),
        )
        price = list_price_of(extrinsics, list_price_names)
        list_units = None
        if price is not None:
            divisor = Decimal(basis or 1) or Decimal(1)
            list_units = _units(price * Decimal(quantity) / divisor)
        shares = []
        for distribution in distributions or ():
            cost_center_id = cost_centers.get(distribution.get("cost_center"))
            if cost_center_id is not None:
                shares.append((cost_center_id, _units(distribution.get("amount") or 0)))
        electronic = order_id in electronic_orders
        structured = free_text is False
        add = partial(
            totals.add,
            currency=currency,
            keys=keys,
            structured=structured,
            order_id=order_id,
            electronic=electronic,
        )
        for entity in (ALL, entity_id) if entity_id else (ALL,):
            add((month, entity, ALL), amount=line_units, list_value=list_units)
            for cost_center_id, share in shares:
                share_list = None
                if list_units is not None:
                    share_list = list_units * share // line_units if line_units else 0
                add((month, entity, cost_center_id), amount=share, list_value=share_list)
    with transaction.atomic():
        stale = MonthlySpend.objects.all() if full else MonthlySpend.objects.filter(month__in=months)
        stale.delete()
        written = _write(totals.rows(), batch_size)
        run.finished_at = timezone.now()
        run.lines_read = count
        run.rows_written = written
        run.save(update_fields=["months", "finished_at", "lines_read", "rows_written"])
    return run
