"""The buyer's ``POST /oagis/``: AcknowledgePurchaseOrder BODs a supplier sends after the order
(the rules are in ``fulfilment.oagis``)."""

from __future__ import annotations

from openprocure.buyer.fulfilment import oagis
from openprocure.core.oagis_endpoint import InboundBOD, OAGISEndpoint, Reply


class InboundOAGISEndpoint(OAGISEndpoint):
    def handle(self, inbound: InboundBOD) -> Reply:
        return oagis.receive(inbound)
