"""The storefront's front door and its cXML endpoint as a partner first meets them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from punchout import cxml
from tests.supplier.catalog_world import make_catalog

pytestmark = pytest.mark.django_db


def test_home_offers_search_and_departments(client: Client) -> None:
    make_catalog()
    page = client.get("/").content.decode()
    assert 'role="search"' in page
    assert 'name="q"' in page
    assert "Shop by department" in page
    assert 'href="/browse/44/"' in page
    assert "Register your business" in page


def test_home_with_an_empty_catalog_says_so(client: Client) -> None:
    assert "The catalog is empty." in client.get("/").content.decode()


def test_profile_request_lists_what_we_accept(client: Client) -> None:
    request = cxml.CXML(
        message=cxml.ProfileRequest(),
        payload_id="profile-1@buyer.test",
        timestamp=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        header=cxml.make_header(
            from_=[cxml.Credential("NetworkId", "ACME")],
            to=[cxml.Credential("NetworkId", "MARKETPLACE")],
            sender=[cxml.Credential("NetworkId", "ACME")],
            user_agent="test",
        ),
    )
    answer = client.post("/cxml/", data=cxml.build(request), content_type="text/xml")
    document = cxml.parse(answer.content).document
    assert document.status is not None and document.status.code == 200
    names = [t.request_name for t in document.message.transactions]  # type: ignore[attr-defined]
    assert names == ["OrderRequest", "ProfileRequest", "PunchOutSetupRequest", "StatusUpdateRequest"]
    assert {t.url for t in document.message.transactions} == {"http://127.0.0.1:8100/cxml/"}  # type: ignore[attr-defined]


def test_health(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "site": "supplier"}
