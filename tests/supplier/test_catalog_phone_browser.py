"""In Chromium: on a phone (390 px) the catalog's filters fold behind a button, so the first product
is on the first screen; on a desktop they stay beside the results."""

from __future__ import annotations

from typing import Any

import pytest

from openprocure.supplier.catalog.generator import generate_catalog
from openprocure.supplier.catalog.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_filters_fold_and_the_first_product_is_on_the_first_screen(
    live_server: Any, chromium: Any
) -> None:
    generate_catalog(products=200)
    first = Product.objects.get(sales_rank=1)
    page = chromium.new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.goto(f"{live_server.url}/search/")
    facet_links = page.locator("#catalog-facets a")
    assert facet_links.count() >= 30  # what used to come before the first product

    toggle = page.get_by_role("button", name="Filtres")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#catalog-facets").is_visible()

    card = page.locator(".product-card").first
    title = card.locator("h3 a")
    assert title.inner_text() == first.title_fr
    box = title.bounding_box()
    assert box is not None
    assert page.evaluate("window.scrollY") == 0
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#catalog-facets").is_visible()
    assert page.locator("[data-facet=brand] a").first.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#catalog-facets").is_visible()
    page.context.close()


def test_on_a_desktop_the_filters_stay_beside_the_results(live_server: Any, chromium: Any) -> None:
    generate_catalog(products=50)
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.goto(f"{live_server.url}/search/")
    assert not page.get_by_role("button", name="Filters").is_visible()
    assert page.locator("#catalog-facets").is_visible()
    facets = page.locator("aside.facets").bounding_box()
    results = page.locator("section.results").bounding_box()
    assert facets is not None and results is not None
    assert facets["x"] + facets["width"] <= results["x"]  # side by side
    # A misspelt search: nothing found, a link to the right spelling.
    page.goto(f"{live_server.url}/search/?q=staplr")
    assert page.locator(".product-card").count() == 0
    page.get_by_role("link", name="staplers").click()
    page.wait_for_url(f"{live_server.url}/search/?q=staplers")
    assert page.locator(".product-card").count() == Product.objects.filter(unspsc="44121615").count()
    page.context.close()
