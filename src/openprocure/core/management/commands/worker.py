"""``worker``: run the task worker of this site, plus the scheduler of its periodic tasks.

The worker matches the configured task backend (``OPENPROCURE_TASKS_BACKEND``): ``db_worker`` for
the database backend, ``rqworker`` (with RQ's own scheduler, for delayed retries) for RQ on Redis.
The scheduler enqueues each task listed in ``settings.PERIODIC_TASKS`` (dotted path, seconds)
at its interval, and the outbox sweeper, so a message whose worker died is picked up again.
Several workers may run at once: every task claims its work atomically.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger("openprocure.worker")


def periodic_tasks() -> list[tuple[str, float]]:
    """The periodic tasks of this site: the outbox sweeper plus ``settings.PERIODIC_TASKS``."""
    return [("openprocure.core.tasks.sweep_outbox", 30.0), *getattr(settings, "PERIODIC_TASKS", [])]


class Scheduler(threading.Thread):
    """Enqueue periodic tasks at their interval until stopped."""

    def __init__(self, schedule: list[tuple[str, float]]) -> None:
        super().__init__(name="openprocure-scheduler", daemon=True)
        self.schedule = [(import_string(path), interval) for path, interval in schedule]
        self.stopped = threading.Event()

    def run(self) -> None:
        next_run = [time.monotonic() + 2.0 for _ in self.schedule]
        while not self.stopped.wait(1.0):
            now = time.monotonic()
            for index, (task, interval) in enumerate(self.schedule):
                if now >= next_run[index]:
                    next_run[index] = now + interval
                    try:
                        close_old_connections()
                        task.enqueue()
                    except Exception:  # a failing enqueue must not stop the scheduler
                        logger.exception("could not enqueue %s", task)


class Command(BaseCommand):
    help = "Run the task worker of this site with its periodic-task scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Only run tasks, schedule nothing.")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between polls for new tasks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run_worker = self.worker_for_backend(options)
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = Scheduler(periodic_tasks())
            scheduler.start()
        try:
            run_worker()
        finally:
            if scheduler is not None:
                scheduler.stopped.set()

    def worker_for_backend(self, options: dict[str, Any]) -> Any:
        """The function that runs the worker loop of the configured task backend."""
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        path = f"{type(backend).__module__}.{type(backend).__qualname__}"
        if path.startswith("django_tasks_db."):
            return lambda: call_command("db_worker", interval=options["interval"], startup_delay=False)
        if path.startswith("django_tasks_rq."):
            queues = sorted(backend.queues)
            # The custom Job class runs Django tasks; RQ's scheduler moves delayed jobs (outbox retries
            # with run_after) to the queue when due.
            return lambda: call_command(
                "rqworker", *queues, job_class="django_tasks_rq.Job", with_scheduler=True
            )
        raise CommandError(
            _(
                "The task backend %(backend)s has no worker this command can start. Set "
                "OPENPROCURE_TASKS_BACKEND to django_tasks_db.DatabaseBackend or django_tasks_rq.RQBackend."
            )
            % {"backend": path}
        )
