"""``catalog-export --business ID --format cif|bmecat [--since DATE] [--output FILE]``: a business's
catalog as CIF 3.0 or BMEcat 2005, streamed (constant memory), with a progress bar on stderr."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from datetime import date, datetime
from datetime import time as day_start
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openprocure.supplier.business.models import Business
from openprocure.supplier.catalog import export
from openprocure.supplier.catalog.choices import ExportFormat
from openprocure.supplier.catalog.management.progress import ProgressBar


class Command(BaseCommand):
    help = "Export a business's catalog as CIF 3.0 or BMEcat 2005 (to a file, or to stdout)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--business", type=int, required=True, help="The business's number (its id).")
        parser.add_argument("--format", choices=ExportFormat.values, required=True)
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help="YYYY-MM-DD: only the prices changed since that day (CIF incremental, BMEcat T_UPDATE_PRICES).",
        )
        parser.add_argument("--output", help="File to write (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        business = Business.objects.filter(pk=options["business"]).first()
        if business is None:
            raise CommandError(f"No business {options['business']}.")
        since = options["since"]
        moment = timezone.make_aware(datetime.combine(since, day_start.min)) if since else None
        total = export.catalog_products(business, since=moment).count()
        if moment is not None and total == 0:
            raise CommandError(f"No price changed since {since.isoformat()}: there is nothing to update.")
        bar = ProgressBar(self.stderr, total=total, label=f"exporting {options['format']}")
        started = time.monotonic()
        with ExitStack() as stack:
            out = (
                stack.enter_context(open(options["output"], "wb")) if options["output"] else sys.stdout.buffer
            )
            written = export.write(
                business, out, format=options["format"], since=moment, progress=bar.advance
            )
            out.flush()
        bar.finish()
        self.stderr.write(f"Exported {written:,} products in {time.monotonic() - started:.1f} s.")
