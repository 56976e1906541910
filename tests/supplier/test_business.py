"""Business accounts through HTTP: registration, review, users, PunchOut, settings, payment, addresses."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from openprocure.core.choices import AdminEventKind
from openprocure.core.models import AdminEvent, User
from openprocure.core.status import IllegalTransition, set_status
from openprocure.supplier.business import services
from openprocure.supplier.business.choices import (
    INTEGRATION_TRANSITIONS,
    IntegrationStatus,
    VerificationStatus,
)
from openprocure.supplier.business.credentials import check_secret, token_hash
from openprocure.supplier.business.models import (
    Business,
    Integration,
    Invitation,
    Membership,
    PaymentMethod,
    SettingsChange,
    ShippingAddress,
)
from tests.supplier.worlds import PASSWORD, make_business, make_integration, make_member, make_operator

pytestmark = pytest.mark.django_db


# -- factories shared with the PunchOut tests ------------------------------------------------------


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Initech",
        "street": "4 Main Street",
        "postal_code": "69001",
        "city": "Lyon",
        "country": "fr",
        "tax_number": "FR40 303 265 045",
        "first_name": "Bill",
        "last_name": "Lumbergh",
        "email": "bill@initech.test",
        "password": PASSWORD,
    }
    return data | overrides


# -- registration and review -----------------------------------------------------------------------
def test_registration_with_a_known_domain_is_verified_at_once(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BUSINESS_VERIFIED_DOMAINS = ["initech.test"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("business-register"), registration())
    assert response.status_code == 200
    business = Business.objects.get()
    assert (business.name, business.country, business.tax_number, business.status) == (
        "Initech",
        "FR",
        "FR40303265045",
        VerificationStatus.VERIFIED,
    )
    membership = Membership.objects.get(business=business)
    assert (membership.user.email, membership.is_administrator, membership.linked) == (
        "bill@initech.test",
        True,
        False,
    )
    assert [m.to for m in mail.outbox] == [["bill@initech.test"]]
    assert mail.outbox[0].subject == "Your business account Initech is verified"
    assert "Your business is verified" in response.content.decode()


def test_registration_with_an_unknown_domain_waits_for_review(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BUSINESS_VERIFIED_DOMAINS = []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("business-register"), registration(tax_number="732829320"))
    business = Business.objects.get()
    assert (business.status, business.tax_number) == (VerificationStatus.PENDING, "732829320")
    assert mail.outbox[0].subject == "We are reviewing your business account Initech"


@pytest.mark.parametrize(
    "tax_number",
    ["732829321", "73282932000001", "FR00303265045", "hello"],
    ids=["bad-siren", "bad-siret", "bad-vat", "text"],
)
def test_registration_refuses_an_invalid_vat_or_siren(client, tax_number):
    response = client.post(reverse("business-register"), registration(tax_number=tax_number))
    assert response.status_code == 200
    assert "is neither a valid SIREN" in response.content.decode()
    assert Business.objects.count() == 0
    assert User.objects.count() == 0


def test_registration_takes_a_siret(client):
    client.post(reverse("business-register"), registration(tax_number="732 829 320 00009"))
    assert Business.objects.get().tax_number == "73282932000009"


def test_operator_approves_and_refuses_from_the_review_queue(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BUSINESS_VERIFIED_DOMAINS = []
    services.register_business(**registration())
    services.register_business(**registration(name="Globochem", email="boss@globochem.test"))
    initech, globochem = Business.objects.get(name="Initech"), Business.objects.get(name="Globochem")
    client.force_login(make_operator())
    page = client.get(reverse("business-review")).content.decode()
    assert "Initech" in page and "Globochem" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("business-approve", args=[initech.pk]))
        client.post(
            reverse("business-refuse", args=[globochem.pk]), {"reason": "SIREN belongs to another company"}
        )
    initech.refresh_from_db()
    globochem.refresh_from_db()
    assert initech.status == VerificationStatus.VERIFIED
    assert (globochem.status, globochem.refusal_reason) == (
        VerificationStatus.REFUSED,
        "SIREN belongs to another company",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["bill@initech.test"], "Your business account Initech is verified"),
        (["boss@globochem.test"], "Your business account Globochem was not approved"),
    ]
    assert "Reason: SIREN belongs to another company" in mail.outbox[1].body
    # A decision is final: approving the refused business is refused.
    client.post(reverse("business-approve", args=[globochem.pk]))
    globochem.refresh_from_db()
    assert globochem.status == VerificationStatus.REFUSED


def test_the_review_e_mails_speak_the_administrators_language_not_the_operators(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BUSINESS_VERIFIED_DOMAINS = []
    services.register_business(**registration())
    services.register_business(**registration(name="Globochem", email="boss@globochem.test"))
    User.objects.filter(email__in=["bill@initech.test", "boss@globochem.test"]).update(
        preferred_language="fr"
    )
    initech, globochem = Business.objects.get(name="Initech"), Business.objects.get(name="Globochem")
    client.force_login(make_operator())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("business-approve", args=[initech.pk]), HTTP_ACCEPT_LANGUAGE="en")
        client.post(
            reverse("business-refuse", args=[globochem.pk]),
            {"reason": "SIREN d'une autre société"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["bill@initech.test"], "Votre compte professionnel Initech est vérifié"),
        (["boss@globochem.test"], "Votre compte professionnel Globochem n'a pas été approuvé"),
    ]


def test_a_business_administrator_cannot_use_the_review_queue(client, settings):
    settings.BUSINESS_VERIFIED_DOMAINS = []
    pending = services.register_business(**registration())
    _business, admin = make_business()
    client.force_login(admin)
    assert client.get(reverse("business-review")).status_code == 403
    assert client.post(reverse("business-approve", args=[pending.pk])).status_code == 403
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING


# -- users -----------------------------------------------------------------------------------------
def _invite(client, admin, email="new.person@acme.test", role="punchout_user", capture=None) -> str:
    client.force_login(admin)
    with capture(execute=True):
        client.post(reverse("business-invite"), {"email": email, "role": role})
    body = mail.outbox[-1].body
    link = next(word for word in body.split() if "/business/invitation/" in word)
    return link.removeprefix("http://127.0.0.1:8100")


def test_administrator_changes_roles_and_a_wrong_invitation_address_is_said(client):
    business, admin = make_business()
    buyer = Membership.objects.get(user=make_member(business, "buyer@acme.test"))
    client.force_login(admin)
    response = client.post(
        reverse("business-roles"),
        {"membership_id": buyer.pk, "punchout_user": "on", "technical_administrator": "on"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Roles updated."]
    buyer.refresh_from_db()
    # A technical administrator cannot buy, whatever was ticked.
    assert (buyer.is_technical_administrator, buyer.is_punchout_user) == (True, False)

    response = client.post(reverse("business-invite"), {"email": "not an address", "role": "punchout_user"})
    assert response.status_code == 200
    assert response.context["invite_form"].errors == {"email": ["Give a valid e-mail address."]}
    assert not Invitation.objects.filter(business=business).exists()


def test_a_role_change_is_recorded_and_a_member_of_another_business_is_refused_in_a_message(client):
    business, admin = make_business()
    buyer = Membership.objects.get(user=make_member(business, "buyer@acme.test"))
    other, _admin = make_business(name="Globex", admin_email="admin@globex.test")
    stranger = Membership.objects.get(user=make_member(other, "buyer@globex.test"))
    client.force_login(admin)
    response = client.post(
        reverse("business-roles"), {"membership_id": buyer.pk, "technical_administrator": "on"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Roles updated."]
    event = AdminEvent.objects.get()
    assert (event.kind, event.actor, event.detail) == (
        AdminEventKind.CHANGED,
        admin,
        {
            "fields": ["is_technical_administrator", "is_punchout_user"],
            "old": {"is_technical_administrator": False, "is_punchout_user": True},
            "new": {"is_technical_administrator": True, "is_punchout_user": False},
        },
    )
    assert (event.subject_type, event.subject_id) == ("business.membership", buyer.pk)

    for posted in ({"membership_id": stranger.pk, "punchout_user": "on"}, {"membership_id": 999999}):
        response = client.post(reverse("business-roles"), posted, follow=True)
        assert response.redirect_chain == [(reverse("business-manage"), 302)]
        assert [str(m) for m in response.context["messages"]] == [
            "This person is not a member of your business."
        ]
    response = client.post(reverse("business-roles"), {"membership_id": "abc"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Choose a member of your business whose roles change."
    ]
    stranger.refresh_from_db()
    assert (stranger.is_technical_administrator, stranger.is_punchout_user) == (False, True)
    assert AdminEvent.objects.count() == 1


def test_invitation_creates_a_linked_account_once(client, django_capture_on_commit_callbacks):
    business, admin = make_business()
    path = _invite(client, admin, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    assert mail.outbox[-1].to == ["new.person@acme.test"]
    client.logout()
    response = client.post(path, {"first_name": "Nina", "last_name": "New", "password": PASSWORD})
    assert response.status_code == 200
    membership = Membership.objects.get(user__email="new.person@acme.test")
    assert (
        membership.business,
        membership.linked,
        membership.is_punchout_user,
        membership.is_administrator,
    ) == (
        business,
        True,
        True,
        False,
    )
    again = client.post(path, {"first_name": "Eve", "last_name": "Replay", "password": PASSWORD})
    assert again.status_code == 410
    assert User.objects.filter(first_name="Eve").count() == 0


def test_an_expired_invitation_is_refused(client, django_capture_on_commit_callbacks):
    _business, admin = make_business()
    path = _invite(client, admin, capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.logout()
    response = client.post(path, {"first_name": "Nina", "last_name": "New", "password": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@acme.test").exists()


def test_a_linked_account_signing_in_directly_gets_the_explanation(
    client, django_capture_on_commit_callbacks
):
    _business, admin = make_business()
    path = _invite(client, admin, capture=django_capture_on_commit_callbacks)
    client.logout()
    client.post(path, {"first_name": "Nina", "last_name": "New", "password": PASSWORD})
    response = client.post(
        reverse("login"), {"username": "new.person@acme.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1] == (reverse("business-punchout-only"), 302)
    assert response.status_code == 403
    assert "it can only be used through PunchOut" in response.content.decode()
    # Nor can it reach "Manage your business" or the storefront home page.
    assert client.get(reverse("business-manage")).url == reverse("business-punchout-only")
    assert client.get(reverse("home")).url == reverse("business-punchout-only")


def test_an_administrator_cannot_invite_into_another_business(client, django_capture_on_commit_callbacks):
    _acme, acme_admin = make_business()
    globex, _globex_admin = make_business("Globex", "admin@globex.test")
    with pytest.raises(services.PermissionDenied):
        services.invite_user(business=globex, by=acme_admin, email="spy@acme.test")
    assert Invitation.objects.count() == 0


# -- PunchOut --------------------------------------------------------------------------------------
def test_adding_punchout_asks_to_confirm_and_shows_the_secrets_once(client):
    _business, admin = make_business()
    client.force_login(admin)
    page = client.get(reverse("business-add-punchout")).content.decode()
    assert "Adding PunchOut cannot be undone." in page
    data = {
        "buyer_identity": "ACME",
        "buyer_domain": "NetworkId",
        "allowed_return_urls": "https://buyer.example/punchout/\nSAPEVENT:POST",
        "cart_encoding": "cxml-base64",
    }
    client.post(reverse("business-add-punchout"), data)
    assert not Integration.objects.exists()
    response = client.post(reverse("business-add-punchout"), data | {"confirm": "on"})
    integration = Integration.objects.get()
    secret = response.context["created"].shared_secret
    password = response.context["created"].oci_password
    assert (integration.status, integration.buyer_identity, integration.buyer_domain_key) == (
        IntegrationStatus.TEST,
        "ACME",
        "networkid",
    )
    assert integration.allowed_return_urls == ["https://buyer.example/punchout/", "SAPEVENT:POST"]
    assert integration.cart_encoding == "cxml-base64"
    assert check_secret(secret, integration.shared_secret_hash)
    assert check_secret(password, integration.oci_password_hash)
    assert secret not in integration.shared_secret_hash
    assert not check_secret("wrong", integration.shared_secret_hash)
    assert secret in response.content.decode()
    manage = client.get(reverse("business-manage")).content.decode()
    assert secret not in manage and password not in manage
    assert "<code>http://127.0.0.1:8100/cxml/</code>" in manage
    assert "<code>http://127.0.0.1:8100/oci/</code>" in manage
    assert "Unit-price tolerance (%)" in manage and "10.00" in manage
    assert f'<a href="{reverse("orders-api-keys")}">API keys</a>' in manage
    # Adding it again does nothing.
    client.post(reverse("business-add-punchout"), data | {"confirm": "on", "buyer_identity": "OTHER"})
    assert Integration.objects.get().buyer_identity == "ACME"


def test_punchout_needs_a_verified_business(client, settings):
    settings.BUSINESS_VERIFIED_DOMAINS = []
    business = services.register_business(**registration())
    admin = business.memberships.get().user
    with pytest.raises(services.PermissionDenied):
        services.add_punchout(business=business, by=admin, buyer_identity="INITECH")
    assert not Integration.objects.exists()


def test_switch_to_active_is_confirmed_and_irreversible(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    client.force_login(admin)
    client.post(reverse("business-add-payment"), {"kind": "invoice", "invoice_terms": "30 days"})
    assert "This switch cannot be undone." in client.get(reverse("business-activate")).content.decode()
    client.post(reverse("business-activate"), {})
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.TEST
    client.post(reverse("business-activate"), {"confirm": "on"})
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.ACTIVE
    activated_at = integration.activated_at
    with pytest.raises(IllegalTransition) as refused:
        set_status(integration, IntegrationStatus.TEST, table=INTEGRATION_TRANSITIONS)
    assert integration.status == IntegrationStatus.ACTIVE
    with pytest.raises(IllegalTransition) as refused:
        services.activate_integration(integration_id=integration.pk, by=admin)
    assert (
        str(refused.value)
        == "The integration is Active and cannot go to Active: this switch is irreversible."
    )
    integration.refresh_from_db()
    assert (integration.status, integration.activated_at) == (IntegrationStatus.ACTIVE, activated_at)


def test_a_punchout_user_cannot_activate(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    client.force_login(make_member(business, "buyer@acme.test"))
    assert client.post(reverse("business-activate"), {"confirm": "on"}).status_code == 403
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.TEST


def test_only_an_operator_changes_settings_and_the_change_is_recorded(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    url = reverse("business-integration-settings", args=[integration.pk])
    client.force_login(admin)
    assert (
        client.post(url, {"field": "unit_price_tolerance_percent", "value": "50", "reason": "me"}).status_code
        == 403
    )
    integration.refresh_from_db()
    assert integration.unit_price_tolerance_percent == Decimal("10.00")
    operator = make_operator()
    client.force_login(operator)
    assert f'href="{url}">Acme Industries</a>' in client.get(reverse("business-review")).content.decode()
    client.post(url, {"field": "unit_price_tolerance_percent", "value": "5", "reason": "Ticket 42 from Ada"})
    client.post(url, {"field": "max_delivery_days", "value": "3", "reason": "Ticket 43"})
    client.post(url, {"field": "quantity_action", "value": "reject_order", "reason": ""})
    integration.refresh_from_db()
    assert (
        integration.unit_price_tolerance_percent,
        integration.max_delivery_days,
        integration.quantity_action,
    ) == (
        Decimal("5.00"),
        3,
        "ship_available",
    )
    changes = list(
        SettingsChange.objects.order_by("id").values_list(
            "field", "old_value", "new_value", "changed_by", "reason"
        )
    )
    assert changes == [
        ("unit_price_tolerance_percent", "10.00", "5", operator.pk, "Ticket 42 from Ada"),
        ("max_delivery_days", "", "3", operator.pk, "Ticket 43"),
    ]


def test_the_settings_changes_are_paged_on_manage_your_business_and_on_the_operators_page(client):
    business, admin = make_business()
    integration = make_integration(business, admin)
    operator = make_operator()
    start = timezone.now() - timedelta(days=1)
    SettingsChange.objects.bulk_create(
        SettingsChange(
            integration=integration,
            field="max_delivery_days",
            old_value=str(number),
            new_value=str(number + 1),
            changed_by=operator,
            reason=f"Ticket {number}",
            changed_at=start + timedelta(minutes=number),
        )
        for number in range(1, 22)
    )
    client.force_login(admin)
    first = client.get(reverse("business-manage")).content.decode()
    assert [int(n) for n in re.findall(r": Ticket (\d+)\)</li>", first)] == list(range(21, 1, -1))
    assert f'href="{reverse("business-manage")}?changes_page=2" rel="next"' in first
    # Shown again at the address of a refused form, the page's links still lead to its own address.
    refused = client.post(reverse("business-invite"), {"email": "x", "role": "punchout_user"})
    assert refused.request["PATH_INFO"] == reverse("business-invite")
    assert f'href="{reverse("business-manage")}?changes_page=2" rel="next"' in refused.content.decode()
    second = client.get(reverse("business-manage"), {"changes_page": "2"}).content.decode()
    assert [int(n) for n in re.findall(r": Ticket (\d+)\)</li>", second)] == [1]
    # The operator's page of the integration's settings pages them too, fifty a page.
    client.force_login(operator)
    url = reverse("business-integration-settings", args=[integration.pk])
    SettingsChange.objects.bulk_create(
        SettingsChange(
            integration=integration,
            field="max_delivery_days",
            changed_by=operator,
            reason=f"Ticket {number}",
            changed_at=start + timedelta(minutes=number),
        )
        for number in range(22, 52)
    )
    operators = client.get(url).content.decode()
    assert [int(n) for n in re.findall(r": Ticket (\d+)\)</li>", operators)] == list(range(51, 1, -1))
    assert 'href="?changes_page=2" rel="next"' in operators
    last = client.get(url, {"changes_page": "2"}).content.decode()
    assert [int(n) for n in re.findall(r": Ticket (\d+)\)</li>", last)] == [1]


# -- payment and addresses -------------------------------------------------------------------------
def test_first_payment_method_is_default_and_makes_the_administrator_a_punchout_user(client):
    _business, admin = make_business()
    Membership.objects.filter(user=admin).update(is_punchout_user=False)
    client.force_login(admin)
    client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "12", "card_expiry": "12/29"},
    )
    assert PaymentMethod.objects.count() == 0
    assert Membership.objects.get(user=admin).is_punchout_user is False
    client.post(reverse("business-add-payment"), {"kind": "invoice", "invoice_terms": "30 days end of month"})
    client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "4242", "card_expiry": "12/29"},
    )
    methods = list(
        PaymentMethod.objects.order_by("id").values_list("kind", "invoice_terms", "card_last4", "is_default")
    )
    assert methods == [("invoice", "30 days end of month", "", True), ("card", "", "4242", False)]
    assert Membership.objects.get(user=admin).is_punchout_user is True


def test_a_payment_method_or_return_urls_the_form_cannot_take_are_said_naming_the_field(client):
    business, admin = make_business()
    make_integration(business, admin)
    client.force_login(admin)
    card = client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "42424", "card_expiry": "12/29"},
    )
    # The payment form again, the error beside its field and what was typed kept.
    assert card.status_code == 200
    assert card.context["payment_form"].errors == {
        "card_last4": ["Ensure this value has at most 4 characters (it has 5)."]
    }
    assert 'name="card_last4" value="42424"' in card.content.decode()
    kind = client.post(reverse("business-add-payment"), {"kind": "cheque"})
    assert kind.context["payment_form"].errors == {
        "kind": ["Select a valid choice. cheque is not one of the available choices."]
    }
    urls = client.post(reverse("business-return-urls"), {"allowed_return_urls": " "}, follow=True)
    assert [str(m) for m in urls.context["messages"]] == [
        "Allowed return URLs, one prefix per line: This field is required."
    ]
    assert PaymentMethod.objects.count() == 0
    assert Integration.objects.get().allowed_return_urls == ["https://buyer.example/punchout/"]


def test_shipping_address_with_a_preferred_delivery_day(client):
    business, admin = make_business()
    client.force_login(admin)
    client.post(
        reverse("business-add-address"),
        {
            "name": "Warehouse",
            "street": "2 quai",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "fr",
            "preferred_delivery_day": "2",
        },
    )
    address = ShippingAddress.objects.get()
    assert (address.business, address.name, address.country, address.preferred_delivery_day) == (
        business,
        "Warehouse",
        "FR",
        2,
    )
    assert "Wednesday" in client.get(reverse("business-manage")).content.decode()


def test_manage_page_shows_only_the_own_business(client):
    _acme, acme_admin = make_business()
    globex, _globex_admin = make_business("Globex", "admin@globex.test")
    make_member(globex, "secret.buyer@globex.test")
    ShippingAddress.objects.create(
        business=globex, name="Globex HQ", street="x", postal_code="1", city="Cypress Creek", country="US"
    )
    client.force_login(acme_admin)
    page = client.get(reverse("business-manage")).content.decode()
    assert "Acme Industries" in page
    assert "Globex" not in page and "secret.buyer@globex.test" not in page and "Cypress Creek" not in page


def test_administrators_reach_manage_your_business_from_the_navigation(client):
    business, admin = make_business()
    tech = make_member(business, "it@acme.test", is_punchout_user=False, is_technical_administrator=True)
    buyer = make_member(business, "buyer@acme.test")
    outsider = User.objects.create_user("someone@example.test", password=PASSWORD)
    link = f'<a href="{reverse("business-manage")}">Manage your business</a>'
    for person, shown in ((admin, True), (tech, True), (buyer, False), (outsider, False)):
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
        assert (link in nav) is shown, person.email


def test_technical_administrator_sees_credentials_and_documents_but_not_users(client):
    business, admin = make_business()
    make_integration(business, admin)
    tech = make_member(business, "it@acme.test", is_punchout_user=False, is_technical_administrator=True)
    client.force_login(tech)
    page = client.get(reverse("business-manage")).content.decode()
    assert "OCI username" in page and 'id="users"' not in page
    assert client.get(reverse("business-documents")).status_code == 200
    buyer = make_member(business, "buyer@acme.test")
    client.force_login(buyer)
    assert client.get(reverse("business-manage")).status_code == 403
    assert client.get(reverse("business-documents")).status_code == 403
