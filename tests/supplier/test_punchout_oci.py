"""OCI at /oci/ through HTTP: login, HOOK_URL allow-list, VALIDATE, BACKGROUND_SEARCH, the NEW_ITEM return."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from openprocure.supplier.business.models import Integration
from openprocure.supplier.punchout.choices import SessionProtocol, SessionStatus
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from punchout import oci
from tests.supplier.worlds import HOOK, callup

pytestmark = pytest.mark.django_db


def form_items(response) -> list[oci.OCIItem]:
    page = response.content.decode(response.charset)
    pairs = [
        (html.unescape(n), html.unescape(v))
        for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
    ]
    return parse_pairs(pairs)


def parse_pairs(pairs: list[tuple[str, str]]) -> list[oci.OCIItem]:
    return oci.parse_cart(pairs).items


def test_validate_reprices_at_the_quantity(client, integration, products):
    response = client.get(
        "/oci/", callup(integration, FUNCTION="VALIDATE", PRODUCTID="B000PAPER1", QUANTITY="12")
    )
    assert response.status_code == 200
    [item] = form_items(response)
    assert (item.vendor_mat, item.quantity, item.price, item.currency, item.unit, item.mat_group) == (
        "B000PAPER1",
        Decimal("12"),
        Decimal("4.90"),
        "EUR",
        "PK",
        "14111507",
    )
    assert PunchOutSession.objects.count() == 0


@pytest.mark.parametrize("quantity", ["-1", "0", "2.5", "100001"])
def test_validate_of_a_quantity_that_cannot_be_ordered_returns_no_item(
    client, integration, products, quantity
):
    response = client.get(
        "/oci/", callup(integration, FUNCTION="VALIDATE", PRODUCTID="B000PAPER1", QUANTITY=quantity)
    )
    assert response.status_code == 200
    assert form_items(response) == []
    without = client.get("/oci/", callup(integration, FUNCTION="VALIDATE", PRODUCTID="B000PAPER1"))
    assert [(i.vendor_mat, i.quantity) for i in form_items(without)] == [("B000PAPER1", Decimal("1"))]
    assert PunchOutSession.objects.count() == 0


def test_background_search_returns_matching_items_without_a_session(client, integration, products):
    from openprocure.supplier.catalog.search import get_backend

    get_backend().index_products(
        sales_ranks=[product.sales_rank for product in products]
    )  # as an import does
    response = client.post(
        "/oci/", callup(integration, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="pens blue")
    )
    assert [(i.vendor_mat, i.price, i.description) for i in form_items(response)] == [
        ("B000PENS01", Decimal("10.00"), "Ballpoint pens, blue, box of 50"),
    ]
    assert PunchOutSession.objects.count() == 0
    # A business restricted to items we fulfil never finds a marketplace seller's item.
    Integration.objects.filter(pk=integration.pk).update(fulfilled_by_us_only=True)
    restricted = client.post(
        "/oci/", callup(integration, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="pens blue")
    )
    assert form_items(restricted) == []
    found = client.post("/oci/", callup(integration, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="NAV-A4-80"))
    assert [i.vendor_mat for i in form_items(found)] == ["B000PAPER1"]


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"PASSWORD": "wrong"}, 401),
        ({"HOOK_URL": "https://evil.example/sap/"}, 403),
        ({"HOOK_URL": "javascript:alert(1)"}, 400),
    ],
    ids=["wrong-password", "hook-elsewhere", "hook-javascript"],
)
def test_refused_callups_open_nothing(client, integration, products, extra, status):
    response = client.get("/oci/", callup(integration, email="buyer@acme.test") | extra)
    assert response.status_code == status
    assert PunchOutSession.objects.count() == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"email": "buyer@acme.test"},
        {"FUNCTION": "VALIDATE", "PRODUCTID": "B000PAPER1", "QUANTITY": "2"},
        {"FUNCTION": "BACKGROUND_SEARCH", "SEARCHSTRING": "paper"},
    ],
    ids=["interactive", "validate", "background-search"],
)
def test_a_charset_the_cart_cannot_be_returned_in_is_refused_at_the_callup(
    client, integration, products, extra
):
    # Accepted before, it was a server error: at once for a background function, at the cart's
    # return for an interactive session (after the user had filled the cart).
    response = client.get("/oci/", callup(integration, HTTP_CONTENT_CHARSET="bogus") | extra)
    assert response.status_code == 400
    assert (
        "HTTP_CONTENT_CHARSET &#x27;bogus&#x27; is not a character set the cart can be returned in; "
        "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)"
    ) in response.content.decode()
    assert PunchOutSession.objects.count() == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"email": "b" * 141 + "@acme.test"},
            "The user&#x27;s e-mail has 151 characters; at most 150 are accepted. Send a shorter one.",
        ),
        (
            {"email": "buyer@acme.test", "HOOK_URL": HOOK + "&" + "a" * (2000 - len(HOOK))},
            "The HOOK_URL has 2001 characters; at most 2000 are accepted. Send a shorter one.",
        ),
    ],
    ids=["email", "hook-url"],
)
def test_callup_values_too_long_to_keep_are_refused_naming_the_value(
    client, integration, products, extra, message
):
    response = client.get("/oci/", callup(integration) | extra)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PunchOutSession.objects.count() == 0


def test_interactive_callup_returns_new_item_fields_to_the_hook_url(client, integration, products):
    response = client.post("/oci/", callup(integration, email="buyer@acme.test", OCI_VERSION="5.0"))
    prefix = re.match(r"^(/po/[^/]+/)$", response.url)[1]
    session = PunchOutSession.objects.get()
    assert (session.protocol, session.status, session.return_url, session.user.email) == (
        SessionProtocol.OCI,
        SessionStatus.OPEN,
        HOOK,
        "buyer@acme.test",
    )
    assert ">Submit items for approval</button>" in client.get(prefix + "cart/").content.decode()
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "2"})
    line = CartLine.objects.get()
    returned = client.post(prefix + "cart/submit/")
    page = returned.content.decode(returned.charset)
    assert f'action="{html.escape(HOOK)}"' in page
    [item] = form_items(returned)
    assert (item.vendor_mat, item.quantity, item.price, item.ext_product_id, item.description) == (
        "B000PAPER1",
        Decimal("2"),
        Decimal("5.20"),
        line.auxiliary_id,
        "Copy paper A4 80 g, 500 sheets",
    )
    assert PunchOutSession.objects.get().status == SessionStatus.RETURNED


def test_sap_gui_sapevent_hook_is_accepted(client, integration, products):
    response = client.get("/oci/", callup(integration, email="buyer@acme.test", HOOK_URL="SAPEVENT:POST"))
    assert response.status_code == 302
    assert PunchOutSession.objects.get().return_url == "SAPEVENT:POST"


def test_detail_opens_the_product_page_and_the_password_is_not_journaled(client, integration, products):
    from openprocure.core.models import Document

    response = client.get(
        "/oci/", callup(integration, email="buyer@acme.test", FUNCTION="DETAIL", PRODUCTID="B000PENS01")
    )
    assert re.match(r"^/po/[A-Za-z0-9_-]{43}/product/B000PENS01/$", response.url)
    raw = Document.objects.get(kind="OCI call-up").raw
    assert "oci-pass-123" not in raw and "PASSWORD=********" in raw
