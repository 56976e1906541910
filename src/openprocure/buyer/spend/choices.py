"""Kinds of documents in the purchase history and dimensions of the monthly spend summary."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    REQUISITION = "requisition", _("Requisition")  # a request to buy
    PURCHASE_ORDER = "purchase_order", _("Purchase order")  # an order sent to a supplier
    RECEIPT = "receipt", _("Goods receipt")  # goods received against an order
    INVOICE = "invoice", _("Invoice")  # a supplier's bill


class Dimension(models.TextChoices):
    TOTAL = "total", _("Total")  # one row per slice: amounts, order counts
    SUPPLIER = "supplier", _("Supplier")  # key = supplier id
    SEGMENT = "segment", _("UNSPSC segment")  # key = first two digits ("" when uncategorised)
    FAMILY = "family", _("UNSPSC family")  # key = first four digits ("" when uncategorised)
