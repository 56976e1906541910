"""``seed_orders_demo``: demo order settings (buyer cXML URL, outbound secrets, automatic fulfilment)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openprocure.supplier.orders.demo import seed_order_settings


class Command(BaseCommand):
    help = "Seed the demo's order settings (only with OPENPROCURE_DEMO=1)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = seed_order_settings()
        self.stdout.write(f"order settings ready for {count} integration(s)")
