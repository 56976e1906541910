"""The integration checklist of a business in Test: each exchange its procurement system should
have made with us (setup create / edit / inspect, cart returned, orders, status update, OCI call-up),
marked done, failing or not yet seen.

The items come from the apps that receive those exchanges, through the ``integration_checklist``
hook (business accounts are below them); this module holds the item's shape and puts them in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openprocure.supplier.business import hooks
from openprocure.supplier.business.models import Integration

__all__ = ["DONE", "FAILING", "NOT_SEEN", "ChecklistItem", "checklist_for"]

DONE = "done"
FAILING = "failing"
NOT_SEEN = "not_seen"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One exchange of the checklist and what the journal says about it.

    ``reason`` is the partner-facing text of our answer (the cXML status as we sent it), ``fix``
    what to change, in the reader's language; ``detail`` a particular of a done item (the cart's
    encoding). ``document_id`` is the journal row that decided the state.
    """

    code: str
    label: str
    order: int
    state: str = NOT_SEEN
    when: datetime | None = None
    document_id: int | None = None
    detail: str = ""
    status_code: int | None = None
    reason: str = ""
    fix: str = ""


def checklist_for(integration: Integration) -> list[ChecklistItem]:
    """Every item of the checklist, in the order an integration goes through them."""
    items = [item for found in hooks.integration_checklist(integration=integration) for item in found]
    return sorted(items, key=lambda item: item.order)


def not_seen(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if item.state != DONE]
