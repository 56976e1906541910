"""axe-core over the storefront's pages, for a visitor, a business administrator and an operator, in
English and French: no serious or critical violation. The pages are ``PAGES`` of ``page_list.py``;
``test_accessibility_pages.py`` holds that list to every page of the site."""

from __future__ import annotations

import re
from datetime import timedelta
from pprint import pformat
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from openprocure.core.models import Document, PlatformConnection, User
from openprocure.supplier.business.choices import IntegrationStatus
from openprocure.supplier.business.credentials import token_hash
from openprocure.supplier.business.models import Integration, Invitation
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.fulfilment.models import Invoice
from openprocure.supplier.fulfilment.services import ship
from openprocure.supplier.orders.models import Order
from tests.accessibility import serious_violations
from tests.browser import signed_in_page
from tests.supplier.page_list import PAGES
from tests.supplier.worlds import order_request, post_setup, punch_out, send, setup_request

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

#: Acme's procurement system as the demo knows it (its return address is under the demo buyer suite's).
#: Pages that answer with another status than 200 by design.
STATUS = {"/business/punchout-only/": 403}  # what a PunchOut-only account sees when it signs in directly

ACME = {
    "identity": "ACME",
    "secret": "acme-demo-secret",
    "email": "admin@acme.test",
    "url": "http://127.0.0.1:8000/punchout/return/1/",
}


def _session(client: Client, email: str) -> str:
    """The key of a new PunchOut session of Acme's procurement system for ``email``."""
    document = post_setup(client, setup_request(**{**ACME, "email": email}))
    start = re.sub(r"^https?://[^/]+", "", document.message.start_page_url)
    answer = client.get(start)
    assert answer.status_code == 302
    return re.match(r"^/po/([^/]+)/", answer.url)[1]  # type: ignore[index]


def _world() -> dict[str, Any]:
    """The demo's data, and the objects PAGES names, made the way the suite makes them."""
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000"):
        call_command("seed_demo", products=30)
    integration = Integration.objects.select_related("business").get(business__email="admin@acme.test")
    operator = User.objects.get(email="operator@marketplace.test")
    products = list(Product.objects.order_by("pk")[:2])
    # an order placed through PunchOut and shipped (its invoice)
    client = Client()
    cart = punch_out(client, [(products[0].asin, 2), (products[1].asin, 1)], **ACME)
    _payload, body = order_request(
        cart, order_id="PO-2027-000001", identity="ACME", secret="acme-demo-secret", email="admin@acme.test"
    )
    assert send(client, body).code == 200
    order = Order.objects.get(buyer_order_id="PO-2027-000001")
    ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD0001", by=operator)
    invitation = "invitation-token-of-the-accessibility-test"
    Invitation.objects.create(
        business=integration.business,
        email="new.buyer@acme.test",
        token_hash=token_hash(invitation),
        expires_at=timezone.now() + timedelta(days=7),
    )
    platform = PlatformConnection.objects.create(
        siren="732829320",
        name="Marketplace SAS",
        adapter="folder",
        outbound="/srv/pa/out",
        inbound="/srv/pa/in",
    )
    partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
    # a PunchOut session with a line in its cart
    cart_session = _session(client, "admin@acme.test")
    added = client.post(f"/po/{cart_session}/cart/add/", {"asin": products[1].asin, "quantity": 3})
    assert added.status_code == 302
    objects = {
        "category": products[0].unspsc,
        "asin": products[0].asin,
        "invitation": invitation,
        "session": _session(client, "new.buyer@acme.test"),
        "admin_session": cart_session,
        "order": order.number,
        "order_id": order.pk,
        "document": Document.objects.filter(partner=partner).order_by("pk").first().pk,  # type: ignore[union-attr]
        "business": integration.business_id,
        "invoice": Invoice.objects.get(order=order).number,
        "platform": platform.pk,
        "integration": integration.pk,
    }
    # the integration checklist is for a business in Test
    Integration.objects.filter(pk=integration.pk).update(status=IntegrationStatus.TEST)
    return objects


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
            assert answer is not None and answer.status == STATUS.get(path, 200), (email, path)
            problems = serious_violations(page)
            if problems:
                found[f"{email or 'visitor'} {path}"] = problems
        page.context.close()
    assert found == {}, pformat(found, width=140)
