"""Read-only queries of the approval workflow shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from openprocure.buyer.approvals.choices import AssignmentStatus, Decision, RequestStatus
from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalDecision, ApprovalRequest
from openprocure.buyer.requisitions.selectors import visible_requisitions

#: A requisition in one of these statuses needs no decision any more (withdrawn or ended).
CLOSED_REQUISITION_STATUSES = ("cancelled", "closed", "rejected", "returned", "draft")


def inbox(user: Any) -> QuerySet[ApprovalAssignment]:
    """Open approvals waiting for ``user`` (their own and those they hold for someone away)."""
    return (
        ApprovalAssignment.objects.filter(
            Q(approver=user) | Q(on_behalf_of=user),
            status=AssignmentStatus.PENDING,
            step__request__status=RequestStatus.PENDING,
        )
        .exclude(step__request__requisition__status__in=CLOSED_REQUISITION_STATUSES)
        .select_related("step__request__requisition", "step__request__requester", "on_behalf_of", "approver")
        .order_by("notified_at", "id")
    )


def waiting_for(requisition: Any) -> list[ApprovalAssignment]:
    """Who a submitted requisition waits for right now, and since when (the open round's asked approvers)."""
    return list(
        ApprovalAssignment.objects.filter(
            step__request__requisition=requisition,
            step__request__status=RequestStatus.PENDING,
            status=AssignmentStatus.PENDING,
        )
        .select_related("approver", "on_behalf_of")
        .order_by("notified_at", "id")
    )


def ending_decision(requisition: Any) -> ApprovalDecision | None:
    """The approver's decision that rejected or returned a requisition (who, for whom, when, why), or
    ``None`` when it is neither rejected nor returned, or got there without an approver's decision."""
    ending = {
        "rejected": (Decision.REJECT, RequestStatus.REJECTED),
        "returned": (Decision.RETURN, RequestStatus.RETURNED),
    }.get(requisition.status)
    if ending is None:
        return None
    decision, round_status = ending
    return (
        ApprovalDecision.objects.filter(
            assignment__step__request__requisition=requisition,
            assignment__step__request__status=round_status,
            decision=decision,
        )
        .select_related("actor", "assignment__on_behalf_of")
        .order_by("-created_at", "-id")
        .first()
    )


def can_view_requisition(user: Any, requisition: Any) -> bool:
    """The requester, anyone asked to approve it, and procurement administrators (see
    :func:`visible_requisitions`)."""
    return visible_requisitions(user).filter(pk=requisition.pk).exists()


def rounds(requisition: Any) -> list[ApprovalRequest]:
    """Every approval round of a requisition, newest first, with steps, assignments and decisions."""
    return list(
        ApprovalRequest.objects.filter(requisition=requisition)
        .prefetch_related(
            "steps__assignments__approver",
            "steps__assignments__on_behalf_of",
            "steps__assignments__decisions__actor",
            "events__actor",
        )
        .order_by("-round")
    )


def approver_of(user: Any) -> Q:
    """Requisitions ``user`` was asked to approve (or holds for someone away), in any round
    (registered in ``requisitions.hooks.also_visible_to``)."""
    asked = ApprovalAssignment.objects.filter(
        Q(approver=user) | Q(on_behalf_of=user), step__request__requisition=OuterRef("pk")
    )
    return Q(Exists(asked))
