"""BMEcat catalogs read as a stream of format-neutral items: lenient in, warnings that name the path.

BMEcat (BME e.V.) is the European XML catalog format. This reader takes BMEcat 2005, 2005.1 and
2005.2, the non-standard namespaces manufacturers write (``…/bmecat/2005+onto``, the official XSD's
``…/bmecat/2005fd``, none at all) and BMEcat 1.2 (``ARTICLE`` for ``PRODUCT``, ``SUPPLIER_AID`` for
``SUPPLIER_PID``…), with a warning for each departure from the version it reads as.

:func:`read` parses the ``HEADER`` at once and returns a :class:`Catalog` whose ``items`` iterator
reads one ``PRODUCT`` at a time (``lxml.etree.iterparse``; each product is dropped from the tree once
read), so a catalog of a million products needs no more memory than one of ten. Each :class:`Item`
carries its line and path, the warnings read on the way (a price without an amount, a unit that is
not a UN/ECE Recommendation 20 code, a GTIN whose check digit is wrong) and its errors: an item with
errors (no ``SUPPLIER_PID``, an amount that is not a number, an unknown currency) is reported, never
half-used. What no reader could use refuses the whole document with a :class:`BMEcatError` naming
the line: text that is not XML, an internal DTD subset, a root that is not ``BMECAT``, an unknown
version or transaction, a missing ``HEADER``.

The transactions are ``T_NEW_CATALOG`` (the whole catalog), ``T_UPDATE_PRODUCTS`` (products added,
changed or deleted: each product's ``mode``) and ``T_UPDATE_PRICES`` (prices only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from lxml import etree

from punchout.money import CURRENCIES, InvalidNumber, parse_decimal
from punchout.rec20 import is_unit_code

__all__ = [
    "NAMESPACES",
    "TRANSACTIONS",
    "BMEcatError",
    "Catalog",
    "Classification",
    "Header",
    "Issue",
    "Item",
    "Media",
    "Price",
    "read",
]

_Element = etree._Element

#: The namespaces of the published schemas and the version each one is.
NAMESPACES = {
    "http://www.bmecat.org/bmecat/2005": "2005",
    "http://www.bmecat.org/bmecat/2005fd": "2005",
    "http://www.bmecat.org/bmecat/2005.1": "2005.1",
    "http://www.bmecat.org/bmecat/2005.2": "2005.2",
    "http://www.bmecat.org/bmecat/1.2/bmecat_new_catalog": "1.2",
    "http://www.bmecat.org/bmecat/1.2/bmecat_update_products": "1.2",
    "http://www.bmecat.org/bmecat/1.2/bmecat_update_prices": "1.2",
}
VERSIONS = ("2005", "2005.1", "2005.2", "1.2")
_BMECAT_NAMESPACE_PREFIX = "http://www.bmecat.org/bmecat/"
TRANSACTIONS = ("T_NEW_CATALOG", "T_UPDATE_PRODUCTS", "T_UPDATE_PRICES")
#: The mode a product has when its element does not say (BMEcat 2005, section "PRODUCT").
_DEFAULT_MODE = {"T_NEW_CATALOG": "new", "T_UPDATE_PRODUCTS": "update", "T_UPDATE_PRICES": "update"}
_MODES = ("new", "update", "delete")
#: Price types of the 2005 schemas (``typePRICE_TYPE``); ``udp_*`` are the catalog's own.
PRICE_TYPES = ("gros_list", "net_customer", "net_customer_exp", "net_list", "nrp", "on_request")
#: BMEcat 1.2 names and their 2005 equivalents (the rest of the vocabulary is shared).
_V12_NAMES = {
    "ARTICLE": "PRODUCT",
    "SUPPLIER_AID": "SUPPLIER_PID",
    "ARTICLE_DETAILS": "PRODUCT_DETAILS",
    "ARTICLE_FEATURES": "PRODUCT_FEATURES",
    "ARTICLE_ORDER_DETAILS": "PRODUCT_ORDER_DETAILS",
    "ARTICLE_PRICE_DETAILS": "PRODUCT_PRICE_DETAILS",
    "ARTICLE_PRICE": "PRODUCT_PRICE",
    "MANUFACTURER_AID": "MANUFACTURER_PID",
    "SUPPLIER_ALT_AID": "SUPPLIER_ALT_PID",
    "BUYER_AID": "BUYER_PID",
}
_IMAGE_PURPOSES = ("normal", "thumbnail", "detail")
#: libxml2 ends its messages with the position, which the error carries as ``line`` already.
_POSITION = re.compile(r", line \d+, column \d+$")


class BMEcatError(ValueError):
    """A document no reader could use; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.reason = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Issue:
    """A warning or an error about one element: its line, its path and what to do about it."""

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.path}: {self.message}"


@dataclass(slots=True)
class Header:
    """What the ``HEADER`` says about the catalog, and the transaction that follows it."""

    version: str = "2005"
    namespace: str = ""
    catalog_id: str = ""
    catalog_version: str = ""
    catalog_name: str = ""
    languages: list[str] = field(default_factory=list)
    #: the language descriptions are taken in: the one marked ``default="true"``, else the first
    language: str = ""
    currency: str = ""
    generated: date | None = None
    mime_root: str = ""
    supplier_id: str = ""
    supplier_name: str = ""
    buyer_id: str = ""
    buyer_name: str = ""
    transaction: str = ""
    prev_version: str = ""
    warnings: list[Issue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Price:
    """One ``PRODUCT_PRICE``: an amount per ``price_quantity`` order units from ``lower_bound`` on."""

    amount: Decimal
    currency: str
    #: ``net_customer``, ``net_list``, ``gros_list``, ``nrp``, ``udp_…`` as written
    price_type: str
    #: the smallest quantity (in order units) the price applies to: the quantity tier
    lower_bound: Decimal = Decimal(1)
    #: the tax rate as a fraction (``0.19`` for 19 %), when the catalog gives one
    tax: Decimal | None = None
    factor: Decimal = Decimal(1)
    territories: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class Classification:
    """A reference to a classification system: ``("UNSPSC", "44121615")``, ``("ECLASS-5.1", …)``."""

    system: str
    code: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Media:
    """One ``MIME``: a picture, a data sheet or a link, its source as written (relative to the
    header's ``MIME_ROOT`` unless it is a URL)."""

    source: str
    mime_type: str = ""
    purpose: str = ""
    description: str = ""

    @property
    def is_image(self) -> bool:
        if self.mime_type:
            return self.mime_type.lower().startswith("image/")
        return self.purpose in _IMAGE_PURPOSES


@dataclass(slots=True)
class Item:
    """One product of the catalog, format-neutral; ``errors`` empty means it may be used."""

    line: int
    path: str
    supplier_part_id: str = ""
    #: ``new``, ``update`` or ``delete`` (``T_UPDATE_PRODUCTS``); ``new`` in a new catalog
    mode: str = "new"
    description_short: str = ""
    description_long: str = ""
    #: the descriptions in the catalog's other languages: language -> (short, long)
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)
    manufacturer_name: str = ""
    manufacturer_part_id: str = ""
    gtin: str = ""
    #: UN/ECE Recommendation 20 code of the unit the product is ordered in (``C62``, ``BX``)
    order_unit: str = ""
    #: the unit of the content of one order unit, and how many of them an order unit holds
    content_unit: str = ""
    packing_quantity: Decimal | None = None
    #: prices are per this many order units
    price_quantity: Decimal = Decimal(1)
    quantity_min: Decimal | None = None
    quantity_interval: Decimal | None = None
    prices: list[Price] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    #: working days from order to delivery
    delivery_time: Decimal | None = None
    keywords: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def images(self) -> list[Media]:
        return [media for media in self.media if media.is_image]

    def classification(self, system: str) -> str:
        """The code in the first classification whose system name starts with ``system``
        (``UNSPSC``, ``ECLASS``), ignoring case and the ``@`` of ``ECL@SS``; empty when none."""
        wanted = system.upper().replace("@", "A")
        for entry in self.classifications:
            if entry.system.upper().replace("@", "A").startswith(wanted):
                return entry.code
        return ""

    @property
    def unspsc(self) -> str:
        return self.classification("UNSPSC")

    @property
    def eclass(self) -> str:
        return self.classification("ECLASS")

    def unit_price(self, price: Price) -> Decimal:
        """The price of one order unit: the amount times its factor, over the price quantity."""
        return price.amount * price.factor / (self.price_quantity or Decimal(1))


@dataclass
class Catalog:
    """A BMEcat document as read: its header and an iterator over its items, read lazily."""

    header: Header
    items: Iterator[Item]


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _text_of(element: _Element) -> str:
    """The text of an element and its children, white space collapsed (CDATA reads as text)."""
    return " ".join("".join(str(part) for part in element.itertext()).split())


def _line(element: _Element) -> int:
    line: int = int(element.sourceline or 0)  # type: ignore[call-overload]  # lxml-stubs: int | None
    return line


def _gtin_ok(code: str) -> bool:
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


class _Tree:
    """Reads names through the BMEcat 1.2 aliases and builds paths from the item's own path."""

    def __init__(self, *, v12: bool) -> None:
        self.v12 = v12

    def name(self, element: _Element) -> str:
        name = _local(element.tag)
        return _V12_NAMES.get(name, name) if self.v12 else name

    def children(self, parent: _Element, name: str) -> list[_Element]:
        return [child for child in parent if self.name(child) == name]

    def first(self, parent: _Element | None, name: str) -> _Element | None:
        if parent is None:
            return None
        for child in parent:
            if self.name(child) == name:
                return child
        return None

    def text(self, parent: _Element | None, name: str) -> str:
        element = self.first(parent, name)
        if element is None:
            return ""
        return _text_of(element)

    def path(self, base: str, base_element: _Element, element: _Element) -> str:
        steps: list[str] = []
        current: _Element | None = element
        while current is not None and current is not base_element:
            parent = current.getparent()
            name = _local(current.tag)
            if parent is not None:
                same = [child for child in parent if _local(child.tag) == name]
                if len(same) > 1:
                    name = f"{name}[{same.index(current) + 1}]"
            steps.append(name)
            current = parent
        return "/".join([base, *reversed(steps)])


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


class _ItemReader:
    """Reads one ``PRODUCT`` element into an :class:`Item`."""

    def __init__(self, tree: _Tree, header: Header) -> None:
        self.tree = tree
        self.header = header
        self.element: _Element | None = None
        self.item: Item | None = None

    # issues ----------------------------------------------------------------------------------
    def _issue(self, element: _Element, message: str) -> Issue:
        assert self.item is not None and self.element is not None
        path = self.tree.path(self.item.path, self.element, element)
        return Issue(_line(element) or self.item.line, path, message)

    def warn(self, element: _Element, message: str) -> None:
        assert self.item is not None
        self.item.warnings.append(self._issue(element, message))

    def error(self, element: _Element, message: str) -> None:
        assert self.item is not None
        self.item.errors.append(self._issue(element, message))

    def number(self, parent: _Element | None, name: str, *, positive: bool = False) -> Decimal | None:
        element = self.tree.first(parent, name)
        if element is None:
            return None
        text = _text_of(element)
        try:
            value = parse_decimal(text)
        except InvalidNumber:
            self.error(element, f"{name} {text!r} is not a number")
            return None
        if value < 0 or (positive and value == 0):
            self.error(element, f"{name} {text} must be {'more than' if positive else 'at least'} 0")
            return None
        return value

    # the product -----------------------------------------------------------------------------
    def read(self, element: _Element, *, line: int, path: str, transaction: str) -> Item:
        self.element = element
        item = self.item = Item(line=line, path=path)
        tree = self.tree
        mode = (element.get("mode") or _DEFAULT_MODE[transaction]).strip().lower()
        if mode not in _MODES:
            self.warn(element, f"mode {mode!r} is not new, update or delete: read as update")
            mode = "update"
        item.mode = mode
        item.supplier_part_id = tree.text(element, "SUPPLIER_PID")
        if not item.supplier_part_id:
            self.error(element, "SUPPLIER_PID is missing or empty: every product needs its part number")
        if mode == "delete":
            return item
        details = tree.first(element, "PRODUCT_DETAILS")
        if details is not None:
            self._details(details)
        elif transaction != "T_UPDATE_PRICES":
            self.warn(element, "PRODUCT_DETAILS is missing: the product has no description")
        for features in tree.children(element, "PRODUCT_FEATURES"):
            self._classification(features)
        order = tree.first(element, "PRODUCT_ORDER_DETAILS")
        if order is not None:
            self._order_details(order)
        for details in tree.children(element, "PRODUCT_PRICE_DETAILS"):
            self._price_details(details)
        mime_info = tree.first(element, "MIME_INFO")
        if mime_info is not None:
            for mime in tree.children(mime_info, "MIME"):
                source = tree.text(mime, "MIME_SOURCE")
                if not source:
                    self.warn(mime, "MIME without MIME_SOURCE: left out")
                    continue
                item.media.append(
                    Media(
                        source=source,
                        mime_type=tree.text(mime, "MIME_TYPE"),
                        purpose=tree.text(mime, "MIME_PURPOSE"),
                        description=tree.text(mime, "MIME_DESCR"),
                    )
                )
        return item

    def _in_language(self, elements: list[_Element]) -> tuple[str, dict[str, str]]:
        """The text in the catalog's language (or without a language), and the others by language."""
        chosen = ""
        others: dict[str, str] = {}
        language = self.header.language
        for element in elements:
            text = _text_of(element)
            lang = (element.get("lang") or "").strip().lower()
            if not lang or lang == language or not language:
                if not chosen:
                    chosen = text
            else:
                others.setdefault(lang, text)
        if not chosen and others:
            lang, chosen = next(iter(others.items()))
            del others[lang]
        return chosen, others

    def _details(self, details: _Element) -> None:
        assert self.item is not None
        item, tree = self.item, self.tree
        short, short_others = self._in_language(tree.children(details, "DESCRIPTION_SHORT"))
        long, long_others = self._in_language(tree.children(details, "DESCRIPTION_LONG"))
        item.description_short, item.description_long = short, long
        for lang in sorted({*short_others, *long_others}):
            item.translations[lang] = (short_others.get(lang, ""), long_others.get(lang, ""))
        if not short:
            self.warn(details, "DESCRIPTION_SHORT is missing or empty")
        item.manufacturer_name = tree.text(details, "MANUFACTURER_NAME")
        item.manufacturer_part_id = tree.text(details, "MANUFACTURER_PID")
        gtins = [
            element
            for element in tree.children(details, "INTERNATIONAL_PID")
            if (element.get("type") or "").strip().lower() in ("gtin", "ean", "")
        ] + tree.children(details, "EAN")
        if gtins:
            item.gtin = _text_of(gtins[0])
            if item.gtin and not _gtin_ok(item.gtin):
                self.warn(
                    gtins[0], f"GTIN {item.gtin!r} is not 8, 12, 13 or 14 digits with a valid check digit"
                )
        item.delivery_time = self.number(details, "DELIVERY_TIME")
        language = self.header.language
        for keyword in tree.children(details, "KEYWORD"):
            lang = (keyword.get("lang") or "").strip().lower()
            text = _text_of(keyword)
            if text and (not lang or not language or lang == language) and text not in item.keywords:
                item.keywords.append(text)

    def _classification(self, features: _Element) -> None:
        assert self.item is not None
        tree = self.tree
        system = tree.text(features, "REFERENCE_FEATURE_SYSTEM_NAME")
        code = tree.text(features, "REFERENCE_FEATURE_GROUP_ID")
        name = tree.text(features, "REFERENCE_FEATURE_GROUP_NAME")
        if system and (code or name):
            self.item.classifications.append(Classification(system, code, name))

    def _unit(self, parent: _Element, name: str) -> str:
        element = self.tree.first(parent, name)
        if element is None:
            return ""
        code = _text_of(element)
        if code and not is_unit_code(code):
            self.warn(element, f"{name} {code!r} is not a UN/ECE Recommendation 20 code (C62, BX, PK…)")
        return code

    def _order_details(self, order: _Element) -> None:
        assert self.item is not None
        item = self.item
        item.order_unit = self._unit(order, "ORDER_UNIT")
        item.content_unit = self._unit(order, "CONTENT_UNIT")
        item.packing_quantity = self.number(order, "NO_CU_PER_OU", positive=True)
        item.price_quantity = self.number(order, "PRICE_QUANTITY", positive=True) or Decimal(1)
        item.quantity_min = self.number(order, "QUANTITY_MIN")
        item.quantity_interval = self.number(order, "QUANTITY_INTERVAL", positive=True)

    def _price_details(self, details: _Element) -> None:
        assert self.item is not None
        tree = self.tree
        valid_from: date | None = None
        valid_until: date | None = None
        for moment in tree.children(details, "DATETIME"):
            when = _parse_date(tree.text(moment, "DATE"))
            kind = (moment.get("type") or "").strip()
            if when is None:
                self.warn(moment, "DATE is not a date (YYYY-MM-DD): the validity is ignored")
            elif kind == "valid_start_date":
                valid_from = when
            elif kind == "valid_end_date":
                valid_until = when
        for older, name in (("VALID_START_DATE", "from"), ("VALID_END_DATE", "until")):
            text = tree.text(details, older)
            if text and (when := _parse_date(text)) is not None:
                if name == "from":
                    valid_from = when
                else:
                    valid_until = when
        for element in tree.children(details, "PRODUCT_PRICE"):
            price = self._price(element, valid_from, valid_until)
            if price is not None:
                self.item.prices.append(price)

    def _price(self, element: _Element, valid_from: date | None, valid_until: date | None) -> Price | None:
        tree = self.tree
        price_type = (element.get("price_type") or "").strip()
        if not price_type:
            self.warn(element, "price_type is missing: read as net_list")
            price_type = "net_list"
        elif price_type not in PRICE_TYPES and not price_type.startswith("udp_"):
            self.warn(element, f"price_type {price_type!r} is not a BMEcat price type")
        if tree.first(element, "PRICE_AMOUNT") is None:
            self.warn(element, "PRODUCT_PRICE without PRICE_AMOUNT: left out")
            return None
        errors = len(self.item.errors) if self.item else 0
        amount = self.number(element, "PRICE_AMOUNT")
        currency_element = tree.first(element, "PRICE_CURRENCY")
        currency = tree.text(element, "PRICE_CURRENCY").upper() or self.header.currency
        if not currency:
            self.error(element, "no PRICE_CURRENCY and no CURRENCY in the header: the price has no currency")
        elif currency not in CURRENCIES:
            self.error(
                currency_element if currency_element is not None else element,
                f"currency {currency!r} is not an ISO 4217 code",
            )
        tax = self.number(element, "TAX")
        tax_details = tree.first(element, "TAX_DETAILS")
        if tax is None and tax_details is not None:
            tax = self.number(tax_details, "TAX")
        if tax is not None and tax > 1:
            self.warn(element, f"TAX {tax} is a percentage, not a fraction: read as {tax / 100}")
            tax = tax / 100
        factor = self.number(element, "PRICE_FACTOR", positive=True) or Decimal(1)
        lower_bound = self.number(element, "LOWER_BOUND", positive=True) or Decimal(1)
        if amount is None or (self.item and len(self.item.errors) > errors):
            return None
        return Price(
            amount=amount,
            currency=currency,
            price_type=price_type,
            lower_bound=lower_bound,
            tax=tax,
            factor=factor,
            territories=tuple(_text_of(t) for t in tree.children(element, "TERRITORY")),
            valid_from=valid_from,
            valid_until=valid_until,
        )


def _header(element: _Element, header: Header, tree: _Tree) -> None:
    catalog = tree.first(element, "CATALOG")
    base = "/BMECAT/HEADER"

    def warn(target: _Element, message: str) -> None:
        header.warnings.append(Issue(_line(target) or 0, tree.path(base, element, target), message))

    if catalog is None:
        warn(element, "CATALOG is missing: the catalog has no id, version, language or currency")
    else:
        header.catalog_id = tree.text(catalog, "CATALOG_ID")
        header.catalog_version = tree.text(catalog, "CATALOG_VERSION")
        header.catalog_name = tree.text(catalog, "CATALOG_NAME")
        languages = tree.children(catalog, "LANGUAGE")
        header.languages = [_text_of(x).lower() for x in languages]
        default = [
            lang
            for lang, x in zip(header.languages, languages, strict=True)
            if (x.get("default") or "").lower() == "true"
        ]
        header.language = (default or header.languages or [""])[0]
        currency_element = tree.first(catalog, "CURRENCY")
        header.currency = tree.text(catalog, "CURRENCY").upper()
        if currency_element is not None and header.currency not in CURRENCIES:
            warn(currency_element, f"CURRENCY {header.currency!r} is not an ISO 4217 code: ignored")
            header.currency = ""
        header.mime_root = tree.text(catalog, "MIME_ROOT")
        for moment in tree.children(catalog, "DATETIME"):
            if moment.get("type") == "generation_date":
                header.generated = _parse_date(tree.text(moment, "DATE"))
        if not header.catalog_id:
            warn(catalog, "CATALOG_ID is missing or empty")
    supplier = tree.first(element, "SUPPLIER")
    if supplier is not None:
        header.supplier_id = tree.text(supplier, "SUPPLIER_ID")
        header.supplier_name = tree.text(supplier, "SUPPLIER_NAME")
    else:
        header.supplier_id = tree.text(element, "SUPPLIER_IDREF")
        if not header.supplier_id:
            warn(element, "SUPPLIER is missing: the catalog does not say whose it is")
    buyer = tree.first(element, "BUYER")
    if buyer is not None:
        header.buyer_id = tree.text(buyer, "BUYER_ID")
        header.buyer_name = tree.text(buyer, "BUYER_NAME")


def _version(root: _Element, header: Header) -> None:
    namespace = root.tag.partition("}")[0][1:] if root.tag.startswith("{") else ""
    written = (root.get("version") or "").strip()
    known = NAMESPACES.get(namespace)
    header.namespace = namespace
    line = _line(root) or 1

    def warn(message: str) -> None:
        header.warnings.append(Issue(line, "/BMECAT", message))

    if written and written not in VERSIONS:
        raise BMEcatError(
            f"BMEcat version {written!r} is not supported (2005, 2005.1, 2005.2 and 1.2 are)", line=line
        )
    header.version = written or known or "2005"
    if not written:
        warn(f"the version attribute is missing: read as BMEcat {header.version}")
    if header.version == "1.2":
        warn(
            "BMEcat 1.2: read with the names of BMEcat 2005 (ARTICLE as PRODUCT, SUPPLIER_AID as SUPPLIER_PID…)"
        )
    if not namespace:
        warn(f"BMECAT has no namespace: read as BMEcat {header.version}")
    elif known is None:
        kind = "non-standard BMEcat" if namespace.startswith(_BMECAT_NAMESPACE_PREFIX) else "foreign"
        warn(f"{kind} namespace {namespace!r}: read as BMEcat {header.version}")
    elif written and known != written:
        warn(f"version {written!r} in the namespace of BMEcat {known}: read as BMEcat {written}")


def _parser_events(stream: IO[bytes]) -> Iterator[tuple[str, _Element]]:
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        yield from events
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        message = _POSITION.sub("", exc.msg or "")
        raise BMEcatError(f"not well-formed XML: {message}", line=line) from exc


def _no_internal_subset(root: _Element) -> None:
    # A DOCTYPE naming the DTD (``<!DOCTYPE BMECAT SYSTEM "bmecat_2005_tnc.dtd">``) is common and
    # harmless: the DTD is never loaded. Declarations inside the document are refused unread.
    dtd: Any = root.getroottree().docinfo.internalDTD  # lxml-stubs lack DTD.iterentities
    if dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements())):
        raise BMEcatError("the DOCTYPE declares entities or elements in the document: refused", line=1)


def read(stream: IO[bytes]) -> Catalog:
    """Read the header of the BMEcat document in the binary ``stream`` and return it with its items,
    read one at a time as the iterator is consumed (a document error then raises :class:`BMEcatError`).
    """
    events = _parser_events(stream)
    header = Header()
    tree = _Tree(v12=False)
    depth = 0
    root: _Element | None = None
    seen_header = False
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = element
                _no_internal_subset(element)
                if _local(element.tag) != "BMECAT":
                    raise BMEcatError(
                        f"the root element is {_local(element.tag)!r}, not BMECAT",
                        line=_line(element) or 1,
                    )
                _version(element, header)
                tree.v12 = header.version == "1.2"
            elif depth == 2 and _local(element.tag).startswith("T_"):
                name = _local(element.tag)
                if name not in TRANSACTIONS:
                    raise BMEcatError(
                        f"transaction {name} is not supported (T_NEW_CATALOG, T_UPDATE_PRODUCTS and "
                        "T_UPDATE_PRICES are)",
                        line=_line(element) or 0,
                    )
                if not seen_header:
                    raise BMEcatError(f"{name} comes before the HEADER", line=_line(element) or 0)
                header.transaction = name
                header.prev_version = (element.get("prev_version") or "").strip()
                return Catalog(header, _items(events, header, tree, element))
            continue
        depth -= 1
        if depth == 1 and _local(element.tag) == "HEADER":
            _header(element, header, tree)
            seen_header = True
            element.clear()
    if root is None:
        raise BMEcatError("the document is empty")
    if not seen_header:
        raise BMEcatError("the document has no HEADER", line=_line(root) or 1)
    raise BMEcatError(
        "the document has no transaction (T_NEW_CATALOG, T_UPDATE_PRODUCTS or T_UPDATE_PRICES)",
        line=_line(root) or 1,
    )


def _items(
    events: Iterator[tuple[str, _Element]], header: Header, tree: _Tree, transaction: _Element
) -> Iterator[Item]:
    reader = _ItemReader(tree, header)
    depth = 2
    count = 0
    base = f"/BMECAT/{header.transaction}"
    item_start = 0
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 3:
                item_start = _line(element) or 0
            continue
        depth -= 1
        if depth == 2:
            if tree.name(element) == "PRODUCT":
                count += 1
                yield reader.read(
                    element,
                    line=item_start,
                    path=f"{base}/{_local(element.tag)}[{count}]",
                    transaction=header.transaction,
                )
            # Drop what was read (and anything before it) so memory stays flat.
            element.clear()
            while element.getprevious() is not None:
                del transaction[0]
        elif depth == 1:
            transaction.clear()
            break
    # Read on to the end of the document, so that one broken after its last product is refused too.
    for _event, _element in events:
        pass
