"""The buyer's ``POST /cxml/``: documents suppliers send us (confirmations, ship notices, invoices…).

Handlers are registered in ``fulfilment.inbound.HANDLERS`` by the apps that own each document type;
until a supplier connection recognises the sender, every request is refused with 401 and a message
saying what to check.
"""

from __future__ import annotations

from openprocure.buyer.fulfilment.inbound import HANDLERS
from openprocure.core.cxml_endpoint import CXMLEndpoint


class InboundCXMLEndpoint(CXMLEndpoint):
    handlers = HANDLERS
