"""A business's catalog written as CIF 3.0 or BMEcat 2005, streamed in constant memory.

Products are read in chunks (``QuerySet.iterator(chunk_size=…)`` with the quantity prices
prefetched per chunk) and written one row (CIF) or one ``PRODUCT`` element (BMEcat, through
``lxml.etree.xmlfile``) at a time, so a catalog of a million products needs no more memory than one
of a thousand.

What a business is offered is the storefront's business pricing (``catalog.pricing.BusinessStrategy``):
the business price, lowered from the quantities of the product's price tiers. The list price is the
"market price". Which products a catalog contains is the business's ``CatalogSelection`` (every
product when it has none).

- **CIF 3.0**: a full load (``LOADMODE: F``), or for the prices changed since a date an incremental
  load (``LOADMODE: I``) of the changed products only. CIF has no column for quantity prices: they
  travel in ``Parametric Data`` as ``{MIN_QUANTITY_10="9.50";…}`` (the minimum quantity in the name).
  ``PunchOut Enabled`` is ``T`` when the business orders through PunchOut (it has an integration).
- **BMEcat 2005**: ``T_NEW_CATALOG``, or ``T_UPDATE_PRICES`` for the changed products; units as
  UN/ECE Recommendation 20 codes, the UNSPSC code as reference feature group, one ``net_customer``
  price per quantity tier (``LOWER_BOUND``), the delivery time in working days, the product image.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from lxml.builder import ElementMaker

from openprocure.core.formatting import plain_money
from openprocure.supplier.business.models import Business, Integration
from openprocure.supplier.catalog import defaults
from openprocure.supplier.catalog.choices import ExportFormat, SelectionScope
from openprocure.supplier.catalog.models import CatalogSelection, Product
from punchout import cif

BMECAT_NAMESPACE = "http://www.bmecat.org/bmecat/2005"
CIF_FIELDS = (
    *cif.POSITIONAL_FIELDS,
    "Currency",
    "Short Name",
    "Language",
    "Image",
    "Parametric Data",
    "PunchOut Enabled",
)
#: Our units of measure (UN/CEFACT codes as the storefront stores them) as UN/ECE Recommendation 20
#: codes: "each" is C62 ("one") in Recommendation 20; box, pack and case keep their codes.
REC20_UNITS = {"EA": "C62", "BX": "BX", "PK": "PK", "CS": "CS"}

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Offer:
    """One product as a business is offered it: the product and its quantity prices, lowest first."""

    product: Product
    tiers: list[tuple[int, Decimal]]


def selected_products(business: Business) -> QuerySet[Product]:
    """The products of the business's catalog (its ``CatalogSelection``; every product without one)."""
    products = Product.objects.all()
    selection = CatalogSelection.objects.filter(business=business).first()
    if selection is None or selection.scope == SelectionScope.ALL:
        return products
    if selection.scope == SelectionScope.CATEGORY:
        prefix = selection.category_code
        while prefix.endswith("00") and len(prefix) > 2:
            prefix = prefix[:-2]
        return products.filter(unspsc__startswith=prefix)
    parts = selection.part_number_list()
    return products.filter(asin__in=parts) | products.filter(manufacturer_part_number__in=parts)


def catalog_products(business: Business, *, since: datetime | None = None) -> QuerySet[Product]:
    """The products an export writes: all of the catalog, or those whose price changed since ``since``."""
    products = selected_products(business)
    if since is not None:
        products = products.filter(price_changed_at__gte=since)
    return products.order_by("sales_rank")


def offers(products: QuerySet[Product], *, chunk_size: int = 0) -> Iterator[Offer]:
    """Each product with its business quantity prices, read ``chunk_size`` products at a time."""
    chunk_size = chunk_size or int(defaults.get("CATALOG_EXPORT_CHUNK_SIZE"))
    for product in products.prefetch_related("price_tiers").iterator(chunk_size=chunk_size):
        tiers = sorted(
            (tier.min_quantity, min(tier.unit_price, product.business_price))
            for tier in product.price_tiers.all()
        )
        yield Offer(product, tiers)


def punchout_enabled(business: Business) -> bool:
    """Whether the business orders through PunchOut (it has an integration with the storefront)."""
    return Integration.objects.filter(business=business).exists()


def supplier_identity(business: Business) -> tuple[str, str]:
    """Who we are in the business's catalog: our identity of its integration, else our own name."""
    integration = Integration.objects.filter(business=business).first()
    if integration is not None:
        return integration.supplier_identity, "NetworkID"
    return str(defaults.get("CATALOG_EXPORT_SUPPLIER_ID")), "NetworkID"


def _url(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def unit_code(unit: str) -> str:
    """A storefront unit of measure as a UN/ECE Recommendation 20 code."""
    return REC20_UNITS.get(unit, unit)


def write_cif(
    business: Business,
    out: IO[str],
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> int:
    """Write the business's catalog as CIF 3.0 to the text stream ``out``; returns the rows written."""
    supplier_id, domain = supplier_identity(business)
    products = catalog_products(business, since=since)
    first = products.values_list("currency", flat=True).first() or "EUR"
    punchout = "T" if punchout_enabled(business) else "F"
    writer = cif.Writer(
        out,
        fieldnames=CIF_FIELDS,
        header={
            "LOADMODE": "I" if since else "F",
            "CODEFORMAT": "UNSPSC",
            "CURRENCY": first,
            "SUPPLIERID_DOMAIN": domain,
            "TIMESTAMP": timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M:%S"),
            "UNUOM": "TRUE",
            "COMMENTS": _one_line(f"{business.name}: catalog"),
        },
    )
    pending = 0
    for offer in offers(products):
        product = offer.product
        parametric = "".join(
            f'MIN_QUANTITY_{quantity}="{plain_money(price, product.currency)}";'
            for quantity, price in offer.tiers
        )
        writer.row(
            {
                "Supplier ID": supplier_id,
                "Supplier Part ID": product.asin,
                "Manufacturer Part ID": product.manufacturer_part_number,
                "Item Description": _one_line(product.title),
                "SPSC Code": product.unspsc,
                "Unit Price": plain_money(product.business_price, product.currency),
                "Unit of Measure": unit_code(product.unit_of_measure),
                "Lead Time": str(product.delivery_days),
                "Manufacturer Name": _one_line(product.manufacturer),
                "Supplier URL": _url(reverse("catalog-product", args=[product.asin])),
                "Manufacturer URL": "",
                "Market Price": plain_money(product.list_price, product.currency),
                "Currency": product.currency,
                "Short Name": _one_line(product.title)[:50],
                "Language": "en_US",
                "Image": _url(reverse("catalog-image", args=[product.asin])),
                "Parametric Data": f"{{{parametric}}}" if parametric else "",
                "PunchOut Enabled": punchout,
            }
        )
        pending += 1
        if progress and pending >= 1000:
            progress(pending)
            pending = 0
    writer.close()
    if progress and pending:
        progress(pending)
    return writer.count


_E = ElementMaker(namespace=BMECAT_NAMESPACE, nsmap={None: BMECAT_NAMESPACE})


def _price_details(offer: Offer) -> Any:
    product = offer.product
    prices = [(1, product.business_price), *[(q, p) for q, p in offer.tiers if q > 1]]
    return _E.PRODUCT_PRICE_DETAILS(
        *[
            _E.PRODUCT_PRICE(
                _E.PRICE_AMOUNT(plain_money(price, product.currency)),
                _E.PRICE_CURRENCY(product.currency),
                _E.LOWER_BOUND(str(quantity)),
                price_type="net_customer",
            )
            for quantity, price in prices
        ]
    )


def _new_product(offer: Offer) -> Any:
    product = offer.product
    unit = unit_code(product.unit_of_measure)
    details = [_E.DESCRIPTION_SHORT(_one_line(product.title)[:150])]
    if product.description:
        details.append(_E.DESCRIPTION_LONG(product.description))
    if product.manufacturer_part_number:
        details.append(_E.MANUFACTURER_PID(product.manufacturer_part_number))
    if product.manufacturer:
        details.append(_E.MANUFACTURER_NAME(product.manufacturer[:50]))
    details.append(_E.DELIVERY_TIME(str(product.delivery_days)))
    return _E.PRODUCT(
        _E.SUPPLIER_PID(product.asin),
        _E.PRODUCT_DETAILS(*details),
        _E.PRODUCT_FEATURES(
            _E.REFERENCE_FEATURE_SYSTEM_NAME("UNSPSC"), _E.REFERENCE_FEATURE_GROUP_ID(product.unspsc)
        ),
        _E.PRODUCT_ORDER_DETAILS(
            _E.ORDER_UNIT(unit),
            _E.CONTENT_UNIT(unit),
            _E.PRICE_QUANTITY("1"),
            _E.QUANTITY_MIN("1"),
            _E.QUANTITY_INTERVAL("1"),
        ),
        _price_details(offer),
        _E.MIME_INFO(
            _E.MIME(
                _E.MIME_SOURCE(_url(reverse("catalog-image", args=[product.asin]))),
                _E.MIME_PURPOSE("normal"),
            )
        ),
        mode="new",
    )


def _price_update(offer: Offer) -> Any:
    return _E.PRODUCT(_E.SUPPLIER_PID(offer.product.asin), _price_details(offer), mode="update")


def write_bmecat(
    business: Business,
    out: IO[bytes],
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> int:
    """Write the business's catalog as BMEcat 2005 to the binary stream ``out``; returns the products
    written. ``since`` writes a ``T_UPDATE_PRICES`` of the products whose price changed since then.

    The image is an SVG, a MIME type the BMEcat 2005 schema's list does not name: ``MIME_TYPE`` is
    left out (it is optional) and the source URL ends in ``.svg``. Catalogs are versioned by their
    generation date, so ``CATALOG_VERSION`` (at most ``999.999``) stays ``1.0``.
    """
    supplier_id, _domain = supplier_identity(business)
    products = catalog_products(business, since=since)
    currency = products.values_list("currency", flat=True).first() or "EUR"
    moment = timezone.localtime(now or timezone.now())
    count = 0
    pending = 0
    with etree.xmlfile(out, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(f"{{{BMECAT_NAMESPACE}}}BMECAT", version="2005", nsmap={None: BMECAT_NAMESPACE}):
            xml.write(
                _E.HEADER(
                    _E.GENERATOR_INFO("OpenProcure storefront"),
                    _E.CATALOG(
                        _E.LANGUAGE("eng", default="true"),
                        _E.CATALOG_ID(f"business-{business.pk}"),
                        _E.CATALOG_VERSION("1.0"),
                        _E.CATALOG_NAME(business.name[:100]),
                        _E.DATETIME(
                            _E.DATE(moment.strftime("%Y-%m-%d")),
                            _E.TIME(moment.strftime("%H:%M:%S")),
                            type="generation_date",
                        ),
                        _E.CURRENCY(currency),
                    ),
                    _E.BUYER(_E.BUYER_NAME(business.name[:50])),
                    _E.SUPPLIER(
                        _E.SUPPLIER_ID(supplier_id, type="supplier_specific"),
                        _E.SUPPLIER_NAME(str(defaults.get("CATALOG_EXPORT_SUPPLIER_NAME"))),
                    ),
                )
            )
            transaction = "T_UPDATE_PRICES" if since else "T_NEW_CATALOG"
            attributes = {"prev_version": "0"} if since else {}
            with xml.element(f"{{{BMECAT_NAMESPACE}}}{transaction}", **attributes):
                build = _price_update if since else _new_product
                for offer in offers(products):
                    xml.write(build(offer))
                    count += 1
                    pending += 1
                    if pending >= 1000:
                        xml.flush()
                        if progress:
                            progress(pending)
                        pending = 0
    if progress and pending:
        progress(pending)
    return count


def write(
    business: Business,
    out: IO[bytes],
    *,
    format: str,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the business's catalog in ``format`` (an ``ExportFormat``) to the binary stream ``out``."""
    if format == ExportFormat.BMECAT:
        return write_bmecat(business, out, since=since, progress=progress)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        return write_cif(business, text, since=since, progress=progress)
    finally:
        text.flush()
        text.detach()
