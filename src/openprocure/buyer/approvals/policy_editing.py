"""The policy editor's writes: a procurement administrator saves a rule and its steps, or a budget.

Requests already submitted keep the chain frozen when they were submitted; the rule applies to
the next ones.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.approvals.models import ApprovalRuleApprover, ApprovalRuleStep
from openprocure.buyer.approvals.workflow import ApprovalError
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.core.audit import record_event, save_administered
from openprocure.core.choices import AdminEventKind
from openprocure.core.models import AdminEvent


def save_rule(*, form: Any, steps: list[dict[str, Any]], actor: Any) -> Any:
    """Save a rule and replace its steps (requests already submitted keep their frozen chain), with
    who changed which fields on the record (an ``AdminEvent``; ``steps`` when the steps changed)."""
    if not is_procurement_admin(actor):
        raise ApprovalError(_("Only a procurement administrator can change the approval policy."))
    created = not form.instance.pk
    steps_changed = created or _step_rows(steps) != _step_rows(step_initial(form.instance))
    if not created and not form.has_changed() and not steps_changed:
        return form.instance  # saved without changes: nothing is written
    fields = list(form.changed_data) + (["steps"] if steps_changed else [])
    with transaction.atomic():
        rule = form.save(commit=False)
        rule.updated_by = actor
        rule.save()
        form.save_m2m()
        rule.steps.all().delete()
        for data in steps:
            step = ApprovalRuleStep.objects.create(
                rule=rule,
                order=data["order"],
                name=data.get("name", ""),
                mode=data["mode"],
                quorum=data["quorum"],
                quorum_count=data.get("quorum_count") or 1,
            )
            if data["kind"] == "user":
                for user in data["users"]:
                    ApprovalRuleApprover.objects.create(step=step, kind="user", user=user)
            else:
                ApprovalRuleApprover.objects.create(
                    step=step, kind=data["kind"], levels=data.get("levels") or 1, role=data.get("role", "")
                )
        record_event(
            AdminEvent,
            rule,
            AdminEventKind.CREATED if created else AdminEventKind.CHANGED,
            actor=actor,
            detail={"fields": fields},
        )
    return rule


def save_budget(*, form: Any, actor: Any) -> Any:
    """Save a budget from its form, with who changed which fields on the record (an ``AdminEvent``)."""
    if not is_procurement_admin(actor):
        raise ApprovalError(_("Only a procurement administrator can change budgets."))
    return save_administered(form, actor=actor)


def _step_rows(steps: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Steps as comparable rows: what each step means, whatever the form left in unused fields."""
    rows = []
    for data in steps:
        kind = data.get("kind")
        users = sorted(getattr(u, "pk", u) for u in data.get("users") or []) if kind == "user" else []
        rows.append(
            (
                int(data.get("order") or 1),
                data.get("name") or "",
                data.get("mode"),
                data.get("quorum"),
                int(data.get("quorum_count") or 1),
                kind,
                int(data.get("levels") or 1) if kind == "manager" else None,
                (data.get("role") or "") if kind == "role" else "",
                users,
            )
        )
    return sorted(rows, key=repr)


def step_initial(rule: Any) -> list[dict[str, Any]]:
    """The step editor's rows for an existing rule."""
    rows = []
    for step in rule.steps.prefetch_related("approvers"):
        approvers = list(step.approvers.all())
        first = approvers[0] if approvers else None
        rows.append(
            {
                "order": step.order,
                "name": step.name,
                "mode": step.mode,
                "quorum": step.quorum,
                "quorum_count": step.quorum_count,
                "kind": first.kind if first else "user",
                # Only the fields the kind uses: the others stay empty, as the editor requires.
                "levels": first.levels if first and first.kind == "manager" else None,
                "role": first.role if first and first.kind == "role" else "",
                "users": [a.user_id for a in approvers if a.user_id],
            }
        )
    return rows
