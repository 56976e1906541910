"""Posting a purchase order BOD and reading the receiver's synchronous answer.

Authentication is HTTP Basic (RFC 7617): the user name is the sender's identity (the BOD's
``ApplicationArea/Sender/LogicalID``), the password the shared secret agreed with the receiver. The
BOD itself never carries the secret, so a stored or journaled BOD holds none.

The answer is an AcknowledgePurchaseOrder (the order was received; each line says Accepted,
Modified or Rejected) or a ConfirmBOD (errors: the BOD was refused; none: received with warnings).
The outcome classes are cXML's transport's, so an outbox treats both protocols alike: a 2xx answer
without errors is delivered; a ConfirmBOD with errors or an HTTP 4xx is permanent (sending the same
BOD again will not help); a network error, the deadline, or an HTTP 5xx is transient (retry with the
same BODID, which makes the repeat recognisable).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from punchout.cxml.transport import (
    DEFAULT_DEADLINE_SECONDS,
    MAX_RESPONSE_BYTES,
    PermanentDeliveryError,
    TransientDeliveryError,
    post_to_partner,
)
from punchout.oagis.errors import OAGISError
from punchout.oagis.model import ConfirmBOD, LineStatus, PurchaseOrderBOD, Verb
from punchout.oagis.reader import parse

__all__ = ["BODAnswer", "basic_credentials", "confirm_errors", "post_bod", "read_basic_credentials"]

CONTENT_TYPE = "application/xml; charset=utf-8"


@dataclass(slots=True)
class BODAnswer:
    """A delivered BOD: the receiver's HTTP status, its answer read, a one-line summary, the bytes."""

    http_status: int
    document: PurchaseOrderBOD | ConfirmBOD
    summary: str
    body: bytes


def basic_credentials(user: str, secret: str) -> str:
    """The ``Authorization`` header value of HTTP Basic for ``user`` and ``secret`` (UTF-8)."""
    token = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
    return f"Basic {token}"


def read_basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, secret) of an ``Authorization: Basic`` header, or None when it is absent or unreadable."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return user, secret


def confirm_errors(confirm: ConfirmBOD) -> str:
    """The errors of a ConfirmBOD as one text (``code: description``, joined by ``; ``)."""
    texts = []
    for result in confirm.results:
        for message in result.errors:
            said = message.description or ""
            texts.append(f"{message.reason_code}: {said}" if message.reason_code else said)
    return "; ".join(text for text in texts if text)


def _summary(document: PurchaseOrderBOD) -> str:
    counts = dict.fromkeys(LineStatus, 0)
    for order in document.purchase_orders:
        for line in order.lines:
            status = line.line_status
            if status is not None:
                counts[status] += 1
    header = document.purchase_order.header if document.purchase_orders else None
    said = f"Acknowledged ({header.status})" if header is not None and header.status else "Acknowledged"
    parts = [f"{counts[s]} {s.value.lower()}" for s in LineStatus if counts[s]]
    text = f"{said}: {', '.join(parts)} line(s)" if parts else said
    if header is not None and header.status_reason:
        text += f". {header.status_reason}"
    return text


def _interpret(http_status: int, payload: bytes) -> BODAnswer:
    try:
        document = parse(payload, max_bytes=MAX_RESPONSE_BYTES)
    except OAGISError as error:
        text = f"HTTP {http_status}, and the reply is not an AcknowledgePurchaseOrder or ConfirmBOD ({error.message})"
        if http_status >= 500:
            raise TransientDeliveryError(http_status, text, body=payload) from None
        raise PermanentDeliveryError(http_status, text, body=payload) from None
    if isinstance(document, ConfirmBOD):
        errors = confirm_errors(document)
        if http_status >= 500:
            raise TransientDeliveryError(http_status, errors or f"HTTP {http_status}", body=payload)
        if errors or http_status >= 400:
            raise PermanentDeliveryError(
                http_status if http_status >= 400 else 400, errors or f"HTTP {http_status}", body=payload
            )
        warnings = [m.description or "" for r in document.results for m in r.warnings]
        summary = "Confirmed" + (f" with warnings: {'; '.join(warnings)}" if warnings else "")
        return BODAnswer(http_status, document, summary, payload)
    if http_status >= 500:
        raise TransientDeliveryError(http_status, f"HTTP {http_status}", body=payload)
    if http_status >= 400 or document.verb is not Verb.ACKNOWLEDGE:
        raise PermanentDeliveryError(
            http_status if http_status >= 400 else 400,
            f"HTTP {http_status}, answered with a {document.name} where an AcknowledgePurchaseOrder or "
            "ConfirmBOD was expected",
            body=payload,
        )
    return BODAnswer(http_status, document, _summary(document), payload)


def post_bod(
    url: str,
    body: bytes,
    *,
    credentials: tuple[str, str] | None,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
    mask_answer: Callable[[bytes], bytes] | None = None,
) -> BODAnswer:
    """POST a purchase order BOD (HTTP Basic with ``credentials`` = (identity, secret) when given)
    and read the answer, all within ``deadline`` seconds.

    Returns on an AcknowledgePurchaseOrder or an error-free ConfirmBOD; raises
    :class:`~punchout.cxml.transport.TransientDeliveryError` or
    :class:`~punchout.cxml.transport.PermanentDeliveryError` otherwise (see the module).
    """
    headers = {"Content-Type": CONTENT_TYPE, "Accept": "application/xml, text/xml"}
    if credentials is not None:
        headers["Authorization"] = basic_credentials(*credentials)
    http_status, payload = post_to_partner(
        url, body, posted="BODs are", headers=headers, deadline=deadline, mask_answer=mask_answer
    )
    return _interpret(http_status, payload)
