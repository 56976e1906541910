"""The storefront's menu is per role and no link on it leads to a 403 or a 405 (an operator's
"Your account" did); error pages are the site's own, in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from openprocure.core.models import User

pytestmark = pytest.mark.django_db

MENUS = {
    "operator@marketplace.test": [
        "Catalog",
        "Fulfilment",
        "PO lookup",
        "E-invoicing platforms",
        "Operations",
        "Administration",
    ],
    "support@marketplace.test": ["Catalog", "Fulfilment", "PO lookup", "Operations", "Administration"],
    "admin@acme.test": ["Catalog", "Your account", "Manage your business", "API keys", "Catalog export"],
}


@pytest.fixture
def demo() -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000"):
        call_command("seed_demo", products=0)


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _nav(page: str) -> list[tuple[str, str]]:
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize("email", sorted(MENUS))
def test_each_role_has_its_own_menu_and_every_link_opens(demo: None, email: str) -> None:
    client = _client(email)
    page = client.get("/").content.decode()
    nav = _nav(page)
    assert [label for _url, label in nav] == MENUS[email]
    for url, label in nav:
        answer = client.get(url, follow=True)
        assert answer.status_code == 200, (email, label, answer.status_code)


def test_a_visitor_sees_the_catalog_only() -> None:
    page = Client().get("/").content.decode()
    assert _nav(page) == [("/", "Catalog")]


def test_a_403_explains_and_leads_home(demo: None) -> None:
    answer = _client("admin@acme.test").get("/fulfilment/")
    assert answer.status_code == 403
    page = answer.content.decode()
    assert '<h1 id="error-title">You cannot open this page</h1>' in page
    assert '<a href="/">Go to the home page</a>' in page
    assert "Manage your business" in page  # the menu is there


def test_a_404_in_french() -> None:
    client = Client()
    client.cookies["openprocure_supplier_language"] = "fr"
    answer = client.get("/nothing-here/")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert '<html lang="fr">' in page
    assert "Page introuvable" in page
    assert "Se connecter" in page
