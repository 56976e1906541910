"""What happens to a requisition at submit, as one narrative: budgets, then the frozen chain."""

from __future__ import annotations

from typing import Any

from openprocure.buyer.approvals import budgets, services
from openprocure.buyer.requisitions.services import RequisitionError


def on_requisition_submitted(requisition: Any) -> None:
    """Registered in ``requisitions.hooks.on_submitted`` (inside the submit transaction).

    1. Check every charged cost center's budget: a blocking budget that would be exceeded refuses
       the submission (the whole submit rolls back); a warning budget is noted on the requisition.
    2. Resolve the chain under today's policy and freeze it; an unresolvable step refuses the submission.
    """

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


def on_requisitions_submitted(requisitions: list[Any]) -> dict[int, str]:
    """The same narrative for a batch (registered in ``requisitions.hooks.on_submitted_many``).

    Returns ``{pk: reason}`` for the requisitions refused (a blocking budget, an unresolvable chain);
    nothing is written for them. Requisitions are taken in order, as if submitted one after another.
    """
    chains, unresolved = services.resolve_chains(requisitions)
    # Approved at once (empty chain): commits its money now, so the next ones are checked against it.
    checks = budgets.check_requisitions(
        requisitions, commits_at_once={pk for pk, chain in chains.items() if not chain}
    )
    refused: dict[int, str] = {}
    for requisition in requisitions:
        blocking = [c for c in checks[requisition.pk] if c.blocks]
        if blocking:
            refused[requisition.pk] = " ".join(c.message() for c in blocking)
        elif requisition.pk in unresolved:
            refused[requisition.pk] = unresolved[requisition.pk]
    remaining = [r for r in requisitions if r.pk not in refused]
    if remaining:
        services.start_approvals(requisitions=remaining, chains=chains, actor=remaining[0].requester)
    warned = []
    for requisition in remaining:
        warnings = [c for c in checks[requisition.pk] if c.exceeded]
        if warnings:
            requisition.warnings = [
                *[w for w in requisition.warnings if w.get("code") != "budget_exceeded"],
                *[{"code": "budget_exceeded", "message": c.message()} for c in warnings],
            ]
            warned.append(requisition)
    if warned:
        type(warned[0]).objects.bulk_update(warned, ["warnings"])
    return refused
