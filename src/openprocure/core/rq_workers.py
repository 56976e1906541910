"""RQ's worker processes of ``openprocure worker``, when the task backend is RQ.

RQ's ``WorkerPool`` forks one worker process per slot and has each start RQ's scheduler, itself a
forked process that holds a lock in Redis. Ours differ in two ways:

- no RQ scheduler: the installation's one scheduler (``openprocure.core.scheduling``) moves due
  delayed jobs to the queue;
- the slots are started fresh (multiprocessing's "spawn"), not forked from the worker: its
  scheduler thread may hold a lock (SQLite's memory mutex, say) at the moment of a fork, and a
  forked child would wait for it forever;
- every process (each slot, and each slot's work horse, the process RQ forks to run one job) asks
  the kernel to be killed when its parent dies, so a worker killed with SIGKILL leaves no process
  behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from multiprocessing import get_context
from typing import Any

import django
from django_rq import get_queue
from django_rq.utils import reset_db_connections
from redis import ConnectionPool
from rq import Worker
from rq.worker_pool import WorkerPool

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies; exit now if it is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


class SlotWorker(Worker):
    """RQ's worker whose work horse dies with it."""

    horse_parent = 0

    def fork_work_horse(self, job: Any, queue: Any) -> None:
        self.horse_parent = os.getpid()
        super().fork_work_horse(job, queue)

    def main_work_horse(self, job: Any, queue: Any) -> None:
        die_with_parent(self.horse_parent)
        super().main_work_horse(job, queue)


def run_slot(
    parent: int,
    name: str,
    queue_names: list[str],
    connection_class: Any,
    pool_class: Any,
    pool_kwargs: dict[str, Any],
    job_class: Any,
    logging_level: str,
) -> None:
    """One worker process of the pool (what RQ's ``run_worker`` does, without RQ's scheduler)."""
    die_with_parent(parent)
    django.setup()
    connection = connection_class(connection_pool=ConnectionPool(connection_class=pool_class, **pool_kwargs))
    queues = [get_queue(queue_name, job_class=job_class, connection=connection) for queue_name in queue_names]
    worker = SlotWorker(queues, name=name, connection=connection, job_class=job_class)
    worker.log.info("Starting worker with PID %s", os.getpid())
    worker.work(burst=False, with_scheduler=False, logging_level=logging_level)


class SlotPool(WorkerPool):
    """RQ's pool, whose worker processes are :func:`run_slot`."""

    def get_worker_process(
        self, name: str, burst: bool, _sleep: float = 0, logging_level: str = "INFO"
    ) -> Any:
        return get_context("spawn").Process(
            target=run_slot,
            args=(
                os.getpid(),
                name,
                list(self._queue_names),
                self._connection_class,
                self._pool_class,
                self._pool_kwargs,
                self.job_class,
                logging_level,
            ),
            name=f"Worker {name} (WorkerPool {self.name})",
        )


def run_pool(queue_names: list[str], *, slots: int) -> None:
    """Run ``slots`` RQ worker processes on the site's queues until stopped (SIGINT or SIGTERM)."""
    queues = [get_queue(name, job_class="django_tasks_rq.Job") for name in queue_names]
    pool = SlotPool(
        queues=queues,
        connection=queues[0].connection,
        num_workers=slots,
        worker_class=SlotWorker,
        job_class=queues[0].job_class,
    )
    reset_db_connections()  # no database connection crosses a fork
    pool.start(burst=False, logging_level="INFO")
