"""Both sites as processes: the buyer suite reads the storefront's ProfileResponse (Test connection),
keeps the transactions it lists and that it refuses free-text lines; a free-text line for
Marketplace is then stopped when the requisition is submitted, never after approval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import REQUESTER, Shots, expect, new_page, sign_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUYER_ADMIN = "admin@acme.test"


def test_the_storefronts_profile_stops_a_free_text_line_at_submission(
    demo: Any, browser: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots)
    buyer, supplier = demo.buyer_url, demo.supplier_url
    contexts = []

    # The procurement administrator tests the Marketplace connection: the storefront's profile.
    context, admin = new_page(browser)
    contexts.append(context)
    sign_in(admin, buyer, BUYER_ADMIN)
    admin.goto(f"{buyer}/suppliers/")
    admin.locator("a", has_text="Marketplace").first.click()
    admin.locator("button:has-text('Test connection')").first.click()
    page = text_of(admin.locator("main"))
    for name in ("OrderRequest", "ProfileRequest", "PunchOutSetupRequest", "StatusUpdateRequest"):
        assert f"{name} → {supplier}/cxml/" in page, page
    shots(admin, "marketplace-profile")
    admin.go_back()
    admin.locator("a", has_text="Edit").first.click()
    expect()(admin.locator("#id_accepts_free_text")).not_to_be_checked()
    shots(admin, "marketplace-refuses-free-text")

    # The requester adds a free-text line for Marketplace: submission is refused, with the reason.
    context, requester = new_page(browser)
    contexts.append(context)
    sign_in(requester, buyer, REQUESTER)
    requester.goto(f"{buyer}/requisitions/")
    requester.click("button:has-text('New requisition (free text)')")
    requester.fill("#id_description", "Engraved pens for the seminar")
    requester.select_option("#id_supplier", label="Marketplace")
    requester.fill("#id_quantity", "10")
    requester.fill("#id_unit_price", "3")
    requester.click("button:has-text('Add line')")
    requester.click("button:has-text('Submit for approval')")
    expect()(requester.locator("ul.messages")).to_contain_text(
        "is a free-text line, but Marketplace accepts only lines from its catalog"
    )
    expect()(requester.locator("#status")).to_have_text("Draft")
    shots(requester, "free-text-line-stopped")

    for opened in contexts:
        opened.close()
