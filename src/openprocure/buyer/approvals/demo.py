"""Demo approval policy (used only by ``seed_demo``): above 500 EUR the approver, above 5,000 EUR the admin too."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from openprocure.buyer.approvals.models import ApprovalRule, ApprovalRuleApprover, ApprovalRuleStep
from openprocure.core.models import User

DEMO_RULES = [
    # (name, priority, above amount, approver e-mail)
    ("Above 500 EUR: approver", 10, Decimal("500.00"), "approver@acme.test"),
    ("Above 5,000 EUR: administrator", 20, Decimal("5000.00"), "admin@acme.test"),
]


def seed_approvals() -> None:
    """Create the demo rules the first time; once any rule exists, the administrators' rules stay."""
    if ApprovalRule.objects.exists():
        return
    with transaction.atomic():
        for name, priority, above, email in DEMO_RULES:
            person = User.objects.get(email=email)
            rule, _ = ApprovalRule.objects.update_or_create(
                name=name,
                defaults={"priority": priority, "min_amount": above, "currency": "EUR", "is_active": True},
            )
            rule.steps.all().delete()
            step = ApprovalRuleStep.objects.create(
                rule=rule, order=1, name=name, mode="parallel", quorum="any"
            )
            ApprovalRuleApprover.objects.create(step=step, kind="user", user=person)
