"""Import products from a CSV file (UTF-8, comma-separated, one header row).

Columns (header names, any order; the required ones must be present):

=========================  ========  ==============================================================
column                     required  content
=========================  ========  ==============================================================
asin                       yes       10 letters or digits (upper case), e.g. ``B0C1234XYZ``; a known
                                     ASIN updates that product
title                      yes       up to 500 characters
title_fr                   no        the title in French, up to 500 characters (shown to French
                                     readers, searched in every language)
brand                      no        up to 100 characters
manufacturer               no        up to 200 characters
manufacturer_part_number   no        up to 100 characters
description                no        free text
description_fr             no        the description in French, free text
unspsc                     yes       8-digit UNSPSC commodity code, e.g. ``44121615``
unit_of_measure            no        UN/CEFACT code, 2 or 3 letters (default ``EA``)
list_price                 yes       decimal with a dot, at most the currency's minor units of
                                     decimals (JPY 0, EUR 2, KWD 3), e.g. ``12.50``, ``0.125``
business_price             no        same format, not above ``list_price`` (default: list price)
currency                   no        ISO 4217 code (default ``CATALOG_DEFAULT_CURRENCY``)
seller                     yes       seller name, created when new
fulfilled_by               no        ``us`` or ``seller`` (default ``us``)
stock                      no        whole number ≥ 0 (default 0)
delivery_days              no        whole number 0–365 (default 2)
price_tiers                no        ``quantity:unit price`` pairs separated by ``;``, e.g.
                                     ``10:11.90;50:11.20`` (quantities ≥ 2, prices ≤ business price)
=========================  ========  ==============================================================

Rows are numbered like a spreadsheet: the header is row 1, the first product row 2. A row with an
error is skipped and reported (``Row 3: list_price: "12,50" is not a price; use a dot for decimals,
e.g. 12.50.``); the other rows are imported.

A marketplace seller's BMEcat catalog (2005, 2005.1, 2005.2, 1.2; read by ``punchout.bmecat``, one
product at a time) is imported by :func:`import_bmecat`: each product becomes the row above
(:func:`bmecat_row`) and goes through the same checks, so a refused product says the same things,
prefixed with its line and path. ``T_UPDATE_PRICES`` changes the prices of known products only.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import IO, BinaryIO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.exceptions import ServiceError
from openprocure.core.reference import is_currency, minor_units, validate_minor_units
from openprocure.core.tunables import tunable
from openprocure.supplier.catalog import services
from openprocure.supplier.catalog.export import REC20_UNITS
from openprocure.supplier.catalog.generator import MARKETPLACE
from openprocure.supplier.catalog.models import Product
from punchout import bmecat

REQUIRED = ("asin", "title", "unspsc", "list_price", "seller")
OPTIONAL = (
    "title_fr",
    "brand",
    "manufacturer",
    "manufacturer_part_number",
    "description",
    "description_fr",
    "unit_of_measure",
    "business_price",
    "currency",
    "fulfilled_by",
    "stock",
    "delivery_days",
    "price_tiers",
)
_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_UNSPSC = re.compile(r"^\d{8}$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_LIMITS = {
    "title": 500,
    "title_fr": 500,
    "brand": 100,
    "manufacturer": 200,
    "manufacturer_part_number": 100,
    "seller": 200,
}


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (not CSV, missing columns)."""


@dataclass
class ImportReport:
    """What an import did: rows read, inserted, updated, and each refused row's message."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class RowError(ValueError):
    """A CSV row that cannot be imported; its message names the column and what is wrong."""


def _price(row: dict[str, str], column: str, currency: str) -> Decimal:
    text = row.get(column, "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise RowError(
            _('%(column)s: "%(value)s" is not a price; use a dot for decimals, e.g. 12.50.')
            % {"column": column, "value": text}
        )
    return _in_minor_units(value, column, currency)


def _in_minor_units(value: Decimal, column: str, currency: str) -> Decimal:
    """``value`` written with exactly the minor units of ``currency`` (EUR ``12.5`` -> ``12.50``);
    a price with more decimals than the currency has (EUR ``12.505``) is refused."""
    try:
        validate_minor_units(value, currency)
    except ValidationError as error:
        raise RowError(
            _("%(column)s: %(error)s") % {"column": column, "error": " ".join(error.messages)}
        ) from None
    return value.quantize(Decimal(1).scaleb(-minor_units(currency)))


def _whole(row: dict[str, str], column: str, default: int, maximum: int) -> int:
    text = row.get(column, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) > maximum:
        raise RowError(
            _('%(column)s: "%(value)s" is not a whole number from 0 to %(maximum)s.')
            % {"column": column, "value": text, "maximum": maximum}
        )
    return int(text)


def parse_row(row: dict[str, str], *, seller_ids: dict[str, int]) -> services.ProductRow:
    """Validate one CSV row; raise RowError with the first problem found."""
    for column in REQUIRED:
        if not (row.get(column) or "").strip():
            raise RowError(_("%(column)s is required.") % {"column": column})
    for column, limit in _LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            raise RowError(
                _("%(column)s is longer than %(limit)s characters.") % {"column": column, "limit": limit}
            )
    asin = row["asin"].strip()
    if not _ASIN.match(asin):
        raise RowError(_('asin: "%(value)s" must be 10 upper-case letters or digits.') % {"value": asin})
    unspsc = row["unspsc"].strip()
    if not _UNSPSC.match(unspsc):
        raise RowError(_('unspsc: "%(value)s" must be an 8-digit UNSPSC code.') % {"value": unspsc})
    unit = (row.get("unit_of_measure") or "").strip().upper() or "EA"
    if not _UOM.match(unit):
        raise RowError(
            _('unit_of_measure: "%(value)s" must be a 2- or 3-letter UN/CEFACT code.') % {"value": unit}
        )
    currency = (row.get("currency") or "").strip().upper() or tunable("CATALOG_DEFAULT_CURRENCY")
    if not is_currency(currency):
        raise RowError(_('currency: "%(value)s" must be a 3-letter ISO 4217 code.') % {"value": currency})
    list_price = _price(row, "list_price", currency)
    business_price = (
        _price(row, "business_price", currency) if (row.get("business_price") or "").strip() else list_price
    )
    if business_price > list_price:
        raise RowError(
            _("business_price %(business)s is above list_price %(list)s.")
            % {"business": business_price, "list": list_price}
        )
    fulfilled_by = (row.get("fulfilled_by") or "").strip().lower() or "us"
    if fulfilled_by not in ("us", "seller"):
        raise RowError(_('fulfilled_by: "%(value)s" must be "us" or "seller".') % {"value": fulfilled_by})
    tiers: list[tuple[int, Decimal]] = []
    for pair in filter(None, (part.strip() for part in (row.get("price_tiers") or "").split(";"))):
        quantity, _sep, price = pair.partition(":")
        try:
            tier = (int(quantity), Decimal(price))
        except (ValueError, InvalidOperation):
            tier = None
        if (
            tier is None
            or tier[0] < 2
            or not tier[1].is_finite()
            or tier[1] <= 0
            or tier[1] > business_price
            or any(tier[0] == known for known, _price in tiers)
        ):
            raise RowError(
                _(
                    'price_tiers: "%(value)s" must be quantity:unit price with a quantity of 2 or more, '
                    "a price not above the business price, each quantity once."
                )
                % {"value": pair}
            )
        tiers.append((tier[0], _in_minor_units(tier[1], "price_tiers", currency)))
    seller = row["seller"].strip()
    if seller not in seller_ids:
        seller_ids.update(services.seller_ids(names=[seller], marketplace_name=MARKETPLACE))
    return services.ProductRow(
        asin=asin,
        title=row["title"].strip(),
        brand=(row.get("brand") or "").strip(),
        manufacturer=(row.get("manufacturer") or "").strip(),
        manufacturer_part_number=(row.get("manufacturer_part_number") or "").strip(),
        description=(row.get("description") or "").strip(),
        unspsc=unspsc,
        unit_of_measure=unit,
        list_price=list_price,
        business_price=business_price,
        currency=currency,
        seller_id=seller_ids[seller],
        fulfilled_by_us=fulfilled_by == "us",
        stock=_whole(row, "stock", 0, 10_000_000),
        delivery_days=_whole(row, "delivery_days", 2, 365),
        tiers=sorted(tiers),
        title_fr=(row.get("title_fr") or "").strip(),
        description_fr=(row.get("description_fr") or "").strip(),
    )


def count_rows(stream: IO[str]) -> int:
    """Product rows in the file (CSV-aware: quoted line breaks do not count)."""
    rows = sum(1 for _row in csv.reader(stream)) - 1
    stream.seek(0)
    return max(rows, 0)


def import_csv(stream: IO[str], *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import every valid row of a CSV stream; report the others."""
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFileError(
            _("The file has no column %(columns)s (the first row must name the columns: %(required)s).")
            % {"columns": ", ".join(missing), "required": ", ".join(REQUIRED)}
        )
    reader.fieldnames = header
    report = ImportReport()
    seller_ids: dict[str, int] = {}
    codes: set[str] = set()

    def valid_rows() -> Iterator[services.ProductRow]:
        seen: dict[str, int] = {}
        for number, row in enumerate(reader, start=2):
            report.rows += 1
            try:
                if None in row:
                    raise RowError(_("the row has more values than the header has columns."))
                product = parse_row(row, seller_ids=seller_ids)
                if product.asin in seen:
                    raise RowError(
                        _("asin %(asin)s already appears in row %(row)s.")
                        % {"asin": product.asin, "row": seen[product.asin]}
                    )
            except RowError as error:
                report.errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": error})
                if progress:
                    progress(1)
                continue
            seen[product.asin] = number
            codes.add(product.unspsc)
            yield product

    _load(report, valid_rows(), codes, progress)
    return report


def _load(
    report: ImportReport,
    rows: Iterator[services.ProductRow],
    codes: set[str],
    progress: Callable[[int], None] | None,
) -> None:
    """Load the valid rows in batches, then the categories of their codes and the suggestions."""

    def advance(count: int) -> None:
        if progress:
            progress(count)

    report.inserted, report.updated = services.load_products(rows=rows, progress=advance)
    services.ensure_categories(codes=codes)
    if report.inserted or report.updated:
        services.rebuild_suggestions()


#: UN/ECE Recommendation 20 codes back to the storefront's units (``C62``, "one", is our ``EA``).
_STOREFRONT_UNITS = {code: unit for unit, code in REC20_UNITS.items()}
#: Price types that are a list price; ``net_customer`` is what the business pays.
_LIST_PRICE_TYPES = ("net_list", "gros_list", "nrp")
_FRENCH = ("fra", "fre", "fr")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _product_values(product: Product) -> dict[str, str]:
    """A known product as the CSV columns, so a BMEcat update keeps what the file does not say."""
    tiers = ";".join(f"{tier.min_quantity}:{tier.unit_price}" for tier in product.price_tiers.all())
    return {
        "asin": product.asin,
        "title": product.title,
        "title_fr": product.title_fr,
        "brand": product.brand,
        "manufacturer": product.manufacturer,
        "manufacturer_part_number": product.manufacturer_part_number,
        "description": product.description,
        "description_fr": product.description_fr,
        "unspsc": product.unspsc,
        "unit_of_measure": product.unit_of_measure,
        "list_price": str(product.list_price),
        "business_price": str(product.business_price),
        "currency": product.currency,
        "seller": product.seller.name,
        "fulfilled_by": "us" if product.fulfilled_by_us else "seller",
        "stock": str(product.stock),
        "delivery_days": str(product.delivery_days),
        "price_tiers": tiers,
    }


def _current(prices: list[bmecat.Price], today: date) -> list[bmecat.Price]:
    return [
        price
        for price in prices
        if (price.valid_from is None or price.valid_from <= today)
        and (price.valid_until is None or price.valid_until >= today)
    ]


def bmecat_row(
    item: bmecat.Item,
    *,
    seller: str,
    fulfilled_by: str,
    known: dict[str, str] | None,
    prices_only: bool,
    today: date,
) -> dict[str, str]:
    """One BMEcat product as the CSV columns :func:`parse_row` checks (``known``: the product as the
    storefront has it, whose values stand where the file says nothing)."""
    if item.errors:
        raise RowError("; ".join(f"{error.path}: {error.message}" for error in item.errors))
    if item.mode == "delete":
        raise RowError(_("products are not deleted by an import; ask an operator to withdraw it."))
    if prices_only and known is None:
        raise RowError(
            _("%(part)s is not in the catalog: a price update changes known products only.")
            % {"part": item.supplier_part_id}
        )
    values = dict(known or {"seller": seller, "fulfilled_by": fulfilled_by, "stock": "0"})
    values["asin"] = item.supplier_part_id
    if not prices_only:
        french = next((item.translations[lang] for lang in _FRENCH if lang in item.translations), ("", ""))
        values.update(
            title=item.description_short,
            title_fr=french[0],
            description=item.description_long,
            description_fr=french[1],
            manufacturer=item.manufacturer_name,
            manufacturer_part_number=item.manufacturer_part_id,
            unspsc=item.unspsc,
            unit_of_measure=_STOREFRONT_UNITS.get(item.order_unit, item.order_unit),
        )
        if item.delivery_time is not None:
            values["delivery_days"] = str(int(item.delivery_time.to_integral_value(ROUND_CEILING)))
    prices = _current(item.prices, today)
    if not prices:
        if known is None:
            raise RowError(_("the product has no current price (PRODUCT_PRICE with PRICE_AMOUNT)."))
        return values
    currencies = sorted({price.currency for price in prices})
    if len(currencies) > 1:
        raise RowError(
            _("prices in %(currencies)s: the storefront sells a product in one currency.")
            % {"currencies": ", ".join(currencies)}
        )
    customer = sorted(
        (price for price in prices if price.price_type not in _LIST_PRICE_TYPES), key=lambda p: p.lower_bound
    )
    listed = [price for price in prices if price.price_type in _LIST_PRICE_TYPES and price.lower_bound <= 1]
    base = [price for price in customer if price.lower_bound <= 1]
    business = item.unit_price(base[0]) if base else None
    list_price = item.unit_price(listed[0]) if listed else business
    if list_price is None:
        list_price = business = item.unit_price(customer[0])
    if not listed and known is not None and Decimal(known["list_price"]) >= list_price:
        # A file without a list price keeps the one the storefront has, when it is still above.
        list_price = Decimal(known["list_price"])
    values["currency"] = currencies[0]
    values["list_price"] = _plain(list_price)
    values["business_price"] = _plain(business if business is not None else list_price)
    values["price_tiers"] = ";".join(
        f"{_plain(price.lower_bound)}:{_plain(item.unit_price(price))}"
        for price in customer
        if price.lower_bound > 1
    )
    return values


def import_bmecat(
    stream: BinaryIO,
    *,
    seller: str = "",
    fulfilled_by: str = "seller",
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import every valid product of a BMEcat stream, sold by ``seller`` (the catalog's
    ``SUPPLIER_NAME`` when empty); report the others with their line and path."""
    try:
        catalog = bmecat.read(stream)
    except bmecat.BMEcatError as error:
        raise ImportFileError(
            _("The file is not a BMEcat catalog we can read: %(error)s") % {"error": error}
        ) from None
    header = catalog.header
    seller = seller.strip() or header.supplier_name
    if not seller:
        raise ImportFileError(
            _("The catalog names no supplier (SUPPLIER_NAME): say which seller sells its products.")
        )
    prices_only = header.transaction == "T_UPDATE_PRICES"
    when = today or timezone.localdate()
    report = ImportReport()
    seller_ids: dict[str, int] = {}
    codes: set[str] = set()
    batch_size = int(tunable("CATALOG_BATCH_SIZE"))

    def refuse(item: bmecat.Item, message: str) -> None:
        report.errors.append(
            _("Line %(line)s, %(path)s: %(error)s") % {"line": item.line, "path": item.path, "error": message}
        )
        if progress:
            progress(1)

    def valid_rows() -> Iterator[services.ProductRow]:
        seen: dict[str, int] = {}
        for chunk in _chunks(catalog.items, batch_size):
            known = {
                product.asin: _product_values(product)
                for product in Product.objects.filter(asin__in=[item.supplier_part_id for item in chunk])
                .select_related("seller")
                .prefetch_related("price_tiers")
            }
            for item in chunk:
                report.rows += 1
                try:
                    values = bmecat_row(
                        item,
                        seller=seller,
                        fulfilled_by=fulfilled_by,
                        known=known.get(item.supplier_part_id),
                        prices_only=prices_only,
                        today=when,
                    )
                    product = parse_row(values, seller_ids=seller_ids)
                    if product.asin in seen:
                        raise RowError(
                            _("SUPPLIER_PID %(asin)s already appears on line %(line)s.")
                            % {"asin": product.asin, "line": seen[product.asin]}
                        )
                except RowError as error:
                    refuse(item, str(error))
                    continue
                seen[product.asin] = item.line
                codes.add(product.unspsc)
                yield product

    try:
        _load(report, valid_rows(), codes, progress)
    except bmecat.BMEcatError as error:
        raise ImportFileError(
            _("The file breaks off: %(error)s (products before it were imported).") % {"error": error}
        ) from None
    return report


_PRODUCT_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:PRODUCT|ARTICLE)[\s>/]")


def count_bmecat_products(stream: BinaryIO) -> int:
    """Products in a BMEcat file, counted by their start tags in one pass of 1 MiB reads (for a
    progress bar; the reader counts for real)."""
    count = 0
    data = b""
    while chunk := stream.read(1 << 20):
        data += chunk
        # A tag may be cut by the read: the last 64 bytes wait for the next one.
        limit = max(len(data) - 64, 0)
        count += sum(1 for match in _PRODUCT_TAG.finditer(data) if match.start() < limit)
        data = data[limit:]
    count += len(_PRODUCT_TAG.findall(data))
    stream.seek(0)
    return count


def _chunks(items: Iterator[bmecat.Item], size: int) -> Iterator[list[bmecat.Item]]:
    chunk: list[bmecat.Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
