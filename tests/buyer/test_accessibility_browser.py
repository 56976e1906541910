"""axe-core over the buyer suite's pages, for each role, in English and French: no serious or
critical violation. The pages are ``PAGES`` of ``page_list.py``; ``test_accessibility_pages.py`` holds
that list to every page of the site."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pprint import pformat
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRule
from openprocure.buyer.approvals.services import issue_email_tokens
from openprocure.buyer.catalogs.services import check_version
from openprocure.buyer.catalogs.services import upload as upload_catalog
from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.buyer.invoicing.services import enter_paper_invoice
from openprocure.buyer.organization.models import (
    Address,
    CostCenter,
    Department,
    GLAccount,
    LegalEntity,
    RestrictedCategory,
)
from openprocure.buyer.purchasing.emailing import portal_token
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.recurring.choices import Period
from openprocure.buyer.recurring.services import create_schedule
from openprocure.buyer.requisitions.services import add_free_text_line, create_requisition, submit_requisition
from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.buyer.suppliers.conformance import execute_conformance_run
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection
from openprocure.core.choices import Weekday
from openprocure.core.models import PlatformConnection, User
from tests.accessibility import serious_violations
from tests.browser import signed_in_page
from tests.buyer.catalog_world import cif_file, item
from tests.buyer.page_list import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _world() -> dict[str, Any]:
    """The demo's data, and the objects PAGES names, made the way the suite makes them."""
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")
    requester = User.objects.get(email="requester@acme.test")
    admin = User.objects.get(email="admin@acme.test")
    connection = PunchOutConnection.objects.get(supplier__name="Marketplace")
    requisition = create_requisition(requester=requester, currency="EUR")
    add_free_text_line(
        requisition=requisition,
        actor=requester,
        description="Desk lamp",
        quantity=Decimal("2"),
        unit_price=Decimal("39.90"),
        supplier=connection.supplier,
    )
    submit_requisition(requisition, requester)  # approved at once (under the demo's rules), then ordered
    order = PurchaseOrder.objects.get(requisition=requisition)
    schedule = create_schedule(
        requisition=requisition,
        actor=requester,
        period=Period.MONTHS,
        every=1,
        weekday=Weekday.FRIDAY,
        starts_on=date(2027, 1, 31),
        ends_on=date(2027, 6, 30),
    )
    # a draft (its line's accounting, who would approve it) and one above 500 EUR, waiting for the approver
    draft = create_requisition(requester=requester, currency="EUR")
    draft_line = add_free_text_line(
        requisition=draft,
        actor=requester,
        description="Chair",
        quantity=Decimal("1"),
        unit_price=Decimal("120"),
    )
    waiting = create_requisition(requester=requester, currency="EUR")
    add_free_text_line(
        requisition=waiting,
        actor=requester,
        description="Desk",
        quantity=Decimal("2"),
        unit_price=Decimal("400"),
    )
    submit_requisition(waiting, requester)
    assignment = ApprovalAssignment.objects.get(step__request__requisition=waiting)
    # a finished conformance run of the demo connection (its supplier is not started: the report
    # shows a failed check with its exchange)
    run = ConformanceRun.objects.create(connection=connection)
    execute_conformance_run(run.pk, deadline=5.0)
    # a supplier's account on the supplier portal (its orders)
    supplier_user = User.objects.create_user(email="orders@marketplace.test", password="demo")
    SupplierAccount.objects.create(user=supplier_user, supplier=connection.supplier)
    catalog = upload_catalog(
        supplier=connection.supplier,
        chunks=[cif_file([item("C-1", "Office chair", "120.00"), item("L-2", "Desk lamp", "39.90")])],
        name="catalog.cif",
        actor=admin,
    )
    check_version(version_id=catalog.pk)
    invoice = enter_paper_invoice(
        supplier=connection.supplier,
        actor=User.objects.get(email="ap@acme.test"),
        number="INV-1",
        invoice_date=date(2027, 1, 5),
        currency="EUR",
        lines=[
            {
                "quantity": Decimal("2"),
                "unit_price": Decimal("39.90"),
                "order_number": order.number,
                "order_line_number": 1,
                "description": "Desk lamp",
            }
        ],
    )
    platform = PlatformConnection.objects.create(
        siren="732829320", name="Acme SAS", adapter="folder", outbound="/srv/pa/out", inbound="/srv/pa/in"
    )
    return {
        "uid": urlsafe_base64_encode(force_bytes(requester.pk)),
        "password_token": default_token_generator.make_token(requester),
        "portal": portal_token(order, "orders@newsupplier.test"),
        "requisition": requisition.pk,
        "draft": draft.pk,
        "draft_line": draft_line.pk,
        "schedule": schedule.pk,
        "order": order.number,
        "order_line": order.lines.get().pk,
        "approval": assignment.pk,
        "email_token": issue_email_tokens(assignment, ["approve"])[0],
        "invoice": invoice.pk,
        "supplier": connection.supplier_id,
        "connection": connection.pk,
        "conformance_run": run.pk,
        "cost_center": CostCenter.objects.first().pk,  # type: ignore[union-attr]
        "gl_account": GLAccount.objects.first().pk,  # type: ignore[union-attr]
        "department": Department.objects.first().pk,  # type: ignore[union-attr]
        "address": Address.objects.first().pk,  # type: ignore[union-attr]
        "restricted_category": RestrictedCategory.objects.get().pk,
        "legal_entity": LegalEntity.objects.get().pk,
        "person": requester.pk,
        "catalog": catalog.pk,
        "rule": ApprovalRule.objects.first().pk,  # type: ignore[union-attr]
        "tolerance": ToleranceRule.objects.create(note="Office supplies").pk,
        "platform": platform.pk,
    }


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_main_pages_have_no_serious_accessibility_violation(
    live_server: Any, chromium: Any, locale: str
) -> None:
    objects = _world()
    found: dict[str, list[str]] = {}
    for email, paths in PAGES.items():
        if email:
            page = signed_in_page(chromium, live_server.url, email, bypass_csp=True, locale=locale)
        else:
            page = chromium.new_context(bypass_csp=True, locale=locale).new_page()
        for path in paths:
            path = path.format(**objects)
            answer = page.goto(f"{live_server.url}{path}")
            assert answer is not None and answer.status == 200, (email, path)
            problems = serious_violations(page)
            if problems:
                found[f"{email or 'visitor'} {path}"] = problems
        page.context.close()
    assert found == {}, pformat(found, width=140)
