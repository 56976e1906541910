"""Who may see which invoice: one rule, used by the pages and by the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role


def visible_invoices(user: Any) -> QuerySet[Invoice]:
    """Accounts-payable clerks (and superusers) see every invoice; nobody else sees any: a page or
    the API answers 404 as if it did not exist."""
    rows = Invoice.objects.select_related("supplier")
    return rows if has_role(user, Role.AP_CLERK) else rows.none()
