"""From rows to engine values: the active rules, the organisation directory, a requisition's facts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from openprocure.buyer.approvals.engine import (
    ApproverKind,
    ApproverSpec,
    Directory,
    Facts,
    Mode,
    Quorum,
    ResolvedStep,
    Rule,
    StepSpec,
    resolve,
)
from openprocure.buyer.approvals.models import ApprovalRule
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.models import CostCenter, RoleAssignment, UserProfile
from openprocure.buyer.organization.services import spending_limit_for
from openprocure.core.formatting import format_money
from openprocure.core.models import User
from openprocure.core.reference import exchange_rate, exchange_rates
from punchout.money import quantize_money

_FREE_TEXT = {"any": None, "free_text": True, "catalog": False}


_cache: dict[str, Any] = {"key": None, "rules": []}


def load_rules() -> list[Rule]:
    """The active rules of the policy as engine values.

    Kept in memory per process and reloaded when a rule is added, removed or saved (one aggregate
    query checks that; every policy-editor save touches the rule's ``updated_at``).
    """
    key = tuple(ApprovalRule.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if _cache["key"] != key:
        _cache["rules"] = _load_rules()
        _cache["key"] = key
    return list(_cache["rules"])


def _load_rules() -> list[Rule]:
    rows = ApprovalRule.objects.filter(is_active=True).prefetch_related(
        "steps__approvers", "cost_centers", "departments", "suppliers"
    )
    rules = []
    for row in rows:
        steps = tuple(
            StepSpec(
                name=step.name,
                order=step.order,
                mode=Mode(step.mode),
                quorum=Quorum(step.quorum),
                quorum_count=step.quorum_count,
                approvers=tuple(
                    ApproverSpec(kind=ApproverKind(a.kind), levels=a.levels, role=a.role, user_id=a.user_id)
                    for a in step.approvers.all()
                ),
            )
            for step in row.steps.all()
        )
        rules.append(
            Rule(
                id=row.pk,
                name=row.name,
                priority=row.priority,
                steps=steps,
                min_amount=Decimal(row.min_amount) if row.min_amount is not None else None,
                max_amount=Decimal(row.max_amount) if row.max_amount is not None else None,
                currency=row.currency,
                category_prefixes=frozenset(row.prefix_list()),
                cost_center_ids=frozenset(c.pk for c in row.cost_centers.all()),
                department_ids=frozenset(d.pk for d in row.departments.all()),
                supplier_ids=frozenset(s.pk for s in row.suppliers.all()),
                free_text=_FREE_TEXT.get(row.free_text),
            )
        )
    return rules


def requisition_cost_center_amounts(requisition: Any) -> dict[int, Decimal]:
    """What each cost center is charged by the requisition (splits by percentage or amount, else the line's)."""
    charged: dict[int, Decimal] = {}
    for line in requisition.lines.all():
        splits = list(line.splits.all())
        if splits:
            for split in splits:
                if split.amount is not None:
                    share = Decimal(split.amount)
                else:
                    share = line.amount * Decimal(split.percentage or 0) / Decimal(100)
                charged[split.cost_center_id] = charged.get(split.cost_center_id, Decimal(0)) + share
        elif line.cost_center_id:
            charged[line.cost_center_id] = charged.get(line.cost_center_id, Decimal(0)) + line.amount
    return {cc: quantize_money(value, requisition.currency) for cc, value in charged.items()}


def requisition_facts(requisition: Any) -> Facts:
    """The facts the engine needs about a requisition (lines, splits and requester read once)."""
    lines = list(requisition.lines.all())
    profile = getattr(requisition.requester, "buyer_profile", None)
    total = requisition.compute_total()
    return Facts(
        amount=total,
        currency=requisition.currency,
        requester_id=requisition.requester_id,
        categories=frozenset(line.unspsc for line in lines if line.unspsc),
        cost_center_ids=frozenset(requisition_cost_center_amounts(requisition)),
        department_id=profile.department_id if profile else None,
        supplier_ids=frozenset(line.supplier_id for line in lines if line.supplier_id),
        has_free_text=any(line.is_free_text for line in lines),
    )


def manager_map(user_id: int, levels: int) -> dict[int, int | None]:
    """The requester's manager chain as a map (one query per level, stopping at the top).

    Each person maps to their first manager up the chain who may still sign in: a manager who left
    is passed over, and their own manager is asked instead.
    """
    managers: dict[int, int | None] = {}
    current: int | None = user_id
    for _level in range(levels):
        if current is None or current in managers:
            break
        manager = _active_manager(current)
        managers[current] = manager
        current = manager
    return managers


def _active_manager(user_id: int) -> int | None:

    seen = {user_id}
    current = user_id
    while True:
        row = (
            UserProfile.objects.filter(user_id=current)
            .values_list("manager_id", "manager__is_active")
            .first()
        )
        if row is None or row[0] is None:
            return None
        manager, active = row
        if active:
            return manager
        if manager in seen:
            return None
        seen.add(manager)
        current = manager


def directory_for(facts: Facts, rules: list[Rule]) -> Directory:
    """Just enough of the organisation to resolve ``rules`` for ``facts``."""
    return directory_for_many([facts], rules)


def directory_for_many(facts_list: list[Facts], rules: list[Rule]) -> Directory:
    """One directory good for resolving ``rules`` for every one of ``facts_list`` (a batch of submits)."""

    levels = max(
        [0]
        + [a.levels for r in rules for s in r.steps for a in s.approvers if a.kind == ApproverKind.MANAGER]
    )
    roles = {a.role for r in rules for s in r.steps for a in s.approvers if a.kind == ApproverKind.ROLE}
    members: dict[str, list[int]] = {}
    if roles:
        for role, uid in (
            RoleAssignment.objects.filter(role__in=roles, profile__user__is_active=True)
            .values_list("role", "profile__user_id")
            .order_by("role", "profile__user_id")
        ):
            members.setdefault(role, []).append(uid)
    cost_centers = {cc for facts in facts_list for cc in facts.cost_center_ids}
    # An owner who may no longer sign in is nobody to ask.
    owners = dict(
        CostCenter.objects.filter(pk__in=cost_centers, owner__is_active=True).values_list("pk", "owner_id")
    )
    named = {a.user_id for r in rules for s in r.steps for a in s.approvers if a.user_id is not None}
    inactive = (
        frozenset(User.objects.filter(pk__in=named, is_active=False).values_list("pk", flat=True))
        if named
        else frozenset()
    )
    managers: dict[int, int | None] = {}
    if levels:
        for requester_id in sorted({facts.requester_id for facts in facts_list}):
            managers.update(manager_map(requester_id, levels))
    return Directory(managers=managers, cost_center_owners=owners, role_members=members, inactive=inactive)


def rates() -> dict[tuple[str, str], Decimal]:
    """Every ``(from, to)`` rate of the ``EXCHANGE_RATES`` table, as the approval engine reads them."""
    codes = list(exchange_rates())
    return {
        (a, b): rate for a in codes for b in codes if a != b and (rate := exchange_rate(a, b)) is not None
    }


def resolve_chain(
    requisition: Any, *, rules: list[Rule] | None = None, facts: Facts | None = None
) -> list[ResolvedStep]:
    """Who will approve ``requisition`` under the current policy (the preview and the frozen chain)."""

    rules = load_rules() if rules is None else rules
    facts = requisition_facts(requisition) if facts is None else facts
    chain = resolve(rules, facts, directory_for(facts, rules), rates=rates())
    if not chain:
        chain = over_limit_chain(facts, spending_limit_for(user=requisition.requester))
    return chain


#: ``rule_id`` of the step :func:`over_limit_chain` adds (it comes from no rule of the policy).
SPENDING_LIMIT_RULE_ID = 0


def over_limit_chain(facts: Facts, limit: tuple[Decimal, str] | None) -> list[ResolvedStep]:
    """The step a requisition above its requester's spending limit needs when no rule asks anyone.

    Such a requisition is never approved on its own: the requester's manager approves it, or, for
    someone without a manager, the procurement administrators. When nobody can (the chain then has
    an unresolved step), submission is refused. Without a rate between the currencies the limit
    counts as exceeded, as for rules.
    """
    if limit is None:
        return []
    amount, currency = limit
    name = _("Above the requester's spending limit of %(amount)s") % {
        "amount": format_money(amount, currency)
    }
    chain: list[ResolvedStep] = []
    for source in (
        ApproverSpec(kind=ApproverKind.MANAGER, levels=1),
        ApproverSpec(kind=ApproverKind.ROLE, role=Role.PROCUREMENT_ADMIN),
    ):
        rule = Rule(
            id=SPENDING_LIMIT_RULE_ID,
            name=name,
            steps=(StepSpec(name=name, approvers=(source,)),),
            min_amount=amount,
            currency=currency,
        )
        chain = resolve([rule], facts, directory_for(facts, [rule]), rates=rates())
        if not chain or not chain[0].unresolved:
            return chain
    return chain
