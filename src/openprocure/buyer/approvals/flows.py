"""What happens to a requisition at submit, as one narrative: budgets, then the frozen chain."""

from __future__ import annotations

from typing import Any

from openprocure.buyer.approvals import budgets, services


def on_requisition_submitted(requisition: Any) -> None:
    """Registered in ``requisitions.hooks.on_submitted`` (inside the submit transaction).

    1. Check every charged cost center's budget: a blocking budget that would be exceeded refuses
       the submission (the whole submit rolls back); a warning budget is noted on the requisition.
    2. Resolve the chain under today's policy and freeze it; an unresolvable step refuses the submission.
    """
    from openprocure.buyer.requisitions.services import RequisitionError

    checks = budgets.check_requisition(requisition)
    blocking = [c for c in checks if c.blocks]
    if blocking:
        raise RequisitionError(" ".join(c.message() for c in blocking))
    warnings = [c for c in checks if c.exceeded]
    if warnings:
        requisition.warnings = [
            *[w for w in requisition.warnings if w.get("code") != "budget_exceeded"],
            *[{"code": "budget_exceeded", "message": c.message()} for c in warnings],
        ]
        requisition.save(update_fields=["warnings"])
    try:
        services.start_approval(requisition=requisition, actor=requisition.requester)
    except services.ApprovalError as error:
        raise RequisitionError(str(error)) from error
