"""The order-line hot path of ``parse`` (inline reads, objects made without ``__init__``) gives the
same objects as the general readers, with every field set."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from punchout.cxml import (
    Classification,
    Comment,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    OrderRequest,
    PunchOutOrderMessage,
    parse,
)
from punchout.cxml._carry import drop_layout
from punchout.cxml._reader import BlankDroppingParser, KeepBlanks, Reading, keep_blanks_if_lossy
from punchout.cxml.parser import _plain_markup

ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="1@b.example" timestamp="2026-03-14T00:00:00+00:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>123</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></Sender>
  </Header>
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID="PO-1" orderDate="2026-03-14T00:00:00+00:00">
        <Total><Money currency="USD">24.69</Money></Total>
      </OrderRequestHeader>
      <ItemOut quantity="1" lineNumber="1" requestedDeliveryDate="2026-03-20T00:00:00+00:00">
        <ItemID>
          <SupplierPartID> SKU-1 </SupplierPartID>
          <SupplierPartAuxiliaryID>cart-1</SupplierPartAuxiliaryID>
          <BuyerPartID> B-1 </BuyerPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en"> Paper </Description>
          <UnitOfMeasure> EA </UnitOfMeasure>
          <Classification domain="UNSPSC" code="x">14111507</Classification>
          <ManufacturerPartID>MPN-1</ManufacturerPartID>
          <ManufacturerName>Kestrel</ManufacturerName>
          <Extrinsic name="soldBy"> Acme </Extrinsic>
        </ItemDetail>
      </ItemOut>
      <ItemOut quantity="1" lineNumber="2" requestedDeliveryDate="2026-03-20T00:00:00+00:00">
        <ItemID>
          <SupplierPartID>SKU<!-- c -->-2</SupplierPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="fr">Papier <ShortName>P</ShortName> blanc</Description>
          <Description>Paper</Description>
          <UnitOfMeasure>E<!-- c -->A</UnitOfMeasure>
          <Classification domain="UNSPSC">1411<!-- c -->1507</Classification>
          <Extrinsic name="soldBy">Ac<b>m</b>e</Extrinsic>
          <Extrinsic>nameless</Extrinsic>
        </ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>
"""


def _unset_fields(value: object, path: str = "document") -> list[str]:
    """Paths of dataclass fields that were never set, anywhere under ``value``."""
    missing: list[str] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            missing += _unset_fields(item, f"{path}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            try:
                child = getattr(value, f.name)
            except AttributeError:
                missing.append(f"{path}.{f.name}")
            else:
                missing += _unset_fields(child, f"{path}.{f.name}")
    return missing


def test_order_lines_read_inline_and_by_the_general_readers_match_constructed_objects() -> None:
    result = parse(ORDER)

    message = result.document.message
    assert isinstance(message, OrderRequest)
    assert _unset_fields(result.document) == []
    price = Money(Decimal("12.3456"), "USD")
    date = datetime(2026, 3, 20, tzinfo=UTC)
    assert message.items == [
        ItemOut(
            Decimal(1),
            ItemID(" SKU-1 ", "cart-1", "B-1"),
            ItemDetail(
                price,
                [Description("Paper", "en")],
                "EA",
                classifications=[Classification("UNSPSC", "14111507", "x")],
                manufacturer_part_id="MPN-1",
                manufacturer_name="Kestrel",
                extrinsics=[Extrinsic("soldBy", "Acme")],
            ),
            line_number=1,
            requested_delivery_date=date,
        ),
        ItemOut(
            Decimal(1),
            ItemID("SKU-2"),
            ItemDetail(
                price,
                [Description("Papier  blanc", "fr", "P"), Description("Paper", None)],
                "EA",
                classifications=[Classification("UNSPSC", "14111507")],
                extrinsics=[Extrinsic("soldBy", "Acme"), Extrinsic("", "nameless")],
            ),
            line_number=2,
            requested_delivery_date=date,
        ),
    ]
    assert [(w.code, w.path) for w in result.warnings] == [
        ("missing-lang", "/cXML/Request/OrderRequest/ItemOut[2]/ItemDetail/Description[2]"),
        ("missing-attribute", "/cXML/Request/OrderRequest/ItemOut[2]/ItemDetail/Extrinsic[2]"),
    ]


CART = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="2@s.example" timestamp="2026-03-14T00:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>123</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></To>
    <Sender><Credential domain="DUNS"><Identity>123</Identity></Credential></Sender>
  </Header>
  <Message>
    <PunchOutOrderMessage>
      <BuyerCookie>c-1</BuyerCookie>
      <PunchOutOrderMessageHeader operationAllowed="edit">
        <Total><Money currency="USD">37.04</Money></Total>
      </PunchOutOrderMessageHeader>
      <ItemIn quantity="2" lineNumber="1">
        <ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en">Paper</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">14111507</Classification>
        </ItemDetail>
        <Comments>gift wrap</Comments>
        <Extrinsic name="color">white</Extrinsic>
      </ItemIn>
      <ItemIn quantity=" 1.5 " lineNumber=" 2 ">
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en">Pens</Description>
          <UnitOfMeasure>BX</UnitOfMeasure>
          <Classification domain="UNSPSC">44121704</Classification>
        </ItemDetail>
      </ItemIn>
    </PunchOutOrderMessage>
  </Message>
</cXML>
"""


def test_cart_lines_read_inline_match_constructed_objects() -> None:
    result = parse(CART)

    message = result.document.message
    assert isinstance(message, PunchOutOrderMessage)
    assert _unset_fields(result.document) == []
    price = Money(Decimal("12.3456"), "USD")
    assert message.items == [
        ItemIn(
            Decimal(2),
            ItemID("SKU-1"),
            ItemDetail(
                price,
                [Description("Paper", "en")],
                "EA",
                classifications=[Classification("UNSPSC", "14111507")],
            ),
            line_number=1,
            comments=Comment("gift wrap"),
            extrinsics=[Extrinsic("color", "white")],
        ),
        ItemIn(
            Decimal("1.5"),
            ItemID(""),
            ItemDetail(
                price,
                [Description("Pens", "en")],
                "BX",
                classifications=[Classification("UNSPSC", "44121704")],
            ),
            line_number=2,
        ),
    ]
    assert [item.source is not None and item.source.get("lineNumber") for item in message.items] == [
        "1",
        " 2 ",
    ]
    assert [(w.code, w.path) for w in result.warnings] == [
        ("missing-element", "/cXML/Message/PunchOutOrderMessage/ItemIn[2]"),
    ]


# -- white space: bodies without comments, CDATA or processing instructions are read without
# their ignorable white space; where that white space may be text, the body is read again.
def _order_with_line(line: str, *, prolog: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{prolog}"
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
        '<cXML payloadID="1@b.example" timestamp="2026-03-14T00:00:00+00:00">\n'
        "  <Header>\n"
        '    <From><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></From>\n'
        '    <To><Credential domain="DUNS"><Identity>123</Identity></Credential></To>\n'
        '    <Sender><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></Sender>\n'
        "  </Header>\n"
        "  <Request>\n"
        "    <OrderRequest>\n"
        '      <OrderRequestHeader orderID="PO-1" orderDate="2026-03-14T00:00:00+00:00">\n'
        '        <Total><Money currency="USD">12.35</Money></Total>\n'
        "      </OrderRequestHeader>\n"
        '      <ItemOut quantity="1" lineNumber="1">\n'
        f"{line}\n"
        "        <ItemDetail>\n"
        '          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>\n'
        '          <Description xml:lang="en">Paper!</Description>\n'
        "          <UnitOfMeasure>EA</UnitOfMeasure>\n"
        "        </ItemDetail>\n"
        "      </ItemOut>\n"
        "    </OrderRequest>\n"
        "  </Request>\n"
        "</cXML>\n"
    ).encode()


def _line_of(data: bytes) -> tuple[ItemOut, type]:
    result = parse(data)
    message = result.document.message
    assert isinstance(message, OrderRequest)
    [line] = message.items
    assert line.source is not None
    return line, type(line.source.getroottree().parser)


def test_a_plain_body_is_read_without_its_ignorable_white_space_and_nothing_else() -> None:
    line, parser = _line_of(
        _order_with_line("        <ItemID><SupplierPartID> SKU 1 </SupplierPartID></ItemID>")
    )

    assert parser is BlankDroppingParser
    assert line.source is not None and line.source.text is None  # the indentation is gone
    assert line.item_id == ItemID(" SKU 1 ")
    assert line.item_detail == ItemDetail(
        Money(Decimal("12.3456"), "USD"), [Description("Paper!", "en")], "EA"
    )


def test_white_space_next_to_a_comment_or_cdata_is_kept_byte_for_byte() -> None:
    for part_id in ("  <!-- c -->SKU-1", " <![CDATA[SKU-1]]>", "SKU<?pi x?> -1"):
        line, parser = _line_of(
            _order_with_line(f"        <ItemID><SupplierPartID>{part_id}</SupplierPartID></ItemID>")
        )

        assert parser is etree.XMLParser, part_id
        expected = {
            "  <!-- c -->SKU-1": "  SKU-1",
            " <![CDATA[SKU-1]]>": " SKU-1",
            "SKU<?pi x?> -1": "SKU -1",
        }
        assert line.item_id.supplier_part_id == expected[part_id]


# Each body below is plain (no comment, CDATA, processing instruction), so it is first read
# without white space; each then holds text made of child elements separated only by a space, and
# is read again with it.
def test_white_space_between_child_elements_of_text_read_byte_for_byte_is_kept() -> None:
    auxiliary = "<SupplierPartAuxiliaryID><a>cart</a> <b>7</b></SupplierPartAuxiliaryID>"
    line, parser = _line_of(
        _order_with_line(f"        <ItemID><SupplierPartID>S</SupplierPartID>{auxiliary}</ItemID>")
    )
    assert parser is etree.XMLParser
    assert line.item_id == ItemID("S", "cart 7")


def test_white_space_between_child_elements_of_text_read_trimmed_is_kept() -> None:
    extrinsic = (
        '<Extrinsic name="note"><b>gift</b> <i>wrap</i></Extrinsic><Extrinsic name="plain">as is</Extrinsic>'
    )
    result = parse(
        _order_with_line("        <ItemID><SupplierPartID>S</SupplierPartID></ItemID>").replace(
            b"<UnitOfMeasure>EA</UnitOfMeasure>", f"<UnitOfMeasure>EA</UnitOfMeasure>{extrinsic}".encode()
        )
    )
    message = result.document.message
    assert isinstance(message, OrderRequest)
    detail = message.items[0].item_detail
    assert detail is not None
    assert detail.extrinsics == [Extrinsic("note", "gift wrap"), Extrinsic("plain", "as is")]
    assert detail.source is not None
    assert type(detail.source.getroottree().parser) is etree.XMLParser


def test_white_space_in_mixed_content_of_an_element_kept_as_sent_is_kept() -> None:
    spend = '<SpendDetail><Extrinsic name="note"><b>gift</b> <i>wrap</i></Extrinsic></SpendDetail>'
    result = parse(
        _order_with_line("        <ItemID><SupplierPartID>S</SupplierPartID></ItemID>").replace(
            b"</ItemDetail>", f"</ItemDetail>{spend}".encode()
        )
    )
    message = result.document.message
    assert isinstance(message, OrderRequest)
    source = message.items[0].source
    assert source is not None
    assert type(source.getroottree().parser) is etree.XMLParser
    assert [(w.code, w.path) for w in result.warnings] == [
        ("kept", "/cXML/Request/OrderRequest/ItemOut/SpendDetail")
    ]
    assert etree.tostring(source.find("SpendDetail"), encoding=str, with_tail=False) == spend


def test_plain_markup_allows_the_declaration_the_doctype_and_rare_marks_in_text() -> None:
    assert _plain_markup(b'<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "x"><a>Hi! ok? <b/></a>')
    assert not _plain_markup(b'<?xml version="1.0"?><a><?pi?></a>')
    assert not _plain_markup(b"<a><!-- c --></a>")
    assert not _plain_markup(b"<a><![CDATA[x]]></a>")
    assert not _plain_markup(b"<a> <?xml-stylesheet href='x'?></a>")
    assert _plain_markup(b"<a>" + b"!" * 15 + b"</a>")
    assert not _plain_markup(b"<a>" + b"!" * 16 + b"</a>")  # too many to look at: not plain


def test_plain_markup_needs_an_ascii_compatible_body_that_starts_with_markup() -> None:
    body = '<?xml version="1.0"?><a>x</a>'
    assert _plain_markup(body.encode())
    assert not _plain_markup(body.encode("utf-16-le"))  # "<" then a NUL
    assert not _plain_markup(body.encode("utf-16"))  # a byte-order mark
    assert not _plain_markup(b"\xef\xbb\xbf" + body.encode())
    assert not _plain_markup(b" " + body.encode())
    assert not _plain_markup(b"<?xml-stylesheet href='x'?><a>x</a>")
    assert not _plain_markup(b"")
    # a comment in UTF-16 is kept next to its white space
    data = (
        _order_with_line("        <ItemID><SupplierPartID> <!-- c -->SKU-1</SupplierPartID></ItemID>")
        .decode()
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16")
    )
    line, parser = _line_of(data)
    assert parser is etree.XMLParser
    assert line.item_id.supplier_part_id == " SKU-1"


def test_white_space_dropped_only_at_the_edges_of_text_or_as_layout_needs_no_second_reading() -> None:
    # Pretty-printed content whose dropped white space lies before or after all its text, or lays
    # out element content kept as sent: the values, and what the builder copies, are the same with
    # it or without it, so the body is read once.
    description = (
        '<Description xml:lang="en">\n            <ShortName>Paper</ShortName>\n'
        "            A4 copier paper\n          </Description>"
    )
    spend = '<SpendDetail>\n          <Extrinsic name="costCenter">4711</Extrinsic>\n        </SpendDetail>'
    comments = (
        '<Comments xml:lang="en">\n          <Attachment><URL>cid:a</URL></Attachment>\n'
        "          see the attachment\n        </Comments>"
    )
    data = (
        _order_with_line(f"        <ItemID><SupplierPartID>S</SupplierPartID></ItemID>\n        {comments}")
        .replace(b'<Description xml:lang="en">Paper!</Description>', description.encode())
        .replace(b"</ItemDetail>", f"</ItemDetail>\n        {spend}".encode())
    )
    line, parser = _line_of(data)

    assert parser is BlankDroppingParser
    assert line.item_detail == ItemDetail(
        Money(Decimal("12.3456"), "USD"), [Description("A4 copier paper", "en", "Paper")], "EA"
    )
    assert line.source is not None
    assert etree.tostring(line.source.find("SpendDetail"), encoding=str, with_tail=False) == (
        '<SpendDetail><Extrinsic name="costCenter">4711</Extrinsic></SpendDetail>'
    )
    assert [c.text for c in line.comments] == ["see the attachment"]
    # the same values as a reading that keeps every white-space node
    kept = data.replace(b"<ItemID>", b"<!-- keep --><ItemID>", 1)
    kept_line, kept_parser = _line_of(kept)
    assert kept_parser is etree.XMLParser
    assert (kept_line.item_detail, kept_line.comments) == (line.item_detail, line.comments)


def test_the_builder_drops_the_layout_of_element_content_it_copies_and_keeps_mixed_content() -> None:
    element = etree.fromstring(
        "<SpendDetail>\n  <LaborDetail>\n    <Contact> x <Name>A</Name></Contact>\n  </LaborDetail>\n"
        '  <Extrinsic name="n">\n    <b>gift</b> <i>wrap</i>\n  </Extrinsic>\n</SpendDetail>'
    )

    drop_layout(element)

    assert etree.tostring(element, encoding=str) == (
        "<SpendDetail><LaborDetail><Contact> x <Name>A</Name></Contact></LaborDetail>"
        '<Extrinsic name="n">\n    <b>gift</b> <i>wrap</i>\n  </Extrinsic></SpendDetail>'
    )


# Random content: text pieces (some only white space) and elements, some of them mixed-content
# elements of the DTD, nested three deep.
_PIECES = st.sampled_from([" ", "\n  ", "x", " y ", "z"])
_CONTENT = st.recursive(
    st.lists(_PIECES, max_size=3).map("".join),
    lambda inner: st.lists(
        st.one_of(
            _PIECES,
            st.tuples(st.sampled_from(["e", "f", "Extrinsic", "Comments"]), inner).map(
                lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"
            ),
        ),
        max_size=4,
    ).map("".join),
    max_leaves=12,
)


def _raises(element: etree._Element, reading: Reading) -> bool:
    try:
        keep_blanks_if_lossy(element, reading)
    except KeepBlanks:
        return True
    return False


def _copied(element: etree._Element) -> bytes:
    carried = copy.deepcopy(element)
    carried.tail = None
    drop_layout(carried)
    return bytes(etree.tostring(carried))


def _text(element: etree._Element) -> str:
    return str(etree.tostring(element, method="text", encoding=str, with_tail=False))


@given(_CONTENT)
def test_whatever_white_space_was_dropped_each_reading_that_differs_asks_for_a_second(content: str) -> None:
    body = f"<r>{content}</r>".encode()
    kept = etree.fromstring(body, etree.XMLParser())
    dropped = etree.fromstring(body, BlankDroppingParser(remove_blank_text=True))
    for with_blanks, without in zip(kept.iter(), dropped.iter(), strict=True):
        own = [(e.text or "") + "".join(c.tail or "" for c in e) for e in (with_blanks, without)]
        differs: dict[Reading, bool] = {
            "exact": _text(with_blanks) != _text(without),
            "trimmed": _text(with_blanks).strip() != _text(without).strip(),
            "own": own[0].strip() != own[1].strip(),
            "kept": _copied(with_blanks) != _copied(without),
        }
        for reading, different in differs.items():
            assert _raises(without, reading) or not different, (reading, body)
