"""``import_catalog FILE``: load products from a CSV file (columns in ``catalog.importer``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openprocure.supplier.catalog.importer import ImportFileError, count_rows, import_csv
from openprocure.supplier.catalog.management.progress import ProgressBar


class Command(BaseCommand):
    help = "Import products from a CSV file; rows with errors are skipped and listed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="CSV file (UTF-8, header row; see docs/catalog-import.md).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            stream = open(options["file"], encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from error
        with stream:
            bar = ProgressBar(self.stdout, total=count_rows(stream), label="importing")
            try:
                report = import_csv(stream, progress=bar.advance)
            except ImportFileError as error:
                raise CommandError(str(error)) from error
            except UnicodeDecodeError as error:
                raise CommandError(f"{options['file']} is not UTF-8 text ({error.reason}).") from error
            bar.finish()
        for message in report.errors:
            self.stderr.write(message)
        self.stdout.write(
            f"{report.rows:,} rows read: {report.inserted:,} products added, {report.updated:,} updated, "
            f"{len(report.errors):,} rows refused."
        )
