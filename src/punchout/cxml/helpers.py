"""Small constructors: payloadIDs, Headers and Response documents."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from punchout.cxml.common import CXML, Credential, Header, Status
from punchout.cxml.errors import CXMLError
from punchout.cxml.profile import Response

__all__ = ["error_response", "make_header", "new_payload_id", "response_document"]


def new_payload_id(domain: str) -> str:
    """A payloadID in the form cXML recommends: ``<datetime>.<process>.<random>@<domain>``."""
    domain = domain.strip()
    if not domain or any(ch.isspace() for ch in domain) or "@" in domain:
        raise ValueError(f"payloadID domain must be a host name such as buyer.example.com, got {domain!r}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}.{os.getpid()}.{secrets.randbelow(10**12):012d}@{domain}"


def make_header(
    *,
    from_: Iterable[Credential],
    to: Iterable[Credential],
    sender: Iterable[Credential],
    user_agent: str,
) -> Header:
    """A ``Header`` with From (our organisation), To (the partner) and Sender (who transmits)."""
    return Header(list(from_), list(to), list(sender), user_agent)


def response_document(
    code: int,
    text: str,
    message: str | None = None,
    in_reply_to: str | None = None,
    *,
    payload_id_domain: str = "openprocure.local",
) -> CXML:
    """A generic cXML ``Response`` with ``Status code text`` and an optional message.

    ``in_reply_to`` (the payloadID answered) is kept on the returned object for journals; the
    cXML Response element has no attribute to carry it, so it is not serialised.
    """
    return CXML(
        message=Response(),
        payload_id=new_payload_id(payload_id_domain),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        status=Status(code, text, message or ""),
        in_reply_to=in_reply_to,
        lang="en-US",
    )


def error_response(error: CXMLError) -> CXML:
    """The cXML Response carrying ``error``'s Status, to send back to the partner."""
    return response_document(error.status_code, error.text, error.message)
