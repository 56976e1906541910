"""A business's catalog written as CIF 3.0 or BMEcat 2005, streamed in constant memory.

Products are read in chunks by keyset pagination on the sales rank (plain tuples, and one query for
the quantity prices of each chunk) and written one row (CIF) or one ``PRODUCT`` element (BMEcat,
through ``lxml.etree.xmlfile``) at a time, so a catalog of a million products needs no more memory
than one of a thousand.

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
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, NamedTuple

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from openprocure.core.formatting import plain_money
from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import Business, Integration
from openprocure.supplier.catalog.choices import ExportFormat, SelectionScope
from openprocure.supplier.catalog.models import CatalogSelection, PriceTier, Product
from punchout import cif

BMECAT_NAMESPACE = "http://www.bmecat.org/bmecat/2005"
_NSMAP = {None: BMECAT_NAMESPACE}
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


class Offer(NamedTuple):
    """One product as a business is offered it, with its quantity prices (lowest quantity first)."""

    id: int
    sales_rank: int
    asin: str
    title: str
    description: str
    manufacturer: str
    manufacturer_part_number: str
    unspsc: str
    unit_of_measure: str
    list_price: Decimal
    business_price: Decimal
    currency: str
    delivery_days: int
    tiers: list[tuple[int, Decimal]]


_OFFER_FIELDS = Offer._fields[:-1]


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
    """Each product with its business quantity prices, by sales rank, ``chunk_size`` products a query
    (keyset pagination: each chunk starts after the last sales rank of the previous one)."""
    chunk_size = chunk_size or int(tunable("CATALOG_EXPORT_CHUNK_SIZE"))
    last = 0
    while True:
        rows = list(
            products.filter(sales_rank__gt=last)
            .order_by("sales_rank")
            .values_list(*_OFFER_FIELDS)[:chunk_size]
        )
        if not rows:
            return
        tiers: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        for product_id, quantity, price in (
            PriceTier.objects.filter(product_id__in=[row[0] for row in rows])
            .order_by("product_id", "min_quantity")
            .values_list("product_id", "min_quantity", "unit_price")
        ):
            tiers[product_id].append((quantity, price))
        for row in rows:
            business_price = row[10]
            yield Offer._make((*row, [(q, min(p, business_price)) for q, p in tiers.get(row[0], ())]))
        last = rows[-1][1]


def punchout_enabled(business: Business) -> bool:
    """Whether the business orders through PunchOut (it has an integration with the storefront)."""
    return Integration.objects.filter(business=business).exists()


def supplier_identity(business: Business) -> tuple[str, str]:
    """Who we are in the business's catalog: our identity of its integration, else our own name."""
    integration = Integration.objects.filter(business=business).first()
    if integration is not None:
        return integration.supplier_identity, "NetworkID"
    return str(tunable("CATALOG_EXPORT_SUPPLIER_ID")), "NetworkID"


class _Links:
    """The public URLs of a product's page and image (reversed once, then filled per product)."""

    def __init__(self) -> None:
        marker = "ASIN0MARKER"
        self._page = settings.PUBLIC_URL + reverse("catalog-product", args=[marker])
        self._image = settings.PUBLIC_URL + reverse("catalog-image", args=[marker])
        self._marker = marker

    def page(self, asin: str) -> str:
        return self._page.replace(self._marker, asin)

    def image(self, asin: str) -> str:
        return self._image.replace(self._marker, asin)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def unit_code(unit: str) -> str:
    """A storefront unit of measure as a UN/ECE Recommendation 20 code."""
    return REC20_UNITS.get(unit, unit)


class _Counter:
    """Tells ``progress`` every 1,000 products, then the rest at the end."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.count = 0
        self.pending = 0

    def add(self) -> bool:
        self.count += 1
        self.pending += 1
        if self.pending >= 1000:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        if self.progress and self.pending:
            self.progress(self.pending)
        self.pending = 0


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
    links = _Links()
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
    counter = _Counter(progress)
    for offer in offers(products):
        currency = offer.currency
        parametric = "".join(
            f'MIN_QUANTITY_{quantity}="{plain_money(price, currency)}";' for quantity, price in offer.tiers
        )
        title = _one_line(offer.title)
        writer.row(
            {
                "Supplier ID": supplier_id,
                "Supplier Part ID": offer.asin,
                "Manufacturer Part ID": offer.manufacturer_part_number,
                "Item Description": title,
                "SPSC Code": offer.unspsc,
                "Unit Price": plain_money(offer.business_price, currency),
                "Unit of Measure": unit_code(offer.unit_of_measure),
                "Lead Time": str(offer.delivery_days),
                "Manufacturer Name": _one_line(offer.manufacturer),
                "Supplier URL": links.page(offer.asin),
                "Manufacturer URL": "",
                "Market Price": plain_money(offer.list_price, currency),
                "Currency": currency,
                "Short Name": title[:50],
                "Language": "en_US",
                "Image": links.image(offer.asin),
                "Parametric Data": f"{{{parametric}}}" if parametric else "",
                "PunchOut Enabled": punchout,
            }
        )
        counter.add()
    writer.close()
    counter.flush()
    return writer.count


def _tag(name: str) -> str:
    return f"{{{BMECAT_NAMESPACE}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _tag(name), attributes)
    if text is not None:
        element.text = text
    return element


def _root(name: str, **attributes: str) -> etree._Element:
    return etree.Element(_tag(name), attributes, nsmap=_NSMAP)  # type: ignore[arg-type]  # lxml-stubs key nsmap by str; lxml takes None for the default namespace


def _price_details(parent: etree._Element, offer: Offer) -> None:
    details = _sub(parent, "PRODUCT_PRICE_DETAILS")
    currency = offer.currency
    prices = [(1, offer.business_price), *[(q, p) for q, p in offer.tiers if q > 1]]
    for quantity, price in prices:
        element = _sub(details, "PRODUCT_PRICE", price_type="net_customer")
        _sub(element, "PRICE_AMOUNT", plain_money(price, currency))
        _sub(element, "PRICE_CURRENCY", currency)
        _sub(element, "LOWER_BOUND", str(quantity))


def _new_product(offer: Offer, links: _Links) -> etree._Element:
    product = _root("PRODUCT", mode="new")
    _sub(product, "SUPPLIER_PID", offer.asin)
    details = _sub(product, "PRODUCT_DETAILS")
    _sub(details, "DESCRIPTION_SHORT", _one_line(offer.title)[:150])
    if offer.description:
        _sub(details, "DESCRIPTION_LONG", offer.description)
    if offer.manufacturer_part_number:
        _sub(details, "MANUFACTURER_PID", offer.manufacturer_part_number)
    if offer.manufacturer:
        _sub(details, "MANUFACTURER_NAME", offer.manufacturer[:50])
    _sub(details, "DELIVERY_TIME", str(offer.delivery_days))
    features = _sub(product, "PRODUCT_FEATURES")
    _sub(features, "REFERENCE_FEATURE_SYSTEM_NAME", "UNSPSC")
    _sub(features, "REFERENCE_FEATURE_GROUP_ID", offer.unspsc)
    unit = unit_code(offer.unit_of_measure)
    order = _sub(product, "PRODUCT_ORDER_DETAILS")
    _sub(order, "ORDER_UNIT", unit)
    _sub(order, "CONTENT_UNIT", unit)
    _sub(order, "PRICE_QUANTITY", "1")
    _sub(order, "QUANTITY_MIN", "1")
    _sub(order, "QUANTITY_INTERVAL", "1")
    _price_details(product, offer)
    mime = _sub(_sub(product, "MIME_INFO"), "MIME")
    _sub(mime, "MIME_SOURCE", links.image(offer.asin))
    _sub(mime, "MIME_PURPOSE", "normal")
    return product


def _price_update(offer: Offer, links: _Links) -> etree._Element:
    product = _root("PRODUCT", mode="update")
    _sub(product, "SUPPLIER_PID", offer.asin)
    _price_details(product, offer)
    return product


def _header(business: Business, supplier_id: str, currency: str, moment: datetime) -> etree._Element:
    header = _root("HEADER")
    _sub(header, "GENERATOR_INFO", "OpenProcure storefront")
    catalog = _sub(header, "CATALOG")
    _sub(catalog, "LANGUAGE", "eng", default="true")
    _sub(catalog, "CATALOG_ID", f"business-{business.pk}")
    _sub(catalog, "CATALOG_VERSION", "1.0")
    _sub(catalog, "CATALOG_NAME", business.name[:100])
    generated = _sub(catalog, "DATETIME", type="generation_date")
    _sub(generated, "DATE", moment.strftime("%Y-%m-%d"))
    _sub(generated, "TIME", moment.strftime("%H:%M:%S"))
    _sub(catalog, "CURRENCY", currency)
    _sub(_sub(header, "BUYER"), "BUYER_NAME", business.name[:50])
    supplier = _sub(header, "SUPPLIER")
    _sub(supplier, "SUPPLIER_ID", supplier_id, type="supplier_specific")
    _sub(supplier, "SUPPLIER_NAME", str(tunable("CATALOG_EXPORT_SUPPLIER_NAME")))
    return header


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
    links = _Links()
    counter = _Counter(progress)
    build = _price_update if since else _new_product
    with etree.xmlfile(out, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(_tag("BMECAT"), version="2005", nsmap=_NSMAP):
            xml.write(_header(business, supplier_id, currency, moment))
            transaction = "T_UPDATE_PRICES" if since else "T_NEW_CATALOG"
            attributes = {"prev_version": "0"} if since else {}
            with xml.element(_tag(transaction), attributes):
                for offer in offers(products):
                    xml.write(build(offer, links))
                    if counter.add():
                        xml.flush()
    counter.flush()
    return counter.count


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
