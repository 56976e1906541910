"""Budgets per cost center and period: what is committed, and what a requisition would add.

Commitments are rows: an approved requisition commits its cost-center shares; when its purchase
orders are created the same money moves to the PO (kind ``purchase_order``); a cancelled order
releases it. Sums are done in Python ``Decimal`` (never in SQLite SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.approvals.choices import BudgetEnforcement, CommitmentKind
from openprocure.buyer.approvals.models import Budget, BudgetCommitment
from openprocure.buyer.approvals.policy import requisition_cost_center_amounts


@dataclass(frozen=True)
class BudgetCheck:
    """The numbers shown to the requester for one cost center's budget."""

    budget: Budget
    amount: Decimal  # the budget
    committed: Decimal  # approved requisitions and open POs, without this requisition
    requested: Decimal  # what this requisition charges the cost center
    currency: str

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed - self.requested

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    @property
    def blocks(self) -> bool:
        return self.exceeded and self.budget.enforcement == BudgetEnforcement.BLOCK

    def message(self) -> str:
        return _(
            "Budget of %(cost_center)s for %(start)s–%(end)s: %(amount)s %(currency)s, already committed "
            "%(committed)s, this requisition %(requested)s, remaining %(remaining)s %(currency)s."
        ) % {
            "cost_center": self.budget.cost_center,
            "start": self.budget.period_start.isoformat(),
            "end": self.budget.period_end.isoformat(),
            "amount": self.amount,
            "committed": self.committed,
            "requested": self.requested,
            "remaining": self.remaining,
            "currency": self.currency,
        }


def budget_for(cost_center_id: int, day: date) -> Budget | None:
    return (
        Budget.objects.select_related("cost_center")
        .filter(cost_center_id=cost_center_id, period_start__lte=day, period_end__gte=day)
        .order_by("-period_start")
        .first()
    )


def committed(budget: Budget, *, excluding_requisition_id: int | None = None) -> Decimal:
    rows = BudgetCommitment.objects.filter(budget=budget, released_at__isnull=True)
    if excluding_requisition_id is not None:
        rows = rows.exclude(requisition_id=excluding_requisition_id)
    return sum((Decimal(r.amount) for r in rows.only("amount") if r.currency == budget.currency), Decimal(0))


def check_requisition(requisition: Any, *, day: date | None = None) -> list[BudgetCheck]:
    """One check per charged cost center that has a budget in the requisition's currency today."""
    day = day or timezone.localdate()
    checks = []
    for cc, share in sorted(requisition_cost_center_amounts(requisition).items()):
        budget = budget_for(cc, day)
        if budget is None or budget.currency != requisition.currency:
            continue
        checks.append(
            BudgetCheck(
                budget=budget,
                amount=Decimal(budget.amount),
                committed=committed(budget, excluding_requisition_id=requisition.pk),
                requested=share,
                currency=budget.currency,
            )
        )
    return checks


def commit_requisition(*, requisition: Any, day: date | None = None) -> None:
    """An approved requisition commits its shares (replacing any earlier commitment of it)."""
    day = day or timezone.localdate()
    BudgetCommitment.objects.filter(requisition=requisition, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    rows = []
    for cc, share in requisition_cost_center_amounts(requisition).items():
        budget = budget_for(cc, day)
        if budget is not None:
            rows.append(
                BudgetCommitment(
                    budget=budget,
                    kind=CommitmentKind.REQUISITION,
                    requisition=requisition,
                    reference=requisition.number,
                    amount=share,
                    currency=requisition.currency,
                )
            )
    BudgetCommitment.objects.bulk_create(rows)


def move_to_purchase_order(*, requisition: Any, po_numbers: list[str]) -> None:
    """The requisition's commitments now stand for its purchase orders."""
    BudgetCommitment.objects.filter(
        requisition=requisition, kind=CommitmentKind.REQUISITION, released_at__isnull=True
    ).update(kind=CommitmentKind.PURCHASE_ORDER, reference=", ".join(po_numbers)[:64])


def release(*, requisition: Any) -> None:
    """Cancelled: the requisition's money is free again."""
    BudgetCommitment.objects.filter(requisition=requisition, released_at__isnull=True).update(
        released_at=timezone.now()
    )
