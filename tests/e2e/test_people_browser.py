"""A procurement administrator adds a person in a real browser; the person chooses a password from
the e-mailed link and is signed in."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import body_of, submit_sign_in, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_adds_a_person_who_signs_in_from_the_link(
    demo: Any, browser: Any, screenshots: Path
) -> None:
    email = f"nora.{secrets.token_hex(4)}@acme.test"
    admin = browser.new_context(locale="en-GB")
    page = admin.new_page()
    submit_sign_in(page, demo.buyer_url, "admin@acme.test")
    page.goto(f"{demo.buyer_url}/organization/")
    page.click("text=People, roles and spending limits")
    page.click("text=Add a person")
    page.fill("#id_email", email)
    page.fill("#id_first_name", "Nora")
    page.fill("#id_last_name", "Buyer")
    page.check("input[name=roles][value=requester]")
    page.select_option("#id_manager", label="approver@acme.test")
    page.fill("#id_limit_amount", "300")
    # (A full-page screenshot here, before the click, leaves Chromium's click without effect.)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url == f"{demo.buyer_url}/organization/people/"
    page.screenshot(path=str(screenshots / "01-person-added.png"), full_page=True)
    assert f"{email} was added and will receive an e-mail" in page.locator(".messages").inner_text()
    row = page.locator("#people tr", has_text=email)
    assert " ".join(row.inner_text().split()) == (
        f"{email} Nora Buyer Requester approver@acme.test — 300.00 EUR (own) Yes"
    )
    page.goto(f"{demo.buyer_url}/organization/people/new/")
    page.screenshot(path=str(screenshots / "02-person-form.png"), full_page=True)
    admin.close()

    [message] = wait_for_mail(demo.data_dir, "buyer", lambda m: m["To"] == email, "the sign-in link")
    assert message["Subject"] == "Your OpenProcure account"
    link = re.search(r"(http\S+/accounts/set-password/\S+/)", body_of(message))[1]
    person = browser.new_context(locale="en-GB")
    page = person.new_page()
    page.goto(link)
    page.fill("#id_new_password1", "Blue-Lantern-77")
    page.fill("#id_new_password2", "Blue-Lantern-77")
    page.screenshot(path=str(screenshots / "03-choose-password.png"), full_page=True)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("header .who").inner_text() == email
    page.goto(link)
    assert "This link has expired or was already used." in page.locator("#link-refused").inner_text()
    person.close()
