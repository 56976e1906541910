"""Periodic housekeeping of both sites: background work left running by a lost worker or waiting
for a lost task, old files.

A worker that dies (killed, out of memory, its host restarted) while it runs a long job leaves the
job's row "running" for ever: its page keeps refreshing, and a new run is refused while it lasts.
Every model whose rows a worker moves to a running status is registered here once, from its app's
``AppConfig.ready()``, as a :class:`BackgroundWork` (the model, its status field and transition
table, the running and failed statuses, the field stamped when a worker took the row, the field that
says why a row failed). :func:`fail_stuck_work` fails every row still running after
``STUCK_WORK_SECONDS`` through ``core.status.set_status``, says why in words a person can act on
(:data:`STOPPED_REASON`) and records an ``AdminEvent`` of kind ``stopped`` with it.

A row asked for but never taken by a worker (its task lost before any worker saw it: the task queue
flushed, the enqueue after the commit refused) waits for ever in the same way. A registration that
names its ``waiting`` status, the date field stamped when it was asked for and its task has
:func:`requeue_lost_work` enqueue the task again once a row has waited ``STUCK_QUEUED_SECONDS``,
recorded as an ``AdminEvent`` of kind ``requeued`` (so it is enqueued again only once), and fail the
row, saying why (:data:`LOST_REASON`, event ``lost``), when it still waits that long after.

Other chores of the same round (deleting files past their retention) register into :data:`chores`;
the periodic task ``openprocure.core.tasks.housekeeping`` runs them all every ``HOUSEKEEPING_SECONDS``.
(Outbox messages are not registered here: the outbox's own sweeper, ``core.outbox.sweep``, schedules
again every message due without a live task.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from openprocure.core.audit import new_event
from openprocure.core.choices import AdminEventKind
from openprocure.core.hooks import Hook
from openprocure.core.models import AdminEvent
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable

logger = logging.getLogger(__name__)

#: What a person reads on a row the housekeeping failed (stored in the row's own words field).
STOPPED_REASON = gettext_lazy("The worker stopped while this was running; start it again.")
#: What a person reads on a waiting row failed because its task was lost again after being enqueued again.
LOST_REASON = gettext_lazy("The task was lost twice before a worker could take it; start it again.")


@dataclass(frozen=True)
class BackgroundWork:
    """A model whose rows a worker moves to ``running`` and then to an end, as the sweeper sees it.

    ``started`` is the date field set when a worker took the row; ``reason`` the text field that
    says why a row failed (``None`` when ``on_failed`` says it another way); ``on_failed(row,
    reason)`` runs in the failing transaction before the move (the row still in the status it
    leaves), for what else the app keeps (a problem row, a timeline event); the fields it changes on
    the row are listed in ``also``. ``waiting`` is the status of a row asked for that no worker took
    yet, ``waiting_since`` the date field stamped when it was asked for, and ``task`` the task that
    takes it (enqueued with the row's primary key); without them waiting rows are left alone.
    """

    model: type[models.Model]
    table: Mapping[str, Set[str]]
    running: str
    failed: str
    started: str
    reason: str | None = "error"
    field: str = "status"
    also: tuple[str, ...] = ()
    on_failed: Callable[[Any, str], None] | None = None
    waiting: str | None = None
    waiting_since: str = "created_at"
    task: Any = None


_REGISTRY: list[BackgroundWork] = []

#: Further chores of the housekeeping round, called with ``now=``; each returns what it did (a count).
chores = Hook()


def register(work: BackgroundWork) -> BackgroundWork:
    """Have the sweeper watch ``work.model`` (once, however often an app's ``ready()`` runs)."""
    if all(entry.model is not work.model for entry in _REGISTRY):
        _REGISTRY.append(work)
    return work


def registered() -> list[BackgroundWork]:
    return list(_REGISTRY)


def _fail(
    work: BackgroundWork,
    pk: Any,
    *,
    current: str,
    kind: str,
    since: dict[str, datetime | None],
    reason: str,
    now: datetime,
    limit: float,
) -> bool:
    """Fail the row ``pk`` if it is still ``current``, saying ``reason``, with an event of ``kind``
    whose detail gives the dates of ``since`` (what the limit was counted from)."""
    with transaction.atomic():
        row = work.model._default_manager.select_for_update().filter(pk=pk, **{work.field: current}).first()
        if row is None:  # a worker took it, or it finished (or failed), in the meantime
            return False
        fields = list(work.also)
        if work.reason is not None:
            setattr(row, work.reason, reason)
            fields.append(work.reason)
        if any(field.name == "finished_at" for field in row._meta.get_fields()):
            row.finished_at = now  # type: ignore[attr-defined]  # the models that keep an end date
            fields.append("finished_at")
        if work.on_failed is not None:
            work.on_failed(row, reason)
        dates = {name: moment.isoformat() if moment else "" for name, moment in since.items()}
        set_status(
            row,
            work.failed,
            table=work.table,
            field=work.field,
            also=fields,
            event=new_event(
                AdminEvent,
                row,
                kind,
                detail={
                    "from": current,
                    "to": work.failed,
                    **dates,
                    "limit_seconds": limit,
                    "reason": reason,
                },
                created_at=now,
            ),
        )
    return True


def fail_stuck_work(*, now: datetime | None = None) -> int:
    """Fail every registered row running for longer than ``STUCK_WORK_SECONDS``; how many."""
    now = now or timezone.now()
    limit = float(tunable("STUCK_WORK_SECONDS"))
    cutoff = now - timedelta(seconds=limit)
    reason = str(STOPPED_REASON)
    failed = 0
    for work in registered():
        stuck = work.model._default_manager.filter(
            **{work.field: work.running, f"{work.started}__lt": cutoff}
        ).values_list("pk", work.started)
        for pk, started in list(stuck):
            if _fail(
                work,
                pk,
                current=work.running,
                kind=AdminEventKind.STOPPED,
                since={"started_at": started},
                reason=reason,
                now=now,
                limit=limit,
            ):
                logger.warning(
                    "%s %s was still running after %s s: failed", work.model._meta.label, pk, limit
                )
                failed += 1
    return failed


def _requeue(work: BackgroundWork, pk: Any, *, now: datetime, limit: float) -> bool:
    """Record that the row ``pk``, if still waiting, has its task enqueued again, and enqueue it once
    that is committed (a task that cannot be enqueued is logged: the next period fails the row)."""
    with transaction.atomic():
        row = (
            work.model._default_manager.select_for_update()
            .filter(pk=pk, **{work.field: work.waiting})
            .first()
        )
        if row is None:  # a worker took it in the meantime
            return False
        since = getattr(row, work.waiting_since)
        event = new_event(
            AdminEvent,
            row,
            AdminEventKind.REQUEUED,
            detail={"waiting_since": since.isoformat(), "limit_seconds": limit},
            created_at=now,
        )
        event.save()
        transaction.on_commit(lambda: work.task.enqueue(pk), robust=True)
    return True


def requeue_lost_work(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue again the task of every registered row waiting longer than ``STUCK_QUEUED_SECONDS``
    (once), and fail a row still waiting that long after; how many of each."""
    now = now or timezone.now()
    limit = float(tunable("STUCK_QUEUED_SECONDS"))
    cutoff = now - timedelta(seconds=limit)
    reason = str(LOST_REASON)
    done = {"requeued": 0, "lost": 0}
    for work in registered():
        if work.waiting is None:
            continue
        waiting = dict(
            work.model._default_manager.filter(
                **{work.field: work.waiting, f"{work.waiting_since}__lt": cutoff}
            ).values_list("pk", work.waiting_since)
        )
        requeued = dict(
            AdminEvent.objects.filter(
                kind=AdminEventKind.REQUEUED,
                subject_type=work.model._meta.label_lower,
                subject_id__in=list(waiting),
            ).values_list("subject_id", "created_at")
        )
        for pk, since in waiting.items():
            again = requeued.get(pk)
            if again is None:
                if _requeue(work, pk, now=now, limit=limit):
                    logger.warning(
                        "%s %s was still waiting after %s s: its task enqueued again",
                        work.model._meta.label,
                        pk,
                        limit,
                    )
                    done["requeued"] += 1
            elif again < cutoff and _fail(
                work,
                pk,
                current=work.waiting,
                kind=AdminEventKind.LOST,
                since={"waiting_since": since, "requeued_at": again},
                reason=reason,
                now=now,
                limit=limit,
            ):
                logger.warning(
                    "%s %s was still waiting %s s after its task was enqueued again: failed",
                    work.model._meta.label,
                    pk,
                    limit,
                )
                done["lost"] += 1
    return done


def run(*, now: datetime | None = None) -> dict[str, int]:
    """One round of housekeeping: stuck work failed, lost tasks enqueued again (or their rows
    failed), then every chore; what each did."""
    now = now or timezone.now()
    done = {"stuck": fail_stuck_work(now=now), **requeue_lost_work(now=now)}
    for function in list(chores):
        done[f"{function.__module__}.{function.__qualname__}"] = int(function(now=now))
    return done
