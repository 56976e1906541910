"""The storefront's documents obey the money rules of ``punchout.amounts`` to the cent, in EUR, JPY and
KWD: the cart, the order, its confirmations, the invoice and the credit memo of a return, for a cart of
several sellers with shipping and a quantity tier. Each document is read back as a partner reads it
(the cXML in the outbox, the cart form) and checked rule by rule, exactly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from openprocure.core.models import OutboxMessage
from openprocure.supplier.catalog.models import PriceTier, Product, Seller
from openprocure.supplier.fulfilment import services as fulfilment
from openprocure.supplier.fulfilment.models import Charge, Invoice
from openprocure.supplier.orders.models import Order
from punchout import amounts, cxml
from tests.supplier.money_world import details_of, failed, stated_cart, stated_invoice
from tests.supplier.worlds import make_operator, open_session, order_request, returned_message, send

pytestmark = pytest.mark.django_db
D = Decimal


# -- reading documents as a partner does -----------------------------------------------------------


def outbox(kind: str) -> list[cxml.CXML]:
    return [
        cxml.parse(m.body.encode()).document for m in OutboxMessage.objects.filter(kind=kind).order_by("pk")
    ]


# -- a catalog of three sellers --------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """Prices (in the currency's catalog format) and the figures every document must state."""

    currency: str
    prices: tuple[str, str, str, str, str]  # ours (tier from 10: prices[4]), seller A ×2, seller B
    subtotal: str
    shipping: str
    tax: str
    total: str


CASES = [
    # 10 × 2.36 (tier) + 70.77 + 70.81 + 7 × 4.33: line taxes 4.72 + 14.15 + 14.16 + 6.06 = 39.09
    # (20 % of the subtotal would be 39.10); shipping 2 × 4.99, each taxed 1.00 on its own.
    Case("EUR", ("2.59", "70.77", "70.81", "4.33", "2.36"), "195.49", "9.98", "41.09", "246.56"),
    # 5 JPY of shipping per seller (4.99 in whole yen), taxed 1 JPY each
    Case("JPY", ("259", "7077", "7081", "433", "236"), "19549", "10", "3911", "23470"),
    Case("KWD", ("2.59", "70.77", "70.81", "4.33", "2.36"), "195.490", "9.980", "41.094", "246.564"),
]


def catalog(case: Case) -> list[tuple[str, int]]:
    """Products in the case's currency; the cart to order (ASIN, quantity)."""
    ours = Seller.objects.get_or_create(name="Marketplace", defaults={"is_marketplace": True})[0]
    seller_a = Seller.objects.create(name=f"Paper & Co {case.currency}")
    seller_b = Seller.objects.create(name=f"Ink Ltd {case.currency}")
    made = []
    for n, (seller, fulfilled_by_us, price) in enumerate(
        [
            (ours, True, case.prices[0]),
            (seller_a, False, case.prices[1]),
            (seller_a, False, case.prices[2]),
            (seller_b, False, case.prices[3]),
        ],
        start=1,
    ):
        made.append(
            Product.objects.create(
                asin=f"B0{case.currency}{n:05d}",
                title=f"Item {n} in {case.currency}",
                unspsc="44121704",
                unit_of_measure="EA",
                list_price=D(price) * 2,
                business_price=D(price),
                currency=case.currency,
                seller=seller,
                fulfilled_by_us=fulfilled_by_us,
                stock=1000,
                delivery_days=2,
                sales_rank=100 + n,
            )
        )
    PriceTier.objects.create(product=made[0], min_quantity=10, unit_price=D(case.prices[4]))
    return [(made[0].asin, 10), (made[1].asin, 1), (made[2].asin, 1), (made[3].asin, 7)]


@pytest.mark.parametrize("case", CASES, ids=[case.currency for case in CASES])
def test_cart_order_confirmations_invoice_and_credit_memo_agree_to_the_cent(client, shop, case):
    items = catalog(case)
    currency = case.currency
    figures = [D(case.subtotal), D(case.shipping), D(case.tax), D(case.total)]

    # The cart: line taxes rounded per line, each seller's shipping taxed on its own, header = details.
    prefix = open_session(client)
    for asin, quantity in items:
        assert client.post(prefix + "cart/add/", {"asin": asin, "quantity": quantity}).status_code == 302
    page = client.get(prefix + "cart/").content.decode()
    # Shown for people: grouped, the currency's decimals, a no-break space before the code.
    shown = {"EUR": "246.56\xa0EUR", "JPY": "23,470\xa0JPY", "KWD": "246.564\xa0KWD"}[currency]
    assert f'<dd id="cart-total">{shown}</dd>' in page
    cart = returned_message(client.post(prefix + "cart/submit/")).message
    stated = stated_cart(cart)
    assert failed(stated) == []
    assert [stated.subtotal, stated.shipping, stated.tax] == figures[:3]
    assert (
        sum(item.tax.money.amount for item in cart.items) == stated.tax
    )  # line taxes add up to the header's
    assert [(d.purpose, d.taxable) for d in stated.tax_details] == [
        ("tax", D(case.subtotal)),
        ("shippingTax", D(case.shipping) / 2),
        ("shippingTax", D(case.shipping) / 2),
    ]
    assert cart.header.tax.details[0].description.text == "VAT 20%"
    assert [i.item_detail.extrinsics[-1].name for i in cart.items] == ["ListPrice"] * 4

    # The order the buyer sends for that cart costs what the cart said.
    _payload, body = order_request(list(cart.items), order_id=f"PO-{currency}-1")
    assert send(client, body).code == 200
    order = Order.objects.get(buyer_order_id=f"PO-{currency}-1")
    assert [order.subtotal, order.shipping, order.tax, order.total] == figures

    # One confirmation per seller; together they state the order's totals.
    confirmations = [doc.message for doc in outbox("ConfirmationRequest")]
    assert len(confirmations) == 3
    headers = [c.header for c in confirmations]
    assert sum(h.total.amount for h in headers) == order.total
    assert sum(h.tax.money.amount for h in headers) == order.tax
    assert sum(h.shipping.money.amount for h in headers if h.shipping) == order.shipping
    for header in headers:
        assert header.tax.money.amount == sum(d.amount for d in details_of(header.tax))
        assert header.total.currency == currency

    # Shipped at once: one invoice, the order's figures, every rule exact; the charge is its total.
    operator = make_operator()
    fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    invoice = Invoice.objects.get(kind="invoice")
    assert [invoice.subtotal, invoice.shipping, invoice.tax, invoice.total] == figures
    assert Charge.objects.get().amount == invoice.total
    (document,) = outbox("InvoiceDetailRequest")
    request = document.message
    stated = stated_invoice(request)
    assert failed(stated) == []
    assert [stated.subtotal, stated.shipping, stated.tax, stated.total] == figures
    assert [(d.purpose, d.description.text) for d in request.summary.tax.details] == [
        ("tax", "VAT 20%"),
        ("shippingTax", "VAT 20% on shipping"),
        ("shippingTax", "VAT 20% on shipping"),
    ]
    assert b"2E+1" not in OutboxMessage.objects.get(kind="InvoiceDetailRequest").body.encode()

    # Goods come back: the credit memo is the exact negative of what the rules give for them.
    lines = {line.line_number: line for line in order.lines.all()}
    returned = fulfilment.record_return(
        order_id=order.pk,
        quantities=[fulfilment.ReturnedQuantity(lines[1].pk, 3), fulfilment.ReturnedQuantity(lines[4].pk, 7)],
        reason="Damaged",
        by=operator,
    )
    memo = returned.credit_memo
    expected = amounts.compute(
        currency,
        [amounts.Line(D(3), D(case.prices[4]), D(20)), amounts.Line(D(7), D(case.prices[3]), D(20))],
    )
    assert [memo.subtotal, memo.shipping, memo.tax, memo.total] == [
        expected.subtotal,
        D(0),
        expected.tax,
        expected.total,
    ]
    assert Charge.objects.get(goods_return=returned).amount == -expected.total
    credit = outbox("InvoiceDetailRequest")[-1].message
    assert credit.header.purpose == cxml.InvoicePurpose.LINE_LEVEL_CREDIT_MEMO
    stated = stated_invoice(credit)
    assert failed(stated) == []
    assert [stated.subtotal, stated.tax, stated.total] == [-expected.subtotal, -expected.tax, -expected.total]
