"""The integration checklist in Chromium, in English and French, on a desktop (1366 px) and a phone
(390 px): a refused setup shows failing with our answer and a link to the stored document, the other
items not seen; the Switch to Active page lists them first; no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.browser import signed_in_page
from tests.supplier.worlds import PASSWORD, make_business, make_integration, setup_request

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WORDS = {
    "en-GB": {
        "failing": "Failing",
        "not_seen": "Not seen yet",
        "see": "See the document",
        "switch": "Switch to Active",
    },
    "fr-FR": {
        "failing": "En échec",
        "not_seen": "Pas encore vu",
        "see": "Voir le document",
        "switch": "Passer en mode Actif",
    },
}


def _scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_checklist_shows_what_the_procurement_system_sent(
    live_server: Any, chromium: Any, locale: str, viewport: dict[str, int]
) -> None:
    business, admin = make_business("Globex", "admin@globex.test")
    make_integration(
        business, admin, identity="GLOBEX", secret="globex-shared-secret", urls=("https://globex.example/",)
    )
    refused = Client().post(
        "/cxml/",
        setup_request(identity="GLOBEX", secret="wrong-secret", url="https://globex.example/return"),
        content_type="text/xml",
    )
    assert refused.status_code == 200
    words = WORDS[locale]
    page = signed_in_page(
        chromium, live_server.url, admin.email, password=PASSWORD, viewport=viewport, locale=locale
    )
    page.goto(f"{live_server.url}/business/punchout/checklist/")
    row = page.locator("#item-setup\\.create")
    assert row.get_attribute("data-state") == "failing"
    assert row.locator(".badge").inner_text() == words["failing"]
    assert row.locator(".item-reason span[lang=en]").inner_text().startswith("The SharedSecret in Sender")
    assert page.locator("#item-oci\\.callup .badge").inner_text() == words["not_seen"]
    assert not _scrolls_sideways(page)
    row.get_by_role("link", name=words["see"]).click()
    page.wait_for_url("**/business/punchout/documents/*/")
    assert "SharedSecret>********</SharedSecret>" in page.locator("#document-raw").inner_text()
    assert not _scrolls_sideways(page)

    page.goto(f"{live_server.url}/business/punchout/activate/")
    assert page.locator("#checklist-missing").is_visible()
    assert page.locator("#checklist tbody tr").count() == 9
    assert page.get_by_role("button", name=words["switch"]).is_visible()
    assert not _scrolls_sideways(page)
    page.context.close()
