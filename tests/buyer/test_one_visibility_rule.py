"""One visibility rule per object, for the pages and the API alike: who may not see a requisition, a
purchase order or an invoice gets 404 on both; who may gets 200 on both."""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.organization.models import Company, RoleAssignment, UserProfile
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.models import User
from tests.buyer.approval_world import World, build_world, requisition, rule, signed_in, submit
from tests.buyer.fulfilment_world import envelope, invoice_request, make_po, make_supplier, post

pytestmark = pytest.mark.django_db


def api(person: User) -> Client:
    _row, token = create_api_token(user=person, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


def both(person: User, page: str, endpoint: str) -> tuple[int, int]:
    return signed_in(person).get(page).status_code, api(person).get(endpoint).status_code


@pytest.fixture
def world() -> World:
    return build_world()


def test_requisitions_and_orders_web_and_api_agree(world: World) -> None:
    rule("r", {"users": [world.alan]})
    asked = requisition(world)
    submit(world, asked)
    ordered = requisition(world, price="20.00")
    submit(world, ordered)
    assignment = ApprovalAssignment.objects.get(step__request__requisition=ordered, status="pending")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/", {"decision": "approve", "comment": ""})
    po = PurchaseOrder.objects.get(requisition=ordered)
    # AP clerk: a role that used to open any requisition by ID on the pages.
    ap = world.people["carl"]
    RoleAssignment.objects.create(profile=ap.buyer_profile, role="ap_clerk")

    req_page, req_api = f"/requisitions/{asked.pk}/", f"/api/requisitions/{asked.pk}"
    po_page, po_api = f"/purchasing/{po.number}/", f"/api/purchase-orders/{po.number}"

    # Bob and Carl hold the approver role but were not asked; Carl is an AP clerk too.
    for outsider in (world.bob, ap):
        assert both(outsider, req_page, req_api) == (404, 404)
        assert both(outsider, po_page, po_api) == (404, 404)
    # The requester, the approver asked, a procurement administrator: 200 on both.
    for insider in (world.rita, world.alan, world.ada):
        assert both(insider, req_page, req_api) == (200, 200)
        assert both(insider, po_page, po_api) == (200, 200)
    # The lists say the same.
    assert [r["number"] for r in api(world.bob).get("/api/requisitions/").json()] == []
    assert "REQ-" not in signed_in(world.bob).get("/requisitions/").content.decode()
    assert api(world.bob).get("/api/purchase-orders/").json() == []


def test_invoices_web_and_api_agree() -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    client = Client()
    post(client, envelope(invoice_request(invoice_id="INV-V", lines=[(1, "12", "10.00")]), payload_id="v@s"))
    invoice = Invoice.objects.get()
    clerk = User.objects.create_user(email="ap@acme.test", password="x-correct-horse")
    profile = UserProfile.objects.create(user=clerk, company=Company.objects.get_or_create(name="Acme")[0])
    RoleAssignment.objects.create(profile=profile, role="ap_clerk")
    stranger = User.objects.create_user(email="bob@acme.test", password="x-correct-horse")

    page, endpoint = f"/invoicing/{invoice.pk}/", f"/api/invoices/{invoice.pk}"
    assert both(stranger, page, endpoint) == (404, 404)
    assert signed_in(stranger).get(f"/invoicing/{invoice.pk}/original/").status_code == 404
    assert both(clerk, page, endpoint) == (200, 200)
