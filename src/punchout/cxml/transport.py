"""Moving cXML: the BrowserFormPost hidden field, and server-to-server HTTP POST.

A PunchOutOrderMessage travels through the user's browser as a hidden form field named
``cxml-urlencoded`` (the XML text, which the browser URL-encodes) or ``cxml-base64``. Every other
document is POSTed server to server; the reply is a cXML Response whose Status decides: 2xx
accepted, 4xx permanent (do not retry), network failure or 5xx transient (retry with backoff —
the same payloadID makes the retry idempotent).
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from punchout.cxml.common import CXML, ParseWarning, Status
from punchout.cxml.errors import CXMLError, InvalidDocument
from punchout.cxml.parser import parse

__all__ = [
    "DeliveryError",
    "FormEncoding",
    "PermanentDeliveryError",
    "PostResult",
    "TransientDeliveryError",
    "decode_form",
    "encode_form",
    "post_cxml",
]

FormEncoding = Literal["cxml-urlencoded", "cxml-base64"]
_FIELDS: tuple[FormEncoding, ...] = ("cxml-urlencoded", "cxml-base64")
_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE)
MAX_RESPONSE_BYTES = 10 * 1024 * 1024


def encode_form(body: bytes, encoding: FormEncoding = "cxml-urlencoded") -> dict[str, str]:
    """The hidden form field (name -> value) that carries ``body`` in a BrowserFormPost."""
    if encoding == "cxml-urlencoded":
        return {"cxml-urlencoded": body.decode("utf-8")}
    if encoding == "cxml-base64":
        return {"cxml-base64": base64.b64encode(body).decode("ascii")}
    raise ValueError(f"unknown BrowserFormPost encoding {encoding!r}; use one of {', '.join(_FIELDS)}")


def decode_form(form: Mapping[str, str]) -> bytes:
    """The cXML document posted in a form: ``cxml-urlencoded`` or ``cxml-base64`` (any case)."""
    by_name = {key.casefold(): key for key in form}
    key = by_name.get("cxml-urlencoded")
    if key is not None:
        # The form framework has URL-decoded the text: it is Unicode now, so re-encode it as
        # UTF-8 and make any declared encoding say so.
        text = _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", form[key], count=1)
        return text.encode("utf-8", "surrogatepass")
    key = by_name.get("cxml-base64")
    if key is not None:
        try:
            return base64.b64decode("".join(form[key].split()), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidDocument(
                "the cxml-base64 form field is not valid base64; encode the whole cXML document "
                "with standard base64 (RFC 4648).",
                path="cxml-base64",
            ) from None
    present = ", ".join(sorted(form)[:10]) or "none"
    raise InvalidDocument(
        f"the form has no cxml-urlencoded or cxml-base64 field (fields received: {present}); "
        "post the PunchOutOrderMessage in one of them.",
        path="form",
    )


@dataclass(slots=True)
class PostResult:
    """A delivered document: the partner's HTTP status, cXML Status and parsed reply."""

    http_status: int
    status: Status
    document: CXML
    body: bytes
    warnings: list[ParseWarning] = field(default_factory=list)


class DeliveryError(Exception):
    """A document was not accepted; ``status_code`` (cXML or HTTP, 0 for network) and ``text``."""

    retryable = False

    def __init__(self, status_code: int, text: str, *, body: bytes = b"") -> None:
        self.status_code = status_code
        self.text = text
        self.body = body
        super().__init__(f"{status_code} {text}" if status_code else text)


class TransientDeliveryError(DeliveryError):
    """Network error, timeout, HTTP 5xx or cXML 5xx: retry later with the same payloadID."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """HTTP 4xx, cXML 4xx or an unusable reply: retrying the same document will not help."""


def _opener() -> urllib.request.OpenerDirector:
    # An explicit empty ProxyHandler: never pick proxies up from the environment by surprise.
    context = ssl.create_default_context()
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=context),
    )


def post_cxml(url: str, body: bytes, *, timeout: float = 30.0) -> PostResult:
    """POST a cXML document and read the partner's Response.

    Returns on a 2xx cXML Status; raises :class:`TransientDeliveryError` or
    :class:`PermanentDeliveryError` otherwise, carrying the status code and the partner's text.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"cXML is posted over http or https, not {scheme or 'a relative URL'!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "Accept": "text/xml, application/xml"},
    )
    try:
        with _opener().open(request, timeout=timeout) as reply:
            http_status = int(reply.status)
            payload = reply.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        http_status = exc.code
        payload = exc.read(MAX_RESPONSE_BYTES + 1) if exc.fp is not None else b""
    except OSError as exc:  # URLError, timeouts and connection errors are all OSError
        reason = getattr(exc, "reason", exc)
        raise TransientDeliveryError(0, f"could not reach {urlsplit(url).netloc}: {reason}") from None
    return _interpret(http_status, payload)


def _interpret(http_status: int, payload: bytes) -> PostResult:
    try:
        result = parse(payload, max_bytes=MAX_RESPONSE_BYTES)
        status = result.document.status
    except CXMLError as exc:
        result, status = None, None
        detail = exc.message
    if result is None or status is None:
        text = f"HTTP {http_status}, and the reply is not a cXML Response"
        if result is None:
            text += f" ({detail})"
        if http_status >= 500:
            raise TransientDeliveryError(http_status, text, body=payload)
        raise PermanentDeliveryError(http_status, text, body=payload)
    partner_text = f"{status.text}: {status.message}" if status.message else status.text
    if status.code >= 500 or http_status >= 500:
        raise TransientDeliveryError(
            status.code if status.code >= 500 else http_status, partner_text, body=payload
        )
    if status.code >= 400 or http_status >= 400:
        raise PermanentDeliveryError(
            status.code if status.code >= 400 else http_status, partner_text, body=payload
        )
    if not 200 <= status.code < 300:
        raise PermanentDeliveryError(status.code, f"unexpected cXML status: {partner_text}", body=payload)
    return PostResult(http_status, status, result.document, payload, result.warnings)
