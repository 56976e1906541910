"""The storefront's operator status page names its catalog search backend; support staff may open it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from openprocure.core.models import User
from tests.core.operations_world import URL, rows

pytestmark = pytest.mark.django_db


def test_the_storefront_shows_its_search_backend() -> None:
    client = Client()
    client.force_login(
        User.objects.create_user("support@example.com", password="unused password", is_staff=True)
    )
    response = client.get(URL)
    assert response.status_code == 200
    # FTS5 on SQLite, PostgreSQL full text on PostgreSQL (run-tests runs both).
    expected = {
        "sqlite": "openprocure.supplier.catalog.search_fts5.FTS5SearchBackend",
        "postgresql": "openprocure.supplier.catalog.search_postgres.PostgresSearchBackend",
    }[connection.vendor]
    assert rows(response.content, "backends")[2] == ["Catalog search", expected]


def test_a_business_administrator_is_refused() -> None:
    client = Client()
    client.force_login(User.objects.create_user("admin@business.example", password="unused password"))
    assert client.get(URL).status_code == 403
