"""The buyer suite's Content-Security-Policy: our own scripts only, framed by nobody."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_page_runs_only_our_scripts_and_is_framed_by_nobody(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert (policy["default-src"], policy["script-src"], policy["style-src"]) == (
        "'self'",
        "'self'",
        "'self'",
    )
    assert (policy["frame-ancestors"], policy["object-src"], policy["base-uri"]) == (
        "'none'",
        "'none'",
        "'none'",
    )
    # No form-action: the PunchOut button posts here and is redirected to the supplier's StartPage.
    assert "form-action" not in policy
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    assert '<script src="/static/openprocure/site.js" defer></script>' in page
    assert 'id="language-select" data-autosubmit' in page
