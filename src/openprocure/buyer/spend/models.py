"""The monthly spend summary the dashboards read, and the log of its refreshes.

Why a summary table (a documented choice): purchase-order lines carry their cost centers in a JSON
list of distributions and their legal entity two joins away, so filtering a million lines live
by cost center or entity cannot answer within a second on SQLite. A task
(:func:`openprocure.buyer.spend.services.refresh_monthly_spend`) reads every line once and writes
one row per month × slice × dimension key × currency, where a slice is (entity or all) × (cost
center or all). A dashboard then reads one slice through one index, whatever the number of lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.spend.choices import Dimension
from openprocure.core.fields import currency_field

#: ``legal_entity_id`` / ``cost_center_id`` value of the rows that cover every entity / cost center.
ALL = 0


class MonthlySpend(models.Model):
    """Purchase-order spend of one month, one slice and one dimension key, in one currency.

    Amounts are sums of line amounts (or of their cost-center shares in a cost-center slice),
    computed exactly in Python ``Decimal`` when the summary is refreshed.
    """

    month = models.DateField(_("month"))
    legal_entity_id = models.IntegerField(_("legal entity"), default=ALL)
    cost_center_id = models.IntegerField(_("cost center"), default=ALL)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=32, blank=True)
    currency = currency_field()
    amount = models.DecimalField(_("spend"), max_digits=22, decimal_places=4, default=Decimal(0))
    structured_amount = models.DecimalField(
        _("PunchOut and catalog spend"), max_digits=22, decimal_places=4, default=Decimal(0)
    )
    listed_amount = models.DecimalField(
        _("spend on lines with a list price"), max_digits=22, decimal_places=4, default=Decimal(0)
    )
    list_amount = models.DecimalField(
        _("list value of those lines"), max_digits=22, decimal_places=4, default=Decimal(0)
    )
    lines = models.PositiveIntegerField(_("lines"), default=0)
    orders = models.PositiveIntegerField(_("purchase orders"), default=0)
    electronic_orders = models.PositiveIntegerField(_("purchase orders sent as cXML"), default=0)

    class Meta:
        verbose_name = _("monthly spend")
        verbose_name_plural = _("monthly spend")
        indexes = [
            models.Index(
                fields=["legal_entity_id", "cost_center_id", "dimension", "month"], name="spend_slice_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}={self.key} {self.amount} {self.currency}"


class SummaryRefresh(models.Model):
    """One rebuild of the monthly spend summary (every month, or only the months whose orders changed
    since the previous run): when, how long, how much was read and written."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    full = models.BooleanField(_("every month rebuilt"), default=True)
    months = models.JSONField(_("months rebuilt"), default=list, blank=True)
    lines_read = models.PositiveIntegerField(_("order lines read"), default=0)
    rows_written = models.PositiveIntegerField(_("summary rows written"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("spend summary refresh")
        verbose_name_plural = _("spend summary refreshes")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
