"""Demo data of invoicing (called by the buyer's ``seed_demo``, in demo mode)."""

from __future__ import annotations

from openprocure.buyer.invoicing.models import SupplierIdentifier
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.demo import require_demo_mode
from openprocure.core.settings_base import DEMO_SIRENS


def seed_identifiers() -> None:
    """The Marketplace's SIREN, so its e-invoices (uploaded or through the platform) are recognised."""
    require_demo_mode()
    supplier = Supplier.objects.filter(name="Marketplace").first()
    if supplier is not None:
        SupplierIdentifier.objects.get_or_create(
            supplier=supplier, scheme="siren", value=DEMO_SIRENS["supplier"]
        )
