"""The buyer's resolution of an issue a supplier's document raised."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.choices import ISSUE_TRANSITIONS, IssueStatus
from openprocure.buyer.fulfilment.models import SupplierIssue
from openprocure.buyer.fulfilment.progress import FulfilmentError
from openprocure.buyer.purchasing.models import PurchaseOrderEvent
from openprocure.core.audit import record_event
from openprocure.core.status import set_status


def resolve_issue(*, issue: SupplierIssue, actor: Any, resolution: str) -> SupplierIssue:
    """The buyer acknowledges a supplier issue with a note of what they decided."""
    if not resolution.strip():
        raise FulfilmentError(_("Say what you decided (e.g. “order elsewhere”, “new price accepted”)."))
    with transaction.atomic():
        issue = SupplierIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.status != IssueStatus.OPEN:
            raise FulfilmentError(_("This issue is already resolved."))
        set_status(
            issue,
            IssueStatus.RESOLVED,
            table=ISSUE_TRANSITIONS,
            values={"resolution": resolution.strip(), "resolved_by": actor, "resolved_at": timezone.now()},
        )
        record_event(
            PurchaseOrderEvent,
            issue.purchase_order,
            "supplier_issue_resolved",
            actor=actor,
            detail={"issue": issue.pk, "resolution": issue.resolution},
        )
    return issue
