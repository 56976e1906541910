"""The language each person reads the storefront's e-mail in: stored when they switch the site's
language, taken from a PunchOut request (cXML xml:lang, OCI sap-language) until they choose one."""

from __future__ import annotations

import pytest
from django.core import mail

from openprocure.core import languages
from openprocure.core.choices import LanguageSource
from openprocure.core.models import User
from openprocure.supplier.orders.models import Order
from tests.supplier.worlds import callup, open_session, order_request, punch_out, send

pytestmark = pytest.mark.django_db


def _language(email: str) -> tuple[str, str]:
    return User.objects.values_list("preferred_language", "language_source").get(email=email)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("fr-FR", "fr"),
        ("FR", "fr"),
        ("fr_ca", "fr"),
        (" en-US ", "en"),
        ("F", "fr"),
        ("E", "en"),
        ("de-DE", ""),
        ("D", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_a_language_tag_names_a_site_language_or_none(tag, expected):
    assert languages.site_language(tag) == expected


# -- the person's own choice -----------------------------------------------------------------------
def test_the_language_switch_stores_the_choice_of_the_signed_in_person(client, acme):
    client.force_login(User.objects.get(email="buyer@acme.test"))
    answer = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert (answer.status_code, answer.url) == (302, "/")
    assert answer.cookies["openprocure_supplier_language"].value == "fr"
    assert _language("buyer@acme.test") == ("fr", LanguageSource.PERSON)


def test_a_language_the_site_does_not_ship_is_not_stored(client, acme):
    client.force_login(User.objects.get(email="buyer@acme.test"))
    answer = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert answer.status_code == 302
    assert _language("buyer@acme.test") == ("", "")


def test_the_switch_of_an_anonymous_visitor_stores_nothing(client, acme):
    answer = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert answer.cookies["openprocure_supplier_language"].value == "fr"
    assert list(User.objects.values_list("preferred_language", flat=True).distinct()) == [""]


def test_the_switch_inside_a_punchout_session_is_the_shoppers_choice(client, acme):
    prefix = open_session(client, lang="fr-FR")
    answer = client.post(prefix + "i18n/setlang/", {"language": "en", "next": prefix})
    assert answer.status_code == 302
    assert _language("buyer@acme.test") == ("en", LanguageSource.PERSON)


# -- PunchOut --------------------------------------------------------------------------------------
def test_setup_with_xml_lang_fr_fr_sets_french(client, acme):
    open_session(client, lang="fr-FR")
    assert _language("buyer@acme.test") == ("fr", LanguageSource.PUNCHOUT)


def test_setup_in_a_language_the_site_does_not_ship_changes_nothing(client, acme):
    open_session(client, lang="de-DE")
    assert _language("buyer@acme.test") == ("", "")


def test_punchout_never_overrides_the_persons_choice(client, acme):
    User.objects.filter(email="buyer@acme.test").update(
        preferred_language="en", language_source=LanguageSource.PERSON
    )
    open_session(client, lang="fr-FR")
    assert _language("buyer@acme.test") == ("en", LanguageSource.PERSON)


def test_punchout_never_overrides_a_language_set_by_an_administrator(client, acme):
    User.objects.filter(email="buyer@acme.test").update(preferred_language="en")
    open_session(client, lang="fr-FR")
    assert _language("buyer@acme.test") == ("en", "")


def test_punchout_follows_the_procurement_systems_latest_language(client, acme):
    open_session(client, lang="fr-FR")
    open_session(client, lang="en-GB", cookie="again")
    assert _language("buyer@acme.test") == ("en", LanguageSource.PUNCHOUT)


def test_the_account_made_on_the_first_punchout_takes_the_setup_language(client, acme):
    prefix = open_session(client, email="newcomer@acme.test", lang="fr-FR")
    assert not User.objects.filter(email="newcomer@acme.test").exists()
    client.post(prefix + "welcome/", {"first_name": "New", "last_name": "Comer"})
    assert _language("newcomer@acme.test") == ("fr", LanguageSource.PUNCHOUT)


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        ("sap-language", "FR", ("fr", LanguageSource.PUNCHOUT)),
        ("sap-language", "F", ("fr", LanguageSource.PUNCHOUT)),
        ("~language", "fr", ("fr", LanguageSource.PUNCHOUT)),
        ("sap-language", "DE", ("", "")),
    ],
)
def test_oci_callup_language_sets_the_users_language(
    client, integration, products, parameter, value, expected
):
    response = client.post("/oci/", callup(integration, email="buyer@acme.test", **{parameter: value}))
    assert response.status_code == 302
    assert _language("buyer@acme.test") == expected


# -- the e-mails -----------------------------------------------------------------------------------
def test_after_a_french_setup_the_confirmation_e_mail_is_in_french(
    client, shop, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 3)], lang="fr-FR")
    _payload_id, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, body).code == 200
    order = Order.objects.get()
    [email] = mail.outbox
    assert email.subject == f"Commande {order.number} confirmée (votre bon de commande PO-2026-000001)"
    assert "Total : 18,72\xa0EUR (TTC)" in email.body


def test_the_rejection_e_mail_is_in_the_orderers_language_not_the_requests(
    client, acme, products, django_capture_on_commit_callbacks
):
    User.objects.filter(email="buyer@acme.test").update(
        preferred_language="fr", language_source=LanguageSource.PERSON
    )
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, body)
    assert (answer.code, answer.message[:70]) == (
        402,
        "NO_PAYMENT_METHOD: Acme Industries has no valid default payment method",
    )
    [email] = mail.outbox
    assert email.subject == "Votre bon de commande PO-2026-000001 n'a pas été accepté"
    assert email.body.splitlines()[0] == "Nous n'avons pas pu accepter votre bon de commande PO-2026-000001."
    assert email.body.splitlines()[1] == (
        "Motif (NO_PAYMENT_METHOD) : NO_PAYMENT_METHOD: Acme Industries n'a pas de moyen de paiement par "
        "défaut valable (aucun, ou sa carte a expiré) : la commande ne peut pas être débitée. "
        "L'administrateur de l'entreprise doit ajouter un moyen de paiement (une carte ou des conditions de "
        "facturation) sur la page Gérer votre entreprise ; renvoyez ensuite la commande."
    )
    assert email.body.splitlines()[-1] == (
        "Veuillez contacter le responsable achats de votre entreprise : la commande n'a pas été passée."
    )
