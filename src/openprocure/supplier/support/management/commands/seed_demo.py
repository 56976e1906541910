"""``seed_demo``: the demo storefront "Marketplace", its staff, businesses and catalog (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from openprocure.core.demo import demo_user, require_demo_mode
from openprocure.supplier.business.demo import seed_businesses, send_invoices_through_platform
from openprocure.supplier.orders.demo import seed_order_settings


class Command(BaseCommand):
    help = "Seed the storefront's demo data (only with OPENPROCURE_DEMO=1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--products", type=int, default=50_000, help="Catalog size to generate.")
        parser.add_argument(
            "--einvoicing-platform",
            action="store_true",
            help="Acme's invoices go as Factur-X through the demo's shared e-invoicing platform.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode()
        with transaction.atomic():
            demo_user("operator@marketplace.test", first_name="Olivia", last_name="Operator", superuser=True)
            demo_user("support@marketplace.test", first_name="Sam", last_name="Support", staff=True)
            seed_businesses()
            # The demo buyer suite's cXML endpoint, the outbound secrets, and automatic shipping of
            # demo orders after the delay the settings promise.
            seed_order_settings()
            if options["einvoicing_platform"]:
                send_invoices_through_platform("Acme Industries")
        call_command("generate-catalog", products=options["products"], stdout=self.stdout)
        self.stdout.write("supplier demo data ready")
