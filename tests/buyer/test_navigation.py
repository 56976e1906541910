"""The buyer's menu and home are per role, and no link on them leads to a 403 or a 405;
error pages are the site's own, in the reader's language, with the way back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone
from django.utils.formats import date_format

from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import add_free_text_line, create_requisition, submit_requisition
from openprocure.core.models import User

pytestmark = pytest.mark.django_db

MENUS = {
    "requester@acme.test": [
        ("/", "Home"),
        ("/shop/", "Shop"),
        ("/requisitions/", "My requisitions"),
        ("/recurring/", "My schedules"),
        ("/purchasing/", "Purchase orders"),
        ("/fulfilment/", "Receiving"),
        ("/spend/", "Purchase history"),
    ],
    "approver@acme.test": [
        ("/", "Home"),
        ("/shop/", "Shop"),
        ("/requisitions/", "My requisitions"),
        ("/recurring/", "My schedules"),
        ("/approvals/", "Approvals"),
        ("/purchasing/", "Purchase orders"),
        ("/fulfilment/", "Receiving"),
        ("/spend/", "Purchase history"),
    ],
    "ap@acme.test": [
        ("/", "Home"),
        ("/purchasing/", "Purchase orders"),
        ("/invoicing/", "Invoices"),
        ("/spend/", "Spend"),
    ],
}


def _nav(page: str) -> list[tuple[str, str]]:
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def _links(page: str) -> set[str]:
    """Every same-site address the page links to (not the sign-out form, not anchors)."""
    return {href for href in re.findall(r'<a [^>]*href="(/[^"#]*)"', page) if not href.startswith("/admin/")}


@pytest.fixture
def demo() -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.mark.parametrize("email", sorted(MENUS))
def test_each_role_has_its_own_menu(demo: None, email: str) -> None:
    page = _client(email).get("/").content.decode()
    assert _nav(page) == MENUS[email]


def test_the_administrators_menu_has_setup_and_administration(demo: None) -> None:
    page = _client("admin@acme.test").get("/").content.decode()
    assert [label for _url, label in _nav(page)] == [
        "Home",
        "Shop",
        "My requisitions",
        "Schedules",  # every schedule, for a procurement administrator
        "Approvals",  # a superuser holds every role
        "Purchase orders",
        "Receiving",
        "Invoices",
        "Spend",
        "Suppliers",
        "Organisation",
        "E-invoicing platforms",
        "Hosted catalogs",
        "Operations",
        "Administration",
    ]
    assert "Setup health" in page
    assert "1 active supplier connection" in page
    assert "1 never tested" in page
    assert "0 documents could not be delivered" in page


@pytest.mark.parametrize(
    "email", ["requester@acme.test", "approver@acme.test", "ap@acme.test", "admin@acme.test"]
)
def test_no_link_on_home_or_in_the_menu_leads_to_a_403_or_405(demo: None, email: str) -> None:
    client = _client(email)
    page = client.get("/").content.decode()
    targets = _links(page)
    assert targets  # the menu at least
    for target in sorted(targets):
        answer = client.get(target, follow=True)
        assert answer.status_code == 200, (email, target, answer.status_code)


def test_home_shows_each_person_the_panels_of_their_roles(demo: None) -> None:
    requester = _client("requester@acme.test").get("/").content.decode()
    assert "Your drafts" in requester and "Deliveries to expect" in requester
    assert "approvals waiting for you" not in requester
    assert "invoice exception" not in requester
    assert "Setup health" not in requester
    # "New requisition" is a form posting to the create view (a link there answered 405).
    assert re.search(r'<form method="post" action="/requisitions/new/"', requester)

    clerk = _client("ap@acme.test").get("/").content.decode()
    assert "0 invoice exceptions to work" in clerk
    assert "Your drafts" not in clerk and "Shop at a supplier" not in clerk

    approver = _client("approver@acme.test").get("/").content.decode()
    assert "0 approvals waiting for you" in approver


def test_a_403_is_the_sites_page_with_the_views_reason_and_the_way_home(demo: None) -> None:
    answer = _client("requester@acme.test").get("/invoicing/")
    assert answer.status_code == 403
    page = answer.content.decode()
    assert '<h1 id="error-title">You cannot open this page</h1>' in page
    assert "Invoices are handled by accounts-payable clerks." in page
    assert '<a href="/">Go to the home page</a>' in page
    assert '<nav class="mainnav"' in page and "My requisitions" in page


def test_a_404_in_french_keeps_the_menu(demo: None) -> None:
    client = _client("requester@acme.test")
    client.cookies["openprocure_buyer_language"] = "fr"
    answer = client.get("/nothing-here/")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert '<html lang="fr">' in page
    assert "Page introuvable" in page
    assert "Mes demandes d&#x27;achat" in page


def _boom(request: object) -> None:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), path("", include("openprocure.buyer.urls"))]
handler500 = "openprocure.core.errors.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_apologises_in_the_sites_page() -> None:
    client = Client(raise_request_exception=False)
    answer = client.get("/boom/")
    assert answer.status_code == 500
    page = answer.content.decode()
    assert "Something went wrong on our side" in page
    assert "The error has been logged." in page
    assert '<a href="/">Go to the home page</a>' in page  # the site's own page, not the bare fallback


def _submitted_desks() -> tuple[Requisition, ApprovalAssignment]:
    """The demo requester's requisition for two standing desks (900 EUR: the approver decides), submitted."""
    requester = User.objects.get(email="requester@acme.test")
    requisition = create_requisition(requester=requester, currency="EUR")
    add_free_text_line(
        requisition=requisition,
        actor=requester,
        description="Standing desk",
        quantity=Decimal("2"),
        unit_price=Decimal("450"),
    )
    submit_requisition(requisition, requester)
    return requisition, ApprovalAssignment.objects.get(step__request__requisition=requisition)


def test_the_approval_page_decides_with_buttons_not_a_dropdown(demo: None) -> None:
    requisition, assignment = _submitted_desks()
    approver = _client(assignment.approver.email)
    page = approver.get(f"/approvals/{assignment.pk}/").content.decode()
    assert 'id="id_decision"' not in page
    assert re.findall(r'<button type="submit" name="decision" value="(\w+)"', page) == [
        "approve",
        "return",
        "reject",
    ]
    refused = approver.post(f"/approvals/{assignment.pk}/", {"decision": "reject", "comment": ""})
    assert refused.status_code == 409
    assert [str(m) for m in refused.context["messages"]] == [
        "Say why in a comment, so the requester knows what to change."
    ]
    requisition.refresh_from_db()
    assert requisition.status == "submitted"
    approver.post(f"/approvals/{assignment.pk}/", {"decision": "reject", "comment": "Not this quarter"})
    requisition.refresh_from_db()
    assert requisition.status == "rejected"


def test_a_requisition_says_who_it_waits_for_and_then_why_it_was_rejected(demo: None) -> None:
    requisition, assignment = _submitted_desks()
    mine = _client("requester@acme.test")
    page = mine.get(f"/requisitions/{requisition.pk}/").content.decode()
    waiting = re.search(r'<p id="waiting-for">(.*?)</p>', page, re.S)
    assert waiting is not None
    name = assignment.approver.get_full_name() or assignment.approver.email
    assert (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", waiting.group(1))) == f"Waiting for: {name}, for 0 minutes"
    )

    _client(assignment.approver.email).post(
        f"/approvals/{assignment.pk}/", {"decision": "reject", "comment": "Not this quarter"}
    )
    page = mine.get(f"/requisitions/{requisition.pk}/").content.decode()
    assert 'id="waiting-for"' not in page
    reason = re.search(r'<p class="error wrap" id="decision-reason">(.*?)</p>', page, re.S)
    assert reason is not None
    decided = assignment.decisions.get().created_at
    when = date_format(timezone.localtime(decided), "SHORT_DATETIME_FORMAT")
    assert (
        " ".join(reason.group(1).split())
        == f"Rejected by {assignment.approver} on {when}: “Not this quarter”"
    )
