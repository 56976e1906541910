"""The storefront's ``POST /cxml/``: every cXML request a buyer system sends us.

Apps register a handler per message type in ``HANDLERS`` (setup requests, orders…). The
ProfileRequest is answered here: it tells a buyer system which transactions we accept and where.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from openprocure.core.cxml_endpoint import CXMLEndpoint, Handler, Inbound, ParseErrorMapper, answer_document
from punchout import cxml
from punchout.cxml.profile import FREE_TEXT_OPTION, Option, ProfileResponse, Transaction

HANDLERS: dict[str, Handler] = {}
# Apps may give the parser's refusal of their message type their own coded answer.
PARSE_ERRORS: dict[str, ParseErrorMapper] = {}


def handle_profile_request(inbound: Inbound) -> cxml.CXML:
    """Answer a ProfileRequest with the transactions this endpoint accepts (cXML §3, Profile)."""
    url = settings.PUBLIC_URL + reverse("cxml")
    names = sorted({*HANDLERS, "ProfileRequest"})
    # Orders name lines of a punched-out cart only: a line that did not come from one is refused.
    options = {"OrderRequest": [Option(FREE_TEXT_OPTION, "no")]}
    response = ProfileResponse(
        effective_date=timezone.now().replace(microsecond=0),
        transactions=[
            Transaction(request_name=name, url=url, options=options.get(name, [])) for name in names
        ],
    )
    return answer_document(inbound, response)


HANDLERS["ProfileRequest"] = handle_profile_request
# Requests journaled together with their answer (see CXMLEndpoint.journal_with_answer).
JOURNAL_WITH_ANSWER: set[str] = {"ProfileRequest"}


class StorefrontCXMLEndpoint(CXMLEndpoint):
    handlers = HANDLERS
    parse_error_mappers = PARSE_ERRORS
    journal_with_answer = JOURNAL_WITH_ANSWER
