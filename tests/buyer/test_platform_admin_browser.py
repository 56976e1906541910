"""In Chromium: a procurement administrator adds a folder platform on the E-invoicing platforms page,
tests its connection and reads the result, in English and French, with no serious accessibility
violation on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openprocure.core.models import PlatformConnection, User
from tests.accessibility import serious_violations
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en-GB": ("Add a platform", "Save", "Test connection", "The connection works"),
    "fr-FR": ("Ajouter une plateforme", "Enregistrer", "Tester la connexion", "La connexion fonctionne"),
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_an_administrator_adds_a_folder_platform_and_tests_it(
    live_server: Any, chromium: Any, tmp_path: Path, locale: str
) -> None:
    add, save, test, works = WORDS[locale]
    User.objects.create_superuser(email="root@acme.test", password="demo")
    (tmp_path / "out").mkdir()
    (tmp_path / "in").mkdir()
    page = signed_in_page(chromium, live_server.url, "root@acme.test", bypass_csp=True, locale=locale)
    page.goto(f"{live_server.url}/platforms/")
    with page.expect_navigation(url=f"{live_server.url}/platforms/add/"):
        page.get_by_role("link", name=add).click()
    assert serious_violations(page) == []
    page.fill("#id_siren", "732 829 320")
    page.fill("#id_name", "Acme SAS")
    page.select_option("#id_adapter", "folder")
    page.fill("#id_outbound", str(tmp_path / "out"))
    page.fill("#id_inbound", str(tmp_path / "in"))
    with page.expect_navigation(url=f"{live_server.url}/platforms/"):
        page.get_by_role("button", name=save).click()
    assert PlatformConnection.objects.get().siren == "732829320"
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.locator("#platform-732829320").get_by_role("button").click()
    assert page.locator("#test-summary").inner_text().startswith(works)
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/platforms/{PlatformConnection.objects.get().pk}/")
    assert page.get_by_role("button", name=test).is_visible()
