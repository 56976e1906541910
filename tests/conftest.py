"""Shared test fixtures: where the interop corpus lives, and a skip when it is absent."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openprocure.core import lifecycle
from punchout import netguard

ROOT = Path(__file__).resolve().parent.parent
INTEROP = Path(os.environ.get("OPENPROCURE_INTEROP", ROOT.parent / "shared" / "interop"))


def interop_dir() -> Path:
    """The interop corpus folder; skips the calling test with a clear reason when it is missing."""
    if not INTEROP.is_dir():
        pytest.skip(f"interop corpus not found at {INTEROP} (clone ../shared beside the project)")
    return INTEROP


@pytest.fixture
def interop() -> Path:
    return interop_dir()


@pytest.fixture(autouse=True)
def _a_cache_of_its_own() -> Iterator[None]:
    """Each test of a Django site counts rate limits in a cache of its own.

    The sites' cache is shared by every process using the data folder (so are the test workers):
    without this, one test's requests would use up another's allowance. Tests of the shared cache
    itself run real server processes.
    """
    if "django" not in sys.modules:
        yield
        return
    from django.conf import settings
    from django.test import override_settings

    if not settings.configured:
        yield
        return
    location = f"test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}
    ):
        yield


#: Where the tests' fake partners and servers listen: loopback, refused by a production site.
TEST_PARTNER_NETWORKS = ["127.0.0.0/8", "::1"]


@pytest.fixture(autouse=True)
def _partners_on_loopback() -> Iterator[None]:
    """Partners' URLs may resolve to loopback, where every fake partner of the tests listens.

    A production site refuses them (``punchout.netguard``); the demo allows them as the tests do.
    Tests of the refusal set ``PARTNER_ALLOWED_NETWORKS`` (or pass a policy) themselves.
    """
    if "django" in sys.modules:
        from django.conf import settings
        from django.test import override_settings

        if settings.configured:
            with override_settings(PARTNER_ALLOWED_NETWORKS=TEST_PARTNER_NETWORKS):
                yield
            return
    previous = netguard.configure(netguard.NetworkPolicy.from_entries(TEST_PARTNER_NETWORKS))
    try:
        yield
    finally:
        netguard.configure(previous)


@pytest.fixture(autouse=True)
def _the_sites_language() -> Iterator[None]:
    """Each test starts in the site's default language, as a worker does.

    A request in another language leaves that language active in the thread after the response
    (Django's locale middleware does not put it back), so code run after it outside a request, as
    a task runs, would write its texts in that language.
    """
    if "django" not in sys.modules:
        yield
        return
    from django.conf import settings
    from django.utils import translation

    if not settings.configured:
        yield
        return
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _quick_password_hashing() -> Iterator[None]:
    """Passwords of the test's users are hashed with MD5 instead of PBKDF2's million rounds.

    Every world creates a few users with a usable password; at PBKDF2's cost that was most of a
    test's set-up. The sites' own hashers stay listed after it, so a hash made with them still
    verifies. Tests that start real processes run the sites' own settings.
    """
    if "django" not in sys.modules:
        yield
        return
    from django.conf import global_settings, settings
    from django.test import override_settings

    if not settings.configured:
        yield
        return
    hashers = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *getattr(settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS),
    ]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for a site's browser tests (the whole loop has its own, per session)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def lifecycle_heard() -> Iterator[list[tuple[lifecycle.StatusMessage, bool]]]:
    """Every StatusMessage handed to ``core.lifecycle.status_recorded`` during the test, with whether
    it was received (what a platform transport registered there would be given)."""
    messages: list[tuple[lifecycle.StatusMessage, bool]] = []

    def listen(message: lifecycle.StatusMessage, *, received: bool) -> None:
        messages.append((message, received))

    lifecycle.status_recorded.register(listen)
    yield messages
    lifecycle.status_recorded.remove(listen)
