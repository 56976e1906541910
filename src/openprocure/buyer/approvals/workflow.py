"""Every write of the approval workflow: start a round, decide, delegate, reassign, remind, escalate.

Each function opens a transaction, locks what it changes (the step row for a decision, so two
approvers of one step are counted one at a time), checks, writes an event and schedules e-mail on
commit. Views, the API and e-mail links are thin adapters over these functions; they call them
through :mod:`.services`, the app's entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.approvals import budgets, hooks, notices, tokens
from openprocure.buyer.approvals.choices import (
    ASSIGNMENT_TRANSITIONS,
    OPEN_ASSIGNMENT_STATUSES,
    REQUEST_TRANSITIONS,
    STEP_TRANSITIONS,
    AssignmentStatus,
    Decision,
    DecisionChannel,
    RequestStatus,
    StepStatus,
)
from openprocure.buyer.approvals.engine import Facts, Mode, ResolvedStep, required_approvals
from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalDecision,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalStep,
    Delegation,
    EmailActionToken,
)
from openprocure.buyer.approvals.policy import manager_map, rates, requisition_facts, resolve_chain
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.models import RoleAssignment
from openprocure.buyer.organization.services import is_procurement_admin, spending_limit_for
from openprocure.buyer.requisitions.services import change_status
from openprocure.core.audit import record_event
from openprocure.core.choices import AdminEventKind
from openprocure.core.exceptions import ServiceError
from openprocure.core.formatting import format_money
from openprocure.core.models import AdminEvent, User
from openprocure.core.status import follow, set_status, set_status_where
from openprocure.core.tunables import tunable
from punchout.money import quantize_money


class ApprovalError(ServiceError):
    """A refused approval action; the message says what was wrong and what to do next."""


# -- requisition status (the requisitions app owns the table; we move along it) ---------------------
def _move_requisition(requisition: Any, target: str, *, actor: Any, reason: str = "") -> None:

    moved = change_status(requisition=requisition, target=target, actor=actor, reason=reason)
    follow(requisition, moved)


# -- delegation ---------------------------------------------------------------------------------------
def delegations_in_force(day: date) -> QuerySet[Delegation]:
    """The delegations covering ``day`` that are not cancelled, to delegates still active."""
    return Delegation.objects.filter(
        starts_on__lte=day,
        ends_on__gte=day,
        cancelled_at__isnull=True,
        delegate__is_active=True,  # a delegate who left acts for nobody
    )


def active_delegates(approver_ids: set[int], *, on: date | None = None) -> dict[int, int]:
    """Who acts on ``on`` (today by default) for each of ``approver_ids`` who is away (the most
    recent delegation covering the day wins)."""
    found: dict[int, int] = {}
    rows = (
        delegations_in_force(on or timezone.localdate())
        .filter(delegator_id__in=approver_ids)
        .order_by("delegator_id", "-created_at", "-id")
        .values_list("delegator_id", "delegate_id")
    )
    for delegator, delegate in rows:
        found.setdefault(delegator, delegate)
    return found


def route(approver_id: int, requester_id: int, delegate: int | None) -> tuple[int, int | None]:
    """(who receives the assignment, on whose behalf): ``delegate``, who acts for the approver
    today (:func:`active_delegates`), while the approver is away.

    A delegation to the requester themself is ignored: nobody approves their own request.
    """
    if delegate and delegate != requester_id and delegate != approver_id:
        return delegate, approver_id
    return approver_id, None


def create_delegation(
    *, delegator: Any, delegate: Any, starts_on: date, ends_on: date, reason: str = ""
) -> Delegation:
    """Record an out-of-office period; open assignments move to the delegate if it covers today."""
    if delegate.pk == delegator.pk:
        raise ApprovalError(_("You cannot delegate to yourself. Choose a colleague."))
    if ends_on < starts_on:
        raise ApprovalError(_("The end date is before the start date."))
    with transaction.atomic():
        delegation = Delegation.objects.create(
            delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason
        )
        fields = ["delegate", "starts_on", "ends_on"] + (["reason"] if reason else [])
        record_event(
            AdminEvent, delegation, AdminEventKind.CREATED, actor=delegator, detail={"fields": fields}
        )
        today = timezone.localdate()
        if starts_on <= today <= ends_on:
            open_ = ApprovalAssignment.objects.filter(
                approver=delegator, status=AssignmentStatus.PENDING
            ).select_related("step__request")
            for assignment in open_:
                if assignment.step.request.requester_id == delegate.pk:
                    continue
                _hand_over(
                    assignment, delegate.pk, on_behalf_of=delegator.pk, actor=delegator, kind="delegated"
                )
    return delegation


def cancel_delegation(*, delegation: Delegation, actor: Any) -> None:
    """End a delegation early (assignments already handed over stay with the delegate), with who did
    (an ``AdminEvent``); one already cancelled is left as it was, with no new event."""
    if actor.pk != delegation.delegator_id and not actor.is_staff:
        raise ApprovalError(_("Only the person who delegated can cancel this delegation."))
    with transaction.atomic():
        cancelled = Delegation.objects.filter(pk=delegation.pk, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now()
        )
        if cancelled:
            record_event(
                AdminEvent,
                delegation,
                AdminEventKind.CHANGED,
                actor=actor,
                detail={"fields": ["cancelled_at"]},
            )


def _hand_over(
    assignment: ApprovalAssignment,
    to_user_id: int,
    *,
    on_behalf_of: int | None,
    actor: Any,
    kind: str,
    comment: str = "",
) -> ApprovalAssignment:
    set_status(
        assignment,
        AssignmentStatus.REASSIGNED,
        table=ASSIGNMENT_TRANSITIONS,
        values={"decided_at": timezone.now()},
    )
    new = ApprovalAssignment.objects.create(
        step=assignment.step,
        approver_id=to_user_id,
        on_behalf_of_id=on_behalf_of,
        position=assignment.position,
        source=assignment.source,
        status=AssignmentStatus.PENDING,
        notified_at=timezone.now(),
    )
    record_event(
        ApprovalEvent,
        assignment.step.request,
        kind,
        actor=actor,
        detail={
            "step": assignment.step.position,
            "from_user": assignment.approver_id,
            "to_user": to_user_id,
            "comment": comment,
        },
    )
    notices.notify_approver(new)
    return new


def reassign(
    *, assignment: ApprovalAssignment, to_user: Any, actor: Any, comment: str = ""
) -> ApprovalAssignment:
    """Hand an open assignment to someone else (by its approver or a procurement administrator)."""
    with transaction.atomic():
        step = (
            ApprovalStep.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=assignment.step_id)
        )
        assignment = ApprovalAssignment.objects.get(pk=assignment.pk)
        if not (_may_act(assignment, actor) or is_procurement_admin(actor)):
            raise ApprovalError(
                _("Only the approver or a procurement administrator can reassign this approval.")
            )
        if assignment.status != AssignmentStatus.PENDING or step.status != StepStatus.ACTIVE:
            raise ApprovalError(_("This approval is no longer open; there is nothing to reassign."))
        if to_user.pk == step.request.requester_id:
            raise ApprovalError(_("The requester cannot approve their own request. Choose someone else."))
        if step.assignments.filter(approver=to_user, status__in=OPEN_ASSIGNMENT_STATUSES).exists():
            raise ApprovalError(_("%(person)s is already asked on this step.") % {"person": to_user})
        return _hand_over(
            assignment, to_user.pk, on_behalf_of=None, actor=actor, kind="reassigned", comment=comment
        )


def hand_over_open_approvals(*, person: Any, actor: Any) -> int:
    """``person`` can no longer sign in: their open approvals go to their first manager up the
    chain who still may (people who left passed over), else to ``actor``. Receiver of
    ``organization.hooks.person_left``; returns how many were handed over.

    An approval stays where it is when the only candidate is its requester or is already asked on
    its step (a procurement administrator then reassigns it).
    """
    manager = manager_map(person.pk, 1).get(person.pk)
    open_ids = list(
        ApprovalAssignment.objects.filter(
            approver=person,
            status__in=OPEN_ASSIGNMENT_STATUSES,
            step__status__in=[StepStatus.WAITING, StepStatus.ACTIVE],
            step__request__status=RequestStatus.PENDING,
        ).values_list("pk", flat=True)
    )
    moved = 0
    for pk in open_ids:
        with transaction.atomic():
            assignment = ApprovalAssignment.objects.select_related("step__request").get(pk=pk)
            step = ApprovalStep.objects.select_for_update(of=("self",)).get(pk=assignment.step_id)
            asked = set(
                step.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).values_list(
                    "approver_id", flat=True
                )
            )
            target = next(
                (
                    candidate
                    for candidate in (manager, getattr(actor, "pk", None))
                    if candidate is not None
                    and candidate != assignment.step.request.requester_id
                    and candidate not in asked
                ),
                None,
            )
            if target is None:
                continue
            reason = _("%(person)s can no longer sign in.") % {"person": person}
            if assignment.status == AssignmentStatus.QUEUED:
                # Not their turn yet: the new approver simply takes their place in the queue.
                ApprovalAssignment.objects.filter(pk=pk).update(approver_id=target, on_behalf_of=None)
                record_event(
                    ApprovalEvent,
                    assignment.step.request,
                    "reassigned",
                    actor=actor,
                    detail={
                        "step": step.position,
                        "from_user": person.pk,
                        "to_user": target,
                        "comment": reason,
                    },
                )
            else:
                _hand_over(
                    assignment, target, on_behalf_of=None, actor=actor, kind="reassigned", comment=reason
                )
            moved += 1
    return moved


# -- starting a round --------------------------------------------------------------------------------
def preview_chain(*, requisition: Any) -> list[ResolvedStep]:
    """Who will approve, under today's policy (nothing is written)."""
    return resolve_chain(requisition)


def start_approval(*, requisition: Any, actor: Any = None, facts: Facts | None = None) -> ApprovalRequest:
    """Freeze the chain for a submitted requisition and ask the first step (no steps: approved at once).

    Called at submit (inside the requisition's transaction), after a material change, and for a
    change order (``facts`` then carries the changed amount).
    """
    facts = requisition_facts(requisition) if facts is None else facts
    envelope = [reason for reason in hooks.WITHIN_APPROVED_ENVELOPE(requisition) if reason]
    chain = [] if envelope else resolve_chain(requisition, facts=facts)
    refusal = chain_refusal(chain)
    if refusal:
        raise ApprovalError(refusal)
    previous = requisition.approval_requests.order_by("-round").first()
    request = ApprovalRequest.objects.create(
        requisition=requisition,
        round=(previous.round + 1) if previous else 1,
        requester_id=requisition.requester_id,
        amount=facts.amount,
        currency=facts.currency,
        supplier_ids=sorted(facts.supplier_ids),
        lines_digest=requisition.lines_digest(),
    )
    steps = ApprovalStep.objects.bulk_create(frozen_steps(request, chain))
    ApprovalAssignment.objects.bulk_create(frozen_assignments(steps, chain))
    record_event(
        ApprovalEvent,
        request,
        "submitted",
        actor=actor,
        detail={
            "steps": len(steps),
            "amount": str(quantize_money(facts.amount, facts.currency)),
            "currency": facts.currency,
        },
    )
    if envelope:
        record_event(ApprovalEvent, request, "within_envelope", actor=actor, detail={"reason": envelope[0]})
    if steps:
        _activate(steps[0], actor)
    else:
        _complete_request(request, actor)
    return request


def chain_refusal(chain: Sequence[ResolvedStep]) -> str:
    """Why a round cannot start with ``chain`` (a step whose policy names nobody but the requester),
    else ""."""
    unresolved = [s for s in chain if s.unresolved]
    if not unresolved:
        return ""
    return _(
        "Nobody can approve step “%(step)s”: the policy names no one other than you. Ask your procurement administrator."
    ) % {"step": unresolved[0].name}


def frozen_steps(request: ApprovalRequest, chain: Sequence[ResolvedStep]) -> list[ApprovalStep]:
    """The steps of a resolved chain as rows of ``request`` (unsaved: created in bulk by the caller)."""
    return [
        ApprovalStep(
            request=request,
            position=s.position,
            name=s.name[:200],
            mode=s.mode.value,
            quorum=s.quorum.value,
            required=required_approvals(s),
            rule_id_at_submit=s.rule_id or None,  # none for the spending-limit step
        )
        for s in chain
    ]


def frozen_assignments(
    steps: Sequence[ApprovalStep], chain: Sequence[ResolvedStep], **fields: Any
) -> list[ApprovalAssignment]:
    """The approvers of each step of ``chain``, queued in their turn on its saved row in ``steps``
    (unsaved); ``fields`` are set on every one."""
    return [
        ApprovalAssignment(
            step=step, approver_id=person.user_id, position=turn, source=person.source, **fields
        )
        for step, resolved in zip(steps, chain, strict=True)
        for turn, person in enumerate(resolved.approvers, start=1)
    ]


def _activate(step: ApprovalStep, actor: Any) -> None:
    set_status(step, StepStatus.ACTIVE, table=STEP_TRANSITIONS, values={"activated_at": timezone.now()})
    queued = list(step.assignments.filter(status=AssignmentStatus.QUEUED).order_by("position", "id"))
    if step.mode == Mode.SERIAL:
        queued = queued[:1]
    for assignment in queued:
        _ask(assignment, step.request.requester_id)


def _ask(assignment: ApprovalAssignment, requester_id: int) -> None:
    """Put a queued assignment in someone's inbox (the delegate's, while the approver is away)."""
    delegate = active_delegates({assignment.approver_id}).get(assignment.approver_id)
    assignment.approver_id, assignment.on_behalf_of_id = route(assignment.approver_id, requester_id, delegate)
    set_status(
        assignment,
        AssignmentStatus.PENDING,
        table=ASSIGNMENT_TRANSITIONS,
        also=["approver", "on_behalf_of"],
        values={"notified_at": timezone.now()},
    )
    notices.notify_approver(assignment)


def _ask_more(step: ApprovalStep, approver_id: int, *, position: int, source: str) -> ApprovalAssignment:
    """Add an approver to an active step and ask them at once (a referral or an escalation)."""
    assignment = ApprovalAssignment.objects.create(
        step=step, approver_id=approver_id, position=position, source=source, status=AssignmentStatus.QUEUED
    )
    _ask(assignment, step.request.requester_id)
    return assignment


# -- deciding -----------------------------------------------------------------------------------------
def _may_act(assignment: ApprovalAssignment, user: Any) -> bool:
    return user.pk in (assignment.approver_id, assignment.on_behalf_of_id)


@dataclass(frozen=True)
class DecisionResult:
    """What a decision did: the request's status afterwards and whether the step completed."""

    request_status: str
    step_completed: bool
    # An approval above the approver's own limit: the limit, and who now decides in their place.
    above_limit: tuple[Decimal, str] | None = None
    referred_to: tuple[str, ...] = ()


def decide(
    *,
    assignment_id: int,
    actor: Any,
    decision: str,
    comment: str = "",
    channel: str = DecisionChannel.WEB,
) -> DecisionResult:
    """Record an approver's decision and move the chain on (the step row is locked while counting)."""
    check_decision(decision, comment)
    _withdraw_if_ended(assignment_id)
    with transaction.atomic():
        step_id = (
            ApprovalAssignment.objects.filter(pk=assignment_id).values_list("step_id", flat=True).first()
        )
        if step_id is None:
            raise ApprovalError(_("This approval does not exist."))
        step = ApprovalStep.objects.select_for_update(of=("self",)).select_related("request").get(pk=step_id)
        request = ApprovalRequest.objects.select_for_update().get(pk=step.request_id)
        assignment = ApprovalAssignment.objects.get(pk=assignment_id)
        refusal = decision_refusal(actor, assignment, step, request)
        if refusal:
            raise ApprovalError(refusal)
        try:
            with transaction.atomic():
                ApprovalDecision.objects.create(
                    assignment=assignment, decision=decision, actor=actor, comment=comment, channel=channel
                )
        except IntegrityError as exc:
            raise ApprovalError(_("This approval has already been decided; nothing was changed.")) from exc
        now = timezone.now()
        statuses: dict[str, AssignmentStatus] = {
            Decision.APPROVE: AssignmentStatus.APPROVED,
            Decision.REJECT: AssignmentStatus.REJECTED,
            Decision.RETURN: AssignmentStatus.RETURNED,
        }
        limit = above_approval_limit(actor, request) if decision == Decision.APPROVE else None
        referred_to = _referral_targets(actor, request, step) if limit is not None else []
        set_status(
            assignment,
            AssignmentStatus.REFERRED if referred_to else statuses[decision],
            table=ASSIGNMENT_TRANSITIONS,
            values={"decided_at": now},
        )
        record_event(
            ApprovalEvent,
            request,
            f"decision_{decision}",
            actor=actor,
            detail={"step": step.position, "comment": comment, "channel": channel},
        )
        EmailActionToken.objects.filter(assignment=assignment, used_at__isnull=True).update(used_at=now)
        if referred_to:
            assert limit is not None  # referral targets are only looked for above a limit
            for person in referred_to:
                # A referral of an escalated approval completes the step as the escalation would.
                prefix = "escalation-" if assignment.source.startswith("escalation") else ""
                _ask_more(step, person, position=assignment.position, source=f"{prefix}limit:{actor.pk}")
            record_event(
                ApprovalEvent,
                request,
                "referred_above_limit",
                actor=actor,
                detail={"step": step.position, "limit": f"{limit[0]} {limit[1]}", "to_users": referred_to},
            )
            names = User.objects.filter(pk__in=referred_to).order_by("email").values_list("email", flat=True)
            return DecisionResult(request.status, False, above_limit=limit, referred_to=tuple(names))
        requisition = request.requisition
        if decision == Decision.REJECT:
            _end_round(request, step, StepStatus.REJECTED, RequestStatus.REJECTED)
            _move_requisition(requisition, "rejected", actor=actor, reason=comment)
            notices.notify_requester(request, "rejected", comment)
            return DecisionResult(request.status, True)
        if decision == Decision.RETURN:
            _end_round(request, step, StepStatus.RETURNED, RequestStatus.RETURNED)
            _move_requisition(requisition, "returned", actor=actor, reason=comment)
            notices.notify_requester(request, "returned", comment)
            return DecisionResult(request.status, True)
        if "limit:" in assignment.source:
            # One of the people a referral asked decided: the others are no longer needed.
            siblings = step.assignments.filter(source=assignment.source, status__in=OPEN_ASSIGNMENT_STATUSES)
            EmailActionToken.objects.filter(assignment__in=siblings, used_at__isnull=True).update(used_at=now)
            set_status_where(siblings, AssignmentStatus.CLOSED, table=ASSIGNMENT_TRANSITIONS, decided_at=now)
        approvals = step.assignments.filter(status=AssignmentStatus.APPROVED).count()
        escalated = assignment.source.startswith("escalation")
        if not escalated and step.mode == Mode.SERIAL:
            following = (
                step.assignments.filter(status=AssignmentStatus.QUEUED).order_by("position", "id").first()
            )
            if following is not None:
                _ask(following, request.requester_id)
                return DecisionResult(request.status, False)
        elif not escalated and approvals < step.required:
            return DecisionResult(request.status, False)
        _complete_step(step, actor)
        final = ApprovalRequest.objects.values_list("status", flat=True).get(pk=request.pk)
        return DecisionResult(final, True)


def check_decision(decision: str, comment: str) -> None:
    """Refuse an unknown decision, and a rejection or return without a comment saying why."""
    if decision not in Decision.values:
        raise ApprovalError(_("Unknown decision “%(decision)s”.") % {"decision": decision})
    if decision in (Decision.REJECT, Decision.RETURN) and not comment.strip():
        raise ApprovalError(_("Say why in a comment, so the requester knows what to change."))


def decision_refusal(
    actor: Any, assignment: ApprovalAssignment, step: ApprovalStep, request: ApprovalRequest
) -> str:
    """Why ``actor`` may not decide ``assignment`` now, else "": nobody approves their own request,
    only the approver (or the person they act for) decides, and only while the step and round are open."""
    if actor.pk == request.requester_id:
        return _("You cannot approve your own request. It waits for the approvers named in its chain.")
    if not _may_act(assignment, actor):
        return _("This approval is assigned to someone else.")
    if (
        assignment.status != AssignmentStatus.PENDING
        or step.status != StepStatus.ACTIVE
        or request.status != RequestStatus.PENDING
    ):
        return _("This approval has already been decided or is no longer needed; nothing was changed.")
    return ""


def ended_refusal(requisition: Any) -> str:
    """Why no decision is needed any more on ``requisition``'s round (it was cancelled or closed while
    waiting for approval), else ""."""
    if requisition.status in ("submitted", "ordered"):
        return ""
    return _("Requisition %(number)s is %(status)s: no decision is needed any more.") % {
        "number": requisition.number,
        "status": requisition.get_status_display(),
    }


def above_approval_limit(actor: Any, request: ApprovalRequest) -> tuple[Decimal, str] | None:
    """``actor``'s spending limit when ``request``'s amount is above it, else None.

    The limit is the one that binds requesters (their own, else the highest of their roles): nobody
    approves more than they could spend. Without a rate between the currencies the amount counts
    as above the limit.
    """

    limit = spending_limit_for(user=actor)
    return limit if exceeds(Decimal(request.amount), request.currency, limit) else None


def exceeds(amount: Decimal, currency: str, limit: tuple[Decimal, str] | None) -> bool:
    """Whether ``amount`` in ``currency`` is above ``limit`` (no limit: never; no rate: always)."""
    if limit is None:
        return False
    ceiling, limit_currency = limit
    if currency == limit_currency:
        return amount > ceiling
    rate = rates().get((currency, limit_currency))
    return rate is None or amount * rate > ceiling


def _referral_targets(actor: Any, request: ApprovalRequest, step: ApprovalStep) -> list[int]:
    """Who decides in place of ``actor``, whose approval is above their limit.

    Their first manager up the chain (people who left passed over) who is neither the requester nor
    already asked on this step; without one, the procurement administrators. Nobody (an empty list)
    means the approval stands as it is.
    """

    asked = set(step.assignments.values_list("approver_id", flat=True)) | {actor.pk, request.requester_id}
    levels = int(tunable("APPROVAL_MAX_ESCALATION_LEVELS"))
    managers = manager_map(actor.pk, levels)
    current: int | None = actor.pk
    for _level in range(levels):
        current = managers.get(current) if current is not None else None
        if current is None:
            break
        if current not in asked:
            return [current]
    admins = (
        RoleAssignment.objects.filter(role=Role.PROCUREMENT_ADMIN, profile__user__is_active=True)
        .exclude(profile__user_id__in=asked)
        .values_list("profile__user_id", flat=True)
        .order_by("profile__user_id")
    )
    return list(admins)


def _withdraw_if_ended(assignment_id: int) -> None:
    """Refuse (and close the round) when the requisition was cancelled while waiting for approval.

    The requisitions app has no cancel hook, so the round is closed the first time someone acts on it.
    """
    row = (
        ApprovalAssignment.objects.filter(pk=assignment_id, step__request__status=RequestStatus.PENDING)
        .select_related("step__request__requisition")
        .first()
    )
    if row is None:
        return
    requisition = row.step.request.requisition
    refusal = ended_refusal(requisition)
    if not refusal:
        return
    with transaction.atomic():
        withdraw(requisition=requisition, actor=None)
    raise ApprovalError(refusal)


def close_open(step_ids: list[int], *, now: datetime) -> None:
    """Close the steps' open assignments and void their unused e-mail links."""
    set_status_where(
        ApprovalAssignment.objects.filter(step_id__in=step_ids),
        AssignmentStatus.CLOSED,
        table=ASSIGNMENT_TRANSITIONS,
        decided_at=now,
    )
    EmailActionToken.objects.filter(assignment__step_id__in=step_ids, used_at__isnull=True).update(
        used_at=now
    )


def _end_round(request: ApprovalRequest, step: ApprovalStep, step_status: str, request_status: str) -> None:
    set_status(step, step_status, table=STEP_TRANSITIONS, values={"completed_at": timezone.now()})
    for other in request.steps.exclude(pk=step.pk).filter(status__in=[StepStatus.WAITING, StepStatus.ACTIVE]):
        set_status(other, StepStatus.CLOSED, table=STEP_TRANSITIONS)
        close_open([other.pk], now=timezone.now())
    close_open([step.pk], now=timezone.now())
    set_status(request, request_status, table=REQUEST_TRANSITIONS, values={"completed_at": timezone.now()})


def _complete_step(step: ApprovalStep, actor: Any) -> None:
    set_status(step, StepStatus.APPROVED, table=STEP_TRANSITIONS, values={"completed_at": timezone.now()})
    close_open([step.pk], now=timezone.now())
    following = step.request.steps.filter(status=StepStatus.WAITING).order_by("position").first()
    if following is not None:
        following.request = step.request
        _activate(following, actor)
    else:
        _complete_request(step.request, actor)


def _complete_request(request: ApprovalRequest, actor: Any) -> None:
    """Every step approved: the requisition is approved and the final-approval hooks run (orders)."""
    set_status(
        request, RequestStatus.APPROVED, table=REQUEST_TRANSITIONS, values={"completed_at": timezone.now()}
    )
    record_event(ApprovalEvent, request, "approved", actor=actor)
    requisition = request.requisition
    if requisition.status == "submitted":
        _move_requisition(requisition, "approved", actor=actor, reason=_("Every approval step agreed."))
        budgets.commit_requisition(requisition=requisition)
    for hook in hooks.FINAL_APPROVAL_HOOKS:
        hook(requisition=requisition, approval=request, actor=actor)
    notices.notify_requester(request, "approved", "")


# -- material change ----------------------------------------------------------------------------------
def is_material_change(request: ApprovalRequest, requisition: Any) -> bool:
    """A higher amount, another currency or another supplier than the round approved."""
    facts = requisition_facts(requisition)
    if facts.currency != request.currency or sorted(facts.supplier_ids) != sorted(request.supplier_ids):
        return True
    if facts.amount > Decimal(request.amount):
        return True
    return bool(tunable("APPROVAL_RESTART_ON_DECREASE")) and facts.amount != Decimal(request.amount)


def on_material_change(requisition: Any, *, actor: Any = None) -> ApprovalRequest | None:
    """Restart approval when a submitted or approved requisition changed materially.

    The current round is superseded (open approvers are released) and a new round is frozen from
    today's policy. Returns the new round, or None when nothing material changed.
    """
    with transaction.atomic():
        current = (
            ApprovalRequest.objects.select_for_update()
            .filter(requisition=requisition, status__in=[RequestStatus.PENDING, RequestStatus.APPROVED])
            .order_by("-round")
            .first()
        )
        if current is None or not is_material_change(current, requisition):
            return None
        for step in current.steps.filter(status__in=[StepStatus.WAITING, StepStatus.ACTIVE]):
            set_status(step, StepStatus.CLOSED, table=STEP_TRANSITIONS)
            close_open([step.pk], now=timezone.now())
        set_status(
            current,
            RequestStatus.SUPERSEDED,
            table=REQUEST_TRANSITIONS,
            values={"completed_at": timezone.now()},
        )
        record_event(ApprovalEvent, current, "superseded", actor=actor)
        return start_approval(requisition=requisition, actor=actor)


def approval_mismatch(requisition: Any, approved: ApprovalRequest | None = None) -> str:
    """Why ``requisition`` may not be ordered as it stands (empty when its lines are those approved).

    Compares the lines, total, currency and suppliers with the last approved round (or ``approved``):
    anything that changed after the approvers agreed has not been approved.
    """
    if approved is None:
        approved = (
            ApprovalRequest.objects.filter(requisition=requisition, status=RequestStatus.APPROVED)
            .order_by("-round")
            .first()
        )
    if approved is None:
        return _("Requisition %(number)s has no approved round.") % {"number": requisition.number}
    if approved.lines_digest and approved.lines_digest != requisition.lines_digest():
        return _("The lines of %(number)s changed after they were approved.") % {"number": requisition.number}
    total = requisition.compute_total()
    if (total, requisition.currency) != (Decimal(approved.amount), approved.currency):
        return _("%(number)s now totals %(total)s; %(approved)s was approved.") % {
            "number": requisition.number,
            "total": format_money(total, requisition.currency),
            "approved": format_money(approved.amount, approved.currency),
        }
    return ""


def restart_after_change(*, requisition: Any, reason: str, actor: Any = None) -> ApprovalRequest:
    """An approved requisition that changed goes back to approval: its approved round is superseded,
    the requisition is submitted again (with ``reason`` on its timeline) and a new round starts."""
    with transaction.atomic():
        for current in ApprovalRequest.objects.select_for_update().filter(
            requisition=requisition, status=RequestStatus.APPROVED
        ):
            set_status(
                current,
                RequestStatus.SUPERSEDED,
                table=REQUEST_TRANSITIONS,
                values={"completed_at": timezone.now()},
            )
            record_event(ApprovalEvent, current, "superseded", actor=actor, detail={"reason": reason})
        _move_requisition(requisition, "submitted", actor=actor, reason=reason)
        return start_approval(requisition=requisition, actor=actor)


def withdraw(*, requisition: Any, actor: Any = None) -> None:
    """The requisition was cancelled: close its open round."""
    for request in ApprovalRequest.objects.filter(requisition=requisition, status=RequestStatus.PENDING):
        for step in request.steps.filter(status__in=[StepStatus.WAITING, StepStatus.ACTIVE]):
            set_status(step, StepStatus.CLOSED, table=STEP_TRANSITIONS)
            close_open([step.pk], now=timezone.now())
        set_status(request, RequestStatus.WITHDRAWN, table=REQUEST_TRANSITIONS)
        record_event(ApprovalEvent, request, "withdrawn", actor=actor)


# -- reminders and escalation -------------------------------------------------------------------------
def escalate_step(*, step: ApprovalStep) -> ApprovalAssignment | None:
    """Ask the next level of the requester's managers (manager's manager first) to decide the step."""
    with transaction.atomic():
        step = ApprovalStep.objects.select_for_update(of=("self",)).select_related("request").get(pk=step.pk)
        if step.status != StepStatus.ACTIVE:
            return None
        request = step.request
        levels = int(tunable("APPROVAL_MAX_ESCALATION_LEVELS"))
        managers = manager_map(request.requester_id, levels + 1)
        chain: list[int] = []
        current: int | None = request.requester_id
        while current is not None and len(chain) < levels:
            current = managers.get(current)
            if current is not None and current not in chain:
                chain.append(current)
        asked = set(step.assignments.values_list("approver_id", flat=True))
        target = None
        for level, person in enumerate(chain, start=1):
            if level < step.escalation_level + 2 or person in asked or person == request.requester_id:
                continue
            target = (level, person)
            break
        step.escalation_level += 1
        step.save(update_fields=["escalation_level"])
        if target is None:
            record_event(ApprovalEvent, request, "escalation_impossible", detail={"step": step.position})
            return None
        level, person = target
        assignment = _ask_more(step, person, position=0, source=f"escalation:{level}")
        record_event(
            ApprovalEvent,
            request,
            "escalated",
            detail={"step": step.position, "to_user": assignment.approver_id, "level": level},
        )
        return assignment


def remind_and_escalate(*, now: Any = None) -> dict[str, int]:
    """The periodic sweep: remind approvers who have waited too long, escalate steps open too long."""
    now = now or timezone.now()
    remind_after = timedelta(hours=float(tunable("APPROVAL_REMINDER_HOURS")))
    escalate_after = timedelta(hours=float(tunable("APPROVAL_ESCALATION_HOURS")))
    reminded = escalated = 0
    active = ApprovalStep.objects.filter(status=StepStatus.ACTIVE, request__status=RequestStatus.PENDING)
    for step in active.filter(activated_at__lte=now - escalate_after):
        assert step.activated_at is not None  # selected by activated_at above
        if step.activated_at + escalate_after * (step.escalation_level + 1) <= now and escalate_step(
            step=step
        ):
            escalated += 1
    due = ApprovalAssignment.objects.filter(
        status=AssignmentStatus.PENDING, step__status=StepStatus.ACTIVE, notified_at__lte=now - remind_after
    ).filter(Q(step__last_reminded_at__isnull=True) | Q(step__last_reminded_at__lte=now - remind_after))
    for assignment in due.select_related("step"):
        notices.notify_approver(assignment, reminder=True)
        ApprovalStep.objects.filter(pk=assignment.step_id).update(last_reminded_at=now)
        reminded += 1
    return {"reminded": reminded, "escalated": escalated}


# -- deciding from an e-mail link ---------------------------------------------------------------------
def decide_by_email(*, token: str, actor: Any, comment: str = "") -> DecisionResult:
    """Use a link from an e-mail: consumed atomically first, so a second click changes nothing.

    The link acts for its addressee only: ``actor`` (the person signed in) must be the approver it
    was sent to; for anyone else the link stays unused and nothing changes.
    """
    with transaction.atomic():
        row = tokens.email_token(token)
        if row is None:
            raise ApprovalError(
                _("This link has expired or was already used. Open the approval inbox to decide.")
            )
        if actor is None or actor.pk != row.assignment.approver_id:
            raise ApprovalError(
                _("This link was sent to another person: only they can use it, signed in as themselves.")
            )
        used = EmailActionToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
        if used != 1:
            raise ApprovalError(
                _("This link has expired or was already used. Open the approval inbox to decide.")
            )
        return decide(
            assignment_id=row.assignment_id,
            actor=actor,
            decision=row.action,
            comment=comment,
            channel=DecisionChannel.EMAIL,
        )
