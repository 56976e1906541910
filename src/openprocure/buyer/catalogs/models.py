"""Hosted catalogs: the catalog files suppliers send (CIF or BMEcat), kept as versions, and their items.

A supplier's catalog is a series of :class:`CatalogVersion` rows, one per uploaded file. The worker
reads and checks each file; a version whose every row passed waits for a procurement administrator
to publish it, with the date from which it is in force. The *current* version of a supplier is its
published version with the latest effective date that has come; only its items are searched and
ordered. Older versions are kept (with their file) for the record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.catalogs.choices import (
    PROBLEM_TEXTS,
    CatalogFormat,
    ChangeKind,
    EventKind,
    Problem,
    VersionStatus,
)
from openprocure.core.audit import AuditEvent
from openprocure.core.fields import optional_link, price_field
from openprocure.core.status import status_field


def covering_period(periods: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    """The dated price (as in :attr:`CatalogItem.price_periods`) covering ``day``: of those that do,
    the one starting last (the first written when they start together); None when none covers it."""
    found: dict[str, Any] | None = None
    for period in periods:
        start, end = period["from"] or "", period["until"] or "9999-12-31"
        if start <= day.isoformat() <= end and (found is None or start > (found["from"] or "")):
            found = period
    return found


class CatalogVersion(models.Model):
    """One catalog file a supplier sent (uploaded by an administrator or through the API), its checks
    and, once published, the date from which its items and prices are in force.

    ``rows_read`` of ``rows_expected`` follows the worker's reading for the page's progress bar
    (``rows_expected`` is the ITEMCOUNT header or an estimate from the file's lines). ``changes`` holds
    the counts of the difference against ``base`` (the version that was current when it was checked).
    """

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="catalog_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    format = models.CharField(_("format"), max_length=8, choices=CatalogFormat.choices)
    status = status_field(VersionStatus, VersionStatus.UPLOADED, db_index=True)
    file_name = models.CharField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = optional_link(settings.AUTH_USER_MODEL, _("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    incremental = models.BooleanField(_("incremental load"), default=False)
    header = models.JSONField(_("header"), default=dict, blank=True)
    rows_expected = models.PositiveIntegerField(_("rows expected"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    # When a worker started reading it (the housekeeping fails a check still running long after).
    started_at = models.DateTimeField(_("check started"), null=True, blank=True)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    base = optional_link("self", _("compared with"), related_name="+")
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    published_by = optional_link(settings.AUTH_USER_MODEL, _("published by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    effective_from = models.DateTimeField(_("in force from"), null=True, blank=True, db_index=True)
    # Whether the search index holds its items (from publication until a later version replaced it).
    indexed = models.BooleanField(default=False, editable=False)
    # The day its dated items' price columns were last set for, once in force (null: not yet, they
    # hold the day of the check); see catalogs.dated_prices.
    prices_on = models.DateField(_("prices of the day"), null=True, blank=True, editable=False)
    # Currency → how many of its items have a price in it, set by the check (an item's currency
    # never changes afterwards): the currencies the search offers, read without counting the items.
    currencies = models.JSONField(_("currencies"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "number"], name="unique_catalog_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} v{self.number}"

    @property
    def percent(self) -> int:
        """How far the worker has read, for the progress bar."""
        if self.status not in (VersionStatus.UPLOADED, VersionStatus.VALIDATING):
            return 100
        if not self.rows_expected:
            return 0
        return min(99, 100 * self.rows_read // self.rows_expected)

    @property
    def is_checking(self) -> bool:
        return self.status in (VersionStatus.UPLOADED, VersionStatus.VALIDATING)


class CatalogItem(models.Model):
    """One item of a catalog version: what the supplier sells, at which price, in which unit.

    ``price_e4`` is the unit price (for one order unit, the first tier) in ten-thousandths, an exact integer the search filters and sorts
    on (SQLite stores decimals as floating point). An item marked PunchOut-enabled may have no price:
    choosing it opens the supplier's site on that item.

    An item whose file dates its prices (BMEcat ``valid_start_date`` / ``valid_end_date``) keeps each
    dated price in ``price_periods``; the price in force on a day is that of the period covering it
    (:meth:`price_for`). Its ``unit_price`` / ``price_tiers`` / ``price_e4`` follow the calendar
    (``catalogs.dated_prices``): listed on the day of the check, then, while its version is in force,
    on each day (set at publication and by a periodic task), they are the period in force that day;
    on a day none is, ``unit_price`` / ``price_tiers`` are the next period to come (else the last)
    and, in a version in force, ``price_e4`` is null, so no price range of the search matches an item
    that has no price that day.
    """

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveIntegerField(_("line"))
    supplier_part_id = models.CharField(_("supplier part ID"), max_length=200)
    supplier_part_auxiliary_id = models.CharField(_("supplier part auxiliary ID"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    unspsc = models.CharField(_("UNSPSC"), max_length=16, blank=True)
    unit_price = price_field(_("unit price"), null=True, blank=True)
    price_e4 = models.BigIntegerField(null=True, blank=True, editable=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    manufacturer_name = models.CharField(_("manufacturer"), max_length=200, blank=True)
    manufacturer_part_id = models.CharField(_("manufacturer part ID"), max_length=200, blank=True)
    supplier_url = models.CharField(_("supplier URL"), max_length=1000, blank=True)
    punchout_enabled = models.BooleanField(_("PunchOut-enabled"), default=False)
    #: Lower prices from larger quantities on: ``[["10", "4.5000"], ["100", "4.1000"]]`` (smallest
    #: quantity in order units, unit price as text), smallest first; ``unit_price`` is the price below.
    #: Null when the item has none (a nullable column is added to a large table without rewriting it).
    price_tiers = models.JSONField(_("quantity tiers"), null=True, blank=True)
    #: Dated prices: ``[{"from": "2026-01-01", "until": "2026-06-30", "price": "4.5000", "tiers":
    #: [["10", "4.1000"]]}, ...]`` in the file's order (``from`` / ``until`` null when open, both days
    #: included). Null when the file dates no price: ``unit_price`` and ``price_tiers`` hold every day.
    price_periods = models.JSONField(_("dated prices"), null=True, blank=True)
    #: How many order units the file's price amounts are for (BMEcat ``PRICE_QUANTITY``); the prices
    #: stored are already divided by it. Null for 1. A price update divides its amounts by it.
    price_quantity = models.DecimalField(
        _("price quantity"), max_digits=14, decimal_places=4, null=True, blank=True
    )

    class Meta:
        ordering = ["version", "line", "id"]
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        indexes = [
            models.Index(fields=["version", "supplier_part_id"], name="catalog_item_part"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_part_id} {self.description[:40]}"

    @staticmethod
    def e4(price: Decimal | None) -> int | None:
        return None if price is None else int(price.scaleb(4).to_integral_value())

    def period_on(self, day: date) -> dict[str, Any] | None:
        return covering_period(self.price_periods or [], day)

    def price_for(self, quantity: Decimal, *, on: date | None = None) -> Decimal | None:
        """The unit price for ``quantity`` on the day ``on`` (today when None): that of the largest
        tier it reaches, else the first tier's. None when the item has no price (PunchOut) or its
        dated prices leave that day without one."""
        price, tiers = self.unit_price, self.price_tiers
        if self.price_periods:
            period = self.period_on(on or timezone.localdate())
            if period is None:
                return None
            price, tiers = Decimal(period["price"]), period["tiers"]
        for bound, tier_price in tiers or ():
            if quantity >= Decimal(bound):
                price = Decimal(tier_price)
        return price

    @property
    def price_today(self) -> Decimal | None:
        """The unit price of one order unit today (what the search shows)."""
        return self.price_for(Decimal(1))


class CatalogChange(models.Model):
    """One item that differs from the version published before (added, removed, price up or down)."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="item_changes")
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    supplier_part_id = models.CharField(_("supplier part ID"), max_length=200)
    supplier_part_auxiliary_id = models.CharField(_("supplier part auxiliary ID"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    old_price = price_field(_("old price"), null=True, blank=True)
    old_currency = models.CharField(_("old currency"), max_length=3, blank=True)
    new_price = price_field(_("new price"), null=True, blank=True)
    new_currency = models.CharField(_("new currency"), max_length=3, blank=True)
    percent = models.DecimalField(_("change (%)"), max_digits=12, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["version", "kind", "supplier_part_id", "id"]
        verbose_name = _("catalog change")
        verbose_name_plural = _("catalog changes")
        indexes = [models.Index(fields=["version", "kind"], name="catalog_change_kind")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.kind} {self.supplier_part_id}"


class CatalogProblem(models.Model):
    """Why one row of an uploaded file (or the file itself, line 0 or the line it stopped at) was
    refused: its line number, the field and the value as written."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(_("line"))
    code = models.CharField(_("problem"), max_length=24, choices=Problem.choices)
    field = models.CharField(_("field"), max_length=100, blank=True)
    value = models.TextField(_("value"), blank=True)

    class Meta:
        ordering = ["version", "line", "id"]
        verbose_name = _("catalog problem")
        verbose_name_plural = _("catalog problems")

    def __str__(self) -> str:
        return f"{self.version_id} line {self.line}: {self.code}"

    @property
    def text(self) -> str:
        """What is wrong, in the reader's language."""
        return str(PROBLEM_TEXTS[Problem(self.code)]) % {"field": self.field, "value": self.value}


class CatalogEvent(AuditEvent):
    """Something that happened to a catalog version: uploaded, checked, published, discarded."""

    SUBJECT = "version"
    KIND_LABELS = dict(EventKind.choices)

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=VersionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=VersionStatus.choices, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("catalog event")
        verbose_name_plural = _("catalog events")

    def __str__(self) -> str:
        return f"{self.version_id} {self.kind}"
