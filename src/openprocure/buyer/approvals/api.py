"""REST API (django-ninja) for requisitions and approvals: what the pages show, plus decisions.

Every call authenticates with a personal token (``Authorization: Bearer op_…``, see ``ApiToken``)
and sees exactly what the same person sees in the suite.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from openprocure.buyer.approvals import selectors, services
from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.requisitions.selectors import visible_requisitions
from openprocure.core.signin import TokenLockedOut, check_api_token
from punchout.money import quantize_money


class TokenAuth(HttpBearer):
    """A personal API token; only its hash is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # A wrong token counts like a wrong password for the address (core.signin).
        try:
            user = check_api_token(request, lambda: services.user_for_api_token(token))
        except TokenLockedOut as locked:
            raise HttpError(429, locked.message) from None
        if user is not None:
            request.user = user
        return user


class LineOut(Schema):
    line_number: int
    description: str
    supplier: str | None
    supplier_part_id: str
    supplier_part_auxiliary_id: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    amount: Decimal
    currency: str
    unspsc: str
    cost_center: str | None


class RequisitionOut(Schema):
    id: int
    number: str
    title: str
    status: str
    requester: str
    total_amount: Decimal
    currency: str
    created_at: datetime
    submitted_at: datetime | None


class AssignmentOut(Schema):
    id: int
    approver: str
    on_behalf_of: str | None
    status: str
    decided_at: datetime | None
    comment: str


class StepOut(Schema):
    position: int
    name: str
    mode: str
    quorum: str
    required: int
    status: str
    assignments: list[AssignmentOut]


class RoundOut(Schema):
    round: int
    status: str
    amount: Decimal
    currency: str
    created_at: datetime
    steps: list[StepOut]


class RequisitionDetailOut(RequisitionOut):
    lines: list[LineOut]
    approval: list[RoundOut]


class ApprovalOut(Schema):
    id: int
    requisition_id: int
    requisition: str
    title: str
    requester: str
    amount: Decimal
    currency: str
    step: str
    on_behalf_of: str | None
    asked_at: datetime | None


class DecisionIn(Schema):
    comment: str = ""


class DecisionOut(Schema):
    request_status: str
    step_completed: bool
    referred_to: list[str] = Field(
        default_factory=list,
        description="E-mail addresses of who now decides in your place when the amount is above "
        "your own spending limit (empty otherwise).",
    )


def requisition_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "title": r.title,
        "status": r.status,
        "requester": r.requester.email,
        "total_amount": quantize_money(r.total_amount, r.currency),
        "currency": r.currency,
        "created_at": r.created_at,
        "submitted_at": r.submitted_at,
    }


def rounds_out(requisition: Any) -> list[dict[str, Any]]:
    result = []
    for round_ in selectors.rounds(requisition):
        steps = []
        for step in round_.steps.all():
            assignments = []
            for a in step.assignments.all():
                decisions = list(a.decisions.all())
                assignments.append(
                    {
                        "id": a.pk,
                        "approver": a.approver.email,
                        "on_behalf_of": a.on_behalf_of.email if a.on_behalf_of else None,
                        "status": a.status,
                        "decided_at": a.decided_at,
                        "comment": decisions[0].comment if decisions else "",
                    }
                )
            steps.append(
                {
                    "position": step.position,
                    "name": step.name,
                    "mode": step.mode,
                    "quorum": step.quorum,
                    "required": step.required,
                    "status": step.status,
                    "assignments": assignments,
                }
            )
        result.append(
            {
                "round": round_.round,
                "status": round_.status,
                "amount": quantize_money(round_.amount, round_.currency),
                "currency": round_.currency,
                "created_at": round_.created_at,
                "steps": steps,
            }
        )
    return result


requisitions_router = Router(tags=["requisitions"])
router = Router(tags=["approvals"])


@requisitions_router.get("/", response=list[RequisitionOut], summary="Requisitions I may see")
def list_requisitions(
    request: HttpRequest, status: str | None = None, limit: int = 100, offset: int = 0
) -> Any:
    rows = visible_requisitions(request.user).select_related("requester").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    return [requisition_out(r) for r in rows[offset : offset + min(limit, 500)]]


@requisitions_router.get(
    "/{int:requisition_id}",
    response=RequisitionDetailOut,
    summary="A requisition with its lines and approval chain",
)
def get_requisition(request: HttpRequest, requisition_id: int) -> Any:
    requisition = get_object_or_404(
        visible_requisitions(request.user).select_related("requester"), pk=requisition_id
    )
    lines = [
        {
            "line_number": line.line_number,
            "description": line.description,
            "supplier": line.supplier.name if line.supplier else None,
            "supplier_part_id": line.supplier_part_id,
            "supplier_part_auxiliary_id": line.supplier_part_auxiliary_id,
            "quantity": line.quantity,
            "unit_of_measure": line.unit_of_measure,
            "unit_price": line.unit_price,
            "amount": line.amount,
            "currency": line.currency,
            "unspsc": line.unspsc,
            "cost_center": line.cost_center.code if line.cost_center else None,
        }
        for line in requisition.lines.select_related("supplier", "cost_center")
    ]
    return {**requisition_out(requisition), "lines": lines, "approval": rounds_out(requisition)}


@router.get("/", response=list[ApprovalOut], summary="My approval inbox")
def list_approvals(request: HttpRequest) -> Any:
    return [
        {
            "id": a.pk,
            "requisition_id": a.step.request.requisition_id,
            "requisition": a.step.request.requisition.number,
            "title": a.step.request.requisition.title,
            "requester": a.step.request.requester.email,
            "amount": quantize_money(a.step.request.amount, a.step.request.currency),
            "currency": a.step.request.currency,
            "step": a.step.name,
            "on_behalf_of": a.on_behalf_of.email if a.on_behalf_of else None,
            "asked_at": a.notified_at,
        }
        for a in selectors.inbox(request.user)
    ]


def _decide(request: HttpRequest, assignment_id: int, decision: str, body: DecisionIn) -> Any:
    assignment = get_object_or_404(ApprovalAssignment, pk=assignment_id)
    try:
        result = services.decide(
            assignment_id=assignment.pk,
            actor=request.user,
            decision=decision,
            comment=body.comment,
            channel="api",
        )
    except services.ApprovalError as error:
        raise HttpError(409, str(error)) from error
    return {
        "request_status": result.request_status,
        "step_completed": result.step_completed,
        "referred_to": list(result.referred_to),
    }


@router.post("/{int:assignment_id}/approve", response=DecisionOut, summary="Approve")
def approve(request: HttpRequest, assignment_id: int, body: DecisionIn) -> Any:
    return _decide(request, assignment_id, "approve", body)


@router.post("/{int:assignment_id}/reject", response=DecisionOut, summary="Reject (a comment is required)")
def reject(request: HttpRequest, assignment_id: int, body: DecisionIn) -> Any:
    return _decide(request, assignment_id, "reject", body)


@router.post(
    "/{int:assignment_id}/return",
    response=DecisionOut,
    summary="Return to the requester (a comment is required)",
)
def return_(request: HttpRequest, assignment_id: int, body: DecisionIn) -> Any:
    return _decide(request, assignment_id, "return", body)
