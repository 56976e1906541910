from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import NewestFirst


class SupplierAccount(NewestFirst):
    """A supplier's account on the supplier portal: a person of the supplier, signed in with the
    address its purchase orders go to, who sees every order of that supplier and nothing else of
    the buyer suite (``supplierportal.middleware``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_account"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="portal_accounts")

    class Meta(NewestFirst.Meta):
        verbose_name = _("supplier account")
        verbose_name_plural = _("supplier accounts")

    def __str__(self) -> str:
        return f"{self.user.email} ({self.supplier})"
