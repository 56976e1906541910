"""Every write to the catalog: bulk loads, updates that keep the search index in step, suggestions.

Rows go in with raw ``executemany`` in batches (the ORM's per-object overhead is most of the time
of a million-row load); the search index is told about new rows after each batch and about changed
rows before and after the change.
"""

# ruff: noqa: S608 - SQL text is built from this module's constants only; user input is always a parameter.

from __future__ import annotations

import logging
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.audit import record_event
from openprocure.core.choices import AdminEventKind
from openprocure.core.models import AdminEvent, User
from openprocure.core.status import set_status, set_status_where
from openprocure.core.storage import data_folder
from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import Business
from openprocure.supplier.catalog import export as catalog_export
from openprocure.supplier.catalog import taxonomy
from openprocure.supplier.catalog.choices import EXPORT_TRANSITIONS, ExportFormat, ExportStatus
from openprocure.supplier.catalog.models import (
    CatalogExport,
    CatalogVersion,
    Category,
    PriceTier,
    Product,
    SearchWord,
    Seller,
    Suggestion,
)
from openprocure.supplier.catalog.search import get_backend

logger = logging.getLogger(__name__)


@dataclass
class ProductRow:
    """One product to load, already validated."""

    asin: str
    title: str
    brand: str
    manufacturer: str
    manufacturer_part_number: str
    description: str
    unspsc: str
    unit_of_measure: str
    list_price: Decimal
    business_price: Decimal
    currency: str
    seller_id: int
    fulfilled_by_us: bool
    stock: int
    delivery_days: int
    tiers: list[tuple[int, Decimal]] = field(default_factory=list)
    title_fr: str = ""
    description_fr: str = ""


_PRODUCT_FIELDS = (
    "asin, title, brand, manufacturer, manufacturer_part_number, description, unspsc, unit_of_measure, "
    "list_price, business_price, currency, seller_id, fulfilled_by_us, stock, delivery_days, title_fr, "
    "description_fr"
)


def _values(row: ProductRow) -> tuple[str | int, ...]:
    return (
        row.asin,
        row.title,
        row.brand,
        row.manufacturer,
        row.manufacturer_part_number,
        row.description,
        row.unspsc,
        row.unit_of_measure,
        str(row.list_price),
        str(row.business_price),
        row.currency,
        row.seller_id,
        row.fulfilled_by_us,
        row.stock,
        row.delivery_days,
        row.title_fr,
        row.description_fr,
    )


def ensure_categories(*, codes: Iterable[str] = ()) -> None:
    """Store the built-in UNSPSC titles, plus any other ``codes`` (with their levels) untitled."""
    names = taxonomy.all_categories()
    for code in codes:
        for level in (code[:2] + "000000", code[:4] + "0000", code[:6] + "00", code):
            names.setdefault(level, "")
    existing = set(Category.objects.values_list("code", flat=True))
    Category.objects.bulk_create(
        [Category(code=code, name=name) for code, name in sorted(names.items()) if code not in existing],
        batch_size=500,
    )


def seller_ids(*, names: Iterable[str], marketplace_name: str = "") -> dict[str, int]:
    """Ids of the sellers named, creating the missing ones."""
    wanted = set(names)
    found = dict(Seller.objects.filter(name__in=wanted).values_list("name", "id"))
    for name in sorted(wanted - found.keys()):
        found[name] = Seller.objects.create(name=name, is_marketplace=name == marketplace_name).id
    return found


def bump_version() -> None:
    """Tell every search process that the catalog changed (a new random version, see CatalogVersion)."""
    version = secrets.randbits(62)
    if not CatalogVersion.objects.filter(pk=1).update(version=version):
        CatalogVersion.objects.create(pk=1, version=version)


def next_sales_rank() -> int:
    return (Product.objects.aggregate(top=Max("sales_rank"))["top"] or 0) + 1


def insert_products(*, rows: list[ProductRow]) -> int:
    """Insert new products (and their tiers) at the end of the sales ranking, then index them.

    Returns the number inserted. One transaction per call: callers pass one batch.
    """
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        first = next_sales_rank()
        cursor.executemany(
            f"INSERT INTO catalog_product ({_PRODUCT_FIELDS}, sales_rank) VALUES ({', '.join(['%s'] * 18)})",
            [(*_values(row), first + number) for number, row in enumerate(rows)],
        )
        last = first + len(rows) - 1
        _insert_tiers(cursor, rows, first, last)
        get_backend().index_range(first=first, last=last)
        bump_version()
    return len(rows)


def _insert_tiers(cursor, rows: list[ProductRow], first: int, last: int) -> None:
    if not any(row.tiers for row in rows):
        return
    cursor.execute(
        "SELECT sales_rank, id FROM catalog_product WHERE sales_rank BETWEEN %s AND %s", [first, last]
    )
    ids = dict(cursor.fetchall())
    cursor.executemany(
        "INSERT INTO catalog_pricetier (product_id, min_quantity, unit_price) VALUES (%s, %s, %s)",
        [
            (ids[first + number], quantity, str(price))
            for number, row in enumerate(rows)
            for quantity, price in row.tiers
        ],
    )


def update_products(*, rows: list[ProductRow]) -> int:
    """Replace the data of existing products (matched by ASIN), keeping their sales rank."""
    if not rows:
        return 0
    backend = get_backend()
    with transaction.atomic(), connection.cursor() as cursor:
        by_asin = dict(
            Product.objects.select_for_update()
            .filter(asin__in=[row.asin for row in rows])
            .values_list("asin", "sales_rank")
        )
        ranks = [by_asin[row.asin] for row in rows]
        changed = _price_changes(rows)
        backend.unindex_products(sales_ranks=ranks)
        cursor.executemany(
            "UPDATE catalog_product SET asin = %s, title = %s, brand = %s, manufacturer = %s, "
            "manufacturer_part_number = %s, description = %s, unspsc = %s, unit_of_measure = %s, "
            "list_price = %s, business_price = %s, currency = %s, seller_id = %s, fulfilled_by_us = %s, "
            "stock = %s, delivery_days = %s, title_fr = %s, description_fr = %s WHERE sales_rank = %s",
            [(*_values(row), rank) for row, rank in zip(rows, ranks, strict=True)],
        )
        cursor.executemany(
            "DELETE FROM catalog_pricetier WHERE product_id IN "
            "(SELECT id FROM catalog_product WHERE sales_rank = %s)",
            [(rank,) for rank in ranks],
        )
        cursor.execute(
            f"SELECT sales_rank, id FROM catalog_product WHERE sales_rank IN ({', '.join(['%s'] * len(ranks))})",
            ranks,
        )
        ids = dict(cursor.fetchall())
        cursor.executemany(
            "INSERT INTO catalog_pricetier (product_id, min_quantity, unit_price) VALUES (%s, %s, %s)",
            [(ids[rank], q, str(p)) for row, rank in zip(rows, ranks, strict=True) for q, p in row.tiers],
        )
        if changed:
            cursor.executemany(
                "UPDATE catalog_product SET price_changed_at = %s WHERE asin = %s",
                [(timezone.now(), asin) for asin in changed],
            )
        backend.index_products(sales_ranks=ranks)
        bump_version()
    return len(rows)


def _price_changes(rows: list[ProductRow]) -> list[str]:
    """The ASINs of ``rows`` whose list price, business price or quantity prices differ from the
    stored ones (compared as Decimals in Python: SQLite stores decimals as REAL)."""
    stored: dict[str, tuple[Decimal, Decimal, list[tuple[int, Decimal]]]] = {
        asin: (list_price, business_price, [])
        for asin, list_price, business_price in Product.objects.filter(
            asin__in=[row.asin for row in rows]
        ).values_list("asin", "list_price", "business_price")
    }
    for asin, quantity, price in PriceTier.objects.filter(product__asin__in=list(stored)).values_list(
        "product__asin", "min_quantity", "unit_price"
    ):
        stored[asin][2].append((quantity, price))
    changed = []
    for row in rows:
        list_price, business_price, tiers = stored[row.asin]
        new_tiers = sorted((int(q), Decimal(p)) for q, p in row.tiers)
        if (
            Decimal(row.list_price) != list_price
            or Decimal(row.business_price) != business_price
            or new_tiers != sorted(tiers)
        ):
            changed.append(row.asin)
    return changed


def load_products(
    *, rows: Iterable[ProductRow], progress: Callable[[int], None] | None = None, batch_size: int = 0
) -> tuple[int, int]:
    """Insert new products and update known ones (by ASIN), in batches. Returns (inserted, updated)."""
    batch_size = batch_size or int(tunable("CATALOG_BATCH_SIZE"))
    inserted = updated = 0
    batch: list[ProductRow] = []

    def flush() -> None:
        nonlocal inserted, updated
        known = set(
            Product.objects.filter(asin__in=[row.asin for row in batch]).values_list("asin", flat=True)
        )
        inserted += insert_products(rows=[row for row in batch if row.asin not in known])
        updated += update_products(rows=[row for row in batch if row.asin in known])
        if progress:
            progress(len(batch))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return inserted, updated


_SPLIT = re.compile(r"[,(\[/|]")
# A vocabulary word: letters only (no digits, no underscore), at least 3 of them.
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")


def rebuild_suggestions() -> int:
    """Recompute the typeahead table and the spelling vocabulary from the catalog.

    Typeahead: brands, and product phrases found in titles. A title's phrase is its part before the
    first comma, without the brand; its last word and last two words are kept as suggestions
    ("ballpoint pens", "pens"), weighted by how many products have them.

    Vocabulary (``SearchWord``): every word of 3 letters or more of the English and French titles
    and of the brands, lower-cased, with the number of products using it.

    Returns the number of suggestions stored.
    """
    brands = Counter(
        dict(
            Product.objects.exclude(brand="")
            .values_list("brand")
            .annotate(n=Count("id"))
            .values_list("brand", "n")
        )
    )
    phrases: Counter[str] = Counter()
    vocabulary: Counter[str] = Counter()
    rows = Product.objects.values_list("title", "brand", "title_fr").iterator(chunk_size=20_000)
    for title, brand, title_fr in rows:
        vocabulary.update(set(_VOCABULARY_WORD.findall(f"{title} {title_fr} {brand}".lower())))
        head = _SPLIT.split(title, 1)[0]
        if brand and head.lower().startswith(brand.lower()):
            head = head[len(brand) :]
        words = head.lower().split()
        if words:
            phrases[words[-1]] += 1
            if len(words) >= 2:
                phrases[" ".join(words[-2:])] += 1
    minimum = 2 if sum(phrases.values()) > 1_000 else 1
    entries: list[Suggestion] = []
    for text, weight in brands.items():
        entries.extend(_keyed(text, weight, is_brand=True))
    for text, weight in phrases.items():
        if weight >= minimum and any(ch.isalpha() for ch in text):
            entries.extend(_keyed(text, weight, is_brand=False))
    with transaction.atomic():
        Suggestion.objects.all().delete()
        Suggestion.objects.bulk_create(entries, batch_size=2_000)
        SearchWord.objects.all().delete()
        SearchWord.objects.bulk_create(
            [SearchWord(word=word, products=n) for word, n in sorted(vocabulary.items()) if len(word) <= 100],
            batch_size=2_000,
        )
        bump_version()
    return len(entries)


def _keyed(text: str, weight: int, *, is_brand: bool) -> list[Suggestion]:
    words = text.lower().split()
    return [
        Suggestion(key=" ".join(words[start:])[:200], text=text[:200], is_brand=is_brand, weight=weight)
        for start in range(len(words))
    ]


# -- business catalog exports ----------------------------------------------------------------------
def export_folder() -> Path:
    """Where exported catalog files are kept: ``catalog-exports`` in the site's data directory."""
    return data_folder("catalog-exports")


def export_path(export: CatalogExport) -> Path:
    return export_folder() / export.file_name


def start_export(
    *, business: Business, format: str, since: datetime | None, actor: User | None
) -> CatalogExport:
    """Ask for an export of the business's catalog (written by ``tasks.run_catalog_export``);
    refused while another export of the business is waiting or being written."""
    with transaction.atomic():
        Business.objects.select_for_update().filter(pk=business.pk).first()
        if CatalogExport.objects.filter(
            business=business, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
        ).exists():
            raise ValidationError(_("An export of this catalog is already being written: wait for it."))
        export = CatalogExport.objects.create(
            business=business, format=format, since=since, requested_by=actor
        )
        record_event(
            AdminEvent,
            export,
            AdminEventKind.CREATED,
            actor=actor,
            detail={"business": business.pk, "format": format, "since": since.isoformat() if since else ""},
        )
    return export


def run_export(*, export_id: int) -> CatalogExport:
    """Write the file of a waiting export; ``done`` follows the products written, for the page."""
    export = CatalogExport.objects.select_related("business").get(pk=export_id)
    products = catalog_export.catalog_products(export.business, since=export.since)
    total = products.count()
    # Taking the export is a conditional update: of two workers given the same task, one writes.
    taken = set_status_where(
        CatalogExport.objects.filter(pk=export.pk, status=ExportStatus.QUEUED),
        ExportStatus.RUNNING,
        table=EXPORT_TRANSITIONS,
        total=total,
        started_at=timezone.now(),
    )
    export.refresh_from_db()
    if not taken:
        return export  # another worker took it, or it is over
    if export.since and export.total == 0:
        export.error = _("No price changed since that date: there is nothing to update.")
        export.finished_at = timezone.now()
        set_status(export, ExportStatus.FAILED, table=EXPORT_TRANSITIONS, also=["error", "finished_at"])
        return export
    extension = "xml" if export.format == ExportFormat.BMECAT else "cif"
    name = f"catalog-{export.business_id}-{export.pk}-{secrets.token_hex(4)}.{extension}"
    path = export_folder() / name
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        CatalogExport.objects.filter(pk=export.pk).update(done=done)

    try:
        with open(path, "wb") as out:
            written = catalog_export.write(
                export.business, out, format=export.format, since=export.since, progress=progress
            )
    except Exception as error:
        logger.exception("catalog export %s stopped", export.pk)
        path.unlink(missing_ok=True)
        export.error = f"{type(error).__name__}: {error}"
        export.finished_at = timezone.now()
        set_status(export, ExportStatus.FAILED, table=EXPORT_TRANSITIONS, also=["error", "finished_at"])
        return export
    export.file_name = name
    export.done = export.total = written
    export.finished_at = timezone.now()
    set_status(
        export,
        ExportStatus.DONE,
        table=EXPORT_TRANSITIONS,
        also=["file_name", "done", "total", "finished_at"],
    )
    return export


def delete_expired_exports(*, now: datetime | None = None) -> int:
    """Delete the files of exports written more than ``CATALOG_EXPORT_RETENTION_DAYS`` ago (each
    export stays, saying its file was deleted; an ``AdminEvent`` ``expired`` records it), and the
    files no export names that are as old (written by a worker lost before it recorded them)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(tunable("CATALOG_EXPORT_RETENTION_DAYS")))
    deleted = 0
    expired = CatalogExport.objects.filter(
        status=ExportStatus.DONE, finished_at__lt=cutoff, file_deleted_at__isnull=True
    ).exclude(file_name="")
    for pk in list(expired.values_list("pk", flat=True)):
        with transaction.atomic():
            export = (
                CatalogExport.objects.select_for_update().filter(pk=pk, file_deleted_at__isnull=True).first()
            )
            if export is None or not export.file_name:
                continue
            name = export.file_name
            export_path(export).unlink(missing_ok=True)
            export.file_name = ""
            export.file_deleted_at = now
            export.save(update_fields=["file_name", "file_deleted_at"])
            record_event(
                AdminEvent,
                export,
                AdminEventKind.EXPIRED,
                detail={
                    "file": name,
                    "finished_at": export.finished_at.isoformat() if export.finished_at else "",
                },
            )
            deleted += 1
    known = set(CatalogExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    for path in export_folder().iterdir():
        if path.is_file() and path.name not in known:
            if datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
