"""Property: for any cart — JPY, EUR or KWD, several sellers (ours and marketplace sellers, some
fulfilled by us), shipping, quantity tiers — the storefront's cart, order, confirmations, invoice and
credit memo state the same money by the same rules, and the buyer suite's own reading of the invoice
and of the credit memo (``einvoice.parsed_from_cxml``) matches the order with zero tolerance.

Each example goes through the storefront as a partner uses it (PunchOut cart over HTTP, cXML
OrderRequest, shipment and return by an operator, documents read back from the outbox); the buyer's
side is its pure reading and matching functions, fed the storefront's documents.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openprocure.buyer.invoicing import matching
from openprocure.buyer.invoicing.einvoice import ParsedInvoice, parsed_from_cxml
from openprocure.core.models import OutboxMessage
from openprocure.supplier.catalog.models import PriceTier, Product, Seller
from openprocure.supplier.fulfilment import services as fulfilment
from openprocure.supplier.fulfilment.models import Invoice
from openprocure.supplier.orders.models import Order
from punchout import cxml
from punchout.money import minor_units
from tests.supplier.money_world import failed, stated_cart, stated_invoice
from tests.supplier.worlds import make_operator, open_session, order_request, returned_message, send

pytestmark = pytest.mark.django_db
D = Decimal
ZERO_TOLERANCE = matching.Tolerance()  # 3-way, nothing allowed
_serial = itertools.count(1)


@dataclass(frozen=True)
class Item:
    seller: int  # 0: ours; 1–3: marketplace sellers
    fulfilled_by_us: bool
    price: int  # business price in hundredths of the currency's unit (whole units for JPY)
    tier: tuple[int, int] | None  # (from quantity, price as ``price``), cheaper than the business price
    quantity: int
    returned: int  # how many come back after shipment


@st.composite
def items(draw: st.DrawFn) -> Item:
    seller = draw(st.integers(0, 3))
    price = draw(st.integers(1, 99_999))
    tier = None
    if price > 1 and draw(st.booleans()):
        tier = (draw(st.integers(2, 40)), draw(st.integers(1, price - 1)))
    quantity = draw(st.integers(1, 60))
    return Item(
        seller=seller,
        fulfilled_by_us=seller == 0 or draw(st.booleans()),
        price=price,
        tier=tier,
        quantity=quantity,
        returned=draw(st.integers(0, quantity)),
    )


def price(value: int, currency: str) -> Decimal:
    """A catalog price: whole yen, or hundredths of a euro or dinar (the catalog keeps two decimals)."""
    return D(value) if minor_units(currency) == 0 else D(value).scaleb(-2)


def stock(currency: str, cart: list[Item]) -> list[tuple[str, int]]:
    """Sellers and products of the example; the cart (ASIN, quantity)."""
    run = next(_serial)
    sellers = [Seller.objects.get_or_create(name="Marketplace", defaults={"is_marketplace": True})[0]]
    sellers += [Seller.objects.create(name=f"Seller {run}-{n}") for n in (1, 2, 3)]
    lines = []
    for n, item in enumerate(cart, start=1):
        product = Product.objects.create(
            asin=f"P{run:04d}{n:02d}{currency}",
            title=f"Product {n} of example {run}",
            unspsc="44121704",
            unit_of_measure="EA",
            list_price=price(item.price, currency) + 1,
            business_price=price(item.price, currency),
            currency=currency,
            seller=sellers[item.seller],
            fulfilled_by_us=item.fulfilled_by_us,
            stock=1000,
            delivery_days=2,
            sales_rank=1000 * run + n,
        )
        if item.tier is not None:
            PriceTier.objects.create(
                product=product, min_quantity=item.tier[0], unit_price=price(item.tier[1], currency)
            )
        lines.append((product.asin, item.quantity))
    return lines


def outbox(kind: str, order: Order) -> list[cxml.CXML]:
    return [
        cxml.parse(m.body.encode()).document
        for m in OutboxMessage.objects.filter(kind=kind, reference=order.number).order_by("pk")
    ]


def buyer_reads(document: cxml.CXML, po_number: str) -> ParsedInvoice:
    """The buyer suite's reading of an InvoiceDetailRequest (as its /cxml/ endpoint does)."""
    request = document.message
    assert isinstance(request, cxml.InvoiceDetailRequest)
    return parsed_from_cxml(request, {po_number: SimpleNamespace(number=po_number)})


def matcher_input(parsed: ParsedInvoice) -> matching.Invoice:
    return matching.Invoice(
        number=parsed.number,
        currency=parsed.currency,
        is_credit=parsed.is_credit,
        subtotal=parsed.subtotal,
        tax=parsed.tax,
        shipping=parsed.shipping,
        special_handling=parsed.special_handling,
        total=parsed.total,
        tax_details=parsed.tax_details,
        lines=[
            matching.InvoiceLine(
                line_number=line.line_number,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                order=line.order_number,
                order_line=line.order_line_number,
                part_id=line.part_id,
                tax=line.tax,
                tax_rate=line.tax_rate,
            )
            for line in parsed.lines
        ],
    )


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(currency=st.sampled_from(["JPY", "EUR", "KWD"]), cart=st.lists(items(), min_size=1, max_size=5))
def test_any_cart_agrees_from_cart_to_credit_memo_and_matches_with_zero_tolerance(
    client, shop, currency: str, cart: list[Item]
) -> None:
    wanted = stock(currency, cart)
    po_number = f"PO-PROP-{next(_serial)}"

    # The cart, by the rules.
    prefix = open_session(client)
    for asin, quantity in wanted:
        assert client.post(prefix + "cart/add/", {"asin": asin, "quantity": quantity}).status_code == 302
    message = returned_message(client.post(prefix + "cart/submit/")).message
    cart_money = stated_cart(message)
    assert failed(cart_money) == []
    assert sum(i.tax.money.amount for i in message.items) == cart_money.tax
    cart_total = cart_money.subtotal + cart_money.shipping + cart_money.tax  # type: ignore[operator]

    # The order costs what the cart said; its confirmations add up to it.
    _payload, body = order_request(list(message.items), order_id=po_number)
    assert send(client, body).code == 200
    order = Order.objects.get(buyer_order_id=po_number)
    figures = [order.subtotal, order.shipping, order.tax, order.total]
    assert figures == [cart_money.subtotal, cart_money.shipping, cart_money.tax, cart_total]
    confirmations = [doc.message.header for doc in outbox("ConfirmationRequest", order)]
    assert sum(c.total.amount for c in confirmations) == order.total
    assert sum(c.tax.money.amount for c in confirmations) == order.tax

    # Shipped at once: the invoice states the order's money, by the rules.
    operator = make_operator(f"operator{next(_serial)}@marketplace.test")
    fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    (invoice_document,) = outbox("InvoiceDetailRequest", order)
    invoice_money = stated_invoice(invoice_document.message)
    assert failed(invoice_money) == []
    assert [
        invoice_money.subtotal,
        invoice_money.shipping,
        invoice_money.tax,
        invoice_money.total,
    ] == figures

    # The buyer reads it and matches it against its PO (the cart's lines), received in full.
    po_lines = [
        matching.OrderLine(
            order=po_number,
            line_number=item.line_number or n,
            part_id=item.item_id.supplier_part_id,
            unit_price=item.item_detail.unit_price.amount,
            ordered=item.quantity,
            received=item.quantity,
            currency=currency,
        )
        for n, item in enumerate(message.items, start=1)
    ]
    parsed = buyer_reads(invoice_document, po_number)
    result = matching.match_invoice(
        matcher_input(parsed), {po_number: po_lines}, tolerance_for=lambda _line: ZERO_TOLERANCE
    )
    assert result.exceptions == []
    assert result.matched

    # Goods come back: the credit memo is the exact negative of what the rules give for them, and the
    # buyer matches it against what was invoiced.
    returns = [
        fulfilment.ReturnedQuantity(line.pk, item.returned)
        for line, item in zip(order.lines.order_by("line_number"), cart, strict=True)
        if item.returned
    ]
    if not returns:
        return
    fulfilment.record_return(order_id=order.pk, quantities=returns, reason="Came back", by=operator)
    memo = Invoice.objects.get(order=order, kind="credit_memo")
    credit_document = outbox("InvoiceDetailRequest", order)[-1]
    credit_money = stated_invoice(credit_document.message)
    assert failed(credit_money) == []
    assert [credit_money.subtotal, credit_money.tax, credit_money.total] == [
        -memo.subtotal,
        -memo.tax,
        -memo.total,
    ]
    for line, invoiced in zip(po_lines, parsed.lines, strict=True):
        line.invoiced_before, line.amount_before = invoiced.quantity, invoiced.amount
    credit = matching.match_invoice(
        matcher_input(buyer_reads(credit_document, po_number)),
        {po_number: po_lines},
        tolerance_for=lambda _line: ZERO_TOLERANCE,
    )
    assert credit.exceptions == []
    assert credit.matched
