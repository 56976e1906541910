"""Procurement administrators add and change cost centers and GL accounts in the suite, through HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.organization.models import Company, CostCenter, GLAccount
from openprocure.core.models import User

pytestmark = pytest.mark.django_db


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_an_administrator_adds_a_cost_center_and_people_can_charge_to_it(acme) -> None:
    admin = signed_in("admin@acme.test")
    page = admin.get("/organization/").content.decode()
    assert 'href="/organization/cost-centers/new/"' in page
    response = admin.post(
        "/organization/cost-centers/new/",
        {
            "code": "  CC-400 ",
            "name": "Marketing",
            "owner": User.objects.get(email="approver@acme.test").pk,
            "department": "",
            "is_active": "on",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/organization/")
    created = CostCenter.objects.get(code="CC-400")
    assert (
        created.name,
        created.owner.email,
        created.department,
        created.company.name,
        created.is_active,
    ) == (
        "Marketing",
        "approver@acme.test",
        None,
        "Acme Industries",
        True,
    )
    assert "Cost center CC-400 saved." in admin.get("/organization/").content.decode()
    # It is offered on requisition lines' accounting.
    from openprocure.buyer.requisitions.forms import SplitForm

    assert created in SplitForm().fields["cost_center"].queryset


def test_a_duplicate_code_is_a_form_error_and_changes_nothing(acme) -> None:
    admin = signed_in("admin@acme.test")
    response = admin.post(
        "/organization/cost-centers/new/", {"code": "cc-100", "name": "Twice", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "Another cost center already has the code cc-100." in response.content.decode()
    assert CostCenter.objects.filter(name="Twice").count() == 0
    french = admin.post(
        "/organization/gl-accounts/new/",
        {"code": "6000", "name": "Again", "is_active": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Un autre compte général a déjà le code 6000." in french.content.decode()
    assert GLAccount.objects.filter(name="Again").count() == 0


def test_an_administrator_retires_a_cost_center_and_renames_a_gl_account(acme) -> None:
    admin = signed_in("admin@acme.test")
    cc = CostCenter.objects.get(code="CC-300")
    response = admin.post(
        f"/organization/cost-centers/{cc.pk}/",
        {"code": "CC-300", "name": "IT", "owner": cc.owner_id, "department": cc.department_id},
    )
    assert response.status_code == 302
    cc.refresh_from_db()
    assert cc.is_active is False
    from openprocure.buyer.requisitions.forms import SplitForm

    assert cc not in SplitForm().fields["cost_center"].queryset
    account = GLAccount.objects.get(code="6300")
    admin.post(
        f"/organization/gl-accounts/{account.pk}/",
        {"code": "6300", "name": "External services", "is_active": "on"},
    )
    account.refresh_from_db()
    assert (account.name, account.is_active) == ("External services", True)


def test_owners_are_people_of_the_company_and_other_companies_rows_are_out_of_reach(acme) -> None:
    other = Company.objects.create(name="Other Corp")
    foreign = CostCenter.objects.create(company=other, code="X-1", name="Elsewhere")
    outsider = User.objects.create_user(email="outsider@other.test", password="x-correct-horse")
    admin = signed_in("admin@acme.test")
    response = admin.post(
        "/organization/cost-centers/new/",
        {"code": "CC-500", "name": "Lab", "owner": outsider.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert admin.get(f"/organization/cost-centers/{foreign.pk}/").status_code == 404


def test_only_procurement_administrators_edit_reference_data(acme) -> None:
    requester = signed_in("requester@acme.test")
    assert 'href="/organization/cost-centers/new/"' not in requester.get("/organization/").content.decode()
    assert requester.get("/organization/cost-centers/new/").status_code == 403
    assert requester.post("/organization/gl-accounts/new/", {"code": "7000", "name": "X"}).status_code == 403
    assert not GLAccount.objects.filter(code="7000").exists()
