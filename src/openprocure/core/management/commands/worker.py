"""``worker``: run the task worker of this site, and be its scheduler when no other worker is.

The worker matches the configured task backend (``OPENPROCURE_TASKS_BACKEND``): the database
backend's worker loop (django-tasks-db's, the one ``db_worker`` runs), or RQ's worker on Redis (one
RQ worker process per slot; RQ's own scheduler is not started).

It has several **task slots** (``--concurrency``, default ``WORKER_CONCURRENCY`` from
``OPENPROCURE_WORKER_CONCURRENCY``): tasks run side by side, so an outbox delivery waiting on a
partner that answers slowly holds one slot while the others deliver to everyone else. On the database
backend each slot is a thread with its own database connection (the slots poll in turn, so an idle
worker queries the task table no more often than one slot would); on RQ each slot is a worker process
of a pool.

Every worker runs a scheduler thread (``openprocure.core.scheduling``): it records the worker's
heartbeat and, in the one worker of the installation that holds the scheduler lease, enqueues each
task of ``settings.PERIODIC_TASKS`` (dotted path, seconds) once per period, the outbox sweeper among
them, and on RQ moves due delayed jobs (outbox retries) to the queue. Several workers may run at
once, on any number of hosts: every task claims its work atomically.

No process of a worker outlives it: RQ's worker processes and their work horses are told by the
kernel to stop when their parent dies (``PR_SET_PDEATHSIG`` on Linux), so a worker killed with
SIGKILL leaves nothing running in its process group, and no lock held.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from openprocure.core import scheduling

logger = logging.getLogger("openprocure.worker")


class DatabaseSlots:
    """Several loops of the database backend's worker in threads of this process: the task slots."""

    def __init__(self, *, slots: int, interval: float) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        prefix = get_random_string(20)
        # Each slot waits slots × interval between its polls, and the slots start one interval apart:
        # idle, the worker polls once per interval, as a single loop would.
        self.interval = interval
        self.workers = [
            Worker(
                queue_names=["default"],
                interval=interval * slots,
                batch=False,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=None,
                worker_id=f"{prefix}-{number}",
                excluded_queue_names=[],
            )
            for number in range(slots)
        ]
        self.stopping = threading.Event()

    def _slot(self, worker: Any, delay: float) -> None:
        if self.stopping.wait(delay):
            return
        try:
            while worker.running:
                try:
                    worker.run()
                except Exception:  # a slot that fails (a database gone for a moment) starts again
                    logger.exception("task slot %s failed; restarting it", worker.worker_id)
                    close_old_connections()
                    self.stopping.wait(1.0)
        finally:
            connections.close_all()

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """First signal: each slot finishes its task and stops. Second: stop now."""
        if self.stopping.is_set():
            logger.warning(
                "Received %s again - stopping without waiting for running tasks.", signal.strsignal(signum)
            )
            raise SystemExit(1)
        logger.warning(
            "Received %s - stopping once the running tasks are done (again to stop now)...",
            signal.strsignal(signum),
        )
        self.stopping.set()
        for worker in self.workers:
            worker.running = False

    def run(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        threads = [
            threading.Thread(
                target=self._slot,
                args=(worker, number * self.interval),
                name=f"task-slot-{number}",
                daemon=True,
            )
            for number, worker in enumerate(self.workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)


class Command(BaseCommand):
    help = "Run a task worker of this site; one worker of the installation also schedules the periodic tasks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Only run tasks: never become the scheduler."
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between polls for new tasks."
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Task slots: tasks run side by side (default: OPENPROCURE_WORKER_CONCURRENCY, else 4).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slots = options["concurrency"] or int(getattr(settings, "WORKER_CONCURRENCY", 4))
        if slots < 1:
            raise CommandError(_("--concurrency must be 1 or more."))
        run_worker = self.worker_for_backend(options, slots)
        scheduler = scheduling.Scheduler(slots=slots, schedule=not options["no_scheduler"])
        scheduler.start()
        try:
            run_worker()
        finally:
            scheduler.stop()

    def worker_for_backend(self, options: dict[str, Any], slots: int) -> Any:
        """The function that runs the worker loop of the configured task backend."""
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        path = scheduling.backend_path()
        if path.startswith("django_tasks_db."):
            return DatabaseSlots(slots=slots, interval=options["interval"]).run
        if path.startswith("django_tasks_rq."):
            from openprocure.core.rq_workers import run_pool

            return lambda: run_pool(sorted(backend.queues), slots=slots)
        raise CommandError(
            _(
                "The task backend %(backend)s has no worker this command can start. Set "
                "OPENPROCURE_TASKS_BACKEND to django_tasks_db.DatabaseBackend or django_tasks_rq.RQBackend."
            )
            % {"backend": path}
        )
