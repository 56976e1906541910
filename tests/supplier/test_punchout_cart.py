"""The PunchOut cart page through HTTP: removing a line, quantities that cannot be taken, the totals,
and products that are out of stock."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from openprocure.supplier.catalog.models import Product
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from punchout import cxml
from tests.supplier.catalog_world import make_catalog
from tests.supplier.worlds import open_session, returned_message

pytestmark = pytest.mark.django_db


def _messages(page) -> list[str]:
    found = re.search(r'<ul class="messages">(.*?)</ul>', page.content.decode(), re.S)
    return [html.unescape(m) for m in re.findall(r"<li[^>]*>(.*?)</li>", found[1])] if found else []


def _totals(page) -> list[tuple[str, str]]:
    found = re.search(r"<dl>(.*?)</dl>", page.content.decode(), re.S)
    return re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", found[1])


def _remove_forms(page) -> list[str]:
    """The line ids the page's "Remove" buttons post, with quantity 0."""
    return re.findall(
        r'<form method="post" action="[^"]*cart/update/" class="inline remove-line">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">'
        r'<input type="hidden" name="line" value="(\d+)"><input type="hidden" name="quantity" value="0">'
        r'<button type="submit" aria-label="Remove [^"]+">Remove</button></form>',
        page.content.decode(),
    )


def _filled_cart(client) -> str:
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "2"})
    client.post(prefix + "cart/add/", {"asin": "B000PENS01", "quantity": "1"})
    client.get(prefix + "cart/")  # shows (and so clears) the "Added" messages
    return prefix


def test_the_cart_shows_subtotal_shipping_vat_and_total(client, acme, products):
    prefix = _filled_cart(client)
    page = client.get(prefix + "cart/")
    # 2 × 5.20 + 10.00 = 20.40; shipping of the marketplace seller's line; VAT 20 % per line.
    assert _totals(page) == [
        ("Subtotal", "20.40\xa0EUR"),
        ("Shipping (estimate)", "4.99\xa0EUR"),
        ("VAT (estimate)", "5.08\xa0EUR"),
        ("Total (estimate)", "30.47\xa0EUR"),
    ]


def test_each_line_has_a_remove_button_that_works_inside_the_session(acme, products):
    # Inside /po/<key>/ the key stands for the CSRF cookie; the form carries a token all the same.
    client = Client(enforce_csrf_checks=True)
    prefix = _filled_cart(client)
    paper, pens = CartLine.objects.order_by("id")
    page = client.get(prefix + "cart/")
    assert _remove_forms(page) == [str(paper.pk), str(pens.pk)]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post(
        prefix + "cart/update/", {"csrfmiddlewaretoken": token, "line": paper.pk, "quantity": "0"}
    )
    assert (response.status_code, response.url) == (302, prefix + "cart/")
    assert list(CartLine.objects.values_list("product__asin", "quantity")) == [("B000PENS01", 1)]
    page = client.get(prefix + "cart/")
    assert _remove_forms(page) == [str(pens.pk)]
    assert _totals(page)[0] == ("Subtotal", "10.00\xa0EUR")
    assert PunchOutSession.objects.get().changed is True


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "A quantity cannot be negative (0 removes the line)."),
        ("abc", "Enter a whole number (0 removes the line)."),
        ("2.5", "Enter a whole number (0 removes the line)."),
        ("100001", "At most 100000 of one item per line."),
        ("", "Enter a quantity (0 removes the line)."),
    ],
    ids=["negative", "not-a-number", "fraction", "above-maximum", "empty"],
)
def test_an_invalid_quantity_is_explained_beside_its_line_and_changes_nothing(
    client, acme, products, typed, message
):
    prefix = _filled_cart(client)
    PunchOutSession.objects.update(changed=False)
    paper, pens = CartLine.objects.order_by("id")
    response = client.post(prefix + "cart/update/", {"line": pens.pk, "quantity": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p class="error" id="line-error-{pens.pk}">{html.escape(message)}</p>' in page
    assert (
        f'<input type="text" inputmode="numeric" name="quantity" value="{html.escape(typed)}" '
        f'aria-label="Quantity" aria-invalid="true" aria-describedby="line-error-{pens.pk}">'
    ) in page
    assert f'id="line-error-{paper.pk}"' not in page
    assert 'name="quantity" min="0" value="2"' in page  # the other line as it was
    assert list(CartLine.objects.order_by("id").values_list("quantity", flat=True)) == [2, 1]
    assert PunchOutSession.objects.get().changed is False
    assert _messages(client.get(prefix + "cart/")) == []


def test_a_line_of_another_session_is_not_found_even_with_an_invalid_quantity(client, acme, products):
    prefix = _filled_cart(client)
    response = client.post(prefix + "cart/update/", {"line": "999999", "quantity": "abc"})
    assert (response.status_code, response.url) == (302, prefix + "cart/")
    assert _messages(client.get(prefix + "cart/")) == ["This line is not in your cart."]


def test_a_read_only_cart_refuses_changes_whatever_the_quantity(client, acme, products):
    prefix = _filled_cart(client)
    items = returned_message(client.post(prefix + "cart/submit/")).message.items
    outs = [cxml.ItemOut(quantity=i.quantity, item_id=i.item_id) for i in items]
    look = open_session(client, operation=cxml.PunchOutOperation.INSPECT, items=outs, cookie="look")
    session = PunchOutSession.objects.get(buyer_cookie="look")
    line = session.lines.order_by("id").first()
    page = client.get(look + "cart/").content.decode()
    assert "remove-line" not in page
    for typed in ("0", "-4"):
        response = client.post(look + "cart/update/", {"line": line.pk, "quantity": typed})
        assert response.status_code == 302
        assert _messages(client.get(look + "cart/")) == [
            "This cart is open for viewing only: return it to your procurement system."
        ]
    assert list(session.lines.order_by("id").values_list("quantity", flat=True)) == [2, 1]


def test_an_out_of_stock_product_cannot_be_added(client, acme, products):
    Product.objects.filter(asin="B000PENS01").update(stock=0)
    prefix = open_session(client)
    product_page = client.get(prefix + "product/B000PENS01/").content.decode()
    assert '<span class="badge bad">Out of stock</span>' in product_page
    assert '<button type="submit" class="primary" disabled>Add to cart</button>' in product_page
    in_stock = client.get(prefix + "product/B000PAPER1/").content.decode()
    assert '<button type="submit" class="primary">Add to cart</button>' in in_stock
    assert "Out of stock" not in in_stock
    response = client.post(prefix + "cart/add/", {"asin": "B000PENS01", "quantity": "1"})
    assert (response.status_code, response.url) == (302, prefix + "cart/")
    assert _messages(client.get(prefix + "cart/")) == [
        "Ballpoint pens, blue, box of 50 is out of stock and cannot be added to your cart."
    ]
    assert CartLine.objects.count() == 0


def test_a_result_card_of_an_out_of_stock_product_says_so_and_its_button_is_disabled(client, acme):
    make_catalog()  # the Pilot gel pens (B000000003) have no stock
    prefix = open_session(client)
    page = client.get(prefix + "search/", {"q": "pens"}).content.decode()
    cards = dict(re.findall(r'<article class="product-card" data-asin="(\w+)">(.*?)</article>', page, re.S))
    assert sorted(asin for asin, card in cards.items() if "Out of stock" in card) == ["B000000003"]
    assert [asin for asin, card in cards.items() if 'primary" disabled>Add to cart</button>' in card] == [
        "B000000003"
    ]
    out = cards["B000000003"]
    assert '<span class="badge bad">Out of stock</span>' in out
    assert '<button type="submit" class="primary" disabled>Add to cart</button>' in out
    response = client.post(prefix + "cart/add/", {"asin": "B000000003", "quantity": "3"})
    assert response.url == prefix + "cart/"
    assert _messages(client.get(prefix + "cart/")) == [
        "Pilot G2 Gel Pens, Black, 12 Count is out of stock and cannot be added to your cart."
    ]
    assert CartLine.objects.count() == 0


def test_the_line_message_and_the_remove_button_speak_french(client, acme, products):
    prefix = _filled_cart(client)
    pens = CartLine.objects.order_by("id").last()
    response = client.post(
        prefix + "cart/update/", {"line": pens.pk, "quantity": "-2"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    page = response.content.decode()
    assert (
        f'<p class="error" id="line-error-{pens.pk}">'
        "Une quantité ne peut pas être négative (0 retire la ligne).</p>"
    ) in page
    assert 'aria-label="Retirer Ballpoint pens, blue, box of 50">Retirer</button>' in page


def test_adding_more_of_a_carted_product_never_takes_its_line_past_the_maximum(client, acme, products):
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "99999"})
    client.get(prefix + "cart/")
    PunchOutSession.objects.update(changed=False)
    response = client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "2"})
    assert (response.status_code, response.url) == (302, prefix + "cart/")
    assert _messages(client.get(prefix + "cart/")) == [
        "Your cart already has 99999 of Copy paper A4 80 g, 500 sheets; at most 100000 of one item per line."
    ]
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [99999]
    assert PunchOutSession.objects.get().changed is False
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [100000]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Choose a quantity between 1 and 100000."),
        ("-3", "Choose a quantity between 1 and 100000."),
        ("100001", "Choose a quantity between 1 and 100000."),
        ("2.5", "Choose a quantity between 1 and 100000."),
    ],
    ids=["zero", "negative", "above-maximum", "fraction"],
)
def test_a_quantity_that_cannot_be_added_says_the_allowed_range(client, acme, products, typed, message):
    prefix = open_session(client)
    response = client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": typed})
    assert (response.status_code, response.url) == (302, prefix + "cart/")
    assert _messages(client.get(prefix + "cart/")) == [message]
    assert CartLine.objects.count() == 0
