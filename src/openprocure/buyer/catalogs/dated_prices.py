"""Dated prices day by day: the price columns of an item whose file dates its prices follow the calendar.

An item with ``price_periods`` stores, for the search and the changes, the price of one day in
``unit_price``, ``price_tiers`` and ``price_e4``; :func:`listed_on` is the one rule that chooses them,
used by the file check (on the day of the check) and by the periodic task (on each new day):

- the period in force on the day (``models.covering_period``, as ``CatalogItem.price_for``): its
  first-tier price and tiers, and ``price_e4`` its exact integer price;
- no period in force that day: ``unit_price`` and ``price_tiers`` are those of the next period to
  come, else of the last to end (the item's listed price, which the changes compare on), and
  ``price_e4`` is null: the search's price range matches it on no bound, as the Shop shows no price
  that day and the item cannot be ordered from the catalog.

:func:`follow` is the periodic task's work (``tasks.follow_dated_prices``): for each version in
force whose items were last set for another day (``CatalogVersion.prices_on``), it sets the columns
of its dated items for today, in batches, writing only the items whose price changed, and marks the
version. Any number of runs a day change nothing after the first; a version that comes into force
during the day is followed at the task's next look.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion, covering_period

#: The columns :func:`follow` rewrites.
COLUMNS = ("unit_price", "price_tiers", "price_e4")


@dataclass(frozen=True)
class Listed:
    """The price columns of a dated item on one day."""

    unit_price: Decimal | None
    tiers: list[list[str]]
    price_e4: int | None


def listed_on(periods: list[dict[str, Any]], day: date) -> Listed:
    """The price columns of an item with these dated prices (as in ``CatalogItem.price_periods``,
    at least one) on ``day``: see the module's documentation."""
    in_force = covering_period(periods, day)
    chosen = in_force
    if chosen is None:
        text = day.isoformat()
        coming = [period for period in periods if (period["from"] or "") > text]
        chosen = (
            min(coming, key=lambda period: period["from"])
            if coming
            else max(periods, key=lambda period: period["until"] or "")
        )
    price = Decimal(chosen["price"]) if chosen["price"] else None
    return Listed(
        unit_price=price,
        tiers=chosen["tiers"],
        price_e4=CatalogItem.e4(price) if in_force is not None else None,
    )


def listed_today(
    rows: list[tuple[Any, ...]], columns: tuple[str, ...], *, day: date | None = None
) -> list[tuple[tuple[Any, ...], int | None]]:
    """Item rows about to be written (values in ``columns`` order), each with its ``price_e4``; a
    dated row's ``unit_price`` and ``price_tiers`` replaced by those listed on ``day`` (today)."""
    day = day or timezone.localdate()
    price, tiers, periods = (columns.index(name) for name in ("unit_price", "price_tiers", "price_periods"))
    written = []
    for row in rows:
        if not row[periods]:
            written.append((row, CatalogItem.e4(row[price])))
            continue
        listed = listed_on(row[periods], day)
        values = list(row)
        values[price], values[tiers] = listed.unit_price, listed.tiers or None
        written.append((tuple(values), listed.price_e4))
    return written


def _changed(rows: Iterable[tuple[Any, ...]], day: date) -> list[CatalogItem]:
    """The items of ``rows`` (id and the columns as stored) whose columns differ on ``day``."""
    changed = []
    for pk, unit_price, tiers, price_e4, periods in rows:
        listed = listed_on(periods, day)
        new_tiers = listed.tiers or None
        if (CatalogItem.e4(unit_price), tiers, price_e4) != (
            CatalogItem.e4(listed.unit_price),
            new_tiers,
            listed.price_e4,
        ):
            changed.append(
                CatalogItem(
                    pk=pk, unit_price=listed.unit_price, price_tiers=new_tiers, price_e4=listed.price_e4
                )
            )
    return changed


def follow_version(version_id: int, day: date, *, batch_size: int) -> int:
    """Set the price columns of the dated items of one version for ``day`` and mark it; how many
    items changed. Reads ``batch_size`` items at a time (by id), so memory stays bounded."""
    items = (
        CatalogItem.objects.filter(version_id=version_id, price_periods__isnull=False)
        .order_by("pk")
        .values_list("pk", "unit_price", "price_tiers", "price_e4", "price_periods")
    )
    count, last = 0, 0
    while True:
        rows = list(items.filter(pk__gt=last)[:batch_size])
        if not rows:
            break
        last = rows[-1][0]
        changed = _changed(rows, day)
        if changed:
            with transaction.atomic():
                CatalogItem.objects.bulk_update(changed, COLUMNS, batch_size=batch_size)
            count += len(changed)
    CatalogVersion.objects.filter(pk=version_id).update(prices_on=day)
    return count


def follow(version_ids: Iterable[int], day: date, *, batch_size: int) -> dict[int, int]:
    """Set the dated items of each of ``version_ids`` (the versions in force) not yet set for ``day``;
    version id → how many of its items changed (versions already set for that day are left out)."""
    due = (
        CatalogVersion.objects.filter(pk__in=list(version_ids))
        .filter(Q(prices_on__isnull=True) | ~Q(prices_on=day))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {version_id: follow_version(version_id, day, batch_size=batch_size) for version_id in due}
