"""PunchOut sessions through HTTP as a buyer system and a shopper would use them.

Setup requests are real cXML built with punchout.cxml; returned carts are decoded from the
auto-submitting form and parsed with punchout.cxml.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from openprocure.core.models import Document, User
from openprocure.supplier.business.credentials import token_hash
from openprocure.supplier.business.models import BusinessGroup, Integration, Membership
from openprocure.supplier.punchout.choices import Operation, SessionStatus
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from punchout import cxml
from tests.supplier.worlds import (
    RETURN_URL,
    make_member,
    open_session,
    post_setup,
    return_form,
    returned_message,
    setup_request,
    start_path,
)

pytestmark = pytest.mark.django_db


# -- setup: refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({"secret": "wrong-secret"}, 401, "SharedSecret in Sender does not match"),
        ({"secret": None}, 401, "SharedSecret in Sender does not match"),
        (
            {"identity": "NOBODY"},
            401,
            "No PunchOut account is registered for the From credential (NetworkId:NOBODY)",
        ),
        ({"url": None}, 400, "no BrowserFormPost URL"),
        ({"url": "https://attacker.example/punchout/"}, 403, "is not among the return addresses allowed"),
        ({"url": "https://buyer.example/punchoutx"}, 403, "is not among the return addresses allowed"),
        ({"email": None}, 400, "We could not tell who is shopping"),
        ({"email": "buyer@globex.test"}, 403, "belongs to an account outside Acme Industries"),
        ({"email": "it@acme.test"}, 403, "is not allowed to shop through PunchOut"),
    ],
    ids=[
        "wrong-secret",
        "no-secret",
        "unknown-buyer",
        "no-form-post",
        "form-post-elsewhere",
        "prefix-boundary",
        "no-email",
        "other-business-user",
        "technical-admin",
    ],
)
def test_setup_refusals_say_why_and_open_nothing(client, acme, globex, kwargs, code, fragment):
    make_member(acme.business, "it@acme.test", is_punchout_user=False, is_technical_administrator=True)
    document = post_setup(client, setup_request(**kwargs))
    assert document.kind == "Response"
    assert document.status.code == code
    assert fragment in document.status.message
    assert PunchOutSession.objects.count() == 0
    inbound = Document.objects.get(direction="in", kind="PunchOutSetupRequest")
    assert inbound.status_code == code
    assert "acme-shared-secret" not in inbound.raw and "wrong-secret" not in inbound.raw


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"cookie": "c" * 501},
            "The BuyerCookie has 501 characters; at most 500 are accepted. Send a shorter one.",
        ),
        (
            {"url": RETURN_URL + "/" + "a" * (2000 - len(RETURN_URL))},
            "The BrowserFormPost URL has 2001 characters; at most 2000 are accepted. Send a shorter one.",
        ),
        (
            {"email": "b" * 141 + "@acme.test"},
            "The user's e-mail has 151 characters; at most 150 are accepted. Send a shorter one.",
        ),
    ],
    ids=["cookie", "form-post", "email"],
)
def test_setup_values_too_long_to_keep_are_a_400_naming_the_value(client, acme, kwargs, message):
    # Accepted before: PostgreSQL refused the row, which the partner was told was a fault on our
    # side to retry later (the same document would fail again); SQLite kept it past its limit.
    document = post_setup(client, setup_request(**kwargs))
    assert (document.kind, document.status.code, document.status.text, document.status.message) == (
        "Response",
        400,
        "Bad Request",
        message,
    )
    assert PunchOutSession.objects.count() == 0
    inbound = Document.objects.get(direction="in", kind="PunchOutSetupRequest")
    assert (inbound.status_code, inbound.status_text) == (400, message)


def test_setup_values_at_their_limits_are_kept(client, acme):
    email = "b" * 140 + "@acme.test"
    make_member(acme.business, email)
    url = RETURN_URL + "/" + "a" * (1999 - len(RETURN_URL))
    document = post_setup(client, setup_request(cookie="c" * 500, url=url, email=email))
    assert (document.kind, document.status.code) == ("PunchOutSetupResponse", 200)
    session = PunchOutSession.objects.get()
    assert (session.buyer_cookie, session.return_url, session.email) == ("c" * 500, url, email)


# -- setup and start -------------------------------------------------------------------------------
def test_setup_answers_a_one_shot_start_url(client, acme):
    document = post_setup(client, setup_request(domain="NETWORKID"))
    assert (document.kind, document.status.code) == ("PunchOutSetupResponse", 200)
    token = start_path(document).split("/")[3]
    session = PunchOutSession.objects.get()
    assert (session.business, session.user.email, session.status, session.operation, session.is_test) == (
        acme.business,
        "buyer@acme.test",
        SessionStatus.PENDING,
        Operation.CREATE,
        False,
    )
    assert (session.buyer_cookie, session.return_url) == ("cookie-42", RETURN_URL)
    assert session.buyer_credentials == [{"domain": "NETWORKID", "identity": "ACME"}]
    assert session.start_token_hash == token_hash(token)
    assert timedelta(minutes=9) < session.start_expires_at - timezone.now() <= timedelta(minutes=10)
    journal = Document.objects.get(direction="in", kind="PunchOutSetupRequest")
    assert (journal.partner, journal.reference) == ("NetworkId:ACME", f"punchout-session:{session.pk}")


def test_a_start_url_works_once(client, acme):
    path = start_path(post_setup(client, setup_request()))
    first = client.get(path)
    assert first.status_code == 302 and re.match(r"^/po/[A-Za-z0-9_-]{43}/$", first.url)
    replay = client.get(path)
    assert replay.status_code == 410
    assert "It was already used" in replay.content.decode()
    assert PunchOutSession.objects.get().status == SessionStatus.OPEN


def test_an_expired_start_url_is_refused(client, acme):
    path = start_path(post_setup(client, setup_request()))
    PunchOutSession.objects.update(start_expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "It expired" in response.content.decode()
    session = PunchOutSession.objects.get()
    assert (session.status, session.key_hash) == (SessionStatus.EXPIRED, None)


def test_the_user_is_found_by_contact_email_and_business_unit_maps_to_a_group(client, acme):
    contact = cxml.Contact(name="Buyer", emails=["Buyer@Acme.test"])
    open_session(
        client, email=None, contacts=[contact], extrinsics=[cxml.Extrinsic("UserBusinessUnit", "Maintenance")]
    )
    session = PunchOutSession.objects.get()
    group = BusinessGroup.objects.get(business=acme.business)
    assert (session.user.email, session.group, group.name) == ("buyer@acme.test", group, "Maintenance")
    assert Membership.objects.get(user__email="buyer@acme.test").group == group


def test_the_session_lives_in_the_url_not_in_a_cookie(client, acme, products):
    prefix = open_session(client)
    client.cookies.clear()
    page = client.get(prefix + "cart/")
    assert page.status_code == 200
    assert f'action="{prefix}cart/submit/"' in page.content.decode()
    assert page.headers.get("X-Frame-Options") is None
    response = client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "2"})
    assert response.url == prefix + "cart/"
    assert CartLine.objects.get().quantity == 2


def _messages(page) -> list[str]:
    found = re.search(r'<ul class="messages">(.*?)</ul>', page.content.decode(), re.S)
    return [html.unescape(m) for m in re.findall(r"<li[^>]*>(.*?)</li>", found[1])] if found else []


def test_messages_of_a_session_reach_a_browser_that_sends_no_cookie(client, acme, products):
    prefix = open_session(client)
    client.cookies.clear()
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "0"})
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "2"})
    assert client.cookies.get("messages") is None
    page = client.get(prefix + "cart/")
    assert _messages(page) == [
        "Choose a quantity between 1 and 100000.",
        "Added to your cart: Copy paper A4 80 g, 500 sheets",
    ]
    assert _messages(client.get(prefix + "cart/")) == []  # shown once
    assert PunchOutSession.objects.get().pending_messages == []


def test_two_sessions_in_one_browser_keep_their_messages_apart(client, acme, globex, products):
    first = open_session(client)
    second = open_session(
        client,
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/cart",
    )
    client.post(first + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    assert _messages(client.get(second + "cart/")) == []
    assert _messages(client.get(first + "cart/")) == ["Added to your cart: Copy paper A4 80 g, 500 sheets"]
    client.post(second + "cart/add/", {"asin": "B000PAPER1", "quantity": "-3"})
    assert _messages(client.get("/")) == []  # nor outside any session
    assert _messages(client.get(second + "cart/")) == ["Choose a quantity between 1 and 100000."]


def test_a_second_punchout_takes_over(client, acme):
    first = open_session(client)
    second = open_session(client, cookie="cookie-43")
    assert client.get(first + "cart/").status_code == 410
    assert "A newer PunchOut session" in client.get(first + "cart/").content.decode()
    assert client.get(second + "cart/").status_code == 200


def test_cart_pages_need_a_session(client, acme, products):
    assert client.get("/cart/").status_code == 403
    assert client.post("/cart/add/", {"asin": "B000PAPER1", "quantity": "1"}).status_code == 403
    assert CartLine.objects.count() == 0


# -- Test integration ------------------------------------------------------------------------------
def test_a_test_session_shows_the_banner_and_returns_a_test_cart(client, globex, products):
    prefix = open_session(
        client,
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/cart",
    )
    for path in ("", "cart/"):
        assert 'id="punchout-test-banner"' in client.get(prefix + path).content.decode()
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    response = client.post(prefix + "cart/submit/")
    action, fields = return_form(response)
    assert (action, list(fields)) == ("https://globex.example/cart", ["cxml-base64"])
    message = returned_message(response)
    assert message.deployment_mode == cxml.DeploymentMode.TEST
    assert PunchOutSession.objects.get().is_test is True


def test_an_active_session_has_no_test_banner(client, acme):
    prefix = open_session(client)
    assert 'id="punchout-test-banner"' not in client.get(prefix).content.decode()


# -- first PunchOut --------------------------------------------------------------------------------
def test_first_punchout_of_an_unknown_email_creates_a_linked_account(client, acme, products):
    prefix = open_session(client, email="newcomer@acme.test")
    assert client.get(prefix + "cart/").url == prefix + "welcome/"
    assert (
        client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"}).url == prefix + "welcome/"
    )
    assert "Create your business account" in client.get(prefix + "welcome/").content.decode()
    client.post(prefix + "welcome/", {"first_name": "New", "last_name": "Comer"})
    membership = Membership.objects.get(user__email="newcomer@acme.test")
    assert (membership.business, membership.linked, membership.is_punchout_user) == (
        acme.business,
        True,
        True,
    )
    assert membership.user.has_usable_password() is False
    assert PunchOutSession.objects.get().user == membership.user
    assert client.get(prefix + "cart/").status_code == 200
    # The next PunchOut recognises the person.
    open_session(client, email="newcomer@acme.test", cookie="again")
    assert User.objects.filter(email="newcomer@acme.test").count() == 1


@pytest.mark.parametrize(
    ("extrinsics", "contacts", "expected"),
    [
        pytest.param(
            [cxml.Extrinsic("FirstName", "Rita"), cxml.Extrinsic("LastName", "Requester")],
            [],
            ('value="Rita"', 'value="Requester"'),
            id="extrinsics",
        ),
        pytest.param(
            [], [cxml.Contact(name="Jean Dupont")], ('value="Jean"', 'value="Dupont"'), id="contact-name"
        ),
    ],
)
def test_first_punchout_form_is_prefilled_from_the_setup_request(
    client, acme, extrinsics, contacts, expected
):
    prefix = open_session(client, email="newcomer@acme.test", extrinsics=extrinsics, contacts=contacts)
    page = client.get(prefix + "welcome/").content.decode()
    first, last = expected
    assert re.search(rf'<input type="text" name="first_name" {first}', page)
    assert re.search(rf'<input type="text" name="last_name" {last}', page)


# -- the returned cart -----------------------------------------------------------------------------
def test_submit_returns_the_cart_as_a_punchout_order_message(client, acme, products):
    prefix = open_session(client)
    page = client.get(prefix + "cart/").content.decode()
    assert ">Submit items for approval</button>" in page
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "10"})
    client.post(prefix + "cart/add/", {"asin": "B000PENS01", "quantity": "2"})
    paper_line, pens_line = CartLine.objects.order_by("id")
    assert (paper_line.unit_price, pens_line.unit_price) == (Decimal("4.9000"), Decimal("10.0000"))
    response = client.post(prefix + "cart/submit/")
    action, fields = return_form(response)
    assert (action, list(fields)) == (RETURN_URL, ["cxml-urlencoded"])
    message = returned_message(response)
    header = message.header
    assert [(c.domain, c.identity) for c in header.to] == [("NetworkId", "ACME")]
    assert [(c.domain, c.identity) for c in header.from_] == [("NetworkId", "MARKETPLACE")]
    assert message.deployment_mode == cxml.DeploymentMode.PRODUCTION
    poom = message.message
    assert poom.buyer_cookie == "cookie-42"
    assert poom.header.operation_allowed == cxml.PunchOutOperation.EDIT
    assert poom.header.total == cxml.Money(Decimal("69.00"), "EUR")
    assert poom.header.shipping.money == cxml.Money(Decimal("4.99"), "EUR")
    # Header tax = the sum of its details: VAT on the lines (each rounded on its line), and the VAT on
    # the seller's shipping charge as its own detail.
    assert poom.header.tax.money == cxml.Money(Decimal("14.80"), "EUR")
    assert poom.header.tax.description.text == "VAT estimate"
    assert [
        (
            d.purpose,
            d.category,
            d.percentage_rate,
            d.taxable_amount.amount,
            d.tax_amount.amount,
            d.description.text,
        )
        for d in poom.header.tax.details
    ] == [
        ("tax", "vat", Decimal("20"), Decimal("69.00"), Decimal("13.80"), "VAT 20%"),
        ("shippingTax", "vat", Decimal("20"), Decimal("4.99"), Decimal("1.00"), "VAT 20% on shipping"),
    ]
    paper, pens = poom.items
    assert (paper.quantity, paper.line_number) == (Decimal("10"), 1)
    assert (paper.item_id.supplier_part_id, paper.item_id.supplier_part_auxiliary_id) == (
        "B000PAPER1",
        paper_line.auxiliary_id,
    )
    detail = paper.item_detail
    assert detail.unit_price == cxml.Money(Decimal("4.90"), "EUR")
    assert detail.description.text == "Copy paper A4 80 g, 500 sheets"
    assert detail.unit_of_measure == "PK"
    assert [(c.domain, c.value) for c in detail.classifications] == [("UNSPSC", "14111507")]
    assert (detail.manufacturer_name, detail.manufacturer_part_id, detail.lead_time) == (
        "The Navigator Company",
        "NAV-A4-80",
        1,
    )
    # The list price per unit goes with each line: the buyer measures its savings against it.
    assert [(e.name, e.value) for e in detail.extrinsics] == [
        ("SoldBy", "Marketplace"),
        ("FulfilledBy", "OpenProcure Marketplace"),
        ("ListPrice", "6.50"),
    ]
    assert (paper.shipping.money, paper.tax.money) == (
        cxml.Money(Decimal("0.00"), "EUR"),
        cxml.Money(Decimal("9.80"), "EUR"),
    )
    assert pens.item_id.supplier_part_auxiliary_id == pens_line.auxiliary_id
    assert [(e.name, e.value) for e in pens.item_detail.extrinsics] == [
        ("SoldBy", "Paper & Co"),
        ("FulfilledBy", "Paper & Co"),
        ("ListPrice", "12.00"),
    ]
    # The line carrying the seller's shipping carries its VAT too: the line taxes add up to the header's.
    assert (pens.shipping.money, pens.tax.money) == (
        cxml.Money(Decimal("4.99"), "EUR"),
        cxml.Money(Decimal("5.00"), "EUR"),
    )
    assert [(d.purpose, d.taxable_amount.amount, d.tax_amount.amount) for d in pens.tax.details] == [
        ("tax", Decimal("20.00"), Decimal("4.00")),
        ("shippingTax", Decimal("4.99"), Decimal("1.00")),
    ]
    assert paper.tax.money.amount + pens.tax.money.amount == poom.header.tax.money.amount
    assert PunchOutSession.objects.get().status == SessionStatus.RETURNED
    assert Document.objects.filter(direction="out", kind="PunchOutOrderMessage").count() == 1
    # The session is over: a second submit returns nothing.
    assert client.post(prefix + "cart/submit/").status_code == 410


def test_cancel_returns_an_empty_cart(client, acme, products):
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    response = client.post(prefix + "cart/cancel/")
    poom = returned_message(response).message
    assert (poom.items, poom.header.operation_allowed, poom.header.total) == (
        [],
        cxml.PunchOutOperation.CREATE,
        cxml.Money(Decimal("0.00"), "EUR"),
    )
    assert PunchOutSession.objects.get().status == SessionStatus.CANCELLED


def test_the_return_url_must_still_be_allowed(client, acme, products):
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    Integration.objects.update(allowed_return_urls=["https://elsewhere.example/"])
    response = client.post(prefix + "cart/submit/", follow=True)
    assert "cxml-urlencoded" not in response.content.decode()
    assert "no longer allowed" in response.content.decode()
    assert PunchOutSession.objects.get().status == SessionStatus.OPEN


# -- edit and inspect ------------------------------------------------------------------------------
def _returned_cart(client) -> list[cxml.ItemIn]:
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "3"})
    client.post(prefix + "cart/add/", {"asin": "B000PENS01", "quantity": "1"})
    return returned_message(client.post(prefix + "cart/submit/")).message.items


def _item_out(item: cxml.ItemIn) -> cxml.ItemOut:
    return cxml.ItemOut(
        quantity=item.quantity,
        line_number=item.line_number,
        item_id=item.item_id,
        item_detail=item.item_detail,
    )


def test_edit_prefills_the_cart_and_returns_it_unchanged_when_nothing_changed(client, acme, products):
    items = _returned_cart(client)
    prefix = open_session(
        client, operation=cxml.PunchOutOperation.EDIT, items=[_item_out(i) for i in items], cookie="edit-1"
    )
    session = PunchOutSession.objects.get(buyer_cookie="edit-1")
    copies = list(session.lines.order_by("id"))
    assert [(c.product.asin, c.quantity, c.source_line.auxiliary_id) for c in copies] == [
        ("B000PAPER1", 3, items[0].item_id.supplier_part_auxiliary_id),
        ("B000PENS01", 1, items[1].item_id.supplier_part_auxiliary_id),
    ]
    poom = returned_message(client.post(prefix + "cart/submit/")).message
    assert [i.item_id.supplier_part_auxiliary_id for i in poom.items] == [
        i.item_id.supplier_part_auxiliary_id for i in items
    ]
    assert poom.header.operation_allowed == cxml.PunchOutOperation.EDIT


def test_edit_with_changes_returns_the_new_cart(client, acme, products):
    items = _returned_cart(client)
    prefix = open_session(
        client, operation=cxml.PunchOutOperation.EDIT, items=[_item_out(i) for i in items], cookie="edit-2"
    )
    session = PunchOutSession.objects.get(buyer_cookie="edit-2")
    paper_copy = session.lines.get(product__asin="B000PAPER1")
    client.post(prefix + "cart/update/", {"line": paper_copy.pk, "quantity": "12"})
    poom = returned_message(client.post(prefix + "cart/submit/")).message
    assert [
        (i.item_id.supplier_part_id, i.quantity, i.item_detail.unit_price.amount) for i in poom.items
    ] == [
        ("B000PAPER1", Decimal("12"), Decimal("4.90")),
        ("B000PENS01", Decimal("1"), Decimal("10.00")),
    ]
    assert [i.item_id.supplier_part_auxiliary_id for i in poom.items] == list(
        session.lines.order_by("id").values_list("auxiliary_id", flat=True)
    )


def test_cancel_in_an_edit_session_keeps_the_original_cart(client, acme, products):
    items = _returned_cart(client)
    prefix = open_session(
        client, operation=cxml.PunchOutOperation.EDIT, items=[_item_out(i) for i in items], cookie="edit-3"
    )
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "5"})
    poom = returned_message(client.post(prefix + "cart/cancel/")).message
    assert [(i.item_id.supplier_part_auxiliary_id, i.quantity) for i in poom.items] == [
        (items[0].item_id.supplier_part_auxiliary_id, Decimal("3")),
        (items[1].item_id.supplier_part_auxiliary_id, Decimal("1")),
    ]


def test_inspect_shows_the_cart_read_only(client, acme, products):
    items = _returned_cart(client)
    prefix = open_session(
        client, operation=cxml.PunchOutOperation.INSPECT, items=[_item_out(i) for i in items], cookie="look"
    )
    session = PunchOutSession.objects.get(buyer_cookie="look")
    page = client.get(prefix + "cart/").content.decode()
    assert ">Return</button>" in page
    assert (
        "Submit items for approval" not in page
        and "Cancel and return" not in page
        and "cart/update/" not in page
    )
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "5"})
    client.post(prefix + "cart/update/", {"line": session.lines.first().pk, "quantity": "0"})
    assert list(session.lines.order_by("id").values_list("quantity", flat=True)) == [3, 1]
    poom = returned_message(client.post(prefix + "cart/submit/")).message
    assert poom.header.operation_allowed == cxml.PunchOutOperation.INSPECT
    assert [i.item_id.supplier_part_auxiliary_id for i in poom.items] == [
        i.item_id.supplier_part_auxiliary_id for i in items
    ]


# -- tenants ---------------------------------------------------------------------------------------
def test_a_punchout_user_of_one_business_never_reaches_another(client, acme, globex, products):
    globex_prefix = open_session(
        client,
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/c",
    )
    client.post(globex_prefix + "cart/add/", {"asin": "B000PENS01", "quantity": "7"})
    globex_line = CartLine.objects.get()
    client = Client()  # another person, in another browser
    acme_prefix = open_session(client)
    # Acme's session cannot change Globex's line…
    client.post(acme_prefix + "cart/update/", {"line": globex_line.pk, "quantity": "1"})
    globex_line.refresh_from_db()
    assert globex_line.quantity == 7
    # …nor see it…
    assert "Ballpoint pens" not in client.get(acme_prefix + "cart/").content.decode()
    # …nor copy it into an edit session by its SupplierPartAuxiliaryID.
    stolen = cxml.ItemOut(
        quantity=Decimal("7"), item_id=cxml.ItemID("UNKNOWN-ASIN", globex_line.auxiliary_id)
    )
    open_session(client, operation=cxml.PunchOutOperation.EDIT, items=[stolen], cookie="steal")
    assert PunchOutSession.objects.get(buyer_cookie="steal").lines.count() == 0
    # Globex's credentials never open a session for an Acme user.
    document = post_setup(
        client,
        setup_request(identity="GLOBEX", secret="globex-shared-secret", url="https://globex.example/c"),
    )
    assert document.status.code == 403


def test_profile_request_lists_the_setup_transaction(client):
    document = cxml.CXML(
        message=cxml.ProfileRequest(),
        payload_id=cxml.new_payload_id("buyer.example"),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(
            from_=[cxml.Credential("NetworkId", "ACME")],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential("NetworkId", "ACME", "x")],
            user_agent="t",
        ),
    )
    answer = post_setup(client, cxml.build(document))
    names = [t.request_name for t in answer.message.transactions]
    assert "PunchOutSetupRequest" in names
    assert {t.url for t in answer.message.transactions} == {"http://127.0.0.1:8100/cxml/"}


def test_demo_businesses_answer_punchout_with_their_documented_secrets(client, settings):
    from openprocure.core.demo import demo_user
    from openprocure.supplier.business.demo import seed_businesses

    settings.DEMO_MODE = True
    demo_user("operator@marketplace.test", first_name="O", last_name="O", superuser=True)
    demo_user("support@marketplace.test", first_name="S", last_name="S", staff=True)
    seed_businesses()
    seed_businesses()  # idempotent
    acme = post_setup(
        client,
        setup_request(
            secret="acme-demo-secret", email="admin@acme.test", url="http://127.0.0.1:8000/punchout/return"
        ),
    )
    globex = post_setup(
        client,
        setup_request(
            identity="GLOBEX",
            secret="globex-demo-secret",
            email="admin@globex.test",
            url="http://127.0.0.1:8000/x",
        ),
    )
    assert (acme.status.code, globex.status.code) == (200, 200)
    assert list(PunchOutSession.objects.order_by("id").values_list("business__name", "is_test")) == [
        ("Acme Industries", False),
        ("Globex", True),
    ]


def test_ship_to_is_applied_to_the_cart_and_echoed(client, acme, products):
    body = cxml.build(
        cxml.CXML(
            message=cxml.PunchOutSetupRequest(
                buyer_cookie="ship",
                browser_form_post_url=RETURN_URL,
                extrinsics=[cxml.Extrinsic("UserEmail", "buyer@acme.test")],
                ship_to=cxml.Address(
                    name="Acme Plant 2",
                    address_id="PLANT2",
                    postal_address=cxml.PostalAddress(
                        street=["5 rue du Port"],
                        city="Nantes",
                        country="France",
                        iso_country_code="FR",
                        postal_code="44000",
                    ),
                ),
            ),
            payload_id=cxml.new_payload_id("buyer.example"),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "ACME")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "ACME", "acme-shared-secret")],
                user_agent="t",
            ),
        )
    )
    prefix = re.match(r"^(/po/[^/]+/)", client.get(start_path(post_setup(client, body))).url)[1]
    page = client.get(prefix + "cart/").content.decode()
    assert re.findall(r'<p id="ship-to">(.*?)</p>', page) == [
        "Ship to: Acme Plant 2, 5 rue du Port, 44000 Nantes FR"
    ]  # once
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    ship_to = returned_message(client.post(prefix + "cart/submit/")).message.header.ship_to
    assert (
        ship_to.name,
        ship_to.address_id,
        ship_to.postal_address.street,
        ship_to.postal_address.iso_country_code,
    ) == (
        "Acme Plant 2",
        "PLANT2",
        ["5 rue du Port"],
        "FR",
    )


def test_catalog_pages_inside_a_session_post_to_the_session_cart(client, acme, products):
    prefix = open_session(client)
    page = client.get(prefix + "product/B000PAPER1/")
    assert page.status_code == 200
    assert f'action="{prefix}cart/add/"' in page.content.decode()
