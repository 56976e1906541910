"""``generate-catalog --products N [--seed S]``: a realistic synthetic catalog (deterministic, idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openprocure.supplier.catalog.generator import generate_catalog
from openprocure.supplier.catalog.management.progress import ProgressBar
from openprocure.supplier.catalog.models import Product


class Command(BaseCommand):
    help = "Grow the catalog to N generated products (same seed and N give the same products)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--products", type=int, required=True, help="Catalog size to reach.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["products"]
        if wanted < 0:
            raise CommandError("--products must be 0 or more.")
        existing = Product.objects.count()
        if existing >= wanted:
            self.stdout.write(f"The catalog already has {existing:,} products; nothing to generate.")
            return
        started = time.monotonic()
        bar = ProgressBar(self.stdout, total=wanted - existing, label="generating")
        added = generate_catalog(products=wanted, seed=options["seed"], progress=bar.advance)
        bar.finish()
        self.stdout.write(f"Generated {added:,} products in {time.monotonic() - started:.1f} s.")
