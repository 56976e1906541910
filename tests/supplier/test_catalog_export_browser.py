"""The catalog export page in the browser, in English and French: a business administrator exports
the catalog as BMEcat, the page shows it written and downloads the file; no serious accessibility
violation."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from tests.accessibility import serious_violations
from tests.browser import signed_in_page
from tests.supplier.worlds import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WORDS = {
    "en-GB": ("Catalog export — Acme Industries", "BMEcat 2005", "Ready to download", "2 / 2"),
    "fr-FR": ("Export du catalogue — Acme Industries", "BMEcat 2005", "Prêt à télécharger", "2 / 2"),
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_the_administrator_exports_and_downloads_in_the_browser(
    live_server: Any, chromium: Any, acme: Any, products: Any, settings: Any, tmp_path: Any, locale: str
) -> None:
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path
    title, format_label, ready, count = WORDS[locale]
    page = signed_in_page(
        chromium,
        live_server.url,
        "admin@acme.test",
        PASSWORD,
        locale=locale,
        bypass_csp=True,
        accept_downloads=True,
    )
    answer = page.goto(f"{live_server.url}/catalog-export/")
    assert answer is not None and answer.status == 200
    assert page.locator("h1").inner_text() == title
    page.select_option("#id_format", label=format_label)
    with page.expect_navigation():
        page.click("#export-form button[type=submit]")
    row = page.locator("#exports tbody tr").first
    assert row.locator(".badge").inner_text() == ready
    assert count in row.inner_text()
    with page.expect_download() as download:
        row.locator("a").click()
    document = etree.parse(download.value.path())
    assert document.getroot().tag == "{http://www.bmecat.org/bmecat/2005}BMECAT"
    assert len(document.getroot().findall(".//{http://www.bmecat.org/bmecat/2005}PRODUCT")) == 2
    assert serious_violations(page) == []
    page.context.close()
