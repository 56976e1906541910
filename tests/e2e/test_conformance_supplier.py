"""Both sites as processes: ``openprocure conformance supplier`` run against the storefront passes
every check — setup, the cart returned through the catalog's own pages, refusals, test orders, OCI.

Globex (in Test status) is the buyer played: its administrator allows the command's loopback return
address on the storefront first, and puts the allow-list back afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.e2e.browsing import GLOBEX_ADMIN, GLOBEX_SECRET, expect, nav, new_page, sign_in
from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKS = [
    "profile",
    "setup.create",
    "cart.return",
    "cart.encoding",
    "cart.document",
    "cart.message",
    "cart.totals",
    "setup.edit",
    "setup.inspect",
    "secret.wrong",
    "identity.unknown",
    "order.new",
    "order.repeat",
    "order.update",
    "order.delete",
    "oci.callup",
    "oci.cart",
    "oci.validate",
    "oci.background_search",
]


def allow_return_urls(admin: Any, urls: list[str]) -> None:
    """Save the Globex integration's allowed return URLs on the Manage your business page."""
    admin.locator("textarea[name=allowed_return_urls]").fill("\n".join(urls))
    admin.locator("#punchout form[action$='/return-urls/'] button").click()
    expect()(admin.locator("ul.messages")).to_contain_text("Allowed return URLs saved.")


def test_the_command_passes_every_check_against_the_storefront(
    demo: Any, browser: Any, tmp_path: Path
) -> None:
    supplier = demo.supplier_url
    port = free_port()
    context, admin = new_page(browser)
    sign_in(admin, supplier, GLOBEX_ADMIN)
    nav(admin, "Manage your business")
    expect()(admin.locator("#integration-status")).to_have_text("Test")
    allowed = admin.locator("textarea[name=allowed_return_urls]").input_value()
    before = [line for line in allowed.splitlines() if line.strip()]
    allow_return_urls(admin, [*before, f"http://127.0.0.1:{port}/"])
    junit = tmp_path / "conformance.xml"
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "openprocure.cli",
                "conformance",
                "supplier",
                f"{supplier}/cxml/",
                "--from",
                "NetworkId:GLOBEX",
                "--to",
                "NetworkId:MARKETPLACE",
                "--secret",
                GLOBEX_SECRET,
                "--user-email",
                GLOBEX_ADMIN,
                "--catcher-port",
                str(port),
                "--send-orders",
                "--oci",
                f"{supplier}/oci/",
                "--oci-user",
                "globex",
                "--oci-password",
                "globex-oci-demo",
                "--junit",
                str(junit),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        # The other tests of the demo expect the allow-list the demo seeded.
        allow_return_urls(admin, before)
        context.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.endswith("PASSED: 19 checks, 0 failed.\n"), done.stderr
    assert "19 passed, 0 failed, 0 warnings, 0 skipped." in done.stdout
    assert "[PASS] secret.wrong: A setup with a wrong SharedSecret is refused with a cXML 4xx" in done.stdout
    assert "Refused with cXML Status 401 Unauthorized." in done.stdout
    suite = etree.fromstring(junit.read_bytes())
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("19", "0", "0")
    assert [case.get("name") for case in suite] == CHECKS
    outcomes = {case.get("name"): case.findtext("system-out", "").split(":", 1)[0] for case in suite}
    assert outcomes == dict.fromkeys(CHECKS, "pass")
