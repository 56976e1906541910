"""Talking to a supplier over HTTP and reading what comes back through the user's browser.

``punchout.cxml.transport.post_cxml`` is made for the outbox (it classifies answers into delivered /
transient / permanent and raises). For PunchOutSetupRequest and ProfileRequest the person is waiting
and must see exactly what came back (HTTP status and body, even when it is not cXML at all), so
these go through the small synchronous POST below.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from punchout.cxml.transport import decode_form as _decode_form

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
    request = urllib.request.Request(  # noqa: S310 - the URL is an http(s) URL validated by the form
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "User-Agent": USER_AGENT},
    )
    return _exchange(request, timeout)


def get_url(url: str, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> HttpAnswer:
    """GET a page (OCI catalogs have no handshake: we can only check that the call-up page answers)."""
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": USER_AGENT})  # noqa: S310
    return _exchange(request, timeout)


def _exchange(request: urllib.request.Request, timeout: float) -> HttpAnswer:
    """Send ``request`` and keep what came back, an HTTP error's body included."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - see the callers
            return HttpAnswer(
                response.status, response.headers.get("Content-Type", ""), response.read(MAX_ANSWER_BYTES)
            )
    except urllib.error.HTTPError as error:
        return HttpAnswer(
            error.code,
            error.headers.get("Content-Type", "") if error.headers else "",
            error.read(MAX_ANSWER_BYTES),
        )
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return HttpAnswer(None, "", b"", error=str(reason))
