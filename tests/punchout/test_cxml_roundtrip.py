"""Property tests: build -> parse gives back exactly the document we built.

IDs carry arbitrary text (whitespace, unicode); amounts are arbitrary Decimals, quantized by the
builder the same way the parser quantizes them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import INTEROP

from punchout.cxml import (
    CXML,
    Address,
    Classification,
    Credential,
    DeploymentMode,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    OrderRequest,
    OrderRequestHeader,
    OrderRequestType,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutOrderMessageHeader,
    Shipping,
    Tax,
    build,
    make_header,
    parse,
)
from punchout.cxml.dtd import validate
from punchout.money import quantize_money, quantize_unit_price

# XML 1.0 cannot carry control characters (other than tab, LF, CR), surrogates or U+FFFE/U+FFFF.
XML_CHAR = st.characters(
    blacklist_categories=("Cs", "Cc", "Cn"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r ")
raw_text = st.text(XML_CHAR, max_size=24)
trimmed_text = raw_text.map(str.strip)
name_text = st.text(XML_CHAR, min_size=1, max_size=16).map(str.strip).filter(bool)
CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP"])
LANGS = st.sampled_from(["en", "en-US", "de-DE", "fr"])
amount = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=6, allow_nan=False)
quantity = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3, allow_nan=False)
aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]),
).map(lambda d: d.replace(microsecond=0))


@st.composite
def money(draw: st.DrawFn, currency: str, *, unit: bool = False) -> Money:
    value = draw(amount)
    quantized = quantize_unit_price(value, currency) if unit else quantize_money(value, currency)
    return Money(quantized, currency)


@st.composite
def item_id(draw: st.DrawFn) -> ItemID:
    return ItemID(draw(raw_text), draw(st.none() | raw_text), draw(st.none() | name_text))


@st.composite
def item_detail(draw: st.DrawFn, currency: str) -> ItemDetail:
    return ItemDetail(
        draw(money(currency, unit=True)),
        [Description(draw(trimmed_text), draw(LANGS), draw(st.none() | trimmed_text))],
        draw(name_text),
        classifications=[Classification("UNSPSC", draw(name_text))],
        manufacturer_part_id=draw(st.none() | trimmed_text),
        manufacturer_name=draw(st.none() | trimmed_text),
        lead_time=draw(st.none() | st.integers(0, 365)),
        extrinsics=[
            Extrinsic(n, v) for n, v in draw(st.lists(st.tuples(name_text, trimmed_text), max_size=3))
        ],
    )


@st.composite
def envelope(draw: st.DrawFn, message: object) -> CXML:
    return CXML(
        message=message,  # type: ignore[arg-type]
        payload_id=draw(name_text),
        timestamp=draw(aware),
        header=make_header(
            from_=[Credential(draw(name_text), draw(trimmed_text))],
            to=[Credential("DUNS", draw(trimmed_text))],
            sender=[Credential("NetworkID", draw(trimmed_text), draw(st.none() | trimmed_text))],
            user_agent=draw(name_text),
        ),
        deployment_mode=draw(st.sampled_from(DeploymentMode)),
        version="1.2.071",
        lang=draw(LANGS),
    )


@st.composite
def punchout_order_messages(draw: st.DrawFn) -> CXML:
    currency = draw(CURRENCIES)
    items = [
        ItemIn(
            draw(quantity),
            draw(item_id()),
            draw(item_detail(currency)),
            line_number=draw(st.none() | st.integers(1, 9999)),
            tax=draw(
                st.none() | st.builds(Tax, money(currency), st.builds(Description, trimmed_text, LANGS))
            ),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    header = PunchOutOrderMessageHeader(
        draw(money(currency)),
        draw(st.sampled_from([PunchOutOperation.CREATE, PunchOutOperation.EDIT, PunchOutOperation.INSPECT])),
        shipping=draw(
            st.none() | st.builds(Shipping, money(currency), st.builds(Description, trimmed_text, LANGS))
        ),
    )
    return draw(envelope(PunchOutOrderMessage(draw(raw_text), header, items)))


@st.composite
def order_requests(draw: st.DrawFn) -> CXML:
    currency = draw(CURRENCIES)
    items = [
        ItemOut(
            draw(quantity),
            draw(item_id()),
            draw(item_detail(currency)),
            line_number=line,
            requested_delivery_date=draw(st.none() | aware),
        )
        for line in range(1, draw(st.integers(1, 4)) + 1)
    ]
    header = OrderRequestHeader(
        draw(name_text),
        draw(aware),
        draw(money(currency)),
        type=draw(st.sampled_from(OrderRequestType)),
        order_version=draw(st.none() | st.integers(1, 99)),
        bill_to=Address(draw(trimmed_text), draw(LANGS)),
        document_reference=draw(st.none() | name_text),
        extrinsics=[Extrinsic("CostCenter", draw(trimmed_text))],
    )
    return draw(envelope(OrderRequest(header, items)))


def check_round_trip(document: CXML) -> None:
    data = build(document)
    result = parse(data)
    assert [w.code for w in result.warnings] in ([], ["shared-secret-in-message"])
    assert result.document == document
    if (INTEROP / "cxml-dtd").is_dir():
        assert validate(data, INTEROP / "cxml-dtd") == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(punchout_order_messages())
def test_punchout_order_message_round_trip(document: CXML) -> None:
    check_round_trip(document)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_requests())
def test_order_request_round_trip(document: CXML) -> None:
    check_round_trip(document)


def test_supplier_part_ids_survive_byte_for_byte() -> None:
    odd = ItemID(" \t A&B <c> \n", "\n  é 日本 \r\n ", None)
    document = CXML(
        message=PunchOutOrderMessage(
            "cookie",
            PunchOutOrderMessageHeader(Money(Decimal("1.00"), "USD")),
            [
                ItemIn(
                    Decimal("1"),
                    odd,
                    ItemDetail(
                        Money(Decimal("1.00"), "USD"),
                        [Description("x", "en")],
                        "EA",
                        classifications=[Classification("UNSPSC", "1")],
                    ),
                )
            ],
        ),
        payload_id="p@x",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        header=make_header(
            from_=[Credential("D", "1")],
            to=[Credential("D", "2")],
            sender=[Credential("D", "1")],
            user_agent="u",
        ),
    )
    message = parse(build(document)).document.message
    assert isinstance(message, PunchOutOrderMessage)
    assert message.items[0].item_id == odd


def test_order_update_names_the_order_it_replaces() -> None:
    """type="update" with orderVersion 2 and DocumentReference: written where the DTD puts it, read back."""
    header = OrderRequestHeader(
        "PO-7",
        datetime(2026, 1, 1, tzinfo=UTC),
        Money(Decimal("10.00"), "EUR"),
        type=OrderRequestType.UPDATE,
        order_version=2,
        bill_to=Address("HQ", "en"),
        document_reference="first@buyer.example",
    )
    item = ItemOut(
        Decimal("1"),
        ItemID("A1", "aux"),
        ItemDetail(
            Money(Decimal("10.00"), "EUR"),
            [Description("x", "en")],
            "EA",
            classifications=[Classification("UNSPSC", "1")],
        ),
        line_number=1,
    )
    document = CXML(
        message=OrderRequest(header, [item]),
        payload_id="second@buyer.example",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        header=make_header(
            from_=[Credential("NetworkId", "b")],
            to=[Credential("NetworkId", "s")],
            sender=[Credential("NetworkId", "b", "x")],
            user_agent="t",
        ),
    )
    data = build(document)
    assert b'<DocumentReference payloadID="first@buyer.example"/>' in data
    assert b'type="update"' in data and b'orderVersion="2"' in data
    parsed = parse(data).document.message
    assert isinstance(parsed, OrderRequest)
    assert parsed.header.document_reference == "first@buyer.example"
    assert parsed.header.order_version == 2
    if (INTEROP / "cxml-dtd").is_dir():
        assert validate(data, INTEROP / "cxml-dtd") == []
