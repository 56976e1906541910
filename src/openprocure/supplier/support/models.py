"""What support representatives looked up, so every PO lookup leaves a trace (who, what, when)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.fields import optional_link


class LookupRecord(models.Model):
    """One PO lookup by a support representative: the query, what it found, and when."""

    who = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    query = models.CharField(_("searched for"), max_length=250)
    order = optional_link("orders.Order")
    results = models.PositiveIntegerField(_("results"), default=0)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("PO lookup")
        verbose_name_plural = _("PO lookups")

    def __str__(self) -> str:
        return f"{self.who} {self.query!r} {self.at:%Y-%m-%d %H:%M}"
