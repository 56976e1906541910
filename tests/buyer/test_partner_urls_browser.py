"""In Chromium: a ship notice's ``javascript:`` tracking URL is text, not a link, on the Receiving
page; the page carries the Content-Security-Policy and its own script (language switch) still works."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openprocure.core.models import User
from tests.buyer.fulfilment_world import (
    envelope,
    make_po,
    make_supplier,
    notice_with_tracking,
    post,
    receiving_desk,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_javascript_tracking_link_is_text_under_the_csp(live_server: Any, chromium: Any) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    status = post(
        Client(), envelope(notice_with_tracking("SHIP-JS", "javascript:alert(1)"), payload_id="asn-js@s.test")
    )
    assert status.code == 200
    desk: User = receiving_desk()
    desk.set_password("desk-password-1")
    desk.save()

    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/fulfilment/")
    page.fill("#id_username", desk.email)
    page.fill("#id_password", "desk-password-1")
    with page.expect_navigation():
        page.click("button[type=submit]")
    response = page.goto(f"{live_server.url}/fulfilment/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    row = page.locator("tr", has_text="SHIP-JS")
    assert row.locator("a").count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert "1Z999 (javascript:alert(1))" in row.inner_text()
    # The page's own script (a static file) runs: the language switch submits itself.
    with page.expect_navigation():
        page.select_option("#language-select", "fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert violations == []
    context.close()
