"""The storefront's Content-Security-Policy: no inline script runs but the cart's auto-post (with the
response's nonce); nobody frames the storefront except the procurement system of a PunchOut
session's business; the cart return page may post only to the session's return address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.supplier.worlds import HOOK, callup, open_session

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src"


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_an_ordinary_page_may_run_only_our_scripts_and_be_framed_by_nobody(client):
    response = client.get("/accounts/login/")
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert (policy["frame-ancestors"], policy["object-src"], policy["base-uri"], policy["form-action"]) == (
        "'none'",
        "'none'",
        "'none'",
        "'self'",
    )
    assert response["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_a_punchout_page_may_be_framed_by_the_business_procurement_system_only(client, acme, products):
    prefix = open_session(client)
    page = client.get(prefix + "cart/")
    assert page.status_code == 200
    # acme's allowed return address is https://buyer.example/punchout/
    assert directives(page)["frame-ancestors"] == "https://buyer.example"
    assert "X-Frame-Options" not in page
    # Outside the session, the same browser gets the ordinary policy.
    assert directives(client.get("/"))["frame-ancestors"] == "'none'"


def test_an_ended_or_unknown_session_page_is_framed_by_its_business_or_nobody(client, acme, products):
    unknown = client.get("/po/" + "x" * 43 + "/cart/")
    assert (unknown.status_code, directives(unknown)["frame-ancestors"], unknown["X-Frame-Options"]) == (
        410,
        "'none'",
        "DENY",
    )
    prefix = open_session(client)
    client.post(prefix + "cart/cancel/")
    ended = client.get(prefix + "cart/")
    assert (ended.status_code, directives(ended)["frame-ancestors"]) == (410, "https://buyer.example")


def test_the_cart_return_page_runs_its_auto_post_with_the_nonce_and_posts_only_home(client, acme, products):
    prefix = open_session(client)
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    response = client.post(prefix + "cart/submit/")
    policy = directives(response)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"])[1]
    page = response.content.decode()
    assert f'<script nonce="{nonce}">HTMLFormElement.prototype.submit.call(' in page
    assert page.count("<script") == 1
    assert policy["form-action"] == "'self' https://buyer.example"
    # A fresh nonce per response.
    other = client.post(open_session(client) + "cart/cancel/")
    assert directives(other)["script-src"] != policy["script-src"]


def test_the_oci_return_page_carries_the_nonce_and_posts_to_the_hook_url(client, integration, products):
    response = client.post("/oci/", callup(integration, email="buyer@acme.test"))
    assert response.status_code == 302
    prefix = re.match(r"^(/po/[^/]+/)", response.url)[1]
    client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "1"})
    page = client.post(prefix + "cart/submit/")
    policy = directives(page)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"])[1]
    assert f'<script nonce="{nonce}">' in page.content.decode(page.charset)
    origin = re.match(r"^https?://[^/]+", HOOK)[0]
    assert policy["form-action"] == f"'self' {origin}"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"<script(?![^>]*\b(?:src|nonce)=)", text):
            offenders.append(str(template.relative_to(SRC)))
    assert offenders == []
