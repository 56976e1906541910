"""Bounded work per document: element, attribute and depth limits with their exact answers, warnings
kept up to a cap, paths in linear time, and absurd values answered with a code, never a crash."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree
from tests.conftest import INTEROP
from tests.hostile_cxml import (
    attribute_count,
    attributes,
    element_count,
    nested,
    siblings,
    with_children,
)

from punchout.cxml import CXMLError, DocumentTooComplex, DocumentTooLarge, build, parse
from punchout.cxml._reader import MAX_WHOLE_NUMBER, Reader
from punchout.cxml.limits import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_WARNINGS,
    Limits,
    count_attributes,
    count_elements,
)
from punchout.cxml.parser import parse_tree
from punchout.oci.cart import parse_cart
from punchout.oci.fields import MAX_ITEM_INDEX

GOLDEN = Path(__file__).parent / "golden"
ORDER = (GOLDEN / "OrderRequest.xml").read_bytes()
HEADER_END = b"</OrderRequestHeader>"


# -- elements ----------------------------------------------------------------------------------
def test_the_limits_are_the_documented_constants() -> None:
    assert (MAX_ELEMENTS, MAX_ATTRIBUTES, MAX_DEPTH, MAX_WARNINGS) == (500_000, 500_000, 256, 100)
    assert Limits() == Limits(elements=500_000, attributes=500_000, warnings=100)


def test_one_element_over_the_limit_is_refused_before_parsing_with_the_count() -> None:
    extra = MAX_ELEMENTS + 1 - element_count(ORDER)
    data = with_children(ORDER, HEADER_END, siblings(extra))
    with pytest.raises(DocumentTooLarge) as caught:
        parse(data)
    assert caught.value.status_code == 413
    assert caught.value.text == "Request Entity Too Large"
    assert caught.value.message == (
        "the document has 500001 elements; the limit is 500000 elements per document. "
        "Split it into smaller documents."
    )


def test_a_document_at_the_element_limit_is_read() -> None:
    limit = element_count(ORDER) + 50
    result = parse(with_children(ORDER, HEADER_END, siblings(50)), limits=Limits(elements=limit))
    assert result.document.kind == "OrderRequest"
    with pytest.raises(DocumentTooLarge):
        parse(with_children(ORDER, HEADER_END, siblings(51)), limits=Limits(elements=limit))


def test_end_tags_comments_and_processing_instructions_are_not_elements() -> None:
    data = with_children(ORDER, HEADER_END, b"<!-- a comment --><?pi x?><![CDATA[text]]><e></e>")
    count = element_count(data)
    assert count_elements(data, count) == count  # within the limit: the cheap count may be higher
    assert count_elements(data, 10) == count  # above it: the exact count
    assert parse(data, limits=Limits(elements=count)).document.kind == "OrderRequest"


def test_a_utf16_document_is_counted_in_its_characters() -> None:
    text = ORDER.decode().replace("encoding='UTF-8'", "encoding='UTF-16'")
    data = text.encode("utf-16")
    count = element_count(ORDER)
    assert count_elements(data, 10) == count
    assert count_attributes(data, 10) == attribute_count(ORDER)
    with pytest.raises(DocumentTooLarge) as caught:
        parse(data, limits=Limits(elements=count - 1))
    assert caught.value.message.startswith(f"the document has {count} elements; the limit is {count - 1}")
    assert parse(data, limits=Limits(elements=count)).document.kind == "OrderRequest"


# -- attributes --------------------------------------------------------------------------------
def test_one_attribute_over_the_limit_is_refused_before_parsing_with_the_count() -> None:
    extra = MAX_ATTRIBUTES + 1 - attribute_count(ORDER)
    data = with_children(ORDER, HEADER_END, attributes(extra))
    with pytest.raises(DocumentTooLarge) as caught:
        parse(data)
    assert caught.value.status_code == 413
    assert caught.value.message == (
        "the document has 500001 attributes; the limit is 500000 attributes per document. "
        "Split it into smaller documents."
    )


def test_equal_signs_in_text_are_not_attributes() -> None:
    data = with_children(ORDER, HEADER_END, b"<e a = 'x' b\n=\n\"y\">1 = 2, c=d</e>")
    count = attribute_count(data)
    assert count_attributes(data, 1) == count
    assert parse(data, limits=Limits(attributes=count)).document.kind == "OrderRequest"
    with pytest.raises(DocumentTooLarge):
        parse(data, limits=Limits(attributes=count - 1))


# -- depth -------------------------------------------------------------------------------------
def minimal(body: bytes) -> bytes:
    return (
        b'<cXML payloadID="p@x" timestamp="2026-01-01T00:00:00+00:00"><Response>'
        + body
        + b"</Response></cXML>"
    )


def test_the_deepest_document_libxml2_reads_is_read() -> None:
    # cXML and Response are levels 1 and 2; Status is level 3 and holds 253 more levels
    data = minimal(b'<Status code="200" text="OK">' + nested(MAX_DEPTH - 3) + b"</Status>")
    assert parse(data).document.status is not None


def test_one_level_deeper_is_refused_with_the_position() -> None:
    data = minimal(b'<Status code="200" text="OK">' + nested(MAX_DEPTH - 2) + b"</Status>")
    with pytest.raises(DocumentTooComplex) as caught:
        parse(data)
    assert caught.value.status_code == 400
    assert caught.value.message == (
        "elements are nested more than 256 levels deep at line 1, column 861; cXML documents need "
        "only a few dozen levels."
    )
    assert "XML_PARSE_HUGE" not in caught.value.message


def test_a_value_larger_than_the_parser_accepts_is_refused_without_parser_advice() -> None:
    data = minimal(b'<Status code="200" text="' + b"x" * (11 * 1024 * 1024) + b'"/>')
    with pytest.raises(DocumentTooComplex) as caught:
        parse(data, max_bytes=12 * 1024 * 1024)
    assert caught.value.message.startswith("a single name, text or attribute value at line 1, column ")
    assert caught.value.message.endswith(
        "is larger than an XML parser accepts; send large content in smaller pieces."
    )
    assert "XML_PARSE_HUGE" not in caught.value.message


# -- warnings ----------------------------------------------------------------------------------
def test_warnings_are_kept_up_to_the_cap_and_the_rest_counted() -> None:
    data = with_children(ORDER, HEADER_END, siblings(150) + siblings(20, b"<f/>"))
    warnings = parse(data).warnings
    assert len(warnings) == MAX_WARNINGS
    assert [w.path for w in warnings[:2]] == [
        "/cXML/Request/OrderRequest/OrderRequestHeader/e[1]",
        "/cXML/Request/OrderRequest/OrderRequestHeader/e[2]",
    ]
    assert warnings[98].path == "/cXML/Request/OrderRequest/OrderRequestHeader/e[99]"
    assert (warnings[-1].code, warnings[-1].path, warnings[-1].message) == (
        "more-warnings",
        "/cXML",
        "71 more warnings were not listed (71 unknown-element)",
    )


def test_a_document_with_exactly_as_many_warnings_as_the_cap_allows_lists_them_all() -> None:
    data = with_children(ORDER, HEADER_END, siblings(MAX_WARNINGS - 1))
    warnings = parse(data).warnings
    assert len(warnings) == MAX_WARNINGS - 1
    assert {w.code for w in warnings} == {"unknown-element"}


def test_a_caller_may_keep_more_warnings() -> None:
    data = with_children(ORDER, HEADER_END, siblings(500))
    warnings = parse(data, limits=Limits(warnings=1000)).warnings
    assert len(warnings) == 500
    assert warnings[-1].path == "/cXML/Request/OrderRequest/OrderRequestHeader/e[500]"


def _cpu_seconds(action: Callable[[], object]) -> float:
    """The least CPU time of three runs (CPU time: waiting for a core taken by other jobs does not count)."""
    best = float("inf")
    for _ in range(3):
        started = time.thread_time()
        action()
        best = min(best, time.thread_time() - started)
    return best


def test_200k_unknown_siblings_are_read_in_linear_time() -> None:
    small = with_children(ORDER, HEADER_END, siblings(20_000))
    large = with_children(ORDER, HEADER_END, siblings(200_000))
    assert len(parse(large).warnings) == MAX_WARNINGS
    ratio = _cpu_seconds(lambda: parse(large)) / _cpu_seconds(lambda: parse(small))
    # linear: about 10; the quadratic path computation this replaces measured about 100
    assert ratio < 25, ratio


# -- paths -------------------------------------------------------------------------------------
def _documents() -> Iterator[bytes]:
    yield from (path.read_bytes() for path in sorted(GOLDEN.glob("*.xml")))
    yield from (path.read_bytes() for path in sorted((INTEROP / "cxml").glob("*/*.xml")))
    yield (
        b'<cXML xmlns:p="urn:x"><a/><p:a/><p:a/><b xmlns="urn:y"/><b xmlns="urn:y"/><c/><!--x-->'
        b"<c><d/><d><d/></d></c><?pi?><p:b/></cXML>"
    )


def test_paths_are_the_ones_lxml_gives() -> None:
    checked = 0
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for data in _documents():
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            continue
        tree = root.getroottree()
        reader = Reader(tree)
        for element in root.iter(etree.Element):
            assert reader.path(element) == tree.getpath(element)
            checked += 1
    assert checked > 1000


# -- absurd values -----------------------------------------------------------------------------
ABSURD = ["9" * 5000, "²", "-1", "1e400", "", "٣", "2147483648"]


def _variants(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The document with each attribute value and each leaf text replaced by each absurd value."""
    root = etree.fromstring(data)
    for element in root.iter(etree.Element):
        for name in list(element.attrib):
            original = element.get(name)
            for value in ABSURD:
                element.set(name, value)
                yield f"{element.tag}@{name}={value[:8]}", etree.tostring(root)
            element.set(name, original)  # type: ignore[arg-type]
        if not len(element) and element.text:
            original_text = element.text
            for value in ABSURD:
                element.text = value
                yield f"{element.tag}={value[:8]}", etree.tostring(root)
            element.text = original_text


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.xml")))
def test_absurd_values_are_warnings_or_coded_refusals_never_crashes(name: str) -> None:
    for where, data in _variants((GOLDEN / name).read_bytes()):
        try:
            result = parse(data)
        except CXMLError as error:
            assert 400 <= error.status_code < 500, where
            continue
        try:
            build(result.document)
        except CXMLError:
            pass  # a model the strict builder refuses, with a named path


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("lineNumber", "9" * 5000, "@lineNumber at {path} is unusable: a number of 5000 characters"),
        ("lineNumber", "²", "@lineNumber at {path} is unusable: '²' is not a decimal number"),
        (
            "lineNumber",
            "2147483648",
            "@lineNumber='2147483648' is out of range: it must be at most 2147483647",
        ),
        ("quantity", "9" * 5000, "@quantity at {path} is unusable: a number of 5000 characters"),
    ],
    ids=["5000-digits", "superscript-two", "beyond-32-bits", "quantity-5000-digits"],
)
def test_absurd_numbers_are_refused_with_the_path(attribute: str, value: str, message: str) -> None:
    old = b'lineNumber="1"' if attribute == "lineNumber" else b'quantity="2"'
    data = ORDER.replace(old, f'{attribute}="{value}"'.encode(), 1)
    with pytest.raises(CXMLError) as caught:
        parse(data)
    path = "/cXML/Request/OrderRequest/ItemOut[1]"
    assert caught.value.status_code == 400
    assert caught.value.path == path
    assert message.format(path=path) in caught.value.message
    assert MAX_WHOLE_NUMBER == 2147483647


def test_a_lead_time_that_is_not_a_number_of_days_is_a_warning() -> None:
    data = ORDER.replace(b"</ManufacturerName>", b"</ManufacturerName><LeadTime>\xc2\xb2</LeadTime>", 1)
    assert b"<LeadTime>" in data
    result = parse(data)
    assert [(w.code, w.message) for w in result.warnings] == [
        ("bad-number", "<LeadTime> '²' is not a number of days; ignored")
    ]


def test_a_status_code_of_thousands_of_digits_is_refused() -> None:
    with pytest.raises(CXMLError) as caught:
        parse(minimal(b'<Status code="' + b"2" * 4000 + b'" text="OK"/>'))
    assert caught.value.status_code == 400
    assert caught.value.message == "<Status> needs a numeric code such as 200 or 400, got '2222222222'"


# -- OCI ---------------------------------------------------------------------------------------
LINE = {"NEW_ITEM-DESCRIPTION[1]": "Paper", "NEW_ITEM-QUANTITY[1]": "1", "NEW_ITEM-UNIT[1]": "EA"}


@pytest.mark.parametrize("value", ["²", "9" * 5000], ids=["superscript-two", "5000-digits"])
def test_an_oci_lead_time_that_is_not_a_number_of_days_is_a_warning(value: str) -> None:
    result = parse_cart({**LINE, "NEW_ITEM-LEADTIME[1]": value})
    assert result.items[0].lead_time is None
    assert f"{value[:20]!r} is not a number of days; ignored" in [w.message for w in result.warnings]


def test_an_oci_item_index_of_thousands_of_digits_is_ignored_with_a_warning() -> None:
    name = "NEW_ITEM-DESCRIPTION[" + "9" * 5000 + "]"
    result = parse_cart({**LINE, name: "x"})
    assert [item.description for item in result.items] == ["Paper"]
    assert f"{name[:40]!r} has an item index above {MAX_ITEM_INDEX}; the field was ignored" in [
        w.message for w in result.warnings
    ]


@pytest.mark.parametrize("field", ["QUANTITY", "PRICE", "PRICEUNIT"])
def test_an_oci_number_of_thousands_of_digits_is_a_line_error(field: str) -> None:
    result = parse_cart({**LINE, "NEW_ITEM-PRICE[1]": "1.00", f"NEW_ITEM-{field}[1]": "9" * 5000})
    assert result.items == []
    assert [(e.field, e.message) for e in result.errors] == [
        (field, "a number of 5000 characters is not a plausible amount or quantity")
    ]


def test_an_oci_number_beyond_what_a_column_holds_is_a_line_error() -> None:
    result = parse_cart({**LINE, "NEW_ITEM-PRICE[1]": "1" + "0" * 18})
    assert [(e.field, e.message) for e in result.errors] == [
        (
            "PRICE",
            f"{'1' + '0' * 18!r} is out of range: at most 18 digits before the decimal point and 20 after it",
        )
    ]
    assert parse_cart({**LINE, "NEW_ITEM-PRICE[1]": "9" * 18}).errors == []


def test_parse_tree_applies_the_same_limits() -> None:
    with pytest.raises(DocumentTooLarge):
        parse_tree(ORDER, limits=Limits(elements=10))
