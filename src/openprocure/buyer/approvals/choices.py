"""Statuses of approval requests, steps and assignments, with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.approvals.engine import ApproverKind, Mode, Quorum


class StepMode(models.TextChoices):
    SERIAL = Mode.SERIAL.value, _("One after another")  # each approver in turn
    PARALLEL = Mode.PARALLEL.value, _("All at once")  # everyone asked together, quorum decides


class QuorumKind(models.TextChoices):
    ANY = Quorum.ANY.value, _("Any one approver")  # the first approval completes the step
    ALL = Quorum.ALL.value, _("Every approver")  # everyone must approve
    COUNT = Quorum.COUNT.value, _("A number of approvers")  # N of the M approvers


class ApproverSource(models.TextChoices):
    MANAGER = ApproverKind.MANAGER.value, _("Requester's manager")  # up to N levels up
    COST_CENTER_OWNER = ApproverKind.COST_CENTER_OWNER.value, _("Cost-center owner")  # of each charged
    ROLE = ApproverKind.ROLE.value, _("Everyone with a role")  # e.g. procurement administrators
    USER = ApproverKind.USER.value, _("A named person")  # one user


class FreeTextCondition(models.TextChoices):
    ANY = "any", _("Catalog or free text")  # no condition
    FREE_TEXT = "free_text", _("Has a free-text line")  # at least one non-catalog line
    CATALOG = "catalog", _("Catalog lines only")  # every line came from a catalog


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")  # some step still open
    APPROVED = "approved", _("Approved")  # every step approved
    REJECTED = "rejected", _("Rejected")  # an approver said no
    RETURNED = "returned", _("Returned to requester")  # an approver asked for changes
    SUPERSEDED = "superseded", _("Restarted")  # a material change started a new round
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the requisition was withdrawn or cancelled


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.PENDING: {
        RequestStatus.APPROVED,
        RequestStatus.REJECTED,
        RequestStatus.RETURNED,
        RequestStatus.SUPERSEDED,
        RequestStatus.WITHDRAWN,
    },
    RequestStatus.APPROVED: {RequestStatus.SUPERSEDED, RequestStatus.WITHDRAWN},
    RequestStatus.REJECTED: set(),
    RequestStatus.RETURNED: set(),
    RequestStatus.SUPERSEDED: set(),
    RequestStatus.WITHDRAWN: set(),
}


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Not started")  # an earlier step is still open
    ACTIVE = "active", _("Waiting for approvers")  # approvers have been asked
    APPROVED = "approved", _("Approved")  # quorum reached
    REJECTED = "rejected", _("Rejected")  # someone rejected
    RETURNED = "returned", _("Returned")  # someone returned it to the requester
    CLOSED = "closed", _("Closed")  # the request ended elsewhere (rejected, restarted)


STEP_TRANSITIONS: dict[str, set[str]] = {
    StepStatus.WAITING: {StepStatus.ACTIVE, StepStatus.CLOSED},
    StepStatus.ACTIVE: {StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.RETURNED, StepStatus.CLOSED},
    StepStatus.APPROVED: set(),
    StepStatus.REJECTED: set(),
    StepStatus.RETURNED: set(),
    StepStatus.CLOSED: set(),
}


class AssignmentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # a serial step: their turn has not come
    PENDING = "pending", _("Waiting for decision")  # in the approver's inbox
    APPROVED = "approved", _("Approved")  # they approved
    # They approved above their own spending limit: someone above them decides in their place.
    REFERRED = "referred", _("Approved above their limit: referred up")
    REJECTED = "rejected", _("Rejected")  # they rejected
    RETURNED = "returned", _("Returned")  # they returned it to the requester
    REASSIGNED = "reassigned", _("Reassigned")  # handed to someone else
    CLOSED = "closed", _("No longer needed")  # the step completed without them


OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.QUEUED, AssignmentStatus.PENDING)

ASSIGNMENT_TRANSITIONS: dict[str, set[str]] = {
    AssignmentStatus.QUEUED: {AssignmentStatus.PENDING, AssignmentStatus.CLOSED},
    AssignmentStatus.PENDING: {
        AssignmentStatus.APPROVED,
        AssignmentStatus.REFERRED,
        AssignmentStatus.REJECTED,
        AssignmentStatus.RETURNED,
        AssignmentStatus.REASSIGNED,
        AssignmentStatus.CLOSED,
    },
    AssignmentStatus.APPROVED: set(),
    AssignmentStatus.REFERRED: set(),
    AssignmentStatus.REJECTED: set(),
    AssignmentStatus.RETURNED: set(),
    AssignmentStatus.REASSIGNED: set(),
    AssignmentStatus.CLOSED: set(),
}


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")  # yes
    REJECT = "reject", _("Reject")  # no, final
    RETURN = "return", _("Return to requester")  # not like this: change and submit again


class DecisionChannel(models.TextChoices):
    WEB = "web", _("Web")  # the approval page
    EMAIL = "email", _("E-mail link")  # a signed single-use link
    API = "api", _("API")  # the REST API


class BudgetEnforcement(models.TextChoices):
    WARN = "warn", _("Warn")  # show the overrun, let it through
    BLOCK = "block", _("Block")  # refuse submission beyond the budget


class CommitmentKind(models.TextChoices):
    REQUISITION = "requisition", _("Approved requisition")  # approved, no order yet
    PURCHASE_ORDER = "purchase_order", _("Open purchase order")  # ordered, not yet invoiced
