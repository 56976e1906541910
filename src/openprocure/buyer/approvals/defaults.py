"""Every tunable of the approval workflow, each overridable by a Django setting of the same name."""

from __future__ import annotations

from typing import Any

from openprocure.core.tunables import tunable

DEFAULTS: dict[str, Any] = {
    # Hours an approver may leave a request waiting before a reminder e-mail (repeated at this interval).
    "APPROVAL_REMINDER_HOURS": 24,
    # Hours a step may stay open before it escalates to the next level of the requester's managers.
    "APPROVAL_ESCALATION_HOURS": 72,
    # Days an e-mailed approve/reject link stays valid.
    "APPROVAL_LINK_DAYS": 7,
    # Restart approval when an approved amount goes *down* too (an increase always restarts).
    "APPROVAL_RESTART_ON_DECREASE": False,
    # Manager levels looked up for escalation.
    "APPROVAL_MAX_ESCALATION_LEVELS": 6,
}


def get(name: str) -> Any:
    """The setting ``name``, or its default above (through ``openprocure.core.tunables``)."""
    return tunable(name, DEFAULTS)
