"""Budgets per cost center and period: what is committed, and what a requisition would add.

Commitments are rows: an approved requisition commits its cost-center shares; when its purchase
orders are created the same money moves to the PO (kind ``purchase_order``); a cancelled order
releases it, and what the supplier rejects of an order's lines is released line by line (rows that
name the line, so each answer is counted against the ones before). Sums are done in Python ``Decimal`` (never in SQLite SQL).
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
from openprocure.core.formatting import format_money


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
            "Budget of %(cost_center)s for %(start)s–%(end)s: %(amount)s, already committed "
            "%(committed)s, this requisition %(requested)s, remaining %(remaining)s."
        ) % {
            "cost_center": self.budget.cost_center,
            "start": self.budget.period_start.isoformat(),
            "end": self.budget.period_end.isoformat(),
            "amount": format_money(self.amount, self.currency),
            "committed": format_money(self.committed, self.currency),
            "requested": format_money(self.requested, self.currency),
            "remaining": format_money(self.remaining, self.currency),
        }


def committed_by_budget(budgets: list[Budget]) -> dict[int, Decimal]:
    """What is committed against each of ``budgets`` (unreleased, in the budget's currency), read in
    one query."""
    currency = {budget.pk: budget.currency for budget in budgets}
    totals = dict.fromkeys(currency, Decimal(0))
    rows = BudgetCommitment.objects.filter(budget_id__in=currency, released_at__isnull=True).only(
        "budget_id", "amount", "currency"
    )
    for row in rows:
        if row.currency == currency[row.budget_id]:
            totals[row.budget_id] += Decimal(row.amount)
    return totals


def check_requisition(requisition: Any, *, day: date | None = None) -> list[BudgetCheck]:
    """One check per charged cost center that has a budget in the requisition's currency today."""
    return check_requisitions([requisition], day=day)[requisition.pk]


def commit_requisition(*, requisition: Any, day: date | None = None) -> None:
    """An approved requisition commits its shares (replacing any earlier commitment of it)."""
    commit_requisitions(requisitions=[requisition], day=day)


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


def release_part(
    *,
    requisition: Any,
    reference: str,
    amounts: dict[str, Decimal],
    currency: str,
    rejected_line: Any = None,
) -> None:
    """Part of an order is cancelled: ``amounts`` (by cost-center code) are free again.

    Recorded as a negative commitment on the budget the requisition's commitment for that cost
    center stands on, so the history shows what was released and when. A negative amount is money
    committed again (a supplier accepting what it had rejected of ``rejected_line``, the order line
    the rows then name).
    """
    open_rows = BudgetCommitment.objects.filter(requisition=requisition, released_at__isnull=True)
    budgets = {
        row.budget.cost_center.code: row.budget
        for row in open_rows.select_related("budget__cost_center")
        if Decimal(row.amount) > 0
    }
    rows = [
        BudgetCommitment(
            budget=budgets[code],
            kind=CommitmentKind.PURCHASE_ORDER,
            requisition=requisition,
            rejected_line=rejected_line,
            reference=reference[:64],
            amount=-amount,
            currency=currency,
        )
        for code, amount in sorted(amounts.items())
        if amount and code in budgets
    ]
    BudgetCommitment.objects.bulk_create(rows)


def released_for_rejections(*, line_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """What the open commitment rows of each of these order lines' rejected quantities have released
    (positive) so far, by line id and cost-center code, read in one query."""
    released: dict[int, dict[str, Decimal]] = {line_id: {} for line_id in line_ids}
    rows = BudgetCommitment.objects.filter(
        rejected_line_id__in=line_ids, released_at__isnull=True
    ).values_list("rejected_line_id", "budget__cost_center__code", "amount")
    for line_id, code, amount in rows:
        released[line_id][code] = released[line_id].get(code, Decimal(0)) - Decimal(amount)
    return released


# -- many requisitions at once (the batch path: a few queries for the whole batch) ---------------------
def _budgets_by_cost_center(cost_center_ids: set[int], day: date) -> dict[int, Budget]:
    """The budget in force on ``day`` of each of these cost centers that has one, read in one query."""
    found: dict[int, Budget] = {}
    rows = (
        Budget.objects.select_related("cost_center")
        .filter(cost_center_id__in=cost_center_ids, period_start__lte=day, period_end__gte=day)
        .order_by("cost_center_id", "-period_start")
    )
    for budget in rows:
        found.setdefault(budget.cost_center_id, budget)  # the period that started last
    return found


def check_requisitions(
    requisitions: list[Any], *, commits_at_once: set[int] | None = None, day: date | None = None
) -> dict[int, list[BudgetCheck]]:
    """:func:`check_requisition` for many requisitions (lines and splits prefetched), keyed by pk.

    Checked in order as if submitted one after another: a requisition of ``commits_at_once`` (approved
    as soon as submitted) that no budget blocks counts as committed for the ones after it.
    """
    day = day or timezone.localdate()
    shares = {r.pk: requisition_cost_center_amounts(r) for r in requisitions}
    budgets = _budgets_by_cost_center({cc for charged in shares.values() for cc in charged}, day)
    total: dict[int, Decimal] = {}
    own: dict[tuple[int, int], Decimal] = {}
    currencies = {b.pk: b.currency for b in budgets.values()}
    rows = BudgetCommitment.objects.filter(budget_id__in=currencies, released_at__isnull=True).values_list(
        "budget_id", "requisition_id", "amount", "currency"
    )
    for budget_id, requisition_id, amount, currency in rows:
        if currency != currencies[budget_id]:
            continue
        total[budget_id] = total.get(budget_id, Decimal(0)) + Decimal(amount)
        key = (budget_id, requisition_id)
        own[key] = own.get(key, Decimal(0)) + Decimal(amount)
    checks: dict[int, list[BudgetCheck]] = {}
    for requisition in requisitions:
        found = []
        for cc, share in sorted(shares[requisition.pk].items()):
            budget = budgets.get(cc)
            if budget is None or budget.currency != requisition.currency:
                continue
            found.append(
                BudgetCheck(
                    budget=budget,
                    amount=Decimal(budget.amount),
                    committed=total.get(budget.pk, Decimal(0))
                    - own.get((budget.pk, requisition.pk), Decimal(0)),
                    requested=share,
                    currency=budget.currency,
                )
            )
        checks[requisition.pk] = found
        if requisition.pk in (commits_at_once or set()) and not any(c.blocks for c in found):
            for check in found:
                total[check.budget.pk] = total.get(check.budget.pk, Decimal(0)) + check.requested
    return checks


def commit_requisitions(*, requisitions: list[Any], day: date | None = None) -> None:
    """:func:`commit_requisition` for many approved requisitions (lines and splits prefetched)."""
    day = day or timezone.localdate()
    now = timezone.now()
    BudgetCommitment.objects.filter(
        requisition_id__in=[r.pk for r in requisitions], released_at__isnull=True
    ).update(released_at=now)
    shares = {r.pk: requisition_cost_center_amounts(r) for r in requisitions}
    budgets = _budgets_by_cost_center({cc for charged in shares.values() for cc in charged}, day)
    BudgetCommitment.objects.bulk_create(
        [
            BudgetCommitment(
                budget=budgets[cc],
                kind=CommitmentKind.REQUISITION,
                requisition=requisition,
                reference=requisition.number,
                amount=share,
                currency=requisition.currency,
                created_at=now,
            )
            for requisition in requisitions
            for cc, share in shares[requisition.pk].items()
            if cc in budgets
        ]
    )


def move_to_purchase_orders(*, po_numbers: dict[int, list[str]]) -> None:
    """:func:`move_to_purchase_order` for many requisitions: ``{requisition pk: its PO numbers}``."""
    rows = list(
        BudgetCommitment.objects.filter(
            requisition_id__in=list(po_numbers), kind=CommitmentKind.REQUISITION, released_at__isnull=True
        ).only("pk", "requisition_id")
    )
    for row in rows:
        row.kind = CommitmentKind.PURCHASE_ORDER
        row.reference = ", ".join(po_numbers[row.requisition_id])[:64]
    BudgetCommitment.objects.bulk_update(rows, ["kind", "reference"])
