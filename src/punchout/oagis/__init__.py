"""OAGIS® 10.2 purchase order BODs: read and build Process, Change, Cancel and Acknowledge
PurchaseOrder and ConfirmBOD (plain Python, no Django).

Lenient in (``parse`` forgives and warns with the path), strict out (``build`` refuses what the
schemas require and the model lacks), nothing lost (a read BOD built again keeps every element,
attribute and value the model does not represent, at its schema position).

OAGIS® is a registered trademark of the Open Applications Group. The element order this package
writes follows the OAGIS 10.2 schemas (Copyright (c) Open Applications Group. All Rights Reserved;
https://github.com/OAGi/Score, data/OAGIS_10_2_EnterpriseEdition). The product does not validate
against the schemas at run time: the tests do, with the schemas from the interop corpus.
"""

from punchout.oagis.bridge import confirmation_of, order_request_of
from punchout.oagis.errors import (
    BuildError,
    DocumentTooLarge,
    ForbiddenConstruct,
    InvalidBOD,
    NotWellFormed,
    OAGISError,
    UnsupportedBOD,
)
from punchout.oagis.model import (
    Address,
    Amount,
    ApplicationArea,
    BODOutcome,
    BODResult,
    ConfirmBOD,
    Item,
    LineStatus,
    Message,
    ParseWarning,
    Party,
    PaymentTerm,
    PurchaseOrder,
    PurchaseOrderBOD,
    PurchaseOrderHeader,
    PurchaseOrderLine,
    Quantity,
    Stamp,
    Verb,
)
from punchout.oagis.reader import parse, parse_confirm, parse_purchase_order
from punchout.oagis.replies import accepted_with_warnings, original_of, refusal
from punchout.oagis.transport import confirm_errors
from punchout.oagis.writer import build, build_tree

__all__ = [
    "Address",
    "Amount",
    "ApplicationArea",
    "BODOutcome",
    "BODResult",
    "BuildError",
    "ConfirmBOD",
    "DocumentTooLarge",
    "ForbiddenConstruct",
    "InvalidBOD",
    "Item",
    "LineStatus",
    "Message",
    "NotWellFormed",
    "OAGISError",
    "ParseWarning",
    "Party",
    "PaymentTerm",
    "PurchaseOrder",
    "PurchaseOrderBOD",
    "PurchaseOrderHeader",
    "PurchaseOrderLine",
    "Quantity",
    "Stamp",
    "UnsupportedBOD",
    "Verb",
    "accepted_with_warnings",
    "build",
    "build_tree",
    "confirm_errors",
    "confirmation_of",
    "order_request_of",
    "original_of",
    "parse",
    "parse_confirm",
    "parse_purchase_order",
    "refusal",
]
