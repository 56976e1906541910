"""Procurement administrators manage people, roles, spending limits, departments and addresses in
the suite, through HTTP; a new person chooses their password from an e-mailed link."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.models import Address, Department, SpendingLimit, UserProfile
from openprocure.buyer.organization.services import spending_limit_for
from openprocure.core.models import AdminEvent, User
from tests.buyer.punchout_world import signed_in

pytestmark = pytest.mark.django_db


def person_data(**changes: Any) -> dict[str, Any]:
    data = {
        "email": "new.buyer@acme.test",
        "first_name": "Nora",
        "last_name": "Buyer",
        "roles": [Role.REQUESTER],
        "manager": User.objects.get(email="approver@acme.test").pk,
        "department": Department.objects.get(code="OPS").pk,
        "default_cost_center": "",
        "default_ship_to": "",
        "business_unit": "Operations",
        "employee_id": "E-0042",
        "limit_amount": "250.00",
        "limit_currency": "eur",
        "is_active": "on",
    }
    data.update(changes)
    return data


def role_limit_page(admin: Client, role: str, amount: str, currency: str) -> str:
    """The page shown after ``admin`` sets the spending limit of ``role``."""
    return admin.post(
        "/organization/people/role-limits/",
        {"role": role, "amount": amount, "currency": currency},
        follow=True,
    ).content.decode()


def test_an_administrator_adds_a_person_who_chooses_a_password_from_the_link(
    acme,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = signed_in("admin@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/organization/people/new/", person_data())
    assert (response.status_code, response["Location"]) == (302, "/organization/people/")
    person = User.objects.get(email="new.buyer@acme.test")
    profile = UserProfile.objects.get(user=person)
    assert (person.has_usable_password(), person.get_full_name(), person.is_active) == (
        False,
        "Nora Buyer",
        True,
    )
    assert (
        profile.company.name,
        profile.manager.email,
        profile.department.code,
        profile.business_unit,
        profile.employee_id,
        sorted(profile.role_codes()),
    ) == ("Acme Industries", "approver@acme.test", "OPS", "Operations", "E-0042", ["requester"])
    assert spending_limit_for(user=person) == (Decimal("250.00"), "EUR")
    page = admin.get("/organization/people/").content.decode()
    assert "new.buyer@acme.test was added and will receive an e-mail" in page
    assert "250.00\xa0EUR (own)" in page

    [message] = mail.outbox
    assert (message.to, message.subject) == (["new.buyer@acme.test"], "Your OpenProcure account")
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", message.body)[1]
    browser = Client()
    form_page = browser.get(link, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": "Blue-Lantern-77", "new_password2": "Blue-Lantern-77"})
    assert (done.status_code, done["Location"]) == (302, "/")
    person.refresh_from_db()
    assert person.check_password("Blue-Lantern-77") is True
    assert browser.get("/requisitions/").status_code == 200  # signed in
    # The link works once.
    again = Client().get(link, follow=True).content.decode()
    assert "This link has expired or was already used." in again


def test_a_duplicate_email_a_bad_currency_and_a_manager_loop_are_form_errors(acme) -> None:
    admin = signed_in("admin@acme.test")
    taken = admin.post("/organization/people/new/", person_data(email="Requester@acme.test"))
    assert "Someone already signs in with requester@acme.test." in taken.content.decode()
    money = admin.post("/organization/people/new/", person_data(limit_currency="euro"))
    assert (
        "EURO is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY."
        in money.content.decode()
    )
    # Three letters are not enough: the code must be in ISO 4217.
    letters = admin.post("/organization/people/new/", person_data(limit_currency="abc"))
    assert (
        "ABC is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY."
        in letters.content.decode()
    )
    assert User.objects.filter(email="new.buyer@acme.test").count() == 0
    # The approver manages the requester: the requester cannot become the approver's manager.
    approver = User.objects.get(email="approver@acme.test")
    loop = admin.post(
        f"/organization/people/{approver.pk}/",
        person_data(
            email="approver@acme.test",
            roles=[Role.REQUESTER, Role.APPROVER],
            manager=User.objects.get(email="requester@acme.test").pk,
        ),
    )
    assert loop.status_code == 200
    assert (
        "requester@acme.test reports to approver@acme.test, directly or not: that would make a loop."
        in loop.content.decode()
    )
    assert UserProfile.objects.get(user=approver).manager is None


def test_the_last_procurement_administrator_keeps_the_role_and_nobody_locks_themselves_out(
    acme,
) -> None:
    admin_user = User.objects.get(email="admin@acme.test")
    admin = signed_in("admin@acme.test")
    base = person_data(email="admin@acme.test", manager="", limit_amount="")
    demoted = admin.post(f"/organization/people/{admin_user.pk}/", {**base, "roles": [Role.REQUESTER]})
    assert (
        "admin@acme.test is the company&#x27;s last procurement administrator: make someone else one first."
        in demoted.content.decode()
    )
    itself = admin.post(
        f"/organization/people/{admin_user.pk}/",
        {**base, "roles": [Role.PROCUREMENT_ADMIN], "is_active": ""},
    )
    assert "You cannot stop yourself from signing in." in itself.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert UserProfile.objects.get(user=admin_user).has_role(Role.PROCUREMENT_ADMIN) is True


def test_an_administrator_changes_roles_and_limits_and_stops_someone_signing_in(acme) -> None:
    admin = signed_in("admin@acme.test")
    requester = User.objects.get(email="requester@acme.test")
    assert spending_limit_for(user=requester) == (Decimal("1000.00"), "EUR")  # the requester role's
    assert Client().login(email="requester@acme.test", password="demo") is True
    response = admin.post(
        f"/organization/people/{requester.pk}/",
        person_data(
            email="requester@acme.test",
            roles=[Role.REQUESTER, Role.APPROVER],
            limit_amount="",
            is_active="",
        ),
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert (requester.email, requester.is_active) == ("requester@acme.test", False)
    assert sorted(UserProfile.objects.get(user=requester).role_codes()) == ["approver", "requester"]
    assert spending_limit_for(user=requester) == (Decimal("25000.00"), "EUR")  # highest of the roles
    assert Client().login(email="requester@acme.test", password="demo") is False

    limit = admin.post(
        "/organization/people/role-limits/", {"role": Role.APPROVER, "amount": "", "currency": ""}
    )
    assert limit.status_code == 302
    assert SpendingLimit.objects.filter(role=Role.APPROVER).count() == 0
    assert (
        "The Approver role no longer has a spending limit."
        in admin.get("/organization/people/").content.decode()
    )
    admin.post(
        "/organization/people/role-limits/", {"role": Role.APPROVER, "amount": "5000", "currency": "usd"}
    )
    assert SpendingLimit.objects.get(role=Role.APPROVER).money == (Decimal("5000.00"), "USD")
    assert (
        "The Approver role&#x27;s spending limit is 5,000.00\xa0USD."
        in admin.get("/organization/people/").content.decode()
    )
    assert "Ensure this value is greater than or equal to 0." in role_limit_page(
        admin, Role.APPROVER, "-1", "EUR"
    )
    assert SpendingLimit.objects.get(role=Role.APPROVER).money == (Decimal("5000.00"), "USD")


def test_only_administrators_manage_people(acme) -> None:
    requester = signed_in("requester@acme.test")
    approver = User.objects.get(email="approver@acme.test")
    assert requester.get("/organization/people/").status_code == 403
    assert requester.post("/organization/people/new/", person_data()).status_code == 403
    assert requester.post(f"/organization/people/{approver.pk}/send-link/").status_code == 403
    assert (
        requester.post("/organization/people/role-limits/", {"role": "requester", "amount": "1"}).status_code
        == 403
    )
    assert User.objects.filter(email="new.buyer@acme.test").count() == 0
    assert SpendingLimit.objects.get(role=Role.REQUESTER).money == (Decimal("1000.00"), "EUR")
    assert 'href="/organization/people/"' not in requester.get("/organization/").content.decode()


def test_a_new_link_is_sent_and_an_inactive_person_cannot_use_one(
    acme,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = signed_in("admin@acme.test")
    approver = User.objects.get(email="approver@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/organization/people/{approver.pk}/send-link/", follow=True)
    assert "A link to choose a password was sent to approver@acme.test." in response.content.decode()
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", message.body)[1]
    User.objects.filter(pk=approver.pk).update(is_active=False)
    refused = Client().get(link, follow=True).content.decode()
    assert "This link has expired or was already used." in refused


def test_departments_and_addresses_are_added_and_changed(acme) -> None:
    admin = signed_in("admin@acme.test")
    ops = Department.objects.get(code="OPS")
    response = admin.post(
        "/organization/departments/new/", {"code": " LOG ", "name": "Logistics", "parent": ops.pk}
    )
    assert response.status_code == 302
    logistics = Department.objects.get(code="LOG")
    assert (logistics.name, logistics.parent, logistics.company.name) == ("Logistics", ops, "Acme Industries")
    # A department cannot be placed under itself or under one of its own departments.
    loop = admin.post(
        f"/organization/departments/{ops.pk}/", {"code": "OPS", "name": "Operations", "parent": logistics.pk}
    )
    assert loop.status_code == 200
    assert "Select a valid choice." in loop.content.decode()
    assert Department.objects.get(pk=ops.pk).parent is None

    old_default = Address.objects.get(kind="ship_to", is_default=True)
    address = {
        "kind": "ship_to",
        "code": "LYON-2",
        "name": "Acme Lyon dock 2",
        "deliver_to": "Receiving",
        "street": "5 quai Perrache",
        "postal_code": "69002",
        "city": "Lyon",
        "state": "",
        "country": "fr",
        "legal_entity": "",
        "is_default": "on",
    }
    response = admin.post("/organization/addresses/new/", address)
    assert (response.status_code, response["Location"]) == (302, "/organization/#addresses")
    created = Address.objects.get(code="LYON-2")
    assert (created.country, created.is_default) == ("FR", True)
    old_default.refresh_from_db()
    assert old_default.is_default is False  # one default per kind
    twice = admin.post("/organization/addresses/new/", {**address, "code": "lyon-2", "country": "FRA"})
    body = twice.content.decode()
    assert "Another address of this kind already has the code lyon-2." in body
    assert "FRA is not an ISO 3166 country code: write it as two letters such as FR, DE or US." in body
    # Two letters are not enough: the code must be in ISO 3166-1.
    nowhere = admin.post("/organization/addresses/new/", {**address, "code": "NOWHERE", "country": "xx"})
    assert "XX is not an ISO 3166 country code: write it as two letters such as FR, DE or US." in (
        nowhere.content.decode()
    )
    assert Address.objects.filter(code="NOWHERE").count() == 0
    assert Address.objects.filter(code__iexact="lyon-2").count() == 1
    french = admin.post(
        "/organization/addresses/new/", {**address, "code": "X", "country": "1"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert (
        "1 n’est pas un code pays ISO 3166 : écrivez-le en deux lettres, par exemple FR, DE ou US."
        in french.content.decode()
    )


def test_people_are_searched_and_paged_with_the_limit_that_applies(acme) -> None:
    from openprocure.buyer.organization import views
    from openprocure.buyer.organization.models import Company
    from openprocure.buyer.organization.services import set_profile

    company = Company.objects.get(name="Acme Industries")
    for n in range(60):
        person = User.objects.create(
            email=f"temp{n:02}@acme.test", first_name="Temp", last_name=f"Worker {n}"
        )
        set_profile(user=person, company=company, roles=[Role.REQUESTER])
    admin = signed_in("admin@acme.test")

    def listed(url: str) -> list[str]:
        return re.findall(r'<a href="/organization/people/\d+/">([^<]+)</a>', admin.get(url).content.decode())

    everyone = ["admin@acme.test", "ap@acme.test", "approver@acme.test", "requester@acme.test"] + [
        f"temp{n:02}@acme.test" for n in range(60)
    ]
    assert views.PEOPLE_PAGE_SIZE == 50
    assert listed("/organization/people/") == everyone[:50]
    assert "Page 1 of 2" in admin.get("/organization/people/").content.decode()
    assert listed("/organization/people/?page=2") == everyone[50:]
    page = admin.get("/organization/people/?q=temp07").content.decode()
    assert re.findall(r'<a href="/organization/people/\d+/">([^<]+)</a>', page) == ["temp07@acme.test"]
    assert "1,000.00\xa0EUR (from a role)" in page
    SpendingLimit.objects.create(company=company, user=User.objects.get(email="temp07@acme.test"), amount=5)
    assert "5.00\xa0EUR (own)" in admin.get("/organization/people/?q=TEMP07").content.decode()
    assert listed("/organization/people/?q=Rita+requester") == ["requester@acme.test"]
    assert "Nobody matches this search." in admin.get("/organization/people/?q=nobody").content.decode()


def test_a_person_s_email_address_is_changed_unless_someone_else_has_it(acme) -> None:
    admin = signed_in("admin@acme.test")
    requester = User.objects.get(email="requester@acme.test")
    profile = UserProfile.objects.prefetch_related("roles").get(user=requester)
    data = person_data(
        email="ap@ACME.test",
        first_name="Rita",
        last_name="Requester",
        roles=sorted(profile.role_codes()),
        manager=profile.manager_id,
        limit_amount="",
    )
    taken = admin.post(f"/organization/people/{requester.pk}/", data)
    assert "Someone already signs in with ap@acme.test." in taken.content.decode()
    response = admin.post(
        f"/organization/people/{requester.pk}/", {**data, "email": " Rita.Married@Acme.test "}
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert (requester.email, requester.username) == ("rita.married@acme.test", "rita.married@acme.test")
    assert Client().login(email="rita.married@acme.test", password="demo") is True


def test_restricted_categories_are_added_changed_and_lifted(acme) -> None:
    from openprocure.buyer.organization.models import RestrictedCategory

    admin = signed_in("admin@acme.test")
    before = RestrictedCategory.objects.count()
    response = admin.post(
        "/organization/restricted-categories/new/",
        {"unspsc_prefix": " 4321 ", "role": Role.PROCUREMENT_ADMIN, "note": "Computers"},
    )
    assert (response.status_code, response["Location"]) == (302, "/organization/#restricted")
    created = RestrictedCategory.objects.get(unspsc_prefix="4321", role=Role.PROCUREMENT_ADMIN)
    assert (created.role, created.note, created.company.name) == (
        "procurement_admin",
        "Computers",
        "Acme Industries",
    )
    page = admin.get("/organization/").content.decode()
    assert "Restricted category saved." in page
    assert f'href="/organization/restricted-categories/{created.pk}/">4321</a>' in page
    bad = admin.post(
        "/organization/restricted-categories/new/", {"unspsc_prefix": "4A", "role": Role.APPROVER}
    )
    assert "Enter 2 to 8 digits of a UNSPSC code, such as 43 or 4321." in bad.content.decode()
    twice = admin.post(
        "/organization/restricted-categories/new/", {"unspsc_prefix": "4321", "role": Role.PROCUREMENT_ADMIN}
    )
    assert "UNSPSC 4321 is already restricted to this role." in twice.content.decode()
    assert RestrictedCategory.objects.count() == before + 1
    requester = signed_in("requester@acme.test")
    assert requester.post(f"/organization/restricted-categories/{created.pk}/delete/").status_code == 403
    lifted = admin.post(f"/organization/restricted-categories/{created.pk}/delete/", follow=True)
    assert "UNSPSC 4321 is no longer restricted to Procurement administrator." in lifted.content.decode()
    assert RestrictedCategory.objects.filter(pk=created.pk).count() == 0
    # Adding and lifting a restriction (a policy on who may buy what) are on the record, refusals not.
    events = AdminEvent.objects.filter(subject_type="organization.restrictedcategory").order_by("id")
    assert list(events.values_list("kind", "subject_id", "actor__email")) == [
        ("created", created.pk, "admin@acme.test"),
        ("deleted", created.pk, "admin@acme.test"),
    ]
    assert sorted(events[0].detail["fields"]) == ["note", "role", "unspsc_prefix"]


def test_legal_entities_are_added_and_changed(acme) -> None:
    from openprocure.buyer.organization.models import LegalEntity

    admin = signed_in("admin@acme.test")
    response = admin.post(
        "/organization/legal-entities/new/",
        {
            "name": " Acme  Deutschland GmbH ",
            "registration_number": "HRB 1234",
            "vat_number": "DE123456789",
            "currency": "eur",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/organization/")
    entity = LegalEntity.objects.get(name="Acme Deutschland GmbH")
    assert (entity.registration_number, entity.vat_number, entity.currency, entity.company.name) == (
        "HRB 1234",
        "DE123456789",
        "EUR",
        "Acme Industries",
    )
    assert "Legal entity Acme Deutschland GmbH saved." in admin.get("/organization/").content.decode()
    twice = admin.post(
        f"/organization/legal-entities/{entity.pk}/",
        {"name": "acme industries sas", "currency": "euro"},
    ).content.decode()
    assert "Another legal entity is already called acme industries sas." in twice
    assert (
        "EURO is not an ISO 4217 currency code: write it as three letters such as EUR, USD or JPY." in twice
    )
    assert signed_in("requester@acme.test").get("/organization/legal-entities/new/").status_code == 403
    assert LegalEntity.objects.filter(name__iexact="acme industries sas").count() == 1


def test_a_spending_limit_has_as_many_decimals_as_its_currency_and_no_more(acme) -> None:
    admin = signed_in("admin@acme.test")
    kwd = admin.post("/organization/people/new/", person_data(limit_amount="1000.125", limit_currency="kwd"))
    assert kwd.status_code == 302
    assert spending_limit_for(user=User.objects.get(email="new.buyer@acme.test")) == (
        Decimal("1000.125"),
        "KWD",
    )

    euro = admin.post(
        "/organization/people/new/",
        person_data(email="other@acme.test", limit_amount="1000.125", limit_currency="EUR"),
    )
    assert euro.status_code == 200
    assert euro.context["form"].errors == {
        "limit_amount": ["1000.125 has too many decimals: EUR amounts have at most 2 decimal places."]
    }
    # No currency typed: the company's (EUR) counts.
    default = admin.post(
        "/organization/people/new/",
        person_data(email="other@acme.test", limit_amount="10.125", limit_currency=""),
    )
    assert default.context["form"].errors == {
        "limit_amount": ["10.125 has too many decimals: EUR amounts have at most 2 decimal places."]
    }
    assert User.objects.filter(email="other@acme.test").count() == 0
    # Trailing zeros are not decimals that count.
    zeros = admin.post(
        "/organization/people/new/",
        person_data(email="other@acme.test", limit_amount="250.000", limit_currency="EUR"),
    )
    assert zeros.status_code == 302
    assert spending_limit_for(user=User.objects.get(email="other@acme.test")) == (Decimal("250"), "EUR")

    role_kwd = admin.post(
        "/organization/people/role-limits/", {"role": Role.AP_CLERK, "amount": "7.125", "currency": "KWD"}
    )
    assert role_kwd.status_code == 302
    assert SpendingLimit.objects.get(role=Role.AP_CLERK).money == (Decimal("7.125"), "KWD")
    yen = role_limit_page(admin, Role.AP_CLERK, "5000.5", "JPY")
    assert "5000.5 has too many decimals: JPY amounts have at most 0 decimal places." in yen
    assert SpendingLimit.objects.get(role=Role.AP_CLERK).money == (Decimal("7.125"), "KWD")
