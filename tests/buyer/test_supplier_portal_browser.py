"""In Chromium: the supplier opens the link of an e-mailed purchase order, without an account, and
confirms, ships and invoices it; the buyer's order follows through the same services as cXML."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from openprocure.buyer.fulfilment.models import ShipNotice
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core import outbox
from openprocure.core.models import OutboxMessage
from tests.accessibility import serious_violations
from tests.buyer.approval_world import build_world, requisition, submit

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_supplier_confirms_ships_and_invoices_from_the_emailed_link(
    live_server: Any, chromium: Any, settings: Any
) -> None:
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    settings.PUBLIC_URL = live_server.url
    world = build_world()
    world.connection.order_channel, world.connection.order_email = "email", "orders@officedepot.test"
    world.connection.save()
    req = requisition(world, price="19.50", quantity="4")
    submit(world, req)
    po = PurchaseOrder.objects.get(requisition=req)
    outbox.deliver_message(OutboxMessage.objects.get(reference=po.number).pk)
    [email] = [sent for sent in mail.outbox if sent.to == ["orders@officedepot.test"]]
    link = next(word for word in email.body.split() if word.startswith(f"{live_server.url}/supplier-portal/"))

    # The portal page and the refusal page, in English and French: no serious accessibility violation.
    for locale in ("en-GB", "fr-FR"):
        context = chromium.new_context(bypass_csp=True, locale=locale)
        check = context.new_page()
        check.goto(link)
        assert serious_violations(check) == [], locale
        check.goto(f"{live_server.url}/supplier-portal/o/altered/")
        assert serious_violations(check) == [], locale
        context.close()

    page = chromium.new_page()
    page.goto(link)
    assert page.locator("h1").first.inner_text().startswith(f"Purchase order {po.number}")
    page.select_option("#confirm_answer_1", "accept")
    page.fill("#confirm_qty_1", "4")
    page.fill("#confirm_date_1", "2026-12-20")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the confirmation").click()
    assert f"Your confirmation of {po.number} was sent to the buyer." in page.content()
    po.refresh_from_db()
    assert po.status == "confirmed"

    page.fill("#ship_carrier", "DHL")
    page.fill("#ship_tracking_number", "JD0123")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the ship notice").click()
    notice = ShipNotice.objects.get()
    assert (notice.carrier, notice.tracking_number) == ("DHL", "JD0123")
    assert f"Shipment {notice.shipment_id} was sent to the buyer." in page.content()

    page.fill("#invoice_number", "F-2026-17")
    page.fill("#invoice_tax_1", "20")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invoice").click()
    assert "Invoice F-2026-17 was sent to the buyer." in page.content()
    invoice = Invoice.objects.get()
    assert (invoice.subtotal, invoice.tax, invoice.total, invoice.status) == (
        Decimal("78.000"),
        Decimal("15.600"),
        Decimal("93.600"),
        "awaiting",
    )
    po.refresh_from_db()
    assert po.status == "invoiced"
