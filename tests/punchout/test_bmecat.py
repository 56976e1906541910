"""BMEcat: every sample of the interop corpus is read (or refused with the exact reason), field by
field; what no reader could use is refused naming the line; per-item errors and warnings name the
path; the reader keeps one product in memory at a time."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from punchout import bmecat
from punchout.bmecat import Classification, Issue, Media, Price
from punchout.rec20 import UNIT_CODES, is_unit_code

SAMPLES = "bmecat/samples"
WEIDMUELLER_NS = "line 7, /BMECAT: non-standard BMEcat namespace 'http://www.bmecat.org/bmecat/2005+onto': read as BMEcat 2005"


def _read(path: Path) -> tuple[bmecat.Header, list[bmecat.Item]]:
    with path.open("rb") as stream:
        catalog = bmecat.read(stream)
        return catalog.header, list(catalog.items)


def _doc(body: str, *, version: str = "2005", ns: str = "http://www.bmecat.org/bmecat/2005") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BMECAT xmlns="{ns}" version="{version}">\n'
        "<HEADER><CATALOG><LANGUAGE>eng</LANGUAGE><CATALOG_ID>C</CATALOG_ID>"
        "<CATALOG_VERSION>1.0</CATALOG_VERSION><CURRENCY>EUR</CURRENCY></CATALOG>"
        "<SUPPLIER><SUPPLIER_NAME>S</SUPPLIER_NAME></SUPPLIER></HEADER>\n"
        f"{body}\n</BMECAT>"
    ).encode()


def _items(body: str, **kwargs: str) -> list[bmecat.Item]:
    return list(bmecat.read(io.BytesIO(_doc(body, **kwargs))).items)


# The corpus -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "part", "short", "gtin", "eclass", "keywords", "warning_line"),
    [
        pytest.param(
            "WEI_BMECat_1351590000.xml",
            "1351590000",
            "Überspannungsableiter (Energietechnik/Stromversorgung)",
            "4050118158540",
            "27130805",
            12,
            3429,
            id="weidmueller-surge-arrester",
        ),
        pytest.param(
            "WEI_BMECat_1609801044.xml",
            "1609801044",
            "Klemmenmarkierung",
            "4008190397111",
            "27141137",
            4,
            563,
            id="weidmueller-terminal-marking",
        ),
        pytest.param(
            "WEI_BMECat_7760056069.xml",
            "7760056069",
            "Relais",
            "4032248855865",
            "27371601",
            4,
            1713,
            id="weidmueller-relay",
        ),
    ],
)
def test_weidmueller_catalogs_in_their_own_namespace(
    interop: Path,
    sample: str,
    part: str,
    short: str,
    gtin: str,
    eclass: str,
    keywords: int,
    warning_line: int,
) -> None:
    header, items = _read(interop / SAMPLES / sample)
    assert (header.version, header.transaction, header.catalog_id, header.catalog_version) == (
        "2005",
        "T_NEW_CATALOG",
        "1",
        "111.1",
    )
    assert (header.languages, header.language, header.currency) == (["deu", "eng"], "deu", "EUR")
    assert header.generated == date(2016, 11, 8)
    assert [str(w) for w in header.warnings] == [WEIDMUELLER_NS]
    [item] = items
    assert item.ok
    assert (item.supplier_part_id, item.mode, item.description_short) == (part, "new", short)
    assert list(item.translations) == ["eng"]
    assert (item.manufacturer_name, item.manufacturer_part_id, item.gtin) == ("Weidmueller Group", part, gtin)
    assert (item.order_unit, item.content_unit) == ("C62", "C62")
    assert item.classifications == [Classification("ECLASS-9.0", eclass)]
    assert (item.eclass, item.unspsc) == (eclass, "")
    assert len(item.keywords) == keywords
    # The manufacturer sends a tier without an amount: left out, said, not an error.
    assert item.prices == []
    assert item.warnings == [
        Issue(
            warning_line,
            "/BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_PRICE_DETAILS/PRODUCT_PRICE",
            "PRODUCT_PRICE without PRICE_AMOUNT: left out",
        )
    ]
    assert item.images == []
    assert item.media[0].purpose == "data_sheet"


def test_weidmueller_long_description_and_translation(interop: Path) -> None:
    _header, [item] = _read(interop / SAMPLES / "WEI_BMECat_1609801044.xml")
    assert (
        item.description_long == "Dekafix, Klemmenmarkierung, 5 x 5 mm, Raster in mm: 5.00 Weidmueller, weiß"
    )
    assert item.translations["eng"] == (
        "Terminal marking",
        "Dekafix, Terminal marker, 5 x 5 mm, Pitch, in mm: 5.00 Weidmueller, White",
    )
    assert item.keywords == ["Klemmenmarkierung", "Klemmenmarkierer", "Verbindermarkierer", "Klemmenmarker"]


def test_bmecat_2005_library_catalog_field_by_field(interop: Path) -> None:
    header, [item] = _read(interop / SAMPLES / "olivere-bmecat2005/new_catalog.golden.xml")
    assert (header.version, header.namespace) == ("2005", "http://www.bmecat.org/bmecat/2005")
    assert (header.catalog_id, header.catalog_version, header.catalog_name) == (
        "CAT1",
        "1.0",
        "Katalogbezeichnung",
    )
    assert (header.supplier_id, header.supplier_name, header.buyer_id, header.buyer_name) == (
        "SUPPLYCO",
        "SupplyCo Ltd.",
        "BUYCO",
        "BuyCo Inc.",
    )
    assert (header.mime_root, header.generated, header.warnings) == (
        "https://example.com/images",
        date(2000, 10, 24),
        [],
    )
    assert item.ok
    assert (item.supplier_part_id, item.description_short, item.description_long) == (
        "1000",
        'Apple MacBook Pro 13"',
        "Das Kraftpaket unter den Notebooks.",
    )
    assert (item.manufacturer_name, item.manufacturer_part_id, item.gtin) == (
        "Microsoft",
        "MPN",
        "8712670911213",
    )
    assert (item.order_unit, item.content_unit, item.packing_quantity, item.price_quantity) == (
        "BOX",
        "PCE",
        Decimal(6),
        Decimal(1),
    )
    assert (item.quantity_min, item.delivery_time, item.keywords) == (
        Decimal(1),
        Decimal(2),
        ["Notebook", "Hardware"],
    )
    assert item.classifications == [
        Classification("ECLASS-5.1", "19010203"),
        Classification("udf_Supplier-1.0", "5"),
    ]
    common = {
        "currency": "EUR",
        "price_type": "net_customer",
        "tax": Decimal("0.19"),
        "factor": Decimal(1),
        "territories": ("DE", "AT"),
        "valid_from": date(2001, 1, 1),
        "valid_until": date(2001, 7, 31),
    }
    assert item.prices == [
        Price(amount=Decimal("1499.5"), lower_bound=Decimal(1), **common),  # type: ignore[arg-type]
        Price(amount=Decimal("1300.9"), lower_bound=Decimal(100), **common),  # type: ignore[arg-type]
    ]
    assert item.images == [Media("55-K-31.jpg", "image/jpeg", "normal", "Frontansicht des Notebooks")]
    # Real quirks of this sample, each said with its place.
    assert [(w.line, w.path, w.message) for w in item.warnings] == [
        (
            95,
            "/BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_DETAILS/INTERNATIONAL_PID",
            "GTIN '8712670911213' is not 8, 12, 13 or 14 digits with a valid check digit",
        ),
        (
            122,
            "/BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_ORDER_DETAILS/ORDER_UNIT",
            "ORDER_UNIT 'BOX' is not a UN/ECE Recommendation 20 code (C62, BX, PK…)",
        ),
        (
            123,
            "/BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_ORDER_DETAILS/CONTENT_UNIT",
            "CONTENT_UNIT 'PCE' is not a UN/ECE Recommendation 20 code (C62, BX, PK…)",
        ),
    ]


def test_bmecat_2005_1_two_currencies(interop: Path) -> None:
    header, items = _read(interop / SAMPLES / "naugrimm-2005.1/document_without_null_values.xml")
    assert (header.version, header.supplier_id, header.currency, header.warnings) == (
        "2005.1",
        "BMECAT_TEST",
        "",
        [],
    )
    assert [item.supplier_part_id for item in items] == ["1", "2", "3"]
    first = items[0]
    assert first.ok and first.warnings == []
    assert [(p.amount, p.currency, p.price_type) for p in first.prices] == [
        (Decimal("10.5"), "EUR", "gros_list"),
        (Decimal("7.3"), "GBP", "gros_list"),
    ]
    assert first.classifications == [Classification("A", "", "B"), Classification("F", "", "G")]
    assert [m.source for m in first.images] == ["http://a.b/c/d.jpg", "http://w.x/y/z.bmp"]
    assert (first.quantity_interval, first.packing_quantity) == (Decimal("1.0"), Decimal("1.0"))


def test_bmecat_2005_2_empty_catalog(interop: Path) -> None:
    header, items = _read(interop / SAMPLES / "naugrimm-2005.2/minimal_valid_document.xml")
    assert (header.version, header.catalog_id, header.catalog_version, header.supplier_name) == (
        "2005.2",
        "MY_CATALOG",
        "00.01",
        "TestSupplier",
    )
    assert (header.transaction, items, header.warnings) == ("T_NEW_CATALOG", [], [])


V12 = "line 3, /BMECAT: BMEcat 1.2: read with the names of BMEcat 2005 (ARTICLE as PRODUCT, SUPPLIER_AID as SUPPLIER_PID…)"


def test_bmecat_1_2_price_update(interop: Path) -> None:
    header, [item] = _read(interop / SAMPLES / "olivere-bmecat12/update_prices.golden.xml")
    assert (header.version, header.transaction, header.prev_version) == ("1.2", "T_UPDATE_PRICES", "42")
    assert [str(w) for w in header.warnings] == [V12]
    assert (item.supplier_part_id, item.mode, item.path) == (
        "1000",
        "update",
        "/BMECAT/T_UPDATE_PRICES/ARTICLE[1]",
    )
    assert [(p.amount, p.lower_bound) for p in item.prices] == [
        (Decimal("1499.5"), Decimal(1)),
        (Decimal("1300.9"), Decimal(100)),
    ]
    assert (item.description_short, item.warnings, item.errors) == ("", [], [])


def test_bmecat_1_2_product_update_and_delete(interop: Path) -> None:
    header, items = _read(interop / SAMPLES / "olivere-bmecat12/update_products.golden.xml")
    assert (header.transaction, header.prev_version) == ("T_UPDATE_PRODUCTS", "13")
    assert [(i.supplier_part_id, i.mode) for i in items] == [("1000", "update"), ("2000", "delete")]
    assert (items[0].manufacturer_part_id, items[0].gtin, items[0].order_unit) == (
        "MPN",
        "8712670911213",
        "BOX",
    )
    assert items[0].warnings[0].path == "/BMECAT/T_UPDATE_PRODUCTS/ARTICLE[1]/ARTICLE_DETAILS/EAN"
    assert items[1].prices == [] and items[1].ok


def test_every_sample_is_covered(interop: Path) -> None:
    found = sorted(str(p.relative_to(interop / SAMPLES)) for p in (interop / SAMPLES).rglob("*.xml"))
    assert found == [
        "WEI_BMECat_1351590000.xml",
        "WEI_BMECat_1609801044.xml",
        "WEI_BMECat_7760056069.xml",
        "naugrimm-2005.1/document_without_null_values.xml",
        "naugrimm-2005.2/minimal_valid_document.xml",
        "olivere-bmecat12/update_prices.golden.xml",
        "olivere-bmecat12/update_products.golden.xml",
        "olivere-bmecat2005/new_catalog.golden.xml",
    ]


# Refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(b"", "not well-formed XML: no element found", id="empty"),
        pytest.param(
            b"not xml", "line 1: not well-formed XML: Start tag expected, '<' not found", id="not-xml"
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<cXML/>',
            "line 2: the root element is 'cXML', not BMECAT",
            id="other-root",
        ),
        pytest.param(
            b'<!DOCTYPE BMECAT [<!ENTITY x "y">]><BMECAT version="2005"><HEADER/><T_NEW_CATALOG/></BMECAT>',
            "line 1: the DOCTYPE declares entities or elements in the document: refused",
            id="internal-subset",
        ),
        pytest.param(
            b'<BMECAT version="3.0"><HEADER/></BMECAT>',
            "line 1: BMEcat version '3.0' is not supported (2005, 2005.1, 2005.2 and 1.2 are)",
            id="unknown-version",
        ),
        pytest.param(
            b'<BMECAT version="2005">\n<HEADER/>\n<T_NEW_PRODUCTDATA/></BMECAT>',
            "line 3: transaction T_NEW_PRODUCTDATA is not supported (T_NEW_CATALOG, T_UPDATE_PRODUCTS and "
            "T_UPDATE_PRICES are)",
            id="unknown-transaction",
        ),
        pytest.param(
            b'<BMECAT version="2005">\n<T_NEW_CATALOG/><HEADER/></BMECAT>',
            "line 2: T_NEW_CATALOG comes before the HEADER",
            id="header-last",
        ),
        pytest.param(
            b'<BMECAT version="2005"></BMECAT>', "line 1: the document has no HEADER", id="no-header"
        ),
        pytest.param(
            b'<BMECAT version="2005"><HEADER/></BMECAT>',
            "line 1: the document has no transaction (T_NEW_CATALOG, T_UPDATE_PRODUCTS or T_UPDATE_PRICES)",
            id="no-transaction",
        ),
    ],
)
def test_refused_documents(document: bytes, message: str) -> None:
    with pytest.raises(bmecat.BMEcatError) as caught:
        bmecat.read(io.BytesIO(document))
    assert str(caught.value) == message


def test_broken_xml_after_the_header_is_refused_while_reading_items() -> None:
    document = _doc(
        "<T_NEW_CATALOG><PRODUCT><SUPPLIER_PID>1</SUPPLIER_PID></PRODUCT>\n<PRODUCT></T_NEW_CATALOG>"
    )
    catalog = bmecat.read(io.BytesIO(document))
    items = catalog.items
    assert next(items).supplier_part_id == "1"
    with pytest.raises(bmecat.BMEcatError) as caught:
        next(items)
    assert caught.value.line == 5
    assert caught.value.reason.startswith("not well-formed XML: Opening and ending tag mismatch: PRODUCT")


def test_broken_xml_after_the_last_product_is_refused_too() -> None:
    document = _doc(
        "<T_NEW_CATALOG><PRODUCT><SUPPLIER_PID>1</SUPPLIER_PID></PRODUCT></T_NEW_CATALOG>\n<EXTRA>"
    )
    items = bmecat.read(io.BytesIO(document)).items
    assert next(items).supplier_part_id == "1"
    with pytest.raises(bmecat.BMEcatError) as caught:
        next(items)
    assert caught.value.line == 6
    assert caught.value.reason.startswith("not well-formed XML: Opening and ending tag mismatch: EXTRA")


def test_external_doctype_is_never_loaded_and_accepted() -> None:
    document = _doc("<T_NEW_CATALOG/>").replace(
        b"<BMECAT", b'<!DOCTYPE BMECAT SYSTEM "http://x.invalid/a.dtd">\n<BMECAT'
    )
    assert bmecat.read(io.BytesIO(document)).header.transaction == "T_NEW_CATALOG"


# Items: errors and warnings ------------------------------------------------------------------------


def test_item_errors_name_the_line_and_path_and_the_next_item_is_read() -> None:
    items = _items(
        "<T_NEW_CATALOG>\n"
        "<PRODUCT><PRODUCT_DETAILS><DESCRIPTION_SHORT>No part</DESCRIPTION_SHORT></PRODUCT_DETAILS></PRODUCT>\n"
        "<PRODUCT><SUPPLIER_PID>P2</SUPPLIER_PID><PRODUCT_DETAILS><DESCRIPTION_SHORT>x</DESCRIPTION_SHORT>"
        "</PRODUCT_DETAILS><PRODUCT_PRICE_DETAILS>\n"
        '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>1O.50</PRICE_AMOUNT></PRODUCT_PRICE>\n'
        '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>3</PRICE_AMOUNT><PRICE_CURRENCY>EUX'
        "</PRICE_CURRENCY></PRODUCT_PRICE>\n"
        '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>-1</PRICE_AMOUNT></PRODUCT_PRICE>\n'
        "</PRODUCT_PRICE_DETAILS></PRODUCT>\n"
        "<PRODUCT><SUPPLIER_PID>P3</SUPPLIER_PID><PRODUCT_DETAILS><DESCRIPTION_SHORT>ok</DESCRIPTION_SHORT>"
        '</PRODUCT_DETAILS><PRODUCT_PRICE_DETAILS><PRODUCT_PRICE price_type="net_list"><PRICE_AMOUNT>2.5'
        "</PRICE_AMOUNT></PRODUCT_PRICE></PRODUCT_PRICE_DETAILS></PRODUCT>\n"
        "</T_NEW_CATALOG>"
    )
    assert [str(e) for e in items[0].errors] == [
        "line 5, /BMECAT/T_NEW_CATALOG/PRODUCT[1]: SUPPLIER_PID is missing or empty: every product needs its "
        "part number"
    ]
    base = "/BMECAT/T_NEW_CATALOG/PRODUCT[2]/PRODUCT_PRICE_DETAILS"
    assert [str(e) for e in items[1].errors] == [
        f"line 7, {base}/PRODUCT_PRICE[1]/PRICE_AMOUNT: PRICE_AMOUNT '1O.50' is not a number",
        f"line 8, {base}/PRODUCT_PRICE[2]/PRICE_CURRENCY: currency 'EUX' is not an ISO 4217 code",
        f"line 9, {base}/PRODUCT_PRICE[3]/PRICE_AMOUNT: PRICE_AMOUNT -1 must be at least 0",
    ]
    assert items[1].prices == [] and not items[1].ok
    assert items[2].ok
    assert items[2].prices == [Price(Decimal("2.5"), "EUR", "net_list")]
    assert items[2].line == 11


def test_lenient_reading_says_what_it_forgave() -> None:
    [item] = _items(
        '<T_NEW_CATALOG><PRODUCT mode="NEW"><SUPPLIER_PID> A-1 </SUPPLIER_PID><PRODUCT_DETAILS>'
        '<DESCRIPTION_SHORT lang="eng">Pen</DESCRIPTION_SHORT><DESCRIPTION_SHORT lang="fra">Stylo</DESCRIPTION_SHORT>'
        '<EAN>4006381333931</EAN><KEYWORD lang="fra">stylo</KEYWORD><KEYWORD>pen</KEYWORD></PRODUCT_DETAILS>'
        "<PRODUCT_ORDER_DETAILS><ORDER_UNIT>PK</ORDER_UNIT><CONTENT_UNIT>C62</CONTENT_UNIT>"
        "<NO_CU_PER_OU>10</NO_CU_PER_OU><PRICE_QUANTITY>5</PRICE_QUANTITY></PRODUCT_ORDER_DETAILS>"
        '<PRODUCT_PRICE_DETAILS><PRODUCT_PRICE price_type="special"><PRICE_AMOUNT>12.00</PRICE_AMOUNT>'
        "<TAX>19</TAX><PRICE_FACTOR>0.5</PRICE_FACTOR></PRODUCT_PRICE></PRODUCT_PRICE_DETAILS>"
        "</PRODUCT></T_NEW_CATALOG>"
    )
    assert item.ok
    assert (item.supplier_part_id, item.mode, item.description_short) == ("A-1", "new", "Pen")
    assert item.translations == {"fra": ("Stylo", "")}
    assert (item.gtin, item.keywords) == ("4006381333931", ["pen"])
    assert (item.order_unit, item.content_unit, item.packing_quantity) == ("PK", "C62", Decimal(10))
    [price] = item.prices
    assert (price.price_type, price.tax, price.factor) == ("special", Decimal("0.19"), Decimal("0.5"))
    # 12.00 x 0.5 for 5 packs: 1.20 a pack.
    assert item.unit_price(price) == Decimal("1.2")
    path = "/BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_PRICE_DETAILS/PRODUCT_PRICE"
    assert [(w.path, w.message) for w in item.warnings] == [
        (path, "price_type 'special' is not a BMEcat price type"),
        (path, "TAX 19 is a percentage, not a fraction: read as 0.19"),
    ]


def test_header_warnings_without_namespace_or_version() -> None:
    catalog = bmecat.read(
        io.BytesIO(
            b"<BMECAT><HEADER><CATALOG><CURRENCY>EURO</CURRENCY></CATALOG></HEADER><T_NEW_CATALOG/></BMECAT>"
        )
    )
    assert [str(w) for w in catalog.header.warnings] == [
        "line 1, /BMECAT: the version attribute is missing: read as BMEcat 2005",
        "line 1, /BMECAT: BMECAT has no namespace: read as BMEcat 2005",
        "line 1, /BMECAT/HEADER/CATALOG/CURRENCY: CURRENCY 'EURO' is not an ISO 4217 code: ignored",
        "line 1, /BMECAT/HEADER/CATALOG: CATALOG_ID is missing or empty",
        "line 1, /BMECAT/HEADER: SUPPLIER is missing: the catalog does not say whose it is",
    ]
    assert catalog.header.currency == ""


def test_price_without_currency_anywhere_is_an_item_error() -> None:
    document = _doc(
        '<T_NEW_CATALOG><PRODUCT><SUPPLIER_PID>1</SUPPLIER_PID><PRODUCT_PRICE_DETAILS><PRODUCT_PRICE price_type="net_list">'
        "<PRICE_AMOUNT>1</PRICE_AMOUNT></PRODUCT_PRICE></PRODUCT_PRICE_DETAILS></PRODUCT></T_NEW_CATALOG>"
    ).replace(b"<CURRENCY>EUR</CURRENCY>", b"")
    [item] = bmecat.read(io.BytesIO(document)).items
    assert [e.message for e in item.errors] == [
        "no PRICE_CURRENCY and no CURRENCY in the header: the price has no currency"
    ]


def test_official_xsd_namespace_and_version_mismatch() -> None:
    catalog = bmecat.read(io.BytesIO(_doc("<T_NEW_CATALOG/>", ns="http://www.bmecat.org/bmecat/2005fd")))
    assert (catalog.header.version, catalog.header.warnings) == ("2005", [])
    catalog = bmecat.read(
        io.BytesIO(_doc("<T_NEW_CATALOG/>", ns="http://www.bmecat.org/bmecat/2005.1", version="2005.2"))
    )
    assert [w.message for w in catalog.header.warnings] == [
        "version '2005.2' in the namespace of BMEcat 2005.1: read as BMEcat 2005.2"
    ]


def test_unit_codes() -> None:
    assert len(UNIT_CODES) == 1095
    assert (is_unit_code("C62"), is_unit_code("BX"), is_unit_code("PCE"), is_unit_code("c62")) == (
        True,
        True,
        False,
        False,
    )


# Streaming ------------------------------------------------------------------------------------------


class _Generated(io.RawIOBase):
    """A BMEcat document of ``count`` products produced as it is read, never held whole."""

    def __init__(self, count: int) -> None:
        self._chunks = self._generate(count)
        self._pending = b""

    def _generate(self, count: int) -> Iterator[bytes]:
        head, tail = _doc("<T_NEW_CATALOG>@</T_NEW_CATALOG>").split(b"@")
        yield head
        for n in range(count):
            yield (
                f"<PRODUCT><SUPPLIER_PID>P{n}</SUPPLIER_PID><PRODUCT_DETAILS><DESCRIPTION_SHORT>Item {n} "
                f"{'x' * 400}</DESCRIPTION_SHORT></PRODUCT_DETAILS><PRODUCT_PRICE_DETAILS>"
                f'<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>{n}.25</PRICE_AMOUNT></PRODUCT_PRICE>'
                "</PRODUCT_PRICE_DETAILS></PRODUCT>"
            ).encode()
        yield tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer):
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def test_one_product_at_a_time_in_memory() -> None:
    """libxml2 allocates outside Python's allocator (tracemalloc does not see it), so the test looks at
    the tree itself: while reading, the transaction element holds the product read and the few that
    iterparse has parsed ahead from its read buffer, never the products already read."""
    items = bmecat.read(io.BufferedReader(_Generated(2_000))).items
    held: list[int] = []
    last = ""
    for item in items:
        transaction = items.gi_frame.f_locals["transaction"]  # type: ignore[attr-defined]
        held.append(len(transaction))
        last = item.supplier_part_id
    assert (len(held), last) == (2_000, "P1999")
    # About 50 products of ~600 bytes fill the parser's read-ahead; kept, they would be 2,000.
    assert max(held) <= 60, max(held)
