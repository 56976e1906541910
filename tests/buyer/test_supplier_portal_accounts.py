"""A supplier's account on the supplier portal: created from a valid order link for the address the
order went to, signed in through the site's sign-in, it lists every order of that supplier and opens
each one's portal page; it opens no other page of the buyer suite."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.html import escape

from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.core.errors import permission_denied
from openprocure.core.models import User
from tests.buyer.approval_world import signed_in
from tests.buyer.portal_world import ADDRESS, deliver, ordered, portal, world
from tests.factories import copies

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the fixture of portal_world

PASSWORD = "Harbour-lantern-42"


def create_account(po: PurchaseOrder) -> Client:
    """The supplier creates its account from the order's link, then signs in through the sign-in."""
    client = Client()
    answer = client.post(portal(po) + "account/", {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()
    assert answer["Location"] == "/accounts/login/?next=/supplier-portal/orders/"
    signed = client.post(
        "/accounts/login/?next=/supplier-portal/orders/", {"username": ADDRESS, "password": PASSWORD}
    )
    assert (signed.status_code, signed["Location"]) == (302, "/supplier-portal/orders/")
    return client


def test_the_supplier_creates_an_account_and_sees_its_orders(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    page = Client().get(portal(po)).content.decode()
    assert "See all your orders from us: create an account" in page
    form = Client().get(portal(po) + "account/").content.decode()
    assert f"You sign in with {ADDRESS}, the address our orders go to." in form

    client = create_account(po)

    account = SupplierAccount.objects.get()
    assert (account.user.email, account.supplier_id) == (ADDRESS, world.supplier.pk)
    assert po.events.get(kind="portal_account_created").detail == {"email": ADDRESS}
    listing = client.get("/supplier-portal/orders/")
    assert listing.status_code == 200
    text = listing.content.decode()
    [link] = re.findall(r'href="(/supplier-portal/o/[^"]+/)">' + po.number + "<", text)
    assert "78.00\xa0EUR" in text
    nav = text[text.index('<nav class="mainnav"') : text.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav) == [
        ("/supplier-portal/orders/", "Your orders")
    ]

    # The order's page, opened from the list, acts as with the e-mailed link, with the account's address.
    assert '<a href="/supplier-portal/orders/">Your orders</a>' in client.get(link).content.decode()
    answer = client.post(link + "confirm/", {"answer_1": "accept", "qty_1": "4", "date_1": "", "comment": ""})
    assert answer.status_code == 302, answer.content.decode()
    po.refresh_from_db()
    assert po.status == "confirmed"
    assert po.events.get(kind="portal_confirmation").detail["email"] == ADDRESS


def test_the_list_holds_only_the_suppliers_sent_orders(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    [other, unsent] = copies(po, 2)
    PurchaseOrder.objects.filter(pk=other.pk).update(supplier=world.other_supplier)
    PurchaseOrder.objects.filter(pk=unsent.pk).update(sent_at=None)
    client = create_account(po)
    text = client.get("/supplier-portal/orders/").content.decode()
    assert po.number in text
    assert other.number not in text
    assert unsent.number not in text


def test_a_weak_password_is_refused_beside_its_field(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    answer = Client().post(portal(po) + "account/", {"new_password1": "orders", "new_password2": "orders"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "This password is too short. It must contain at least 10 characters." in text
    assert not User.objects.filter(email=ADDRESS).exists()
    mismatch = Client().post(
        portal(po) + "account/", {"new_password1": PASSWORD, "new_password2": "x" + PASSWORD}
    )
    assert mismatch.status_code == 400
    assert "The two password fields didn’t match." in mismatch.content.decode()
    assert not SupplierAccount.objects.exists()


def test_an_address_with_an_account_cannot_make_another(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    User.objects.create_user(email=ADDRESS, password=PASSWORD)
    page = Client().get(portal(po) + "account/").content.decode()
    assert f"{ADDRESS} already has an account on this site." in page
    answer = Client().post(portal(po) + "account/", {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert answer.status_code == 400
    assert not SupplierAccount.objects.exists()


def test_an_altered_link_creates_no_account(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    url = portal(po)
    answer = Client().post(
        url[:-3] + "x" + url[-2:] + "account/", {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert answer.status_code == 403
    assert not User.objects.filter(email=ADDRESS).exists()


def test_a_supplier_account_opens_no_other_buyer_page(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    client = create_account(po)
    boss = User.objects.create_superuser(email="boss@acme.test", password=PASSWORD)
    home = signed_in(boss).get("/").content.decode()
    menu = re.findall(r'<a href="([^"]+)"', home[home.index('<nav class="mainnav"') : home.index("</nav>")])
    assert (
        len(menu) == 15
    )  # every link of the menu, as the superuser sees it (schedules, catalogs, platforms)
    others = [
        *menu,
        f"/purchasing/{po.number}/",
        f"/purchasing/{po.number}/pdf/",
        "/requisitions/new/",
        "/mailbox/",
    ]
    for url in others:
        answer = client.get(url)
        assert answer.status_code == 403, url
    refused = client.get("/shop/").content.decode()
    assert "A supplier&#x27;s account opens only the supplier portal" in refused
    # A POST is refused before its view runs: nothing is cancelled.
    assert client.post(f"/purchasing/{po.number}/cancel/", {"reason": "x"}).status_code == 403
    po.refresh_from_db()
    assert po.status == "accepted"
    # Signing out still works.
    assert client.post("/accounts/logout/").status_code == 302


def test_a_person_of_the_company_has_no_supplier_orders_page(world) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(world.rita).get("/supplier-portal/orders/").status_code == 403
    assert (
        Client().get("/supplier-portal/orders/")["Location"]
        == "/accounts/login/?next=/supplier-portal/orders/"
    )


def test_the_account_pages_are_in_french(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    client = create_account(po)
    text = client.get("/supplier-portal/orders/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Vos commandes</h1>" in text
    assert "78,00\xa0EUR" in text
    form = Client().get(portal(po) + "account/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Créer votre compte fournisseur" in form


def error_page_links(text: str) -> list[tuple[str, str]]:
    """(href, text) of the links under “What you can do” of the error page."""
    section = text[text.index('<section class="card error-page"') : text.index("</section>")]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)


@pytest.mark.parametrize(
    ("language", "reason", "link"),
    [
        (
            "en",
            "A supplier&#x27;s account opens only the supplier portal: your orders are under “Your orders”.",
            "Go to your orders",
        ),
        (
            "fr",
            "Un compte fournisseur n’ouvre que le portail fournisseur : vos commandes sont sous "
            "« Vos commandes ».",
            "Voir vos commandes",
        ),
    ],
)
def test_a_supplier_account_refused_a_page_is_sent_back_to_its_orders(world, language, reason, link) -> None:  # type: ignore[no-untyped-def]
    client = create_account(deliver(ordered(world)))
    answer = client.get("/shop/", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 403
    text = answer.content.decode()
    assert reason in text
    assert error_page_links(text) == [("/supplier-portal/orders/", link)]
    assert "another role" not in text and "autre rôle" not in text


@pytest.mark.parametrize(
    ("language", "message", "link"),
    [
        (
            "en",
            "This page is not part of the supplier portal. The orders we sent you are under “Your orders”.",
            "Go to your orders",
        ),
        (
            "fr",
            "Cette page ne fait pas partie du portail fournisseur. Les commandes que nous vous avons "
            "envoyées sont sous « Vos commandes ».",
            "Voir vos commandes",
        ),
    ],
)
def test_a_page_refused_without_a_reason_tells_a_supplier_account_where_its_orders_are(  # type: ignore[no-untyped-def]
    world, language, message, link
) -> None:
    client = create_account(deliver(ordered(world)))
    request = RequestFactory().get("/somewhere/")
    request.user = SupplierAccount.objects.get().user
    request.session = SessionStore()
    with translation.override(language):
        answer = permission_denied(request, PermissionDenied())
    assert answer.status_code == 403
    text = answer.content.decode()
    assert f'<p class="wrap">{escape(message)}</p>' in text
    assert error_page_links(text) == [("/supplier-portal/orders/", link)]
    assert client.get("/supplier-portal/orders/").status_code == 200


def test_a_person_of_the_company_refused_a_page_keeps_the_generic_advice(world) -> None:  # type: ignore[no-untyped-def]
    text = signed_in(world.rita).get("/supplier-portal/orders/").content.decode()
    assert "Only a supplier&#x27;s account on the supplier portal has this page." in text
    assert error_page_links(text) == [("/", "Go to the home page")]
    assert "Sign out and sign in as the person who has this role." in text
