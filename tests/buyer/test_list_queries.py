"""Every list page and list API of the buyer suite reads the database a fixed number of times, whatever
the number of rows: the same count with 3 rows as with 30 (no query per row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openprocure.buyer.approvals.models import (
    ApiToken,
    ApprovalAssignment,
    ApprovalRule,
    Budget,
    BudgetCommitment,
)
from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.catalogs.models import CatalogChange, CatalogProblem, CatalogVersion
from openprocure.buyer.fulfilment.models import SupplierIssue
from openprocure.buyer.invoicing.models import (
    Invoice,
    InvoiceException,
    PaymentExport,
    SupplierIdentifier,
    ToleranceRule,
)
from openprocure.buyer.invoicing.services import add_identifier
from openprocure.buyer.organization.services import set_profile
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.recurring.models import RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.buyer.suppliers.models import ConformanceRun, Supplier
from openprocure.core.models import PlatformConnection, PlatformFlow, User
from tests.buyer.approval_world import World, build_world, requisition, rule, signed_in, submit, user
from tests.buyer.fulfilment_world import envelope, invoice_request, make_po, make_supplier, post
from tests.factories import copies

pytestmark = pytest.mark.django_db


@dataclass
class Rows:
    world: World
    po: PurchaseOrder
    invoice: Invoice
    run: ConformanceRun
    version: CatalogVersion


@pytest.fixture
def rows() -> Rows:
    """One row of every list, made the way the application makes them."""
    world = build_world()
    set_profile(user=world.ada, company=world.company, roles=["procurement_admin", "ap_clerk"])
    rule("r", {"users": [world.alan]})
    submit(world, requisition(world))
    supplier, supplier_connection = make_supplier()
    po = make_po(supplier, supplier_connection)
    answer = post(
        signed_in(world.rita),
        envelope(invoice_request(invoice_id="INV-13", lines=[(1, "13", "10.00")]), payload_id="inv-13@s"),
    )
    assert answer.code == 200
    invoice = Invoice.objects.get()
    add_identifier(supplier=world.supplier, scheme="vat", value="FR40303265045")
    ToleranceRule.objects.create(supplier=world.supplier, unspsc_prefix="4412")
    create_api_token(user=world.alan, name="ERP")
    PaymentExport.objects.create(number="PAY-1", created_by=world.ada, content="", invoice_count=1)
    SupplierIssue.objects.create(
        purchase_order=po, po_line=po.lines.first(), kind="price_changed", message="Price changed."
    )
    run = ConformanceRun.objects.create(connection=supplier_connection, requested_by=world.ada)
    version = CatalogVersion.objects.create(
        supplier=world.supplier, number=1, format="cif", file_name="x.upload", uploaded_by=world.ada
    )
    CatalogChange.objects.create(
        version=version, kind="added", supplier_part_id="P1", new_price=1, new_currency="EUR"
    )
    CatalogProblem.objects.create(version=version, line=3, code="unit", field="Unit of Measure", value="PCS")
    # The supplier's account that reads "Your orders" (the orders of the first order's supplier).
    first = PurchaseOrder.objects.order_by("pk").first()
    PurchaseOrder.objects.filter(pk=first.pk, sent_at=None).update(sent_at=first.created_at)
    account = User.objects.create_user(email="orders@supplier.test")
    SupplierAccount.objects.create(user=account, supplier=first.supplier)
    world.people["supplier_account"] = account
    return Rows(world, po, invoice, run, version)


def more_versions(rows: Rows, count: int) -> None:
    """Further versions of the same supplier's catalog (numbers follow)."""
    copies(rows.version, count, vary=lambda n: {"number": 100 + n})


def more_platforms(rows: Rows, count: int) -> None:
    """Platforms entered on the page, each with a flow pulled from it."""
    start = PlatformConnection.objects.count()
    for index in range(start, start + count):
        siren = f"{100000000 + index:09d}"
        PlatformConnection.objects.create(
            siren=siren, name=f"Entity {index}", adapter="folder", outbound="/o", inbound="/i"
        )
        PlatformFlow.objects.create(entity=siren, flow_id=f"f{index}.xml", kind="invoice", outcome="accepted")


def more_people(rows: Rows, count: int) -> None:
    start = User.objects.count()
    for index in range(start, start + count):
        person = user(f"person{index}@acme.test", "Pat", f"Person{index}")
        set_profile(user=person, company=rows.world.company, roles=["requester"], manager=rows.world.mona)


def more_budgets(rows: Rows, count: int) -> None:
    """Budgets of successive months, each with a commitment of Rita's requisition."""
    taken = Budget.objects.count()
    for month in range(taken, taken + count):
        start = date(2020, 1, 1) + timedelta(days=31 * month)
        budget = Budget.objects.create(
            cost_center=rows.world.cc_ops,
            period_start=start,
            period_end=start + timedelta(days=27),
            amount=1000,
        )
        BudgetCommitment.objects.create(
            budget=budget,
            kind="requisition",
            requisition=Requisition.objects.first(),
            amount=100,
            currency="EUR",
        )


def more_schedules(rows: Rows, count: int) -> None:
    """Schedules of a requisition (made directly: the list reads what the worker never changes)."""
    first = RecurringSchedule.objects.order_by("pk").first() or RecurringSchedule.objects.create(
        source=Requisition.objects.order_by("pk").first(),
        created_by=rows.world.rita,
        period="weeks",
        every=1,
        weekday=0,
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 12, 31),
        next_on=date(2027, 2, 1),
    )
    copies(first, count)


def grow(model: type[Any], **where: Any) -> Callable[[Rows, int], None]:
    """Add ``count`` rows of ``model`` by copying the first one matching ``where``."""

    def add(rows: Rows, count: int) -> None:
        copies(model.objects.filter(**where).order_by("pk").first(), count)

    return add


def api(person: User) -> Client:
    _row, token = create_api_token(user=person, name="list queries")
    return Client(headers={"Authorization": f"Bearer {token}"})


# (URL, who reads it, "page" or "api", how to add rows)
LISTS: list[tuple[str, str, str, Callable[[Rows, int], None]]] = [
    ("/requisitions/", "rita", "page", grow(Requisition)),
    ("/approvals/", "alan", "page", grow(ApprovalAssignment)),
    ("/purchasing/", "ada", "page", grow(PurchaseOrder)),
    ("/approvals/budgets/", "ada", "page", more_budgets),
    ("/approvals/policy/", "ada", "page", grow(ApprovalRule)),
    ("/approvals/tokens/", "alan", "page", grow(ApiToken)),
    ("/invoicing/identifiers/", "ada", "page", grow(SupplierIdentifier)),
    ("/invoicing/tolerances/", "ada", "page", grow(ToleranceRule)),
    ("/invoicing/", "ada", "page", grow(Invoice)),
    ("/invoicing/exceptions/", "ada", "page", grow(InvoiceException)),
    ("/invoicing/payments/", "ada", "page", grow(PaymentExport)),
    ("/suppliers/", "ada", "page", grow(Supplier)),
    ("/suppliers/connections/{connection}/conformance/", "ada", "page", grow(ConformanceRun)),
    ("/organization/people/", "ada", "page", more_people),
    ("/platforms/", "ada", "page", more_platforms),
    ("/spend/history/", "ada", "page", grow(Requisition)),
    ("/recurring/", "ada", "page", more_schedules),
    ("/fulfilment/", "ada", "page", grow(PurchaseOrder)),
    ("/fulfilment/issues/", "ada", "page", grow(SupplierIssue)),
    ("/supplier-portal/orders/", "supplier_account", "page", grow(PurchaseOrder)),
    ("/api/requisitions/", "ada", "api", grow(Requisition)),
    ("/api/approvals/", "alan", "api", grow(ApprovalAssignment)),
    ("/api/purchase-orders/", "ada", "api", grow(PurchaseOrder)),
    ("/catalogs/", "ada", "page", more_versions),
    ("/catalogs/{version}/", "ada", "page", grow(CatalogProblem)),
    ("/catalogs/{version}/changes/", "ada", "page", grow(CatalogChange)),
    ("/api/catalogs/{version}/problems", "ada", "api", grow(CatalogProblem)),
]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("url", "who", "kind", "add"), LISTS, ids=[entry[0] for entry in LISTS])
def test_a_list_reads_as_often_with_30_rows_as_with_3(
    rows: Rows, url: str, who: str, kind: str, add: Callable[[Rows, int], None]
) -> None:
    person = getattr(rows.world, who)
    url = url.format(connection=rows.run.connection_id, version=rows.version.pk)
    client = api(person) if kind == "api" else signed_in(person)
    client.get(url)  # caches warmed (content types, settings), as on a running site
    add(rows, 2)
    small = queries(client, url)
    add(rows, 27)
    assert queries(client, url) == small


def test_the_people_list_is_cut_into_pages_that_keep_the_search(rows: Rows) -> None:
    more_people(rows, 55)
    client = signed_in(rows.world.ada)
    first = client.get("/organization/people/?q=pat+%20person").content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?q=pat+person&amp;page=2"' in first
    second = client.get("/organization/people/?q=pat+person&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert second.count("@acme.test</a>") == 5


def test_a_page_past_the_end_shows_the_last_and_a_word_the_first(rows: Rows) -> None:
    copies(PurchaseOrder.objects.get(), 59)
    client = signed_in(rows.world.ada)
    last = client.get("/purchasing/?page=9").content.decode()
    assert "Page 2 of 2" in last
    assert 'href="?page=1" rel="prev"' in last
    first = client.get("/purchasing/?page=last-but-one").content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first


def test_two_lists_on_one_page_keep_each_others_page(rows: Rows) -> None:
    copies(rows.po, 59)
    client = signed_in(rows.world.ada)
    second = client.get("/fulfilment/?notices_page=1&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?notices_page=1&amp;page=1" rel="prev"' in second
    assert second.count('href="/fulfilment/orders/') == 10
