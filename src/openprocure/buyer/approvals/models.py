"""Approval policies (rules and their steps, edited as data), the chains frozen at submit,
delegations, budgets with their commitments, and personal API tokens."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.approvals.choices import (
    ApproverSource,
    AssignmentStatus,
    BudgetEnforcement,
    CommitmentKind,
    Decision,
    DecisionChannel,
    FreeTextCondition,
    QuorumKind,
    RequestStatus,
    StepMode,
    StepStatus,
)
from openprocure.buyer.organization.choices import Role
from openprocure.core.audit import AuditEvent
from openprocure.core.fields import amount_field, currency_field, optional_link
from openprocure.core.models import ApiCredential, NewestFirst
from openprocure.core.status import status_field

USER = settings.AUTH_USER_MODEL


class ApprovalRule(models.Model):
    """One rule of the approval policy: when its conditions hold, its steps join the chain.

    Conditions left empty match everything. The procurement administrator edits rules in the
    suite; a rule change never moves requests already submitted (their chain is frozen).
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Rules with a lower number add their steps first.")
    )
    min_amount = amount_field(
        _("above amount"),
        null=True,
        blank=True,
        help_text=_("Matches when the total is strictly above this amount."),
    )
    max_amount = amount_field(
        _("up to amount"),
        null=True,
        blank=True,
        help_text=_("Matches when the total is at most this amount."),
    )
    currency = currency_field(_("currency of the amounts"), default="EUR")
    category_prefixes = models.CharField(
        _("UNSPSC prefixes"),
        max_length=500,
        blank=True,
        help_text=_("Space-separated; matches when any line's category starts with one of them."),
    )
    cost_centers = models.ManyToManyField(
        "organization.CostCenter", verbose_name=_("cost centers"), blank=True, related_name="+"
    )
    departments = models.ManyToManyField(
        "organization.Department", verbose_name=_("departments"), blank=True, related_name="+"
    )
    suppliers = models.ManyToManyField(
        "suppliers.Supplier", verbose_name=_("suppliers"), blank=True, related_name="+"
    )
    free_text = models.CharField(
        _("catalog or free text"), max_length=16, choices=FreeTextCondition.choices, default="any"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = optional_link(USER)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return self.name

    def prefix_list(self) -> list[str]:
        return [p for p in self.category_prefixes.replace(",", " ").split() if p]


class ApprovalRuleStep(models.Model):
    """A step a rule adds to the chain: who is asked, one after another or together with a quorum."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=200, blank=True)
    mode = models.CharField(
        _("how approvers are asked"), max_length=16, choices=StepMode.choices, default="parallel"
    )
    quorum = models.CharField(_("approvals needed"), max_length=16, choices=QuorumKind.choices, default="any")
    quorum_count = models.PositiveIntegerField(_("number of approvals"), default=1)

    class Meta:
        ordering = ["rule", "order", "id"]
        verbose_name = _("rule step")
        verbose_name_plural = _("rule steps")

    def __str__(self) -> str:
        return self.name or f"{self.rule} #{self.order}"


def role_label(code: str) -> str:
    """A role code of the policy (``organization.choices.Role``) in words; an unknown code as stored."""
    return str(dict(Role.choices).get(code, code))


class ApprovalRuleApprover(models.Model):
    """Where the approvers of a step come from: the manager chain, cost-center owners, a role or a person."""

    step = models.ForeignKey(ApprovalRuleStep, on_delete=models.CASCADE, related_name="approvers")
    kind = models.CharField(_("approver"), max_length=32, choices=ApproverSource.choices)
    levels = models.PositiveSmallIntegerField(_("manager levels"), default=1)
    role = models.CharField(_("role"), max_length=32, blank=True)
    user = optional_link(USER, _("person"), on_delete=models.CASCADE)

    class Meta:
        ordering = ["step", "id"]
        verbose_name = _("step approver")
        verbose_name_plural = _("step approvers")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user or self.role or self.levels}"

    @property
    def role_label(self) -> str:
        """The role in words (“Procurement administrator”), or the stored code for an unknown one."""
        return role_label(self.role)


class ApprovalRequest(NewestFirst):
    """One round of approval of a requisition, with its chain copied from the policy at submit.

    A material change after submit supersedes the round and starts a new one.
    """

    requisition = models.ForeignKey(
        "requisitions.Requisition", on_delete=models.CASCADE, related_name="approval_requests"
    )
    round = models.PositiveIntegerField(_("round"), default=1)
    status = status_field(RequestStatus, RequestStatus.PENDING, db_index=True)
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    amount = amount_field(_("amount approved"))
    currency = currency_field()
    supplier_ids = models.JSONField(_("suppliers"), default=list)
    lines_digest = models.CharField(
        _("lines approved (fingerprint)"),
        max_length=64,
        blank=True,
        help_text=_("Of the requisition's lines when the round started; an order is made only from those."),
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [models.UniqueConstraint(fields=["requisition", "round"], name="unique_approval_round")]

    def __str__(self) -> str:
        return f"{self.requisition} #{self.round}"

    @property
    def money(self) -> tuple[Decimal, str]:
        return Decimal(self.amount), self.currency


class ApprovalStep(models.Model):
    """A step of a frozen chain."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    mode = models.CharField(_("mode"), max_length=16, choices=StepMode.choices)
    quorum = models.CharField(_("quorum"), max_length=16, choices=QuorumKind.choices)
    required = models.PositiveIntegerField(_("approvals needed"))
    status = status_field(StepStatus, StepStatus.WAITING)
    rule_id_at_submit = models.PositiveIntegerField(_("rule"), null=True, blank=True)
    activated_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="unique_step_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ApprovalAssignment(models.Model):
    """A person asked to decide on a step (possibly on behalf of someone who delegated to them)."""

    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="assignments")
    approver = models.ForeignKey(
        USER, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="approval_assignments"
    )
    on_behalf_of = optional_link(USER, _("on behalf of"), on_delete=models.PROTECT)
    position = models.PositiveIntegerField(_("turn"), default=1)
    source = models.CharField(_("why asked"), max_length=100, blank=True)
    status = status_field(AssignmentStatus, AssignmentStatus.QUEUED, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    notified_at = models.DateTimeField(_("asked"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["step", "position", "id"]
        verbose_name = _("approval assignment")
        verbose_name_plural = _("approval assignments")

    def __str__(self) -> str:
        return f"{self.approver} — {self.step}"


class ApprovalDecision(models.Model):
    """What an approver decided on an assignment. One per assignment: a repeat is refused."""

    assignment = models.ForeignKey(ApprovalAssignment, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("through"), max_length=8, choices=DecisionChannel.choices, default="web")
    created_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        constraints = [
            # One decision per assignment, whatever it is: a concurrent second click fails here.
            models.UniqueConstraint(fields=["assignment"], name="one_decision_per_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.actor}"


class ApprovalEvent(AuditEvent):
    """The audit trail of an approval request: submitted, asked, approved, delegated, escalated…"""

    SUBJECT = "request"

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(AuditEvent.Meta):
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")


class EmailActionToken(models.Model):
    """A single-use, expiring link to approve or reject from an e-mail; only its hash is stored."""

    assignment = models.ForeignKey(ApprovalAssignment, on_delete=models.CASCADE, related_name="email_tokens")
    action = models.CharField(_("action"), max_length=16, choices=Decision.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail approval link")
        verbose_name_plural = _("e-mail approval links")

    def __str__(self) -> str:
        return f"{self.action} {self.assignment_id}"


class Delegation(models.Model):
    """While someone is away (from start to end date, inclusive), their approvals go to a delegate."""

    delegator = models.ForeignKey(
        USER, verbose_name=_("away"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        USER, verbose_name=_("delegate"), on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on}–{self.ends_on})"


class Budget(models.Model):
    """The money a cost center may commit in a period, and whether going over warns or blocks."""

    cost_center = models.ForeignKey(
        "organization.CostCenter", on_delete=models.CASCADE, related_name="budgets"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    amount = amount_field(_("amount"))
    currency = currency_field(default="EUR")
    enforcement = models.CharField(
        _("when exceeded"), max_length=8, choices=BudgetEnforcement.choices, default=BudgetEnforcement.WARN
    )

    class Meta:
        ordering = ["cost_center", "-period_start"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["cost_center", "period_start"], name="unique_budget_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="budget_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cost_center} {self.period_start}–{self.period_end}"


class BudgetCommitment(models.Model):
    """Money committed against a budget: an approved requisition, then its open purchase order.

    A row of a purchase order that follows what the supplier rejected of one of its lines names that
    line (``rejected_line``): negative when the rejected part is released, positive when the supplier
    accepts it again."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=16, choices=CommitmentKind.choices)
    requisition = models.ForeignKey("requisitions.Requisition", on_delete=models.CASCADE, related_name="+")
    rejected_line = optional_link("purchasing.PurchaseOrderLine", _("order line rejected by the supplier"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    amount = amount_field(_("amount"))
    currency = currency_field()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["budget", "created_at", "id"]
        verbose_name = _("budget commitment")
        verbose_name_plural = _("budget commitments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} {self.amount} {self.currency}"


class ApiToken(ApiCredential):
    """A personal token for the REST API; only a hash is kept, the token is shown once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)

    class Meta(ApiCredential.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
