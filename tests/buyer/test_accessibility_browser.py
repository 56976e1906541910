"""axe-core over the buyer suite's main pages, for each role, in English and French: no serious or
critical violation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.buyer.recurring.choices import Period
from openprocure.buyer.recurring.services import create_schedule
from openprocure.buyer.requisitions.services import add_free_text_line, create_requisition, submit_requisition
from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.buyer.suppliers.conformance import execute_conformance_run
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection
from openprocure.core.choices import Weekday
from openprocure.core.models import User
from tests.accessibility import serious_violations
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = {
    "requester@acme.test": [
        "/",
        "/shop/",
        "/requisitions/",
        "{requisition}",
        "{schedule_form}",
        "{schedule}",
        "/recurring/",
        "/purchasing/",
        "/fulfilment/",
        "/spend/history/",
        "/catalogs/search/?q=chair",
    ],
    "approver@acme.test": ["/approvals/"],
    "ap@acme.test": ["/invoicing/", "/invoicing/exceptions/", "/spend/dashboard/"],
    "admin@acme.test": [
        "/suppliers/",
        "{conformance}",
        "{conformance_run}",
        "/organization/",
        "/organization/people/",
        "/operations/",
        "/catalogs/",
        "/platforms/",
        "/platforms/add/",
    ],
    "orders@marketplace.test": ["/supplier-portal/orders/"],
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_main_pages_have_no_serious_accessibility_violation(
    live_server: Any, chromium: Any, locale: str
) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")
    requester = User.objects.get(email="requester@acme.test")
    requisition = create_requisition(requester=requester, currency="EUR")
    add_free_text_line(
        requisition=requisition,
        actor=requester,
        description="Desk lamp",
        quantity=Decimal("2"),
        unit_price=Decimal("39.90"),
    )
    submit_requisition(requisition, requester)  # approved at once (under the demo's rules), then ordered
    schedule = create_schedule(
        requisition=requisition,
        actor=requester,
        period=Period.MONTHS,
        every=1,
        weekday=Weekday.FRIDAY,
        starts_on=date(2027, 1, 31),
        ends_on=date(2027, 6, 30),
    )
    # a finished conformance run of the demo connection (its supplier is not started: the report
    # shows a failed check with its exchange)
    connection = PunchOutConnection.objects.get(supplier__name="Marketplace")
    run = ConformanceRun.objects.create(connection=connection)
    execute_conformance_run(run.pk, deadline=5.0)
    # a supplier's account on the supplier portal (its orders)
    supplier_user = User.objects.create_user(email="orders@marketplace.test", password="demo")
    SupplierAccount.objects.create(user=supplier_user, supplier=connection.supplier)
    found: dict[str, list[str]] = {}
    login = chromium.new_context(bypass_csp=True, locale=locale).new_page()
    login.goto(f"{live_server.url}/accounts/login/")
    found["/accounts/login/"] = serious_violations(login)
    login.context.close()
    for email, paths in PAGES.items():
        page = signed_in_page(chromium, live_server.url, email, bypass_csp=True, locale=locale)
        for path in paths:
            path = path.format(
                requisition=f"/requisitions/{requisition.pk}/",
                schedule_form=f"/recurring/from/{requisition.pk}/",
                schedule=f"/recurring/{schedule.pk}/",
                conformance=f"/suppliers/connections/{connection.pk}/conformance/",
                conformance_run=f"/suppliers/conformance/{run.pk}/",
            )
            answer = page.goto(f"{live_server.url}{path}")
            assert answer is not None and answer.status == 200, (email, path)
            problems = serious_violations(page)
            if problems:
                found[f"{email} {path}"] = problems
        page.context.close()
    assert {key: value for key, value in found.items() if value} == {}
