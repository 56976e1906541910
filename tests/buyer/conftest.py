"""The buyer suite's shared fixtures: the demo organisation with its Marketplace connection, a signed-in
requester, a stand-in supplier, Rita's requisition (and the same, approved and ordered), a purchase
order to a cXML supplier, and the administrator and supplier of the hosted catalog tests."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.approvals.demo import seed_approvals
from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.approvals.services import decide
from openprocure.buyer.organization.demo import seed_organization
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import (
    CartLine,
    add_free_text_line,
    create_requisition_from_cart,
    submit_requisition,
)
from openprocure.buyer.suppliers.demo import seed_marketplace
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.demo import demo_user
from openprocure.core.models import User
from tests.buyer.catalog_world import IMMEDIATE
from tests.buyer.fulfilment_world import (
    make_po,
    make_supplier,
)
from tests.buyer.punchout_world import PEOPLE, SupplierServer, setup_response


@pytest.fixture
def acme(db, settings) -> PunchOutConnection:  # type: ignore[no-untyped-def]
    """The demo organisation (Acme Industries) and its Marketplace cXML connection."""
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUBLIC_URL = "http://testserver"
    for email, first, last, admin in PEOPLE:
        demo_user(email, first_name=first, last_name=last, superuser=admin)
    seed_organization()
    seed_marketplace()
    return PunchOutConnection.objects.get(supplier__name="Marketplace")


@pytest.fixture
def requester(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="requester@acme.test"))
    return client


@pytest.fixture
def supplier() -> Iterator[SupplierServer]:
    with SupplierServer(lambda body: (200, setup_response("http://market.test/start/abc"))) as server:
        yield server


@pytest.fixture
def order() -> PurchaseOrder:
    supplier, connection = make_supplier()
    return make_po(supplier, connection)


@pytest.fixture
def rita(acme: PunchOutConnection) -> User:
    return User.objects.get(email="requester@acme.test")


@pytest.fixture
def requisition(rita: User, acme: PunchOutConnection) -> Requisition:
    return create_requisition_from_cart(
        requester=rita,
        lines=[
            CartLine(
                supplier_part_id="PEN-001",
                quantity=Decimal("3"),
                unit_price=Decimal("33.33"),
                currency="EUR",
                description="Pens",
            ),
        ],
        supplier=acme.supplier,
        connection=acme,
    )


@pytest.fixture
def approved(requisition: Requisition, rita: User) -> Requisition:
    """Rita's requisition (3 × 33.33 EUR pens from Marketplace) plus 10 × 60.00 EUR of free-text paper:
    699.99 EUR, above the demo's 500 EUR rule, approved by the approver, then ordered by purchasing."""
    add_free_text_line(
        requisition=requisition,
        actor=rita,
        description="Printer paper",
        quantity=Decimal("10"),
        unit_price=Decimal("60.00"),
        unit_of_measure="PK",
    )
    seed_approvals()
    submit_requisition(requisition, rita)
    assignment = ApprovalAssignment.objects.get(step__request__requisition=requisition)
    decide(assignment_id=assignment.pk, actor=assignment.approver, decision="approve")
    requisition.refresh_from_db()
    return requisition


@pytest.fixture
def admin(acme: PunchOutConnection, settings) -> Client:  # type: ignore[no-untyped-def]
    """The procurement administrator, signed in, for the hosted catalog tests: the worker checks an
    uploaded catalog at once (a test file may define its own ``admin``)."""
    settings.TASKS = IMMEDIATE
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


@pytest.fixture
def office(acme: PunchOutConnection) -> Supplier:
    """The supplier whose hosted catalog the catalog tests upload."""
    return Supplier.objects.create(name="Office Supplies Ltd")
