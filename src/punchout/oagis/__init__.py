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

from punchout.oagis import errors, model, replies, writer
from punchout.oagis.bridge import confirmation_of, order_request_of

# The package exports the public names of its modules (their ``__all__``), as ``punchout.cxml`` does.
from punchout.oagis.errors import *  # noqa: F403
from punchout.oagis.model import *  # noqa: F403
from punchout.oagis.reader import parse, parse_confirm, parse_purchase_order
from punchout.oagis.replies import *  # noqa: F403
from punchout.oagis.transport import confirm_errors
from punchout.oagis.writer import *  # noqa: F403

__all__ = [
    "confirm_errors",
    "confirmation_of",
    "order_request_of",
    "parse",
    "parse_confirm",
    "parse_purchase_order",
]
__all__ += errors.__all__
__all__ += model.__all__
__all__ += replies.__all__
__all__ += writer.__all__
