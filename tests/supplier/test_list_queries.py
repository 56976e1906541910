"""Every list page and list API of the storefront reads the database a fixed number of times, whatever
the number of rows: the same count with 3 rows as with 30 (no query per row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openprocure.core.models import Document, PlatformConnection, PlatformFlow
from openprocure.supplier.business.choices import VerificationStatus
from openprocure.supplier.business.models import Business, Integration, Membership
from openprocure.supplier.catalog.models import CatalogExport
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Charge, Invoice, ReturnRequest, Shipment
from openprocure.supplier.orders.models import ApiKey, Order
from openprocure.supplier.orders.services import create_api_key
from tests.factories import copies
from tests.supplier.factories import BusinessFactory
from tests.supplier.worlds import PASSWORD, make_operator, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(client: Client, shop: Integration) -> Integration:
    """One row of every list, made the way the storefront makes them: an order placed over cXML,
    shipped (a charge, an invoice), a return asked for, a document logged, a business to verify."""
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    line = order.lines.get()
    buyer = Client()
    assert buyer.login(username="buyer@acme.test", password=PASSWORD)
    asked = buyer.post(
        f"/account/orders/{order.number}/return-request/", {f"line-{line.pk}": "1", "reason": "Too many"}
    )
    assert asked.status_code == 302
    partner = f"{shop.buyer_domain}:{shop.buyer_identity}"
    if not Document.objects.filter(partner=partner).exists():
        Document.objects.create(direction="in", kind="OrderRequest", partner=partner, raw="<cXML/>")
    admin = Membership.objects.get(business=shop.business, is_administrator=True).user
    create_api_key(business=shop.business, by=admin, name="ERP")
    CatalogExport.objects.create(business=shop.business, format="cif", requested_by=admin)
    BusinessFactory(name="Initech", email="admin@initech.test", status=VerificationStatus.PENDING)
    assert (Charge.objects.count(), Invoice.objects.count(), ReturnRequest.objects.count()) == (1, 1, 1)
    return shop


def grow(model: type[Any], **where: Any) -> Callable[[int], None]:
    """Add ``count`` rows of ``model`` by copying the first one matching ``where``."""

    def add(count: int) -> None:
        copies(model.objects.filter(**where).order_by("pk").first(), count)

    return add


def more_integrations(count: int) -> None:
    """Integrations of other businesses (one each), copied from Acme's."""

    def of_a_new_business(n: int) -> dict[str, Any]:
        return {"business_id": BusinessFactory(name=f"Business {n}", email=f"admin{n}@example.test").pk}

    copies(Integration.objects.order_by("pk").first(), count, of_a_new_business)


def more_platforms(count: int) -> None:
    """Platforms entered on the page, each with a flow pulled from it."""
    start = PlatformConnection.objects.count()
    for index in range(start, start + count):
        siren = f"{100000000 + index:09d}"
        PlatformConnection.objects.create(
            siren=siren, name=f"Entity {index}", adapter="folder", outbound="/o", inbound="/i"
        )
        PlatformFlow.objects.create(entity=siren, flow_id=f"f{index}.xml", kind="invoice", outcome="accepted")


def operator() -> Client:
    client = Client()
    client.force_login(make_operator("lists@marketplace.test"))
    return client


def administrator() -> Client:
    client = Client()
    assert client.login(username="admin@acme.test", password=PASSWORD)
    return client


def api_client(integration: Integration) -> Client:
    admin = Membership.objects.get(business=integration.business, is_administrator=True).user
    _row, key = create_api_key(business=integration.business, by=admin, name="Lists")
    return Client(headers={"Authorization": f"Bearer {key}"})


# (URL, who reads it, how to add rows)
LISTS: list[tuple[str, str, Callable[[int], None]]] = [
    ("/account/orders/?all=1", "administrator", grow(Order)),
    ("/account/invoices/", "administrator", grow(Invoice)),
    ("/account/charges/", "administrator", grow(Charge)),
    ("/fulfilment/", "operator", grow(Shipment)),
    ("/fulfilment/returns/", "operator", grow(ReturnRequest)),
    ("/business/punchout/documents/", "administrator", grow(Document)),
    ("/business/review/", "operator", grow(Business, status=VerificationStatus.PENDING)),
    ("/business/review/?integrations", "operator", more_integrations),
    ("/account/api-keys/", "administrator", grow(ApiKey)),
    ("/catalog-export/", "administrator", grow(CatalogExport)),
    ("/platforms/", "operator", more_platforms),
    ("/support/lookup/?q=buyer@acme.test", "operator", grow(Order)),
    ("/api/orders/", "api", grow(Order)),
    ("/api/shipments/", "api", grow(Shipment)),
    ("/api/invoices/", "api", grow(Invoice)),
    ("/api/charges/", "api", grow(Charge)),
]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("url", "who", "add"), LISTS, ids=[entry[0] for entry in LISTS])
def test_a_list_reads_as_often_with_30_rows_as_with_3(
    rows: Integration, url: str, who: str, add: Callable[[int], None]
) -> None:
    client = (
        {"operator": operator, "administrator": administrator}[who]() if who != "api" else api_client(rows)
    )
    client.get(url)  # caches warmed (content types, settings), as on a running site
    add(2)
    small = queries(client, url)
    add(27)
    assert queries(client, url) == small


def test_the_order_list_is_cut_into_pages_that_keep_the_whole_business(rows: Integration) -> None:
    copies(Order.objects.get(), 54)
    client = administrator()
    first = client.get("/account/orders/?all=1").content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?all=1&amp;page=2" rel="next"' in first
    second = client.get("/account/orders/?all=1&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?all=1&amp;page=1" rel="prev"' in second
