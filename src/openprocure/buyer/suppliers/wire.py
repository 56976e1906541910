"""Talking to a supplier over HTTP and reading what comes back through the user's browser.

``punchout.cxml.transport.post_cxml`` is made for the outbox (it classifies answers into delivered /
transient / permanent and raises). For PunchOutSetupRequest and ProfileRequest the person is waiting
and must see exactly what came back (HTTP status and body, even when it is not cXML at all), so
these go through the small synchronous POST below.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass

from punchout.cxml.transport import decode_form as _decode_form
from punchout.cxml.transport import http_exchange
from punchout.netguard import RefusedDestination

USER_AGENT = "OpenProcure Buyer"
# Seconds we wait for a supplier's setup or profile answer while the person waits.
HTTP_TIMEOUT_SECONDS = 20.0
# Largest answer we read from a supplier (bytes).
MAX_ANSWER_BYTES = 2 * 1024 * 1024


def decode_form(fields: Mapping[str, str]) -> bytes:
    """The cXML bytes of a BrowserFormPost form: ``cxml-urlencoded`` or ``cxml-base64`` (any case)."""
    return _decode_form(dict(fields))


@dataclass(frozen=True)
class HttpAnswer:
    """What a supplier answered: HTTP status, content type and body, or the network error."""

    http_status: int | None
    content_type: str
    body: bytes
    error: str = ""


def post_xml(url: str, body: bytes, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> HttpAnswer:
    """POST a cXML document and return whatever came back (never raises for HTTP or network errors)."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "User-Agent": USER_AGENT}
    return _exchange(url, body, "POST", headers, timeout)


def get_url(url: str, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> HttpAnswer:
    """GET a page (OCI catalogs have no handshake: we can only check that the call-up page answers)."""
    return _exchange(url, None, "GET", {"User-Agent": USER_AGENT}, timeout)


def _exchange(
    url: str, body: bytes | None, method: str, headers: dict[str, str], timeout: float
) -> HttpAnswer:
    """Send the request and keep what came back, an HTTP error's body included.

    The partner's address is checked first (``punchout.netguard``): a URL that resolves to a
    non-public address the operator has not allowed is an error that says so, and nothing is sent.
    Redirects are not followed.
    """
    try:
        answer = http_exchange(
            url, body, method=method, headers=headers, deadline=timeout, max_bytes=MAX_ANSWER_BYTES
        )
    except RefusedDestination as error:
        return HttpAnswer(None, "", b"", error=str(error))
    except (TimeoutError, OSError, http.client.HTTPException, ValueError, UnicodeError) as error:
        return HttpAnswer(None, "", b"", error=str(error) or type(error).__name__)
    return HttpAnswer(answer.status, answer.headers.get("content-type", ""), answer.body[:MAX_ANSWER_BYTES])
