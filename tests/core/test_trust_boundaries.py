"""Outbound requests and client addresses each have one way through the code: requests to URLs
from partners go through ``punchout.cxml.transport.http_exchange`` (checked by ``punchout.netguard``),
and the client address of a request comes from ``core.trust.client_address``. This test reads the
sources so a new ``urlopen`` or ``REMOTE_ADDR`` read is seen."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
OPENING = re.compile(r"urllib\.request|HTTPS?Connection\(|socket\.create_connection|REMOTE_ADDR")

#: Files allowed to open connections or read REMOTE_ADDR themselves, and why.
ALLOWED = {
    # The one checked exchange: resolves, checks with punchout.netguard, connects to that address.
    "punchout/cxml/transport.py",
    # The client address itself (and the settings comment pointing to it).
    "openprocure/core/trust.py",
    "openprocure/core/settings_base.py",
    # The command line polls its own sites' /healthz on the addresses it started them on.
    "openprocure/cli.py",
    # The simulator drives the sites like a browser, against the URLs its operator gives.
    "openprocure/simulate/web.py",
}


def test_no_other_module_opens_connections_or_reads_remote_addr() -> None:
    found = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if OPENING.search(path.read_text(encoding="utf-8")) and str(path.relative_to(SRC)) not in ALLOWED
    )
    assert found == []
