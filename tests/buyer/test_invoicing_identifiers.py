"""Supplier identifiers page: how an AP clerk teaches the suite to recognise an invoice's seller."""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.invoicing.models import SupplierIdentifier
from openprocure.core.models import User
from tests.buyer.fulfilment_world import ap_clerk, make_supplier

pytestmark = pytest.mark.django_db


def test_ap_clerk_adds_a_siren_and_sees_it_listed(client: Client) -> None:
    supplier, _connection = make_supplier()
    client.force_login(ap_clerk())
    answer = client.post(
        "/invoicing/identifiers/", {"supplier": supplier.pk, "scheme": "siren", "value": "732 829 320"}
    )
    assert answer.status_code == 302
    assert list(SupplierIdentifier.objects.values_list("supplier", "scheme", "value")) == [
        (supplier.pk, "siren", "732829320")
    ]
    page = client.get("/invoicing/identifiers/").content.decode()
    assert "732829320" in page


def test_an_invalid_siren_is_explained_and_nothing_is_stored(client: Client) -> None:
    supplier, _connection = make_supplier()
    client.force_login(ap_clerk())
    page = client.post(
        "/invoicing/identifiers/", {"supplier": supplier.pk, "scheme": "siren", "value": "123456789"}
    ).content.decode()
    assert "123456789 is not a valid SIREN" in page
    assert SupplierIdentifier.objects.count() == 0


def test_only_ap_clerks_see_identifiers(client: Client) -> None:
    supplier, _connection = make_supplier()
    client.force_login(User.objects.create_user(email="rita@acme.test", password="x-correct-horse"))
    answer = client.post(
        "/invoicing/identifiers/", {"supplier": supplier.pk, "scheme": "siren", "value": "732829320"}
    )
    assert answer.status_code == 403
    assert SupplierIdentifier.objects.count() == 0


def test_an_identifier_without_a_kind_is_refused_beside_the_field_and_keeps_what_was_typed(
    client: Client,
) -> None:
    supplier, _connection = make_supplier()
    client.force_login(ap_clerk())
    answer = client.post(
        "/invoicing/identifiers/", {"supplier": supplier.pk, "scheme": "iban", "value": "FR 12"}
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Select a valid choice. iban is not one of the available choices." in page
    assert f'<option value="{supplier.pk}" selected>' in page
    assert 'value="FR 12"' in page
    assert SupplierIdentifier.objects.count() == 0
