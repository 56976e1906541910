"""The forms people fill in on "Manage your business" (an invitation, a payment method, an address):
a refusal shows the page again with the errors beside the fields and what was typed, the other
forms empty; an address with an invitation still open is not invited a second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone

from openprocure.supplier.business.models import Invitation, PaymentMethod, ShippingAddress
from tests.supplier.worlds import make_business, make_member

pytestmark = pytest.mark.django_db


def _bound(response) -> dict[str, bool]:
    return {name: response.context[name].is_bound for name in ("invite_form", "payment_form", "address_form")}


def test_a_wrong_invitation_address_is_said_beside_it_and_kept(client, django_capture_on_commit_callbacks):
    _business, admin = make_business()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("business-invite"), {"email": "nina@acme", "role": "technical_administrator"}
        )
    assert response.status_code == 200
    assert response.context["invite_form"].errors == {"email": ["Give a valid e-mail address."]}
    assert _bound(response) == {"invite_form": True, "payment_form": False, "address_form": False}
    page = response.content.decode()
    assert 'name="email" value="nina@acme"' in page
    assert '<span class="error">Give a valid e-mail address.</span>' in page
    assert '<option value="technical_administrator" selected>' in page
    assert (Invitation.objects.count(), mail.outbox) == (0, [])


def test_an_address_invited_already_is_refused_until_its_invitation_expires(
    client, django_capture_on_commit_callbacks
):
    business, admin = make_business()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("business-invite"), {"email": "nina@acme.test", "role": "punchout_user"})
    assert sent.url == reverse("business-manage")
    first = Invitation.objects.get()
    until = formats.date_format(timezone.localtime(first.expires_at))

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("business-invite"), {"email": "Nina@ACME.test", "role": "punchout_user"})
    assert again.status_code == 200
    assert again.context["invite_form"].errors == {
        "email": [
            f"nina@acme.test was already invited: the link in that e-mail can be used until {until}. "
            "A new invitation can be sent once it has expired."
        ]
    }
    assert 'name="email" value="Nina@ACME.test"' in again.content.decode()
    assert list(Invitation.objects.values_list("pk", flat=True)) == [first.pk]
    assert [message.to for message in mail.outbox] == [["nina@acme.test"]]

    # Expired: a new invitation goes out.
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        renewed = client.post(
            reverse("business-invite"), {"email": "nina@acme.test", "role": "punchout_user"}
        )
    assert renewed.url == reverse("business-manage")
    assert Invitation.objects.filter(business=business, email="nina@acme.test").count() == 2
    assert [message.to for message in mail.outbox] == [["nina@acme.test"], ["nina@acme.test"]]


def test_a_refused_payment_method_is_said_above_its_form_and_what_was_typed_is_kept(client):
    _business, admin = make_business()
    client.force_login(admin)
    response = client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "42", "card_expiry": "12/29"},
    )
    assert response.status_code == 200
    assert response.context["payment_form"].non_field_errors() == [
        "Give the card brand, its last four digits and its expiry (MM/YY)."
    ]
    assert _bound(response) == {"invite_form": False, "payment_form": True, "address_form": False}
    page = response.content.decode()
    assert (
        '<div class="error" role="alert">Give the card brand, its last four digits and its expiry (MM/YY).</div>'
        in page
    )
    assert 'name="card_brand" value="Visa"' in page
    assert 'name="card_last4" value="42"' in page
    assert 'name="card_expiry" value="12/29"' in page
    assert PaymentMethod.objects.count() == 0

    terms = client.post(reverse("business-add-payment"), {"kind": "invoice", "invoice_terms": " "})
    assert terms.context["payment_form"].non_field_errors() == [
        "Give the invoice terms (e.g. 30 days end of month)."
    ]
    assert '<option value="invoice" selected>' in terms.content.decode()
    assert PaymentMethod.objects.count() == 0


def test_an_incomplete_address_shows_each_error_beside_its_field_and_keeps_the_rest(client):
    _business, admin = make_business()
    client.force_login(admin)
    response = client.post(
        reverse("business-add-address"),
        {"name": "Dock 7", "street": "12 Quay Road", "postal_code": "", "city": "", "country": "FRA"},
    )
    assert response.status_code == 200
    assert response.context["address_form"].errors == {
        "postal_code": ["This field is required."],
        "city": ["This field is required."],
        "country": ["FRA is not an ISO 3166 country code: write it as two letters such as FR, DE or US."],
    }
    assert _bound(response) == {"invite_form": False, "payment_form": False, "address_form": True}
    page = response.content.decode()
    assert 'name="name" value="Dock 7"' in page
    assert 'name="street" value="12 Quay Road"' in page
    assert 'name="country" value="FRA"' in page
    assert ShippingAddress.objects.count() == 0

    added = client.post(
        reverse("business-add-address"),
        {"name": "Dock 7", "street": "12 Quay Road", "postal_code": "69001", "city": "Lyon", "country": "fr"},
        follow=True,
    )
    assert added.redirect_chain == [(reverse("business-manage"), 302)]
    assert [str(m) for m in added.context["messages"]] == ["Shipping address added."]
    assert list(ShippingAddress.objects.values_list("name", "postal_code", "city", "country")) == [
        ("Dock 7", "69001", "Lyon", "FR")
    ]


def test_only_the_administrator_posts_these_forms_even_with_errors(client):
    business, _admin = make_business()
    client.force_login(make_member(business, "tech@acme.test", is_technical_administrator=True))
    assert client.post(reverse("business-invite"), {"email": "x"}).status_code == 403
    assert client.post(reverse("business-add-payment"), {"kind": "invoice"}).status_code == 403
    assert client.post(reverse("business-add-address"), {"name": "Dock"}).status_code == 403
    assert (Invitation.objects.count(), PaymentMethod.objects.count(), ShippingAddress.objects.count()) == (
        0,
        0,
        0,
    )
