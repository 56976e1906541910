"""Operators set where a business's order documents go, through the page, and every change is recorded."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from openprocure.supplier.business.models import SettingsChange
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.models import OrderSettings
from tests.supplier.worlds import make_business, make_integration, make_member, make_operator

pytestmark = pytest.mark.django_db


def test_an_operator_sets_url_secret_and_automatic_shipping_and_each_change_is_recorded(client):
    business, admin = make_business()
    integration = make_integration(business, admin, secret="acme-shared-secret")
    url = reverse("orders-settings", args=[integration.pk])
    operator = make_operator()
    client.force_login(operator)
    page = client.get(reverse("business-integration-settings", args=[integration.pk])).content.decode()
    assert f'href="{url}"' in page

    answer = client.post(
        url,
        {
            "buyer_cxml_url": "https://erp.acme.test/cxml/inbound",
            "outbound_secret": "acme-shared-secret",
            "auto_fulfil_after_minutes": "30",
            "reason": "Ticket 7 from Ada",
        },
    )
    assert answer.status_code == 302
    stored = OrderSettings.objects.get(integration=integration)
    assert (stored.buyer_cxml_url, stored.auto_fulfil_after_minutes) == (
        "https://erp.acme.test/cxml/inbound",
        30,
    )
    assert "acme-shared-secret" not in stored.outbound_secret_encrypted
    documents.forget_settings(integration)
    assert documents.outbound_secret(stored) == "acme-shared-secret"
    assert list(
        SettingsChange.objects.order_by("id").values_list(
            "field", "old_value", "new_value", "changed_by", "reason"
        )
    ) == [
        ("buyer_cxml_url", "", "https://erp.acme.test/cxml/inbound", operator.pk, "Ticket 7 from Ada"),
        ("outbound_secret", "", "replaced", operator.pk, "Ticket 7 from Ada"),
        ("auto_fulfil_after_minutes", "", "30", operator.pk, "Ticket 7 from Ada"),
    ]
    page = client.get(url).content.decode()
    assert "Stored (encrypted)" in page
    assert "acme-shared-secret" not in page
    assert "Ticket 7 from Ada" in page

    # Back to the fulfilment queue, same URL, secret kept: one change recorded.
    client.post(
        url,
        {
            "buyer_cxml_url": "https://erp.acme.test/cxml/inbound",
            "auto_fulfil_after_minutes": "",
            "reason": "T8",
        },
    )
    stored.refresh_from_db()
    assert stored.auto_fulfil_after_minutes is None
    assert documents.outbound_secret(stored) == "acme-shared-secret"
    assert SettingsChange.objects.order_by("-id").values_list("field", "old_value", "new_value").first() == (
        "auto_fulfil_after_minutes",
        "30",
        "",
    )


def test_a_wrong_secret_a_bad_url_or_no_reason_is_refused_and_nothing_changes(client):
    business, admin = make_business()
    integration = make_integration(business, admin, secret="acme-shared-secret")
    url = reverse("orders-settings", args=[integration.pk])
    client.force_login(make_operator())

    wrong = client.post(
        url, {"buyer_cxml_url": "", "outbound_secret": "acme-shared-secrte", "reason": "typo"}
    )
    assert wrong.status_code == 200
    assert (
        "This is not the shared secret of the integration: enter the secret the buyer&#x27;s system sends."
        in wrong.content.decode()
    )
    short = client.post(url, {"buyer_cxml_url": "", "outbound_secret": "acme", "reason": "typo"})
    assert short.status_code == 200
    assert (
        "A shared secret must be at least 16 characters long; this one has 4. A short secret can be "
        "guessed: agree on a longer one with your trading partner."
    ) in short.content.decode()
    bad_url = client.post(url, {"buyer_cxml_url": "ftp://erp.acme.test/", "reason": "ticket"})
    assert "Enter a valid URL." in bad_url.content.decode()
    no_reason = client.post(url, {"buyer_cxml_url": "https://erp.acme.test/cxml"})
    assert "This field is required." in no_reason.content.decode()
    assert SettingsChange.objects.count() == 0
    stored = OrderSettings.objects.get(integration=integration)
    assert (stored.buyer_cxml_url, stored.outbound_secret_encrypted) == ("", "")


def test_an_automatic_fulfilment_delay_beyond_a_year_is_refused_beside_its_field(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    url = reverse("orders-settings", args=[integration.pk])
    client.force_login(make_operator())
    for typed in ("525601", "99999999999999999999"):
        refused = client.post(url, {"buyer_cxml_url": "", "auto_fulfil_after_minutes": typed, "reason": "T1"})
        assert refused.status_code == 200
        assert refused.context["form"].errors == {
            "auto_fulfil_after_minutes": [
                "At most 525600 minutes (a year); leave it empty for operators to ship from the fulfilment "
                "queue."
            ]
        }
        assert f'value="{typed}"' in refused.content.decode()
    assert SettingsChange.objects.count() == 0
    assert not OrderSettings.objects.filter(integration=integration, auto_fulfil_after_minutes__isnull=False)
    year = client.post(url, {"buyer_cxml_url": "", "auto_fulfil_after_minutes": "525600", "reason": "T2"})
    assert year.status_code == 302
    assert OrderSettings.objects.get(integration=integration).auto_fulfil_after_minutes == 525600


def test_only_operators_see_the_page(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    url = reverse("orders-settings", args=[integration.pk])
    client.force_login(admin)
    assert client.get(url).status_code == 403
    client.force_login(make_member(business, "tech@acme.test", is_technical_administrator=True))
    assert client.post(url, {"buyer_cxml_url": "https://evil.test/", "reason": "x"}).status_code == 403
    assert (
        OrderSettings.objects.filter(integration=integration, buyer_cxml_url="https://evil.test/").count()
        == 0
    )


@override_settings(PARTNER_ALLOWED_NETWORKS=[])
def test_a_buyer_url_on_a_private_address_is_refused_unless_the_operator_allows_it(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    url = reverse("orders-settings", args=[integration.pk])
    client.force_login(make_operator())
    refused = client.post(url, {"buyer_cxml_url": "http://10.0.0.5/cxml/", "reason": "Ticket 9"})
    assert refused.status_code == 200
    assert (
        "10.0.0.5 is a private address: documents are not sent there. If it is yours, an operator allows "
        "it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
    ) in refused.content.decode()
    assert SettingsChange.objects.count() == 0
    with override_settings(PARTNER_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        allowed = client.post(url, {"buyer_cxml_url": "http://10.0.0.5/cxml/", "reason": "Ticket 9"})
    assert allowed.status_code == 302
    assert OrderSettings.objects.get(integration=integration).buyer_cxml_url == "http://10.0.0.5/cxml/"
