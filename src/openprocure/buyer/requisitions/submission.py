"""A requisition's status moves: submitting it for approval (one or many at once, with bulk
statements), the moves other apps make along the transition table, and cancelling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.organization.models import RestrictedCategory
from openprocure.buyer.organization.services import profile_for
from openprocure.buyer.requisitions import hooks
from openprocure.buyer.requisitions.choices import (
    EDITABLE_STATUSES,
    REQUISITION_TRANSITIONS,
    EventKind,
    RequisitionStatus,
)
from openprocure.buyer.requisitions.drafting import RequisitionError, _lock
from openprocure.buyer.requisitions.models import (
    AccountingSplit,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.audit import new_event
from openprocure.core.models import User
from openprocure.core.status import follow, restore_status_many, set_status, set_status_many


def _submission_problems(requisition: Requisition) -> list[str]:
    lines = list(requisition.lines.select_related("cost_center").prefetch_related("splits"))
    profile = profile_for(requisition.requester)
    return _line_problems(lines, *_restrictions(profile))


def _restrictions(profile: Any) -> tuple[set[str], list[RestrictedCategory]]:
    """The requester's role codes and their company's restricted categories."""
    if profile is None:
        return set(), []
    return profile.role_codes(), list(RestrictedCategory.objects.filter(company=profile.company))


def _suppliers_refusing_free_text(lines: Sequence[RequisitionLine]) -> dict[int, str]:
    """Suppliers of the free-text lines whose order connection refuses lines not from its cart
    (``PunchOutConnection.accepts_free_text``): supplier ID → name."""

    supplier_ids = {line.supplier_id for line in lines if line.is_free_text and line.supplier_id}
    if not supplier_ids:
        return {}
    refusing: dict[int, str] = {}
    # The connection orders go through: the first active cXML connection with an order URL.
    seen: set[int] = set()
    for connection in (
        PunchOutConnection.objects.filter(supplier_id__in=supplier_ids, is_active=True, protocol="cxml")
        .exclude(order_url="")
        .select_related("supplier")
        .order_by("pk")
    ):
        if connection.supplier_id in seen:
            continue
        seen.add(connection.supplier_id)
        if not connection.accepts_free_text:
            refusing[connection.supplier_id] = connection.supplier.name
    return refusing


def _line_problems(
    lines: Sequence[RequisitionLine], roles: set[str], restrictions: Sequence[RestrictedCategory]
) -> list[str]:
    if not lines:
        return [_("Add at least one line before submitting.")]
    problems = []
    refusing = _suppliers_refusing_free_text(lines)
    for line in lines:
        if line.is_free_text and line.supplier_id in refusing:
            problems.append(
                _(
                    "Line %(n)s is a free-text line, but %(supplier)s accepts only lines from its catalog: "
                    "choose the item in its shop (or another supplier), or remove the line."
                )
                % {"n": line.line_number, "supplier": refusing[line.supplier_id]}
            )
        if line.cost_center_id is None and not line.splits.all():
            problems.append(_("Line %(n)s has no cost center: set its accounting.") % {"n": line.line_number})
        for restriction in restrictions:
            if line.unspsc.startswith(restriction.unspsc_prefix) and restriction.role not in roles:
                problems.append(
                    _("Line %(n)s is in category %(code)s, which only a %(role)s may requisition.")
                    % {"n": line.line_number, "code": line.unspsc, "role": restriction.get_role_display()}
                )
    return problems


def _status_event(
    requisition: Requisition,
    from_status: str,
    to_status: str,
    *,
    actor: User | None,
    reason: str,
    detail: dict[str, Any],
    created_at: datetime | None = None,
) -> RequisitionEvent:
    """The unsaved history event of ``requisition`` moving from ``from_status`` to ``to_status``:
    who, why and ``detail`` (at ``created_at``, or now)."""
    return new_event(
        RequisitionEvent,
        requisition,
        EventKind.STATUS_CHANGED,
        actor=actor,
        detail=detail,
        created_at=created_at,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
    )


def submit_requisition(requisition: Requisition, actor: User, *, reason: str = "") -> Requisition:
    """Send a draft (or returned) requisition for approval; a second submit is refused cleanly.

    Runs the ``hooks.on_submitted`` callables inside the same transaction (approval chain creation).
    """
    with transaction.atomic():
        locked = _lock(requisition)
        refusal = _submit_refusal(locked, actor)
        if refusal:
            raise RequisitionError(refusal)
        problems = _submission_problems(locked)
        if problems:
            raise RequisitionError(" ".join(problems))
        total = locked.compute_total()
        set_status(
            locked,
            RequisitionStatus.SUBMITTED,
            table=REQUISITION_TRANSITIONS,
            also=["updated_at"],
            values={"submitted_at": timezone.now(), "total_amount": total},
            event=_status_event(
                locked,
                locked.status,
                RequisitionStatus.SUBMITTED,
                actor=actor,
                reason=reason,
                detail={"total": str(total), "currency": locked.currency},
            ),
        )
        hooks.on_submitted(locked)
    return locked


def _submit_refusal(requisition: Requisition, actor: User) -> str:
    """Why ``actor`` may not submit ``requisition`` now (empty when they may)."""
    if requisition.status == RequisitionStatus.SUBMITTED:
        return _("Requisition %(number)s was already submitted.") % {"number": requisition.number}
    if actor.pk != requisition.requester_id:
        return _("Only the requester can submit requisition %(number)s.") % {"number": requisition.number}
    if requisition.status not in EDITABLE_STATUSES:
        return _("Requisition %(number)s is %(status)s and cannot be submitted.") % {
            "number": requisition.number,
            "status": requisition.get_status_display(),
        }
    return ""


#: How many requisitions one transaction of a batch action handles: large enough for bulk statements
#: to pay off, small enough that other writers never wait long for the database.
BATCH_SIZE = 500


@dataclass
class BatchOutcome:
    """What a batch action did: the requisition numbers that went through, and why others did not."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (requisition number, reason)


def batch_queryset() -> Any:
    """Requisitions with what submitting and approving read: requester profile, lines and their splits."""
    return Requisition.objects.select_related("requester__buyer_profile", "ship_to").prefetch_related(
        Prefetch(
            "lines",
            queryset=RequisitionLine.objects.select_related("cost_center", "gl_account")
            .prefetch_related(
                Prefetch(
                    "splits", queryset=AccountingSplit.objects.select_related("cost_center", "gl_account")
                )
            )
            .order_by("line_number"),
        )
    )


def submit_many(*, requisition_ids: Sequence[int], actor: User, reason: str = "") -> BatchOutcome:
    """Submit many of the actor's requisitions with bulk statements, one transaction per batch.

    The same rules as :func:`submit_requisition`; a requisition that cannot be submitted (or that the
    ``hooks.on_submitted_many`` callables refuse: a blocking budget, an unresolvable chain) is left
    as it was and reported with the reason, while the others go through.
    """
    ids = list(dict.fromkeys(int(pk) for pk in requisition_ids))
    roles, restrictions = _restrictions(profile_for(actor))
    outcome = BatchOutcome()
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            _submit_chunk(ids[start : start + BATCH_SIZE], actor, reason, roles, restrictions, outcome)
    return outcome


def _submit_chunk(
    ids: list[int],
    actor: User,
    reason: str,
    roles: set[str],
    restrictions: Sequence[RestrictedCategory],
    outcome: BatchOutcome,
) -> None:
    rows = {r.pk: r for r in batch_queryset().select_for_update(of=("self",)).filter(pk__in=ids)}
    candidates: list[Requisition] = []
    for pk in ids:
        requisition = rows.get(pk)
        if requisition is None:
            outcome.refused.append((str(pk), _("This requisition does not exist.")))
            continue
        problems = [_submit_refusal(requisition, actor)]
        if not problems[0]:
            problems = _line_problems(list(requisition.lines.all()), roles, restrictions)
        if problems:
            outcome.refused.append((requisition.number, " ".join(problems)))
            continue
        candidates.append(requisition)
    if not candidates:
        return
    now = timezone.now()
    submitted_before = {requisition.pk: requisition.submitted_at for requisition in candidates}
    changed: list[Requisition] = []
    for requisition in candidates:
        total = requisition.compute_total()
        if total != Decimal(requisition.total_amount):  # kept up to date by every line change, normally
            changed.append(requisition)
        requisition.total_amount = total
    events = [
        _status_event(
            requisition,
            requisition.status,
            RequisitionStatus.SUBMITTED,
            actor=actor,
            reason=reason,
            detail={"total": str(requisition.total_amount), "currency": requisition.currency},
            created_at=now,
        )
        for requisition in candidates
    ]
    # Plain UPDATEs, one per distinct value (bulk_update's CASE per row costs more than it saves).
    previous = set_status_many(
        candidates,
        RequisitionStatus.SUBMITTED,
        table=REQUISITION_TRANSITIONS,
        values={"submitted_at": now, "updated_at": now},
        events=events,
    )
    for total, pks in _group_by(changed, lambda r: r.total_amount).items():
        Requisition.objects.filter(pk__in=pks).update(total_amount=total)
    refused = hooks.on_submitted_many(candidates)
    if refused:
        # The callables wrote nothing for these: put them back as they were, without a trace.
        back = [r for r in candidates if r.pk in refused]
        restore_status_many(
            back, previous, values={r.pk: {"submitted_at": submitted_before[r.pk]} for r in back}
        )
        RequisitionEvent.objects.filter(pk__in=[e.pk for e in events if e.requisition_id in refused]).delete()
    for requisition in candidates:
        if requisition.pk in refused:
            outcome.refused.append((requisition.number, refused[requisition.pk]))
        else:
            outcome.done.append(requisition.number)


def _group_by(requisitions: Sequence[Requisition], key: Any) -> dict[Any, list[int]]:
    groups: dict[Any, list[int]] = {}
    for requisition in requisitions:
        groups.setdefault(key(requisition), []).append(requisition.pk)
    return groups


def change_status_many(
    *,
    requisitions: Sequence[Requisition],
    target: str,
    actor: User | None,
    reasons: dict[int, str] | None = None,
    data: dict[int, dict[str, Any]] | None = None,
) -> None:
    """:func:`change_status` for many requisitions with bulk statements (rows locked, moves checked).

    Raises ``IllegalTransition`` (nothing changed) when one of them may not move to ``target``.
    """
    if not requisitions:
        return
    now = timezone.now()
    with transaction.atomic():
        ids = [r.pk for r in requisitions]
        locked = {
            pk: status
            for pk, status in Requisition.objects.select_for_update()
            .filter(pk__in=ids)
            .values_list("pk", "status")
        }
        # The rows as they are now, locked (the objects passed in may be stale).
        current = [Requisition(pk=pk, status=locked[pk]) for pk in ids]
        set_status_many(
            current,
            target,
            table=REQUISITION_TRANSITIONS,
            values={"updated_at": now},
            events=[
                _status_event(
                    requisition,
                    locked[requisition.pk],
                    target,
                    actor=actor,
                    reason=(reasons or {}).get(requisition.pk, ""),
                    detail=(data or {}).get(requisition.pk, {}),
                    created_at=now,
                )
                for requisition in requisitions
            ],
        )
        moved = {row.pk: row for row in current}
        for requisition in requisitions:
            follow(requisition, moved[requisition.pk])
            requisition.updated_at = now


def change_status(
    *,
    requisition: Requisition,
    target: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Requisition:
    """Move a requisition along the transition table (approved, rejected, returned, ordered, closed…).

    For other apps (approvals, purchasing): the row is locked, the move checked, an event recorded.
    """
    with transaction.atomic():
        locked = _lock(requisition)
        set_status(
            locked,
            target,
            table=REQUISITION_TRANSITIONS,
            also=["updated_at"],
            event=_status_event(locked, locked.status, target, actor=actor, reason=reason, detail=data or {}),
        )
    return locked


def cancel_requisition(*, requisition: Requisition, actor: User, reason: str = "") -> Requisition:
    """Withdraw a requisition that has not been ordered yet."""
    if actor.pk != requisition.requester_id:
        raise RequisitionError(
            _("Only the requester can cancel requisition %(number)s.") % {"number": requisition.number}
        )
    return change_status(
        requisition=requisition, target=RequisitionStatus.CANCELLED, actor=actor, reason=reason
    )
