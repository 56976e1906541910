"""The installation's one scheduler of periodic tasks, and the workers' heartbeats.

Every ``openprocure worker`` process runs a :class:`Scheduler` thread, but only one of them, across
every host, schedules at a time:

1. The scheduler is whoever holds the ``scheduler`` lease (a row of :class:`SchedulerLease` in the
   site's database, whatever the task backend). Its holder renews it every few seconds; a worker
   that dies (even by SIGKILL) stops renewing, the lease expires after ``SCHEDULER_LEASE_SECONDS``
   and the next worker to look takes it. A worker that stops cleanly gives it up at once.
2. A periodic task is enqueued when its row of :class:`PeriodicTask` is due, by one conditional
   UPDATE that moves ``next_run_at`` a period on: a period is claimed once, even in the moment two
   processes believe they hold the lease.
3. A period is skipped while the task's previous run is still waiting or running (so runs of one
   task never overlap, and a busy queue does not pile up copies), unless that run was enqueued
   longer ago than ``OVERLAP_LIMIT_SECONDS`` (its worker died with it: it will never finish).
4. On RQ, the scheduler also moves the delayed jobs that are due (outbox retries enqueued with
   ``run_after``) to their queue: RQ's own scheduler, a forked process per worker, is not started.
5. Every worker, scheduler or not, records a heartbeat (:class:`WorkerHeartbeat`) so the operator
   status page shows which workers are alive.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from openprocure.core.models import PeriodicTask, SchedulerLease, WorkerHeartbeat
from openprocure.core.tunables import tunable

logger = logging.getLogger("openprocure.scheduler")

LEASE_NAME = "scheduler"
# Seconds between two heartbeats of a worker (and two renewals of the lease by its holder).
HEARTBEAT_SECONDS = 5.0
# A worker not heard from for this long is shown as not responding; after a day its row is removed.
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS
FORGET_AFTER = timedelta(days=1)
# The first run of a task new to the schedule, after the scheduler first sees it.
FIRST_RUN_DELAY = timedelta(seconds=2)
# A previous run still waiting or running after this long is taken as lost (its worker died while
# running it): the next period is enqueued anyway. RQ stops a job after 900 s (settings_base).
OVERLAP_LIMIT_SECONDS = 900.0


def lease_seconds() -> float:
    """How long the scheduler lease lasts without renewal (``OPENPROCURE_SCHEDULER_LEASE_SECONDS``)."""
    return float(getattr(settings, "SCHEDULER_LEASE_SECONDS", 30.0))


def periodic_tasks() -> list[tuple[str, float]]:
    """The periodic tasks of this site: the outbox sweeper, the housekeeping (``core.housekeeping``)
    plus ``settings.PERIODIC_TASKS``."""
    return [
        ("openprocure.core.tasks.sweep_outbox", 30.0),
        ("openprocure.core.tasks.housekeeping", float(tunable("HOUSEKEEPING_SECONDS"))),
        *getattr(settings, "PERIODIC_TASKS", []),
    ]


def backend_path() -> str:
    """Dotted path of the configured task backend class."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def uses_rq() -> bool:
    return backend_path().startswith("django_tasks_rq.")


def new_worker_id() -> str:
    """``host:pid:random``: names a worker process in heartbeats and as the lease holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"


# -- the lease -------------------------------------------------------------------------------------


def take_lease(*, holder: str, now: datetime | None = None) -> bool:
    """Renew the scheduler lease if ``holder`` has it, take it if it expired; True if held now."""
    now = now or timezone.now()
    until = now + timedelta(seconds=lease_seconds())
    taken = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=until)
    )
    if taken:
        return True
    if SchedulerLease.objects.filter(name=LEASE_NAME).exists():
        return False
    try:
        with transaction.atomic():
            SchedulerLease.objects.create(name=LEASE_NAME, holder=holder, expires_at=until)
    except IntegrityError:  # another worker created it first
        return False
    return True


def release_lease(*, holder: str) -> None:
    """Give the lease up (a clean stop), so another worker takes it at its next look."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
        holder="", expires_at=timezone.now() - timedelta(seconds=1)
    )


def current_lease() -> SchedulerLease | None:
    return SchedulerLease.objects.filter(name=LEASE_NAME).first()


# -- periodic tasks --------------------------------------------------------------------------------


def _previous_run_unfinished(row: PeriodicTask, task: Any, now: datetime) -> bool:
    if not row.last_result_id or row.last_enqueued_at is None:
        return False
    if row.last_enqueued_at < now - timedelta(seconds=OVERLAP_LIMIT_SECONDS):
        return False
    try:
        result = task.get_result(row.last_result_id)
    except TaskResultDoesNotExist:  # pruned, or expired from Redis: finished long ago
        return False
    return result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def enqueue_due(schedule: list[tuple[str, float]], *, now: datetime | None = None) -> list[str]:
    """Enqueue each task of ``schedule`` whose period has come; the paths enqueued."""
    now = now or timezone.now()
    rows = {row.path: row for row in PeriodicTask.objects.filter(path__in=[path for path, _ in schedule])}
    enqueued = []
    for path, interval in schedule:
        row = rows.get(path)
        if row is None:
            PeriodicTask.objects.get_or_create(path=path, defaults={"next_run_at": now + FIRST_RUN_DELAY})
            continue
        if row.next_run_at > now:
            continue
        task = import_string(path)
        if _previous_run_unfinished(row, task, now):
            continue
        # Periods follow each other from the first run; a scheduler that fell behind (none alive for a
        # while) runs the task once and starts again from now.
        next_run = row.next_run_at + timedelta(seconds=interval)
        if next_run <= now:
            next_run = now + timedelta(seconds=interval)
        with transaction.atomic():
            claimed = PeriodicTask.objects.filter(path=path, next_run_at=row.next_run_at).update(
                next_run_at=next_run, last_enqueued_at=now, runs=F("runs") + 1
            )
            if not claimed:
                continue
            result = task.enqueue()
            PeriodicTask.objects.filter(path=path).update(last_result_id=str(result.id))
        enqueued.append(path)
    return enqueued


# -- heartbeats ------------------------------------------------------------------------------------


def beat(*, worker_id: str, slots: int, started_at: datetime, now: datetime | None = None) -> None:
    """Record that this worker is alive."""
    now = now or timezone.now()
    hostname, pid, _random = worker_id.rsplit(":", 2)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": hostname,
            "pid": int(pid),
            "backend": backend_path(),
            "slots": slots,
            "started_at": started_at,
            "last_seen_at": now,
        },
    )


def forget_worker(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def forget_silent_workers(*, now: datetime | None = None) -> int:
    """Remove workers not heard from for a day (they died without saying goodbye)."""
    now = now or timezone.now()
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen_at__lt=now - FORGET_AFTER).delete()
    return deleted


# -- RQ's delayed jobs -----------------------------------------------------------------------------


class DelayedJobs:
    """RQ's scheduled-job registries of this site's queues: due jobs are moved to their queue."""

    def __init__(self) -> None:
        from django_rq import get_queue
        from rq.scheduler import RQScheduler

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        names = sorted(backend.queues)
        connection = get_queue(names[0]).connection
        self.scheduler = RQScheduler(names, connection=connection)
        self.scheduler.prepare_registries(names)

    def move_due(self) -> None:
        self.scheduler.enqueue_scheduled_jobs()


# -- the thread ------------------------------------------------------------------------------------


@dataclass
class SchedulerIdentity:
    """What the scheduler thread of a worker knows about itself (shown in its log)."""

    worker_id: str
    holding: bool = False


class Scheduler(threading.Thread):
    """Heartbeat of this worker, and the installation's scheduler while it holds the lease."""

    def __init__(self, *, slots: int, schedule: bool = True, tick: float = 1.0) -> None:
        super().__init__(name="openprocure-scheduler", daemon=True)
        self.me = SchedulerIdentity(worker_id=new_worker_id())
        self.slots = slots
        self.schedule_tasks = schedule
        self.tick = tick
        self.schedule = periodic_tasks()
        for path, _interval in self.schedule:
            import_string(path)  # a typo in PERIODIC_TASKS stops the worker at start, not later
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.delayed_jobs: DelayedJobs | None = None

    def _housekeeping(self) -> None:
        beat(worker_id=self.me.worker_id, slots=self.slots, started_at=self.started_at)
        if not self.schedule_tasks:
            return
        holding = take_lease(holder=self.me.worker_id)
        if holding and not self.me.holding:
            logger.info("worker %s is now the scheduler of this site", self.me.worker_id)
            forget_silent_workers()
        elif self.me.holding and not holding:
            logger.warning("worker %s lost the scheduler lease to another worker", self.me.worker_id)
        self.me.holding = holding

    def _schedule(self) -> None:
        for path in enqueue_due(self.schedule):
            logger.info("enqueued periodic task %s", path)
        if uses_rq():
            if self.delayed_jobs is None:
                self.delayed_jobs = DelayedJobs()
            self.delayed_jobs.move_due()

    def run(self) -> None:
        next_housekeeping = time.monotonic()
        try:
            while True:
                if time.monotonic() >= next_housekeeping:
                    next_housekeeping = time.monotonic() + min(HEARTBEAT_SECONDS, lease_seconds() / 3)
                    try:
                        close_old_connections()
                        self._housekeeping()
                    except Exception:  # a database gone for a moment: not the scheduler until it is back
                        logger.exception("worker %s could not record its heartbeat", self.me.worker_id)
                        self.me.holding = False
                if self.me.holding:
                    try:
                        self._schedule()
                    except Exception:  # a failing enqueue must not stop the scheduler
                        logger.exception("the scheduler could not enqueue its periodic tasks")
                if self.stopped.wait(self.tick):
                    break
        finally:
            try:
                if self.me.holding:
                    release_lease(holder=self.me.worker_id)
                forget_worker(worker_id=self.me.worker_id)
            except Exception:
                logger.exception("worker %s could not say goodbye", self.me.worker_id)
            connections.close_all()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped.set()
        self.join(timeout)
