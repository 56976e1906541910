"""Hosted catalog test world: CIF files written with the protocol core's writer, uploaded through
the page by the procurement administrator (the worker runs at once)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from lxml import etree

from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.suppliers.models import Supplier
from punchout import cif

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
#: The twelve positional fields up to the manufacturer's name, then currency, short name and flag.
FIELDS = (*cif.POSITIONAL_FIELDS[:9], "Currency", "Short Name", "PunchOut Enabled")


def item(
    part: str, description: str, price: str, *, unspsc: str = "44121615", unit: str = "EA", **more: str
) -> dict[str, str]:
    return {
        "Supplier Part ID": part,
        "Item Description": description,
        "SPSC Code": unspsc,
        "Unit Price": price,
        "Unit of Measure": unit,
        "Currency": "EUR",
        **more,
    }


def cif_file(items: Sequence[Mapping[str, str]], *, header: Mapping[str, str] | None = None) -> bytes:
    out = io.StringIO()
    writer = cif.Writer(
        out, fieldnames=FIELDS, header={"LOADMODE": "F", "CODEFORMAT": "UNSPSC", **(header or {})}
    )
    for row in items:
        writer.row(row)
    writer.close()
    return out.getvalue().encode()


def upload(client: Client, supplier: Supplier, content: bytes, name: str = "catalog.cif") -> CatalogVersion:
    """Upload through the page; returns the version (checked already: the tests' worker is immediate)."""
    answer = client.post("/catalogs/", {"supplier": supplier.pk, "file": SimpleUploadedFile(name, content)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return CatalogVersion.objects.filter(supplier=supplier).order_by("-number").first()  # type: ignore[return-value]


def publish(client: Client, version: CatalogVersion, **data: str) -> CatalogVersion:
    answer = client.post(f"/catalogs/{version.pk}/publish/", data)
    assert answer.status_code == 302
    version.refresh_from_db()
    return version


def publish_items(client: Client, supplier: Supplier, items: Sequence[Mapping[str, str]]) -> CatalogVersion:
    """Upload a whole CIF catalog of ``items`` for ``supplier`` and publish it in force now."""
    return publish(client, upload(client, supplier, cif_file(items)))


BMECAT_2005 = "http://www.bmecat.org/bmecat/2005"
#: (valid from, valid until, [(LOWER_BOUND, PRICE_AMOUNT), ...]); a date None is not written.
Details = tuple[date | None, date | None, list[tuple[int, str]]]


def days(n: int) -> date:
    """Today (local) plus ``n`` days."""
    return timezone.localdate() + timedelta(days=n)


def bmecat(transaction: str, products: dict[str, tuple[str, list[Details]]]) -> bytes:
    """A BMEcat 2005 document: per supplier part its ``PRICE_QUANTITY`` ("" for none) and its
    ``PRODUCT_PRICE_DETAILS`` (``net_customer`` prices in EUR); a whole catalog's products have a
    description and the order unit EA."""

    def sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{BMECAT_2005}}}{name}", attributes)
        element.text = text
        return element

    root = etree.Element(f"{{{BMECAT_2005}}}BMECAT", {"version": "2005"}, nsmap={None: BMECAT_2005})  # type: ignore[dict-item]  # lxml takes None for the default namespace
    header = sub(root, "HEADER")
    catalog = sub(header, "CATALOG")
    sub(catalog, "LANGUAGE", "eng")
    sub(catalog, "CATALOG_ID", "office-1")
    sub(catalog, "CATALOG_VERSION", "1.0")
    sub(catalog, "CURRENCY", "EUR")
    sub(sub(header, "SUPPLIER"), "SUPPLIER_NAME", "Office Supplies Ltd")
    body = sub(root, transaction)
    for part, (quantity, all_details) in products.items():
        product = sub(body, "PRODUCT")
        sub(product, "SUPPLIER_PID", part)
        if transaction == "T_NEW_CATALOG":
            sub(sub(product, "PRODUCT_DETAILS"), "DESCRIPTION_SHORT", f"Item {part}")
            order = sub(product, "PRODUCT_ORDER_DETAILS")
            sub(order, "ORDER_UNIT", "EA")
            if quantity:
                sub(order, "PRICE_QUANTITY", quantity)
        for start, end, prices in all_details:
            details = sub(product, "PRODUCT_PRICE_DETAILS")
            for kind, day in (("valid_start_date", start), ("valid_end_date", end)):
                if day is not None:
                    sub(sub(details, "DATETIME", type=kind), "DATE", day.isoformat())
            for bound, amount in prices:
                price = sub(details, "PRODUCT_PRICE", price_type="net_customer")
                sub(price, "PRICE_AMOUNT", amount)
                sub(price, "PRICE_CURRENCY", "EUR")
                sub(price, "LOWER_BOUND", str(bound))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
