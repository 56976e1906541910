"""The storefront's cXML handler for PunchOutSetupRequest (registered in ``AppConfig.ready``)."""

from __future__ import annotations

from openprocure.core.cxml_endpoint import Inbound, answer_document
from openprocure.supplier.punchout import services
from punchout import cxml


def handle_setup_request(inbound: Inbound) -> cxml.CXML:
    """Answer a PunchOutSetupRequest with a one-shot StartPage URL, or a coded Status saying why not.

    The session and the answer's journal entry are stored in one transaction.
    """

    answered: list[cxml.CXML] = []

    def answer(result: services.SetupResult) -> None:
        integration = result.session.integration
        inbound.partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
        inbound.reference = f"punchout-session:{result.session.pk}"
        document = answer_document(inbound, cxml.PunchOutSetupResponse(start_page_url=result.start_url))
        inbound.journal_answer(document)
        answered.append(document)

    services.setup_cxml_session(document=inbound.document, in_transaction=answer)
    return answered[0]
