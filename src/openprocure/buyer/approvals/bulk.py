"""The batch path of the approval workflow: "Submit selected" starts many rounds, "Approve selected"
records many decisions.

The rules are those of :mod:`openprocure.buyer.approvals.workflow` — who may decide, nobody approves
their own request, serial steps ask one approver after another, parallel steps wait for their quorum,
delegates act for people who are away, every decision leaves an event with who and when — applied to
up to ``BATCH_SIZE`` items per transaction with a few reads and bulk writes instead of a service call
per item. Concurrency is handled as in :func:`workflow.decide`: the steps of the batch are locked
(SELECT … FOR UPDATE) before their assignments are re-read, and the one-decision-per-assignment
constraint is the last guard: if a concurrent decision still slips in, that batch is decided one by
one instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.approvals import budgets, hooks, notices
from openprocure.buyer.approvals.choices import (
    ASSIGNMENT_TRANSITIONS,
    REQUEST_TRANSITIONS,
    STEP_TRANSITIONS,
    AssignmentStatus,
    Decision,
    DecisionChannel,
    RequestStatus,
    StepStatus,
)
from openprocure.buyer.approvals.engine import Mode, ResolvedStep, resolve
from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalDecision,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalStep,
    EmailActionToken,
)
from openprocure.buyer.approvals.policy import (
    directory_for_many,
    load_rules,
    over_limit_chain,
    rates,
    requisition_facts,
)
from openprocure.buyer.approvals.workflow import (
    ApprovalError,
    active_delegates,
    chain_refusal,
    check_decision,
    close_open,
    decide,
    decision_refusal,
    ended_refusal,
    exceeds,
    frozen_assignments,
    frozen_steps,
    route,
    withdraw,
)
from openprocure.buyer.organization.services import spending_limit_for
from openprocure.buyer.requisitions.services import batch_queryset, change_status_many
from openprocure.core.audit import new_event
from openprocure.core.status import check_transition, set_status_many
from punchout.money import quantize_money

#: Decisions recorded per transaction by :func:`decide_many`.
BATCH_SIZE = 500


@dataclass
class BatchResult:
    """What a batch of decisions did: the requisitions decided on, and the approvals that could not be."""

    decided: list[str] = field(default_factory=list)  # requisition numbers
    referred: list[str] = field(default_factory=list)  # approved above the actor's limit: referred up
    refused: list[tuple[str, str]] = field(default_factory=list)  # (requisition number, reason)


# -- starting many rounds (inside submit_many's transaction) -----------------------------------------
def resolve_chains(requisitions: Sequence[Any]) -> tuple[dict[int, list[ResolvedStep]], dict[int, str]]:
    """Each requisition's chain under today's policy, and ``{pk: reason}`` for those nobody can approve.

    Requisitions must come with lines, splits and requester profile prefetched; nothing is written.
    """
    rules = load_rules()
    facts = {r.pk: requisition_facts(r) for r in requisitions}
    directory = directory_for_many(list(facts.values()), rules)
    rate_table = rates()
    refused: dict[int, str] = {}
    chains: dict[int, list[ResolvedStep]] = {}
    limits: dict[int, tuple[Decimal, str] | None] = {}
    for requisition in requisitions:
        chain = resolve(rules, facts[requisition.pk], directory, rates=rate_table)
        if not chain:
            if requisition.requester_id not in limits:
                limits[requisition.requester_id] = spending_limit_for(user=requisition.requester)
            chain = over_limit_chain(facts[requisition.pk], limits[requisition.requester_id])
        refusal = chain_refusal(chain)
        if refusal:
            refused[requisition.pk] = refusal
        else:
            chains[requisition.pk] = chain
    return chains, refused


def start_approvals(
    *, requisitions: Sequence[Any], chains: dict[int, list[ResolvedStep]], actor: Any = None
) -> None:
    """Freeze each submitted requisition's chain (from :func:`resolve_chains`) and ask each first step.

    A requisition whose chain is empty is approved at once (its orders follow), as with
    :func:`workflow.start_approval`.
    """
    facts = {r.pk: requisition_facts(r) for r in requisitions}
    started = list(requisitions)
    if not started:
        return
    now = timezone.now()
    rounds = dict(
        ApprovalRequest.objects.filter(requisition_id__in=[r.pk for r in started])
        .values("requisition_id")
        .annotate(last=Max("round"))
        .values_list("requisition_id", "last")
    )
    requests = ApprovalRequest.objects.bulk_create(
        [
            ApprovalRequest(
                requisition=r,
                round=rounds.get(r.pk, 0) + 1,
                requester_id=r.requester_id,
                amount=facts[r.pk].amount,
                currency=facts[r.pk].currency,
                supplier_ids=sorted(facts[r.pk].supplier_ids),
                lines_digest=r.lines_digest(),
                created_at=now,
            )
            for r in started
        ]
    )
    steps = ApprovalStep.objects.bulk_create(
        [step for request in requests for step in frozen_steps(request, chains[request.requisition_id])]
    )
    resolved = [s for request in requests for s in chains[request.requisition_id]]
    assignments = ApprovalAssignment.objects.bulk_create(frozen_assignments(steps, resolved, created_at=now))
    ApprovalEvent.objects.bulk_create(
        [
            new_event(
                ApprovalEvent,
                request,
                "submitted",
                actor=actor,
                detail={
                    "steps": len(chains[request.requisition_id]),
                    "amount": str(quantize_money(request.amount, request.currency)),
                    "currency": request.currency,
                },
                created_at=now,
            )
            for request in requests
        ]
    )
    queued: dict[int, list[ApprovalAssignment]] = defaultdict(list)
    for assignment in assignments:
        queued[assignment.step_id].append(assignment)
    first_steps: dict[int, ApprovalStep] = {}
    for step in steps:
        first_steps.setdefault(step.request_id, step)
    _activate_many(list(first_steps.values()), queued, now=now)
    empty = [request for request in requests if request.pk not in first_steps]
    if empty:
        complete_requests(requests=empty, actor=actor)


# -- deciding many -----------------------------------------------------------------------------------
def decide_many(
    *,
    assignment_ids: Sequence[int],
    actor: Any,
    decision: str = Decision.APPROVE,
    comment: str = "",
    channel: str = DecisionChannel.WEB,
) -> BatchResult:
    """Record ``actor``'s decision on many approvals; each one that cannot be decided is reported with why.

    Approvals go through in batches of ``BATCH_SIZE`` with bulk statements (orders of the fully
    approved requisitions included). Rejections and returns, which end a requisition's round, go
    through :func:`workflow.decide` one by one.
    """
    check_decision(decision, comment)
    ids = list(dict.fromkeys(int(pk) for pk in assignment_ids))
    result = BatchResult()
    if decision != Decision.APPROVE:
        _decide_one_by_one(ids, actor, decision, comment, channel, result)
        return result
    # Approvals above the actor's own spending limit are referred up, one by one.
    limit = spending_limit_for(user=actor)
    if limit is not None:
        above = {
            pk
            for pk, amount, currency in ApprovalAssignment.objects.filter(pk__in=ids).values_list(
                "pk", "step__request__amount", "step__request__currency"
            )
            if exceeds(Decimal(amount), currency, limit)
        }
        if above:
            _decide_one_by_one([pk for pk in ids if pk in above], actor, decision, comment, channel, result)
            ids = [pk for pk in ids if pk not in above]
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        partial = BatchResult()
        try:
            with transaction.atomic():
                _approve_chunk(chunk, actor, comment, channel, partial)
        except IntegrityError:
            # A concurrent decision on one of these got in first: let the single path sort them out.
            partial = BatchResult()
            _decide_one_by_one(chunk, actor, decision, comment, channel, partial)
        result.decided.extend(partial.decided)
        result.referred.extend(partial.referred)
        result.refused.extend(partial.refused)
    return result


def _decide_one_by_one(
    ids: list[int], actor: Any, decision: str, comment: str, channel: str, result: BatchResult
) -> None:
    numbers = dict(
        ApprovalAssignment.objects.filter(pk__in=ids).values_list("pk", "step__request__requisition__number")
    )
    for pk in ids:
        label = numbers.get(pk, f"#{pk}")
        try:
            outcome = decide(
                assignment_id=pk, actor=actor, decision=decision, comment=comment, channel=channel
            )
        except ApprovalError as error:
            result.refused.append((label, str(error)))
        else:
            (result.referred if outcome.referred_to else result.decided).append(label)


def _approve_chunk(ids: list[int], actor: Any, comment: str, channel: str, result: BatchResult) -> None:
    step_of = dict(ApprovalAssignment.objects.filter(pk__in=ids).values_list("pk", "step_id"))
    steps = {
        s.pk: s
        for s in ApprovalStep.objects.select_for_update(of=("self",)).filter(pk__in=set(step_of.values()))
    }
    requests = {
        r.pk: r
        for r in ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("requisition")
        .filter(pk__in={s.request_id for s in steps.values()})
    }
    for step in steps.values():
        step.request = requests[step.request_id]
    assignments = ApprovalAssignment.objects.in_bulk(ids)
    approvals: dict[int, int] = defaultdict(int)
    approvals.update(
        ApprovalAssignment.objects.filter(step_id__in=steps, status=AssignmentStatus.APPROVED)
        .values("step_id")
        .annotate(n=Count("id"))
        .values_list("step_id", "n")
    )
    queued: dict[int, list[ApprovalAssignment]] = defaultdict(list)
    for row in ApprovalAssignment.objects.filter(step_id__in=steps, status=AssignmentStatus.QUEUED).order_by(
        "position", "id"
    ):
        queued[row.step_id].append(row)
    now = timezone.now()
    decided: list[ApprovalAssignment] = []
    decided_ids: set[int] = set()
    to_ask: list[tuple[ApprovalAssignment, int]] = []
    completed: list[ApprovalStep] = []
    ended: dict[int, Any] = {}
    for pk in ids:
        assignment = assignments.get(pk)
        if assignment is None:
            result.refused.append((f"#{pk}", _("This approval does not exist.")))
            continue
        step = steps[assignment.step_id]
        request = step.request
        requisition = request.requisition
        refusal = ended_refusal(requisition) if request.status == RequestStatus.PENDING else ""
        if refusal:
            ended[requisition.pk] = requisition
        else:  # the ids are distinct (decide_many drops repeats): each is decided once here
            refusal = decision_refusal(actor, assignment, step, request)
        if refusal:
            result.refused.append((requisition.number, refusal))
            continue
        check_transition(
            ASSIGNMENT_TRANSITIONS,
            obj=assignment,
            current=assignment.status,
            target=AssignmentStatus.APPROVED,
        )
        decided.append(assignment)
        decided_ids.add(assignment.pk)
        result.decided.append(requisition.number)
        approvals[step.pk] += 1
        escalated = assignment.source.startswith("escalation")
        if not escalated and step.mode == Mode.SERIAL:
            if queued[step.pk]:
                to_ask.append((queued[step.pk].pop(0), request.requester_id))
                continue
        elif not escalated and approvals[step.pk] < step.required:
            continue
        check_transition(STEP_TRANSITIONS, obj=step, current=step.status, target=StepStatus.APPROVED)
        completed.append(step)
    for requisition in ended.values():
        withdraw(requisition=requisition, actor=None)
    if not decided:
        return
    ApprovalDecision.objects.bulk_create(
        [
            ApprovalDecision(
                assignment=a,
                decision=Decision.APPROVE,
                actor=actor,
                comment=comment,
                channel=channel,
                created_at=now,
            )
            for a in decided
        ]
    )
    set_status_many(
        decided, AssignmentStatus.APPROVED, table=ASSIGNMENT_TRANSITIONS, values={"decided_at": now}
    )
    ApprovalEvent.objects.bulk_create(
        [
            new_event(
                ApprovalEvent,
                steps[a.step_id].request_id,
                f"decision_{Decision.APPROVE}",
                actor=actor,
                detail={"step": steps[a.step_id].position, "comment": comment, "channel": channel},
                created_at=now,
            )
            for a in decided
        ]
    )
    EmailActionToken.objects.filter(assignment_id__in=decided_ids, used_at__isnull=True).update(used_at=now)
    _ask_many(to_ask, now=now)
    if not completed:
        return
    completed_ids = [s.pk for s in completed]
    set_status_many(completed, StepStatus.APPROVED, table=STEP_TRANSITIONS, values={"completed_at": now})
    close_open(completed_ids, now=now)
    following: dict[int, ApprovalStep] = {}
    for step in ApprovalStep.objects.filter(
        request_id__in={s.request_id for s in completed}, status=StepStatus.WAITING
    ).order_by("request_id", "position"):
        following.setdefault(step.request_id, step)
    for step in following.values():
        step.request = requests[step.request_id]
    waiting: dict[int, list[ApprovalAssignment]] = defaultdict(list)
    for row in ApprovalAssignment.objects.filter(
        step_id__in=[s.pk for s in following.values()], status=AssignmentStatus.QUEUED
    ).order_by("position", "id"):
        waiting[row.step_id].append(row)
    _activate_many(list(following.values()), waiting, now=now)
    done = [requests[s.request_id] for s in completed if s.request_id not in following]
    if done:
        complete_requests(requests=done, actor=actor)


# -- moving chains on --------------------------------------------------------------------------------
def _ask_many(items: list[tuple[ApprovalAssignment, int]], *, now: Any) -> None:
    """Put queued assignments in their approvers' inboxes (a delegate's while the approver is away)."""
    if not items:
        return
    delegates = active_delegates({a.approver_id for a, _requester in items})
    for assignment, requester_id in items:
        delegate = delegates.get(assignment.approver_id)
        assignment.approver_id, assignment.on_behalf_of_id = route(
            assignment.approver_id, requester_id, delegate
        )
    rows = [a for a, _requester in items]
    groups: dict[tuple[int, int | None], list[ApprovalAssignment]] = defaultdict(list)
    for assignment in rows:
        groups[(assignment.approver_id, assignment.on_behalf_of_id)].append(assignment)
    for (approver, on_behalf_of), group in groups.items():  # a few people: one UPDATE each
        set_status_many(
            group,
            AssignmentStatus.PENDING,
            table=ASSIGNMENT_TRANSITIONS,
            values={"approver_id": approver, "on_behalf_of_id": on_behalf_of, "notified_at": now},
        )
    notices.notify_approvers([a.pk for a in rows])


def _activate_many(
    steps: list[ApprovalStep], queued: dict[int, list[ApprovalAssignment]], *, now: Any
) -> None:
    """Start steps: ask their approvers (only the first one of a serial step)."""
    if not steps:
        return
    set_status_many(steps, StepStatus.ACTIVE, table=STEP_TRANSITIONS, values={"activated_at": now})
    to_ask = []
    for step in steps:
        waiting = queued.get(step.pk, [])
        for assignment in waiting[:1] if step.mode == Mode.SERIAL else waiting:
            to_ask.append((assignment, step.request.requester_id))
    _ask_many(to_ask, now=now)


def complete_requests(*, requests: list[ApprovalRequest], actor: Any) -> None:
    """Every step approved: the requisitions are approved, their budgets committed, the batch hooks run."""
    now = timezone.now()
    set_status_many(
        requests,
        RequestStatus.APPROVED,
        table=REQUEST_TRANSITIONS,
        values={"completed_at": now},
        events=[new_event(ApprovalEvent, r, "approved", actor=actor, created_at=now) for r in requests],
    )
    order = {r.requisition_id: n for n, r in enumerate(requests)}  # orders are numbered in decision order
    requisitions = sorted(batch_queryset().filter(pk__in=list(order)), key=lambda r: order[r.pk])
    submitted = [r for r in requisitions if r.status == "submitted"]
    reason = _("Every approval step agreed.")
    change_status_many(
        requisitions=submitted, target="approved", actor=actor, reasons={r.pk: reason for r in submitted}
    )
    budgets.commit_requisitions(requisitions=submitted)
    for hook in hooks.FINAL_APPROVAL_BATCH_HOOKS:
        hook(requisitions=requisitions, approvals=requests, actor=actor)
    notices.notify_requesters([r.pk for r in requests])
