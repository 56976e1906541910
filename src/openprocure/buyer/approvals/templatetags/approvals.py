"""Template tags other apps' pages use to show approval state without importing the approvals app."""

from __future__ import annotations

from typing import Any

from django import template

from openprocure.buyer.approvals import selectors

register = template.Library()


@register.simple_tag
def waiting_for(requisition: Any) -> list[Any]:
    """``{% waiting_for requisition as waiting %}``: the approvers it waits for, each with ``notified_at``."""
    return selectors.waiting_for(requisition)


@register.simple_tag
def ending_decision(requisition: Any) -> Any:
    """``{% ending_decision requisition as decision %}``: the approver's decision that rejected or
    returned it (``actor``, ``created_at``, ``comment``, ``assignment.on_behalf_of``), or ``None``."""
    return selectors.ending_decision(requisition)
