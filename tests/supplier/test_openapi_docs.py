"""The committed OpenAPI description of the storefront API (docs/openapi-supplier.json) is what the code serves.

When this fails, the API changed: run ``.venv/bin/python scripts/export_openapi.py`` and commit the
regenerated file (and update docs/api.md if an endpoint was added or removed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from openprocure.supplier.api import api

pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi-supplier.json"


def committed() -> Any:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_committed_schema_is_what_the_code_generates() -> None:
    assert committed() == json.loads(json.dumps(api.get_openapi_schema(), default=str))


def test_committed_schema_is_what_the_site_serves(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content) == committed()


def test_docs_page_answers(client: Client) -> None:
    assert client.get("/api/docs").status_code == 200


def test_every_endpoint_is_in_the_api_guide() -> None:
    guide = (COMMITTED.parent / "api.md").read_text(encoding="utf-8")
    for path, operations in committed()["paths"].items():
        for method in operations:
            assert f"`{method.upper()} {path}`" in guide, f"{method.upper()} {path} is not in docs/api.md"


def test_every_order_code_is_in_the_supplier_guide() -> None:
    from openprocure.supplier.orders.codes import CODES

    guide = (COMMITTED.parent / "supplier-admin.md").read_text(encoding="utf-8")
    for entry in CODES:
        assert f"| `{entry.code}` |" in guide, f"{entry.code} is not in docs/supplier-admin.md"
