"""Every change to a requisition, as the other apps and the pages call it: drafting it from nothing
or a cart (:mod:`.drafting`), changing its lines, accounting and details (:mod:`.editing`),
submitting it and moving its status (:mod:`.submission`), copying it into a new draft
(:mod:`.copying`).

Each function opens a transaction, locks the requisition row, checks the rules, changes state and
records a :class:`RequisitionEvent` with who, when and why.
"""

from __future__ import annotations

from openprocure.buyer.requisitions.copying import (
    COPYABLE_STATUSES,
    ITEM_FIELDS,
    REORDER_STATUSES,
    copy_for_schedule,
    copy_requisition,
)
from openprocure.buyer.requisitions.drafting import (
    CartLine,
    EditedCart,
    RequisitionError,
    SplitInput,
    add_cart_lines,
    create_requisition,
    create_requisition_from_cart,
    replace_lines,
)
from openprocure.buyer.requisitions.editing import (
    add_free_text_line,
    remove_line,
    reprice_line,
    set_accounting,
    set_ship_to,
    update_header,
    update_line,
    validate_splits,
)
from openprocure.buyer.requisitions.submission import (
    BATCH_SIZE,
    BatchOutcome,
    batch_queryset,
    cancel_requisition,
    change_status,
    change_status_many,
    submit_many,
    submit_requisition,
)

__all__ = [
    "BATCH_SIZE",
    "COPYABLE_STATUSES",
    "ITEM_FIELDS",
    "REORDER_STATUSES",
    "BatchOutcome",
    "CartLine",
    "EditedCart",
    "RequisitionError",
    "SplitInput",
    "add_cart_lines",
    "add_free_text_line",
    "batch_queryset",
    "cancel_requisition",
    "change_status",
    "change_status_many",
    "copy_for_schedule",
    "copy_requisition",
    "create_requisition",
    "create_requisition_from_cart",
    "remove_line",
    "replace_lines",
    "reprice_line",
    "set_accounting",
    "set_ship_to",
    "submit_many",
    "submit_requisition",
    "update_header",
    "update_line",
    "validate_splits",
]
