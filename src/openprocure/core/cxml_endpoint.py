"""The shared shape of a ``POST /cxml/`` endpoint: read, parse, journal, dispatch, answer.

Each site registers one handler per message type. A handler receives the parsed document and
returns the cXML answer; anything a partner can get wrong is answered with a coded cXML Status
(never a bare HTTP error page), and every request and answer is kept in the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from openprocure.core import ratelimits, rows
from openprocure.core.choices import Direction
from openprocure.core.journal import journal_entry, record_document
from openprocure.core.models import Document
from openprocure.core.trust import client_address
from openprocure.core.wsgi import BODY_CUT_AT
from punchout import cxml
from punchout.cxml.errors import CXMLError, DocumentTooLarge, NotWellFormed, UnsupportedMessage
from punchout.cxml.transport import decode_form

logger = logging.getLogger(__name__)

CXML_CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass
class Inbound:
    """One inbound cXML request as a handler sees it."""

    request: HttpRequest
    document: cxml.CXML
    warnings: list[Any]
    journal: Document
    raw: bytes
    partner: str = ""
    reference: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    answered: cxml.CXML | None = None
    answer_body: bytes = b""

    def journal_answer(self, document: cxml.CXML) -> None:
        """Journal ``document`` as the answer to this request now, in the caller's transaction.

        A handler that writes in a transaction may call this inside it and then return the same
        document: its writes and the answer's journal entry commit together (one write transaction
        less per request, and no stored order without its answer in the journal). A handler that
        does not call it gets its answer journaled by the endpoint afterwards, as before.
        """
        self.journal.reference = self.reference[:200] or self.journal.reference
        self.journal.partner = self.partner[:200] or self.journal.partner
        self.answer_body = journal_answer(document, self.journal)
        self.answered = document


Handler = Callable[[Inbound], cxml.CXML]
# Gives a parser refusal of one message type a site's own coded answer (None: keep the parser's).
ParseErrorMapper = Callable[[CXMLError, bytes], CXMLError | None]


def message_kind_at(path: str | None) -> str:
    """The message type an element path lies in: ``/cXML/Request/OrderRequest/ItemOut[2]`` → ``OrderRequest``."""
    parts = (path or "").split("/")
    if (
        len(parts) > 3
        and parts[1] == "cXML"
        and parts[2].split("[", 1)[0] in ("Request", "Message", "Response")
    ):
        return parts[3].split("[", 1)[0]
    return ""


def journal_answer(document: cxml.CXML, request_journal: Document) -> bytes:
    """Serialise an answer and journal it as the reply to the request; the answer's bytes.

    The answer's row and the request's status are written in one transaction (the caller's, when
    there is one). A request not stored yet (see ``CXMLEndpoint.journal_with_answer``) is stored
    there too.
    """
    body = cxml.build(document)
    status = document.status
    code = status.code if status is not None else None
    status_text = (status.message or status.text) if status is not None else ""
    with transaction.atomic(savepoint=False):
        stored_with_answer = request_journal.pk is None
        if stored_with_answer:
            # A request journaled with its answer: stored now, already with the answer's status.
            request_journal.status_code = code
            request_journal.status_text = status_text
            rows.insert([request_journal])
        record_document(
            direction=Direction.OUTBOUND,
            raw=body,
            kind=document.kind,
            payload_id=document.payload_id or "",
            partner=request_journal.partner,
            reference=request_journal.reference,
            status_code=code,
            status_text=status_text,
            in_reply_to=request_journal,
        )
        if not stored_with_answer:
            rows.update(
                Document,
                request_journal.pk,
                reference=request_journal.reference,
                partner=request_journal.partner,
                status_code=code,
                status_text=status_text,
            )
    request_journal.status_code = code
    request_journal.status_text = status_text
    return body


def answer_document(
    inbound: Inbound, message: Any, *, code: int = 200, text: str = "OK", note: str = ""
) -> cxml.CXML:
    """A reply envelope (``PunchOutSetupResponse``, ``ProfileResponse``…) carrying a Status."""
    return cxml.CXML(
        message=message,
        payload_id=cxml.new_payload_id(settings.PAYLOAD_ID_DOMAIN),
        timestamp=timezone.now().replace(microsecond=0),
        status=cxml.Status(code, text, note),
        lang="en-US",
    )


def warnings_as_json(warnings: list[Any]) -> list[dict[str, str]]:
    """Parse warnings in a JSON-friendly shape for the journal."""
    return [
        {
            "code": str(getattr(w, "code", "")),
            "path": str(getattr(w, "path", "")),
            "message": str(getattr(w, "message", w)),
        }
        for w in warnings
    ]


def sender_identity(document: cxml.CXML) -> str:
    """``domain:identity`` of the first Sender (or From) credential, for the journal."""
    header = document.header
    if header is None:
        return ""
    for credential in [*header.sender, *header.from_]:
        return f"{credential.domain}:{credential.identity}"
    return ""


def oversized(request: HttpRequest) -> str:
    """What is wrong with a request body above ``CXML_MAX_BYTES`` (empty when it is not): the text
    of the refusal every partner endpoint (``/cxml/``, ``/oagis/``) answers with."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= settings.CXML_MAX_BYTES:
        return ""
    # A chunked body longer than the site reads was cut (core.wsgi): its length is not known.
    cut = request.META.get(BODY_CUT_AT)
    size = f"more than {cut}" if cut else str(length)
    return f"The body has {size} bytes; this endpoint accepts at most {settings.CXML_MAX_BYTES} bytes."


def read_body(request: HttpRequest) -> bytes:
    """The cXML bytes of a request: a raw XML body, or a cxml-urlencoded / cxml-base64 form field."""
    too_large = oversized(request)
    if too_large:
        raise DocumentTooLarge(f"{too_large} Split the document or contact the partner.")
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = request.POST.dict()
        except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as error:
            # Django would answer these with its bare 400 page, which a partner's system cannot read.
            raise NotWellFormed(
                f"the form cannot be read ({error}); post the cXML document as text/xml, or in a "
                "cxml-urlencoded or cxml-base64 field of a form with few other fields.",
                path="form",
            ) from None
        return decode_form(form)
    return request.body


@method_decorator(csrf_exempt, name="dispatch")
class CXMLEndpoint(View):
    """``POST /cxml/``: one URL for every cXML request a partner sends to this site."""

    handlers: dict[str, Handler] = {}
    parse_error_mappers: dict[str, ParseErrorMapper] = {}
    # Message types whose request is journaled with its answer, in one write transaction (the
    # handler's, when it calls ``Inbound.journal_answer``), rather than on its own before the
    # handler runs. Only for requests that change nothing lasting unless answered (a PunchOut
    # setup, a ProfileRequest): if the process dies mid-request the partner has no answer and
    # sends it again. Orders and other documents are journaled first, whatever happens next.
    journal_with_answer: set[str] = set()
    http_method_names = ["post", "get", "options"]
    # The sender's credential ("domain:identity"), once the document is read: its rate-limit bucket.
    credential: str = ""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(
            "This is a cXML endpoint: POST a cXML document (text/xml) to it.\n", content_type="text/plain"
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Answer the document, within the rate limits (``core.ratelimits``)."""
        self.credential = ""
        with ratelimits.admitted(request) as refusal:
            if refusal is not None:
                return ratelimits.cxml_response(refusal)
            response = self.receive(request)
        if response.status_code != ratelimits.TOO_MANY_REQUESTS:
            code = getattr(response, "cxml_status_code", None)
            if code is None or code < 500:
                ratelimits.count(
                    request, credential=self.credential, accepted=code is not None and 200 <= code < 300
                )
        return response

    def receive(self, request: HttpRequest) -> HttpResponse:
        raw = b""
        remote = client_address(request) or None
        try:
            raw = read_body(request)
            result = cxml.parse(raw, max_bytes=settings.CXML_MAX_BYTES)
        except CXMLError as error:
            mapper = self.parse_error_mappers.get(message_kind_at(error.path))
            if mapper is not None:
                error = mapper(error, raw) or error
            journal = record_document(
                direction=Direction.INBOUND,
                raw=raw,
                status_code=error.status_code,
                status_text=error.message,
                remote_addr=remote,
            )
            return self.answer(cxml.error_response(error), journal)
        document = result.document
        self.credential = sender_identity(document).casefold()
        refusal = ratelimits.credential_refusal(request, self.credential)
        if refusal is not None:
            return ratelimits.cxml_response(refusal)
        journal = journal_entry(
            direction=Direction.INBOUND,
            raw=raw,
            kind=document.kind,
            payload_id=document.payload_id or "",
            partner=sender_identity(document),
            warnings=warnings_as_json(result.warnings),
            remote_addr=remote,
        )
        deferred = document.kind in self.journal_with_answer
        if not deferred:
            rows.insert([journal])
        inbound = Inbound(
            request=request, document=document, warnings=result.warnings, journal=journal, raw=raw
        )
        handler = self.handlers.get(document.kind)
        try:
            if handler is None:
                raise UnsupportedMessage(
                    f"{document.kind} is not accepted at this endpoint. "
                    f"Accepted here: {', '.join(sorted(self.handlers)) or 'nothing'}."
                )
            answer = handler(inbound)
            if inbound.answered is not None and inbound.answered is answer:
                return self._reply(inbound.answer_body, answer)
        except CXMLError as error:
            answer = cxml.error_response(error)
        except Exception:
            # A fault on our side: the raw document is already kept; the partner may retry it as is.
            logger.exception("cXML %s %s failed", document.kind, document.payload_id)
            answer = cxml.response_document(
                500,
                "Internal Server Error",
                "We could not process this document because of a fault on our side. It has been kept "
                "and our staff can see it. Send it again later with the same payloadID.",
            )
        if deferred and journal.pk is not None and not Document.objects.filter(pk=journal.pk).exists():
            journal.pk = None  # stored in the handler's transaction, which then rolled back
        journal.reference = inbound.reference[:200] or journal.reference
        journal.partner = inbound.partner[:200] or journal.partner
        return self.answer(answer, journal)

    def answer(self, document: cxml.CXML, request_journal: Document) -> HttpResponse:
        """Serialise an answer, journal it as the reply to the request, and return it."""
        return self._reply(journal_answer(document, request_journal), document)

    @staticmethod
    def _reply(body: bytes, document: cxml.CXML) -> HttpResponse:
        response = HttpResponse(body, content_type=CXML_CONTENT_TYPE)
        # The answer's cXML status, for the rate limits (accepted or not).
        response.cxml_status_code = document.status.code if document.status is not None else None  # type: ignore[attr-defined]  # a marker attribute on the response, read by middleware
        return response
