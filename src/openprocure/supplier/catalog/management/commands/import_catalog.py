"""``import_catalog FILE``: load products from a CSV file (columns in ``catalog.importer``) or a
marketplace seller's BMEcat catalog (``--format bmecat``, the default for ``.xml`` files)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openprocure.supplier.catalog.importer import (
    ImportFileError,
    ImportReport,
    count_bmecat_products,
    count_rows,
    import_bmecat,
    import_csv,
)
from openprocure.supplier.catalog.management.progress import ProgressBar


class Command(BaseCommand):
    help = "Import products from a CSV file or a BMEcat catalog; rows with errors are skipped and listed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "file", help="CSV file (UTF-8, header row) or BMEcat XML; see docs/catalog-import.md."
        )
        parser.add_argument(
            "--format",
            choices=("csv", "bmecat"),
            help="The file's format (default: bmecat for a .xml file, csv otherwise).",
        )
        parser.add_argument(
            "--seller",
            default="",
            help="BMEcat: the seller of the products (default: the catalog's SUPPLIER_NAME).",
        )
        parser.add_argument(
            "--fulfilled-by",
            choices=("us", "seller"),
            default="seller",
            help="BMEcat: who ships new products (default: the seller).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        kind = options["format"] or ("bmecat" if path.lower().endswith(".xml") else "csv")
        report = self._bmecat(path, options) if kind == "bmecat" else self._csv(path)
        for message in report.errors:
            self.stderr.write(message)
        self.stdout.write(
            f"{report.rows:,} rows read: {report.inserted:,} products added, {report.updated:,} updated, "
            f"{len(report.errors):,} rows refused."
        )

    def _csv(self, path: str) -> ImportReport:
        try:
            stream = open(path, encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        with stream:
            bar = ProgressBar(self.stdout, total=count_rows(stream), label="importing")
            try:
                report = import_csv(stream, progress=bar.advance)
            except ImportFileError as error:
                raise CommandError(str(error)) from error
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from error
            bar.finish()
        return report

    def _bmecat(self, path: str, options: dict[str, Any]) -> ImportReport:
        try:
            stream = open(path, "rb")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        with stream:
            bar = ProgressBar(self.stdout, total=count_bmecat_products(stream), label="importing")
            try:
                report = import_bmecat(
                    stream,
                    seller=options["seller"],
                    fulfilled_by=options["fulfilled_by"],
                    progress=bar.advance,
                )
            except ImportFileError as error:
                raise CommandError(str(error)) from error
            bar.finish()
        return report
