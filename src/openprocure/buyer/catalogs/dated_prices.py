"""Dated prices day by day: the price columns of an item whose file dates its prices follow the calendar.

An item with ``price_periods`` stores the price of one day in ``unit_price``, ``price_tiers`` and
``price_e4`` (the exact integer price the search's price range filters on); :func:`listed_on` is the
one rule that chooses them for a day, used by the file check and by the daily update:

- the period in force on the day (``models.covering_period``, as ``CatalogItem.price_for``): its
  first-tier price and tiers, and ``price_e4`` its exact integer price;
- no period in force that day: ``unit_price`` and ``price_tiers`` are those of the next period to
  come, else of the last to end (the item's listed price), and ``price_e4`` is null: no price range
  of the search matches it, as the Shop shows no price that day and the item cannot be ordered from
  the catalog.

The check (``validation``) stores ``unit_price`` and ``price_tiers`` listed on the day of the check,
and ``price_e4`` the exact integer of that ``unit_price``: the changes against the version in force
compare on it, and a version not in force is never searched. From the moment a version is in force
its columns are the day's: :func:`follow_version` sets them at publication when it is in force at
once (``services.publish``), and :func:`follow`, the periodic task's work
(``tasks.follow_dated_prices``), sets them for each version in force whose items were last set for
another day (``CatalogVersion.prices_on``): once a day, on the task's first look of the day or of the
day a version published for a later date came into force. It reads the dated items in batches by id
(bounded memory) and writes only those whose columns changed; any later run the same day does
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion, covering_period

#: The columns :func:`follow` rewrites, one ``executemany`` per batch (as the import writes items: Django's
#: ``bulk_update`` of model instances took 3.3 s of CPU for 5,000 items, this 0.02 s).
COLUMNS = ("unit_price", "price_tiers", "price_e4")
_UPDATE = (
    f"UPDATE {CatalogItem._meta.db_table} SET "  # noqa: S608 - our own table and column names
    + ", ".join(f"{column} = %s" for column in COLUMNS)
    + " WHERE id = %s"
)


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


def _changed(rows: Iterable[tuple[Any, ...]], day: date) -> list[tuple[Any, ...]]:
    """The new columns (in :data:`COLUMNS` order, then the id) of the items of ``rows`` (id and the
    columns as stored, then the dated prices) whose columns differ on ``day``."""
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
                (listed.unit_price, json.dumps(new_tiers) if new_tiers else None, listed.price_e4, pk)
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
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(_UPDATE, changed)
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
