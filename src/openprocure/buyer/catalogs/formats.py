"""Catalog files as one stream of items, whatever their format (CIF 3.0 or BMEcat 1.2 to 2005.2).

:func:`open_catalog` tells the format from the file's first bytes and returns a :class:`Source`: the
header values the import needs and an iterator of :class:`Row` — the fields of one item as written,
with the line it came from. The checks (``validation``) and the import (``services``) read rows only,
so a new format is one more reader here.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from openprocure.buyer.catalogs.choices import CatalogFormat
from punchout import bmecat, cif


class UnreadableFile(ValueError):
    """A file that is not a catalog we read, or that stops being one at ``line``."""

    def __init__(self, reason: str, *, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class PricePeriod:
    """The prices of one validity (BMEcat ``PRODUCT_PRICE_DETAILS`` with its dates), as written:
    ISO dates ("" when open; both days included), the amount and the tiers as in :class:`Row`."""

    valid_from: str
    valid_until: str
    unit_price: str
    tiers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Row:
    """One item as the file wrote it (text, trimmed), with the names of its fields in that file."""

    line: int
    supplier_id: str = ""
    supplier_part_id: str = ""
    supplier_part_auxiliary_id: str = ""
    description: str = ""
    short_name: str = ""
    unspsc: str = ""
    unit_price: str = ""
    currency: str = ""
    unit_of_measure: str = ""
    lead_time: str = ""
    manufacturer_name: str = ""
    manufacturer_part_id: str = ""
    supplier_url: str = ""
    punchout_enabled: bool = False
    delete: bool = False
    #: Quantity tiers above the first: (smallest quantity, unit price), as written, smallest first.
    tiers: list[tuple[str, str]] = field(default_factory=list)
    #: How many order units the prices are for (BMEcat ``PRICE_QUANTITY``); "" for 1, or in a price
    #: update for the price quantity of the item in force (its file has no order details).
    price_quantity: str = ""
    #: Dated prices (``unit_price`` and ``tiers`` are then empty); empty when the file dates none.
    periods: list[PricePeriod] = field(default_factory=list)
    #: Our attribute name → the field's name in the file (for the problems a person reads).
    names: dict[str, str] = field(default_factory=dict)
    #: What the format's reader already refused in this row: (where, what), e.g. a BMEcat path.
    errors: list[tuple[str, str]] = field(default_factory=list)

    def name(self, attribute: str) -> str:
        return self.names.get(attribute, attribute)


@dataclass
class Source:
    """A catalog file being read: its format, header values, and its rows (read lazily)."""

    format: str
    header: dict[str, str]
    rows: Iterator[Row]
    default_currency: str = ""
    #: The file changes the version in force (CIF ``LOADMODE: I``, BMEcat ``T_UPDATE_PRODUCTS``)…
    incremental: bool = False
    #: …or only the prices of items it has (BMEcat ``T_UPDATE_PRICES``; ``incremental`` too).
    prices_only: bool = False
    supplier_id_domain: str = ""
    expected: int = 0
    #: CIF requires a UNSPSC code on every row; BMEcat catalogs often classify with ECLASS only.
    unspsc_required: bool = True


#: CIF field names for each attribute of :class:`Row`.
CIF_FIELDS = {
    "supplier_id": "Supplier ID",
    "supplier_part_id": "Supplier Part ID",
    "supplier_part_auxiliary_id": "Supplier Part Auxiliary ID",
    "description": "Item Description",
    "short_name": "Short Name",
    "unspsc": "SPSC Code",
    "unit_price": "Unit Price",
    "currency": "Currency",
    "unit_of_measure": "Unit of Measure",
    "lead_time": "Lead Time",
    "manufacturer_name": "Manufacturer Name",
    "manufacturer_part_id": "Manufacturer Part ID",
    "supplier_url": "Supplier URL",
}
_TRUE = {"t", "true", "y", "yes", "1", "x"}


def detect(head: bytes) -> str:
    """The format of a file from its first bytes: CIF's signature or an XML document (BMEcat)."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"CIF_I_V"):
        return CatalogFormat.CIF
    if text.startswith(b"<"):
        return CatalogFormat.BMECAT
    return ""


def open_catalog(stream: BinaryIO) -> Source:
    """Read the header of the catalog file in ``stream`` (binary, seekable); raises :class:`UnreadableFile`."""
    head = stream.read(64)
    stream.seek(0)
    kind = detect(head)
    if kind == CatalogFormat.CIF:
        return _cif_source(stream)
    if kind == CatalogFormat.BMECAT:
        return _bmecat_source(stream)
    raise UnreadableFile(
        _("this is neither a CIF file (its first line would be CIF_I_V3.0) nor a BMEcat document."), line=1
    )


def _cif_source(stream: BinaryIO) -> Source:
    try:
        catalog = cif.read(stream)
    except cif.CIFError as error:
        raise UnreadableFile(error.reason, line=error.line) from None
    header = catalog.header
    load_mode = header.get("LOADMODE", "F").upper()
    if load_mode not in ("F", "I"):
        raise UnreadableFile(f"LOADMODE {load_mode!r} is neither F (full) nor I (incremental)", line=1)
    # Field names are matched whatever their case ("PunchOut Enabled", "Punchout enabled").
    present = {name.casefold(): name for name in header.fieldnames}
    wanted = {**CIF_FIELDS, "delete": "Delete", "punchout_enabled": "PunchOut Enabled"}
    names = {
        attribute: present[name.casefold()]
        for attribute, name in wanted.items()
        if name.casefold() in present
    }
    declared = header.get("ITEMCOUNT")
    return Source(
        format=CatalogFormat.CIF,
        header={key: value[:200] for key, value in header.values.items() if key != "FIELDNAMES"},
        rows=_cif_rows(catalog, names),
        default_currency=header.get("CURRENCY").upper(),
        incremental=load_mode == "I",
        supplier_id_domain=header.get("SUPPLIERID_DOMAIN").upper(),
        expected=int(declared) if declared.isdigit() else 0,
    )


def _cif_rows(catalog: cif.Catalog, names: dict[str, str]) -> Iterator[Row]:
    flags = {attribute: names.pop(attribute, "") for attribute in ("delete", "punchout_enabled")}
    labels = {**CIF_FIELDS, "delete": "Delete", "punchout_enabled": "PunchOut Enabled", **names}
    try:
        for line, item in catalog.rows:
            row = Row(
                line=line,
                punchout_enabled=item.get(flags["punchout_enabled"], "").lower() in _TRUE,
                delete=item.get(flags["delete"], "").lower() in _TRUE,
                names=labels,
            )
            for attribute, name in names.items():  # the text fields the file has
                setattr(row, attribute, item.get(name, ""))
            yield row
    except cif.CIFError as error:
        raise UnreadableFile(error.reason, line=error.line) from None


#: BMEcat element names for each attribute of :class:`Row` (the problems name them).
BMECAT_FIELDS = {
    "supplier_part_id": "SUPPLIER_PID",
    "description": "DESCRIPTION_LONG",
    "short_name": "DESCRIPTION_SHORT",
    "unspsc": "REFERENCE_FEATURE_SYSTEM_NAME UNSPSC",
    "unit_price": "PRICE_AMOUNT",
    "currency": "PRICE_CURRENCY",
    "unit_of_measure": "ORDER_UNIT",
    "lead_time": "DELIVERY_TIME",
    "manufacturer_name": "MANUFACTURER_NAME",
    "manufacturer_part_id": "MANUFACTURER_PID",
    "delete": "PRODUCT mode",
    "tiers": "LOWER_BOUND",
    "price_quantity": "PRICE_QUANTITY",
    "periods": "PRODUCT_PRICE_DETAILS DATETIME",
}
#: The price a buyer pays, in order of preference: the customer's net price, then list prices.
_PRICE_PREFERENCE = ("net_customer", "net_list", "gros_list", "nrp")


def _bmecat_source(stream: BinaryIO) -> Source:
    try:
        catalog = bmecat.read(stream)
    except bmecat.BMEcatError as error:
        raise UnreadableFile(error.reason, line=error.line) from None
    header = catalog.header
    values = {
        "VERSION": header.version,
        "TRANSACTION": header.transaction,
        "CATALOG_ID": header.catalog_id,
        "CATALOG_VERSION": header.catalog_version,
        "CURRENCY": header.currency,
        "SUPPLIER": header.supplier_name or header.supplier_id,
    }
    return Source(
        format=CatalogFormat.BMECAT,
        header={key: value[:200] for key, value in values.items() if value},
        rows=_bmecat_rows(catalog, prices_only=header.transaction == "T_UPDATE_PRICES"),
        default_currency=header.currency.upper(),
        incremental=header.transaction in ("T_UPDATE_PRODUCTS", "T_UPDATE_PRICES"),
        prices_only=header.transaction == "T_UPDATE_PRICES",
        unspsc_required=False,
    )


def _plain(number: object) -> str:
    return format(number, "f")


def _amount(price: bmecat.Price) -> str:
    """A price's amount for its price quantity (times its factor), exact."""
    return _plain(price.amount * price.factor)


def _chosen(prices: list[bmecat.Price], currency: str) -> bmecat.Price | None:
    """The price a buyer pays: from the first quantity on, the customer's price before list prices,
    and among prices of one kind, the catalog's ``currency``."""
    first = [price for price in prices if price.lower_bound <= 1] or prices
    return min(
        first,
        key=lambda p: (
            _PRICE_PREFERENCE.index(p.price_type) if p.price_type in _PRICE_PREFERENCE else 9,
            p.currency not in ("", currency),
        ),
        default=None,
    )


def _tiers(prices: list[bmecat.Price], price: bmecat.Price) -> list[tuple[str, str]]:
    """The tiers of the chosen price: the same type and currency from a larger quantity on."""
    tiers = {
        other.lower_bound: other
        for other in reversed(prices)
        if other.lower_bound > 1 and (other.price_type, other.currency) == (price.price_type, price.currency)
    }
    return [(_plain(bound.normalize()), _amount(tiers[bound])) for bound in sorted(tiers)]


def _periods(prices: list[bmecat.Price], price: bmecat.Price) -> list[PricePeriod]:
    """The prices of the chosen type and currency by validity, in the file's order; empty when no
    price is dated (the catalog's dates then put every price in force)."""
    if all(p.valid_from is None and p.valid_until is None for p in prices):
        return []
    groups: dict[tuple[Any, Any], list[bmecat.Price]] = {}
    for other in prices:
        if (other.price_type, other.currency) == (price.price_type, price.currency):
            groups.setdefault((other.valid_from, other.valid_until), []).append(other)
    periods = []
    for (start, end), group in groups.items():
        first = [p for p in group if p.lower_bound <= 1] or group
        periods.append(
            PricePeriod(
                valid_from=start.isoformat() if start else "",
                valid_until=end.isoformat() if end else "",
                unit_price=_amount(first[0]),
                tiers=_tiers(group, first[0]),
            )
        )
    return periods


def _bmecat_rows(catalog: bmecat.Catalog, *, prices_only: bool) -> Iterator[Row]:
    try:
        for item in catalog.items:
            price = _chosen(item.prices, catalog.header.currency)
            periods = _periods(item.prices, price) if price else []
            delivery = item.delivery_time
            yield Row(
                line=item.line,
                supplier_part_id=item.supplier_part_id,
                description=item.description_long or item.description_short,
                short_name=item.description_short[:200] if item.description_long else "",
                unspsc=item.unspsc,
                unit_price=_amount(price) if price and not periods else "",
                currency=price.currency if price else "",
                unit_of_measure=item.order_unit,
                lead_time=_plain(delivery.to_integral_value()) if delivery is not None else "",
                manufacturer_name=item.manufacturer_name,
                manufacturer_part_id=item.manufacturer_part_id,
                delete=item.mode == "delete",
                tiers=_tiers(item.prices, price) if price and not periods else [],
                # A price update has no order details: its amounts are for the item in force's quantity.
                price_quantity="" if prices_only else _plain(item.price_quantity.normalize()),
                periods=periods,
                names=BMECAT_FIELDS,
                errors=[(issue.path, issue.message) for issue in item.errors],
            )
    except bmecat.BMEcatError as error:
        raise UnreadableFile(error.reason, line=error.line) from None
