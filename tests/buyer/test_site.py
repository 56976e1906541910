"""The buyer site's skeleton as a person and a partner meet it."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from openprocure.core.models import Document, User
from punchout import cxml

pytestmark = pytest.mark.django_db


def test_landing_page_explains_the_product(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Shop in your suppliers" in page.content.decode()
    assert page.cookies == {} or "openprocure_buyer_session" not in page.cookies


def test_sign_in_uses_the_site_cookie_names(client: Client) -> None:
    User.objects.create_user(email="Rita@Acme.test", password="correct horse battery")
    answer = client.post(
        "/accounts/login/", {"username": "rita@acme.test", "password": "correct horse battery"}
    )
    assert answer.status_code == 302
    assert "openprocure_buyer_session" in answer.cookies
    home = client.get("/").content.decode()
    assert "Welcome, rita@acme.test" in home
    assert "approvals waiting for you" not in home  # no approver role, nothing in the inbox
    assert "No draft requisition." in home
    assert "No purchase order yet." in home


def test_the_navigation_of_a_person_without_roles_leads_to_shopping_and_purchase_orders(
    client: Client,
) -> None:
    client.force_login(User.objects.create_user(email="rita@acme.test", password="correct horse battery"))
    page = client.get("/").content.decode()
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    assert '<a href="/" aria-current="page">Home</a>' in nav
    assert '<a href="/purchasing/">Purchase orders</a>' in nav
    assert "/approvals/" not in nav


def test_wrong_password_gets_a_form_error(client: Client) -> None:
    User.objects.create_user(email="rita@acme.test", password="correct horse battery")
    answer = client.post("/accounts/login/", {"username": "rita@acme.test", "password": "nope"})
    assert answer.status_code == 200
    assert "Please enter a correct e-mail address and password." in answer.content.decode()


def test_language_switch_to_french(client: Client) -> None:
    answer = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert answer.status_code == 302
    assert answer.cookies["openprocure_buyer_language"].value == "fr"
    page = client.get("/")
    assert '<html lang="fr">' in page.content.decode()


def test_health(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "site": "buyer"}


def test_admin_is_there(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 200


def test_mailbox_needs_demo_mode_or_staff(client: Client) -> None:
    user = User.objects.create_user(email="rita@acme.test", password="correct horse battery")
    client.force_login(user)
    assert client.get("/mailbox/").status_code == 404
    with override_settings(DEMO_MODE=True):
        assert client.get("/mailbox/").status_code == 200


def post_cxml(client: Client, body: bytes) -> cxml.CXML:
    answer = client.post("/cxml/", data=body, content_type="text/xml")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/xml; charset=utf-8"
    return cxml.parse(answer.content).document


def test_malformed_document_gets_a_coded_answer_and_is_kept(client: Client) -> None:
    body = b"<cXML><Request><OrderRequest>&broken</Request></cXML>"
    answer = post_cxml(client, body)
    assert answer.status is not None
    assert answer.status.code == 400
    inbound = Document.objects.get(direction="in")
    assert inbound.raw == body.decode()
    assert inbound.status_code == 400
    outbound = Document.objects.get(direction="out")
    assert outbound.in_reply_to_id == inbound.pk


def test_oversized_body_is_refused_before_parsing(client: Client) -> None:
    with override_settings(CXML_MAX_BYTES=100):
        answer = post_cxml(client, b"<cXML>" + b" " * 200 + b"</cXML>")
    assert answer.status is not None
    assert answer.status.code == 413


def test_document_type_not_accepted_here_is_450(client: Client) -> None:
    body = (
        b'<cXML payloadID="x@y" timestamp="2026-11-26T10:00:00+01:00"><Header>'
        b"<From><Credential domain='NetworkId'><Identity>S</Identity></Credential></From>"
        b"<To><Credential domain='NetworkId'><Identity>B</Identity></Credential></To>"
        b"<Sender><Credential domain='NetworkId'><Identity>S</Identity></Credential><UserAgent>t</UserAgent></Sender>"
        b"</Header><Request><PunchOutSetupRequest operation='create'><BuyerCookie>c</BuyerCookie>"
        b"<BrowserFormPost><URL>http://b.test/</URL></BrowserFormPost></PunchOutSetupRequest></Request></cXML>"
    )
    answer = post_cxml(client, body)
    assert answer.status is not None
    assert answer.status.code == 450
    assert "PunchOutSetupRequest is not accepted at this endpoint" in answer.status.message


def test_get_on_the_cxml_endpoint_says_what_it_is(client: Client) -> None:
    answer = client.get("/cxml/")
    assert answer.status_code == 200
    assert answer.content == b"This is a cXML endpoint: POST a cXML document (text/xml) to it.\n"


def test_home_lists_my_drafts_and_nothing_of_others(client: Client) -> None:
    from openprocure.buyer.requisitions.services import create_requisition

    rita = User.objects.create_user(email="rita@acme.test", password="correct horse battery")
    other = User.objects.create_user(email="other@acme.test", password="correct horse battery")
    mine = create_requisition(requester=rita, currency="EUR")
    theirs = create_requisition(requester=other, currency="EUR")
    client.force_login(rita)
    page = client.get("/").content.decode()
    assert f'href="/requisitions/{mine.pk}/">{mine.number}</a> — 0.00\xa0EUR' in page
    assert theirs.number not in page


def test_a_fault_in_a_handler_answers_500_and_keeps_the_document(client: Client) -> None:
    from openprocure.buyer.fulfilment.inbound import HANDLERS

    def broken(inbound: object) -> cxml.CXML:
        raise RuntimeError("boom")

    body = (
        b'<cXML payloadID="crash-1@s" timestamp="2026-11-26T10:00:00+01:00"><Header>'
        b"<From><Credential domain='NetworkId'><Identity>S</Identity></Credential></From>"
        b"<To><Credential domain='NetworkId'><Identity>B</Identity></Credential></To>"
        b"<Sender><Credential domain='NetworkId'><Identity>S</Identity></Credential><UserAgent>t</UserAgent></Sender>"
        b"</Header><Request><ProfileRequest/></Request></cXML>"
    )
    saved = HANDLERS.get("ProfileRequest")
    HANDLERS["ProfileRequest"] = broken
    try:
        answer = post_cxml(client, body)
    finally:
        if saved is None:
            del HANDLERS["ProfileRequest"]
        else:
            HANDLERS["ProfileRequest"] = saved
    assert answer.status is not None
    assert (answer.status.code, answer.status.text) == (500, "Internal Server Error")
    inbound = Document.objects.get(direction="in")
    assert (inbound.payload_id, inbound.status_code, inbound.raw) == ("crash-1@s", 500, body.decode())


def test_language_switch_of_a_signed_in_person_is_stored(client: Client) -> None:
    user = User.objects.create_user(email="rita@acme.test", password="correct horse battery")
    client.force_login(user)
    answer = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert answer.status_code == 302
    user.refresh_from_db()
    assert (user.preferred_language, user.language_source) == ("fr", "person")
