"""The shared shape of a ``POST /oagis/`` endpoint: read, parse, journal, authenticate, answer.

Each site subclasses :class:`OAGISEndpoint` and implements ``handle``. A BOD is authenticated with
HTTP Basic (the sender's identity as the user name, the shared secret agreed with it as the
password; see ``punchout.oagis.transport``). Anything a partner can get wrong is answered with a
ConfirmBOD whose error carries a reason code, the text of what to do and the element path (never a
bare HTTP error page), and every request and answer is kept in the journal, with the same body size
limit (``CXML_MAX_BYTES``) and rate limits as ``POST /cxml/``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from openprocure.core import ratelimits, rows
from openprocure.core.choices import Direction, Protocol
from openprocure.core.cxml_endpoint import oversized, warnings_as_json
from openprocure.core.journal import record_document
from openprocure.core.models import Document
from openprocure.core.trust import client_address
from punchout import oagis
from punchout.cxml import new_payload_id
from punchout.oagis.errors import DocumentTooLarge, OAGISError
from punchout.oagis.transport import CONTENT_TYPE, read_basic_credentials

logger = logging.getLogger(__name__)

Answer = oagis.PurchaseOrderBOD | oagis.ConfirmBOD


class Refused(OAGISError):
    """A refusal with a receiver's own reason code (``AUTH_BAD_SECRET``…) and HTTP status."""

    def __init__(
        self, reason_code: str, message: str, *, path: str | None = None, status_code: int = 400
    ) -> None:
        super().__init__(message, path=path, status_code=status_code)
        self.reason_code = reason_code


@dataclass
class InboundBOD:
    """One received BOD as a handler sees it: the document, its bytes, its journal entry and the
    HTTP Basic credentials it came with (None when there were none)."""

    request: HttpRequest
    document: oagis.PurchaseOrderBOD | oagis.ConfirmBOD
    raw: bytes
    journal: Document
    credentials: tuple[str, str] | None
    partner: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Reply:
    """What a handler answers: the document and the HTTP status it goes with."""

    document: Answer
    status: int = 200


def application_area() -> oagis.ApplicationArea:
    """A new ApplicationArea for an answer we send (our logical ID, now, a new BODID)."""
    return oagis.ApplicationArea(
        sender_logical_id=settings.PAYLOAD_ID_DOMAIN,
        creation=timezone.now().replace(microsecond=0),
        bod_id=new_payload_id(settings.PAYLOAD_ID_DOMAIN),
    )


def refusal_reply(error: OAGISError, received: oagis.ApplicationArea | None) -> Reply:
    """The ConfirmBOD refusing a BOD (its reason code, text and path), with the error's HTTP status."""
    area = application_area()
    document = oagis.refusal(
        error,
        code=error.reason_code if isinstance(error, Refused) else None,
        received=received,
        sender_logical_id=area.sender_logical_id or "",
        bod_id=area.bod_id or "",
        creation=timezone.now().replace(microsecond=0),
    )
    return Reply(document, error.status_code)


def rate_limited(refusal: ratelimits.Refusal) -> HttpResponse:
    """HTTP 429 + Retry-After with a ConfirmBOD refusing the BOD (reason code ``RATE_LIMITED``, the
    same text as a cXML partner reads): the BOD was not read, so the answer names no received BOD and
    neither is journaled (as on ``POST /cxml/``)."""
    error = Refused("RATE_LIMITED", ratelimits.message(refusal), status_code=ratelimits.TOO_MANY_REQUESTS)
    reply = refusal_reply(error, None)
    response = HttpResponse(oagis.build(reply.document), content_type=CONTENT_TYPE, status=reply.status)
    return ratelimits.refused_response(response, refusal)


def require_credentials(inbound: InboundBOD) -> tuple[str, str]:
    """The Basic credentials of a BOD, or a 401 refusal saying how to send them."""
    if inbound.credentials is None or not inbound.credentials[0]:
        raise Refused(
            "AUTH_MISSING",
            "No credentials: send the BOD with HTTP Basic authentication, your identity as the user name "
            "and the shared secret agreed with us as the password.",
            path="Authorization",
            status_code=401,
        )
    return inbound.credentials


def read_bod(request: HttpRequest) -> bytes:
    """The request's body, refused above ``CXML_MAX_BYTES``."""
    too_large = oversized(request)
    if too_large:
        raise DocumentTooLarge(f"{too_large} Send one purchase order per BOD.")
    return request.body


@method_decorator(csrf_exempt, name="dispatch")
class OAGISEndpoint(View):
    """``POST /oagis/``: the BODs a partner sends to this site."""

    http_method_names = ["post", "get", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(
            "This is an OAGIS endpoint: POST a BOD (application/xml) to it with HTTP Basic authentication.\n",
            content_type="text/plain",
        )

    def handle(self, inbound: InboundBOD) -> Reply:  # pragma: no cover - every site overrides it
        raise NotImplementedError

    def post(self, request: HttpRequest) -> HttpResponse:
        """Answer the BOD, within the rate limits of ``POST /cxml/`` (``core.ratelimits``)."""
        with ratelimits.admitted(request) as refusal:
            if refusal is not None:
                return rate_limited(refusal)
            response, credential = self.receive(request)
        if response.status_code != ratelimits.TOO_MANY_REQUESTS:
            ratelimits.count(request, credential=credential, accepted=200 <= response.status_code < 300)
        return response

    def receive(self, request: HttpRequest) -> tuple[HttpResponse, str]:
        raw = b""
        remote = client_address(request) or None
        try:
            raw = read_bod(request)
            document = oagis.parse(raw, max_bytes=settings.CXML_MAX_BYTES)
        except OAGISError as error:
            journal = record_document(
                direction=Direction.INBOUND,
                raw=raw,
                protocol=Protocol.OAGIS,
                status_code=error.status_code,
                status_text=error.message[:2000],
                remote_addr=remote,
            )
            return self.answer(refusal_reply(error, None), journal), ""
        credentials = read_basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
        credential = credentials[0].casefold() if credentials else ""
        refusal = ratelimits.credential_refusal(request, credential)
        if refusal is not None:
            return rate_limited(refusal), credential
        journal = record_document(
            direction=Direction.INBOUND,
            raw=raw,
            protocol=Protocol.OAGIS,
            kind=document.name if isinstance(document, oagis.PurchaseOrderBOD) else "ConfirmBOD",
            payload_id=document.application_area.bod_id or "",
            partner=credentials[0] if credentials else "",
            warnings=warnings_as_json(document.warnings),
            remote_addr=remote,
        )
        inbound = InboundBOD(request, document, raw, journal, credentials)
        try:
            reply = self.handle(inbound)
        except OAGISError as error:
            reply = refusal_reply(error, document.application_area)
        except Exception:
            logger.exception("OAGIS %s failed", document.application_area.bod_id)
            fault = Refused(
                "INTERNAL_ERROR",
                "We could not process this BOD because of a fault on our side. It has been kept and our "
                "staff can see it. Send it again later with the same BODID.",
                status_code=500,
            )
            reply = refusal_reply(fault, document.application_area)
        journal.reference = inbound.reference[:200]
        journal.partner = inbound.partner[:200] or journal.partner
        return self.answer(reply, journal), credential

    @staticmethod
    def answer(reply: Reply, journal: Document) -> HttpResponse:
        """Serialise the answer, journal it as the reply to the request, and return it."""
        document = reply.document
        body = oagis.build(document)
        name = document.name if isinstance(document, oagis.PurchaseOrderBOD) else "ConfirmBOD"
        text = oagis.confirm_errors(document) if isinstance(document, oagis.ConfirmBOD) else ""
        record_document(
            direction=Direction.OUTBOUND,
            raw=body,
            protocol=Protocol.OAGIS,
            kind=name,
            payload_id=document.application_area.bod_id or "",
            partner=journal.partner,
            reference=journal.reference,
            status_code=reply.status,
            status_text=text[:2000],
            in_reply_to=journal,
        )
        rows.update(
            Document,
            journal.pk,
            reference=journal.reference,
            partner=journal.partner,
            status_code=reply.status,
            status_text=text[:2000],
        )
        response = HttpResponse(body, content_type=CONTENT_TYPE, status=reply.status)
        if reply.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="OAGIS", charset="UTF-8"'
        return response
