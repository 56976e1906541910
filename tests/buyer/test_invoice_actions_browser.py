"""In Chromium: an invoice exception has one labelled reason field and four labelled actions; the
clerk types the reason once and picks the action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.invoicing.models import InvoiceException, ToleranceRule
from tests.browser import signed_in_page
from tests.buyer.fulfilment_world import ap_clerk, envelope, invoice_request, make_po, make_supplier, post

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_clerk_puts_an_exception_on_hold_with_one_reason(live_server: Any, chromium: Any) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    ToleranceRule.objects.create(mode="2way", shipping_max=Decimal("0"))
    post(
        Client(),
        envelope(
            invoice_request(invoice_id="INV-9", lines=[(1, "12", "10.00")], shipping="15.00"),
            payload_id="i9@s",
        ),
    )
    exception = InvoiceException.objects.get(status="open")
    clerk = ap_clerk()
    clerk.set_password("clerk-password-1")
    clerk.save()

    page = signed_in_page(chromium, live_server.url, clerk.email, "clerk-password-1")
    page.goto(f"{live_server.url}/invoicing/{exception.invoice_id}/")
    card = page.locator(f"#exception-{exception.pk}")
    assert card.get_by_role("heading").inner_text() == exception.message
    assert [b.strip() for b in card.get_by_role("button").all_inner_texts()] == [
        "Accept variance",
        "Request a credit memo",
        "Put on hold",
        "Reject invoice",
    ]
    card.get_by_label("Reason (kept in the invoice's history)").fill("Waiting for the carrier's proof")
    with page.expect_navigation():
        card.get_by_role("button", name="Put on hold").click()
    exception.refresh_from_db()
    assert (exception.status, exception.invoice.status) == ("on_hold", "on_hold")
    assert (
        page.locator(f"#exception-{exception.pk}").get_by_text("Waiting for the carrier's proof").count() == 1
    )
    page.context.close()
