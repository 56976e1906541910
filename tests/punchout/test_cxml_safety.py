"""Hostile inputs: each refused fast with a specific cXML status and a message a partner can act on."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from punchout.cxml import (
    DocumentTooComplex,
    DocumentTooLarge,
    ForbiddenConstruct,
    InvalidDocument,
    NotWellFormed,
    OrderRequest,
    error_response,
    parse,
)
from punchout.cxml.parser import hardened_parser

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def order(total: str = "10.00", quantity: str = "1") -> bytes:
    return (
        HEAD
        + (
            '<cXML payloadID="p@x" timestamp="2026-01-01T00:00:00+00:00"><Header>'
            '<From><Credential domain="DUNS"><Identity>1</Identity></Credential></From>'
            '<To><Credential domain="DUNS"><Identity>2</Identity></Credential></To>'
            '<Sender><Credential domain="DUNS"><Identity>1</Identity><SharedSecret>topsecret-42</SharedSecret>'
            "</Credential><UserAgent>t</UserAgent></Sender></Header>"
            '<Request><OrderRequest><OrderRequestHeader orderID="PO-1" orderDate="2026-01-01T00:00:00+00:00">'
            f'<Total><Money currency="USD">{total}</Money></Total></OrderRequestHeader>'
            f'<ItemOut quantity="{quantity}" lineNumber="1"><ItemID><SupplierPartID>A</SupplierPartID></ItemID>'
            "</ItemOut></OrderRequest></Request></cXML>"
        ).encode()
    )


def test_parser_is_hardened() -> None:
    parser = hardened_parser()
    assert parser is hardened_parser()  # one per thread, reused
    # lxml does not expose a parser's options; check their effects on a raw parse
    from lxml import etree

    raw = b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r>&ext;</r>'
    root = etree.fromstring(raw, parser)  # the DTD is not loaded: the entity stays a reference
    assert etree.tostring(root) == b"<r>&ext;</r>"
    deep = b"<r>" * 300 + b"</r>" * 300
    with pytest.raises(etree.XMLSyntaxError, match="depth"):  # huge_tree=False keeps the depth cap
        etree.fromstring(deep, parser)


def test_internal_dtd_subset_is_refused() -> None:
    data = HEAD + b'<!DOCTYPE cXML [<!ATTLIST cXML payloadID CDATA "injected">]>' + order()[len(HEAD) :]
    with pytest.raises(ForbiddenConstruct) as caught:
        parse(data)
    assert caught.value.status_code == 400
    assert "internal DTD subset" in caught.value.message


def test_billion_laughs_is_refused_without_expansion() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "&a{i - 1};&a{i - 1};">' for i in range(1, 30))
    data = f'<?xml version="1.0"?><!DOCTYPE cXML [{entities}]><cXML>&a29;</cXML>'.encode()
    started = time.perf_counter()
    with pytest.raises(ForbiddenConstruct):
        parse(data)
    assert time.perf_counter() - started < 1.0


def test_external_entity_is_never_fetched(tmp_path: pytest.TempPathFactory) -> None:
    secret_file = tmp_path / "secret.txt"  # type: ignore[operator]
    secret_file.write_text("leaked-content")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        "<cXML><Response><Status code='200' text='&x;'/></Response></cXML>"
    ).encode()
    with pytest.raises(ForbiddenConstruct) as caught:
        parse(data)
    assert "leaked-content" not in str(caught.value)


def test_external_dtd_is_not_loaded() -> None:
    data = HEAD + b'<!DOCTYPE cXML SYSTEM "http://127.0.0.1:9/never.dtd">' + order()[len(HEAD) :]
    started = time.perf_counter()
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert time.perf_counter() - started < 0.5


def test_size_cap_is_checked_before_parsing() -> None:
    data = b"<" * 2048  # not even XML: the size check must come first
    with pytest.raises(DocumentTooLarge) as caught:
        parse(data, max_bytes=1024)
    assert caught.value.status_code == 413
    assert "2048 bytes; the limit is 1024 bytes" in caught.value.message


def test_huge_document_refused_fast() -> None:
    data = order()[:-20] + b"<!--" + b"x" * (11 * 1024 * 1024) + b"-->" + order()[-20:]
    started = time.perf_counter()
    with pytest.raises(DocumentTooLarge):
        parse(data)
    assert time.perf_counter() - started < 0.1


def test_deep_nesting_refused_fast() -> None:
    data = b"<cXML>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</cXML>"
    started = time.perf_counter()
    with pytest.raises(DocumentTooComplex) as caught:
        parse(data)
    assert time.perf_counter() - started < 0.5
    assert caught.value.status_code == 400
    assert caught.value.message == (
        "elements are nested more than 256 levels deep at line 1, column 774; cXML documents need "
        "only a few dozen levels."
    )


def test_unescaped_ampersand_is_not_well_formed_with_position() -> None:
    data = order().replace(b"<Identity>2</Identity>", b"<Identity>Smith & Sons</Identity>")
    with pytest.raises(NotWellFormed) as caught:
        parse(data)
    assert caught.value.status_code == 400
    assert "line 2, column" in caught.value.message
    assert "Escape & as &amp;" in caught.value.message


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_with_a_warning() -> None:
    data = order().replace(b"<Identity>2</Identity>", b"<Identity>M\xfcller \x80</Identity>")
    result = parse(data)
    assert result.document.header is not None
    assert result.document.header.to[0].identity == "Müller €"
    assert [(w.code, w.path, w.message) for w in result.warnings if w.code == "encoding-mismatch"] == [
        (
            "encoding-mismatch",
            "/cXML",
            "the document declares UTF-8 but its bytes are not UTF-8 (from line 2); it was read as Windows-1252",
        )
    ]


def test_a_body_that_is_not_text_in_any_encoding_is_a_clear_400() -> None:
    data = order().replace(b"<Identity>2</Identity>", b"<Identity>\xff\x00</Identity>")
    with pytest.raises(NotWellFormed) as caught:
        parse(data)
    assert caught.value.status_code == 400
    assert caught.value.message.startswith("the document is not well-formed XML at line 2, column ")


def test_empty_body_is_a_clear_400() -> None:
    with pytest.raises(NotWellFormed) as caught:
        parse(b"   ")
    assert caught.value.message == "the body is empty: send a cXML document"


@pytest.mark.parametrize("amount", ["1e309", "NaN", "Infinity", "-inf"])
def test_absurd_amounts_are_refused_with_the_path(amount: str) -> None:
    with pytest.raises(InvalidDocument) as caught:
        parse(order(total=amount))
    assert caught.value.status_code == 400
    assert caught.value.path == "/cXML/Request/OrderRequest/OrderRequestHeader/Total/Money"


def test_negative_zero_amount_is_zero() -> None:
    document = parse(order(total="-0", quantity="-0")).document
    assert isinstance(document.message, OrderRequest)
    total = document.message.header.total
    assert total is not None
    assert total.amount == Decimal("0.00")
    assert not total.amount.is_signed()
    assert not document.message.items[0].quantity.is_signed()


def test_shared_secret_never_in_repr_warnings_or_errors() -> None:
    data = order().replace(b"<Total>", b"<Bogus>topsecret</Bogus><Total>")
    result = parse(data)
    text = repr(result) + str(result.document.header)
    assert "topsecret-42" not in text
    assert [(w.code, w.path) for w in result.warnings] == [
        ("no-doctype", "/cXML"),
        ("unknown-element", "/cXML/Request/OrderRequest/OrderRequestHeader/Bogus"),
    ]
    assert result.document.header is not None
    assert result.document.header.sender_secret == "topsecret-42"
    with pytest.raises(InvalidDocument) as caught:
        parse(order(total="NaN"))
    assert "topsecret-42" not in str(caught.value) + repr(caught.value)


def test_an_error_response_is_a_cxml_response() -> None:
    with pytest.raises(DocumentTooLarge) as caught:
        parse(order(), max_bytes=10)
    response = error_response(caught.value)
    assert response.kind == "Response"
    assert response.status is not None
    assert (response.status.code, response.status.text) == (413, "Request Entity Too Large")
    assert response.status.message.startswith("the document is ")
