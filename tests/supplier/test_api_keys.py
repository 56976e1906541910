"""The business administrator's API keys page: a key is shown once, stored hashed, and can be revoked."""

from __future__ import annotations

import hashlib
import re

import pytest

from openprocure.supplier.business.models import Membership
from openprocure.supplier.orders.models import ApiKey
from tests.supplier.worlds import PASSWORD, make_member

pytestmark = pytest.mark.django_db

KEY = re.compile(r"<code>(opk_[A-Za-z0-9_-]{43})</code>")


def api_status(client, key: str) -> int:
    return client.get("/api/orders/", headers={"Authorization": f"Bearer {key}"}).status_code


def test_the_administrator_creates_a_key_shown_once_and_stored_hashed(client, acme):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    page = client.get("/account/api-keys/")
    assert page.status_code == 200
    assert "No keys yet." in page.content.decode()
    response = client.post("/account/api-keys/", {"name": "  SAP Ariba  "})
    assert response.status_code == 200
    shown = KEY.findall(response.content.decode())
    assert len(shown) == 1
    key = shown[0]
    stored = ApiKey.objects.get()
    assert (stored.business_id, stored.name, stored.prefix, stored.created_by.email, stored.revoked_at) == (
        acme.business_id,
        "SAP Ariba",
        key[:10],
        "admin@acme.test",
        None,
    )
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    again = client.get("/account/api-keys/").content.decode()
    assert key not in again
    assert f"<code>{key[:10]}…</code>" in again
    assert api_status(client, key) == 200
    client.logout()
    assert api_status(client, key) == 200  # the key alone authenticates, without a session


def test_a_key_needs_a_name(client, acme):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    response = client.post("/account/api-keys/", {"name": "   "})
    assert response.status_code == 400
    assert "Name the key after the system that uses it." in response.content.decode()
    assert KEY.findall(response.content.decode()) == []
    assert ApiKey.objects.count() == 0


def test_a_name_too_long_is_refused_beside_the_field_and_kept(client, acme):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    response = client.post("/account/api-keys/", {"name": "E" * 101})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 100 characters (it has 101)." in page
    assert f'value="{"E" * 101}"' in page
    assert KEY.findall(page) == []
    assert ApiKey.objects.count() == 0


def test_a_revoked_key_stops_working_at_once(client, acme):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    key = KEY.findall(client.post("/account/api-keys/", {"name": "ERP"}).content.decode())[0]
    stored = ApiKey.objects.get()
    response = client.post(f"/account/api-keys/{stored.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/account/api-keys/", 302)]
    page = response.content.decode()
    assert "The key “ERP” is revoked: calls with it are refused from now on." in page
    assert f'action="/account/api-keys/{stored.pk}/revoke/"' not in page
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert api_status(client, key) == 401


def test_a_technical_administrator_may_manage_keys_a_punchout_user_may_not(client, acme):
    make_member(acme.business, "it@acme.test", is_technical_administrator=True)
    assert client.login(username="it@acme.test", password=PASSWORD)
    assert client.post("/account/api-keys/", {"name": "Coupa"}).status_code == 200
    assert ApiKey.objects.filter(name="Coupa", created_by__email="it@acme.test").count() == 1
    client.logout()
    assert Membership.objects.get(user__email="buyer@acme.test").is_administrator is False
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    assert client.get("/account/api-keys/").status_code == 403
    assert client.post("/account/api-keys/", {"name": "Mine"}).status_code == 403
    key = ApiKey.objects.get()
    assert client.post(f"/account/api-keys/{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.filter(name="Mine").count() == 0
    key.refresh_from_db()
    assert key.revoked_at is None


def test_another_business_cannot_see_nor_revoke_our_keys(client, acme, globex):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    key = KEY.findall(client.post("/account/api-keys/", {"name": "ERP"}).content.decode())[0]
    stored = ApiKey.objects.get()
    client.logout()
    assert client.login(username="admin@globex.test", password=PASSWORD)
    assert "ERP" not in client.get("/account/api-keys/").content.decode()
    assert client.post(f"/account/api-keys/{stored.pk}/revoke/").status_code == 404
    stored.refresh_from_db()
    assert stored.revoked_at is None
    assert api_status(client, key) == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, acme):
    response = client.get("/account/api-keys/")
    assert response.status_code == 302
    assert "next=/account/api-keys/" in response["Location"]
    assert client.post("/account/api-keys/", {"name": "ERP"}).status_code == 302
    assert ApiKey.objects.count() == 0
