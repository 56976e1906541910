"""Periodic housekeeping of both sites: background work left running by a lost worker, old files.

A worker that dies (killed, out of memory, its host restarted) while it runs a long job leaves the
job's row "running" for ever: its page keeps refreshing, and a new run is refused while it lasts.
Every model whose rows a worker moves to a running status is registered here once, from its app's
``AppConfig.ready()``, as a :class:`BackgroundWork` (the model, its status field and transition
table, the running and failed statuses, the field stamped when a worker took the row, the field that
says why a row failed). :func:`fail_stuck_work` fails every row still running after
``STUCK_WORK_SECONDS`` through ``core.status.set_status``, says why in words a person can act on
(:data:`STOPPED_REASON`) and records an ``AdminEvent`` of kind ``stopped`` with it.

Other chores of the same round (deleting files past their retention) register into :data:`chores`;
the periodic task ``openprocure.core.tasks.housekeeping`` runs both every ``HOUSEKEEPING_SECONDS``.
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


@dataclass(frozen=True)
class BackgroundWork:
    """A model whose rows a worker moves to ``running`` and then to an end, as the sweeper sees it.

    ``started`` is the date field set when a worker took the row; ``reason`` the text field that
    says why a row failed (``None`` when ``on_failed`` says it another way); ``on_failed(row,
    reason)`` runs in the failing transaction before the move, for what else the app keeps (a
    problem row, a timeline event); the fields it changes on the row are listed in ``also``.
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


def _fail(work: BackgroundWork, pk: Any, *, reason: str, now: datetime, limit: float) -> bool:
    with transaction.atomic():
        row = (
            work.model._default_manager.select_for_update()
            .filter(pk=pk, **{work.field: work.running})
            .first()
        )
        if row is None:  # it finished (or failed) in the meantime
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
        started = getattr(row, work.started)
        set_status(
            row,
            work.failed,
            table=work.table,
            field=work.field,
            also=fields,
            event=new_event(
                AdminEvent,
                row,
                AdminEventKind.STOPPED,
                detail={
                    "from": work.running,
                    "to": work.failed,
                    "started_at": started.isoformat() if started else "",
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
        ).values_list("pk", flat=True)
        for pk in list(stuck):
            if _fail(work, pk, reason=reason, now=now, limit=limit):
                logger.warning(
                    "%s %s was still running after %s s: failed", work.model._meta.label, pk, limit
                )
                failed += 1
    return failed


def run(*, now: datetime | None = None) -> dict[str, int]:
    """One round of housekeeping: stuck work failed, then every chore; what each did."""
    now = now or timezone.now()
    done = {"stuck": fail_stuck_work(now=now)}
    for function in list(chores):
        done[f"{function.__module__}.{function.__qualname__}"] = int(function(now=now))
    return done
