"""The scheduler's lease and the installation-wide schedule, in one process (the processes test runs real workers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openprocure.core import scheduling
from openprocure.core.models import PeriodicTask, SchedulerLease

pytestmark = pytest.mark.django_db

SWEEP = "openprocure.core.tasks.sweep_outbox"
SCHEDULE = [(SWEEP, 30.0)]


@override_settings(SCHEDULER_LEASE_SECONDS=10)
def test_one_holder_at_a_time_until_its_lease_expires() -> None:
    now = timezone.now()
    assert scheduling.take_lease(holder="a", now=now) is True
    assert scheduling.take_lease(holder="b", now=now + timedelta(seconds=5)) is False
    assert scheduling.take_lease(holder="a", now=now + timedelta(seconds=9)) is True  # renewed to now + 19 s
    assert scheduling.take_lease(holder="b", now=now + timedelta(seconds=18)) is False
    assert scheduling.take_lease(holder="b", now=now + timedelta(seconds=20)) is True
    assert scheduling.take_lease(holder="a", now=now + timedelta(seconds=21)) is False
    assert list(SchedulerLease.objects.values_list("name", "holder")) == [("scheduler", "b")]
    scheduling.release_lease(holder="a")  # not the holder: nothing happens
    assert SchedulerLease.objects.get().holder == "b"
    scheduling.release_lease(holder="b")
    assert scheduling.take_lease(holder="a") is True


def test_a_period_is_enqueued_once_and_not_while_its_previous_run_is_unfinished() -> None:
    start = timezone.now()
    assert scheduling.enqueue_due(SCHEDULE, now=start) == []  # first seen: due in 2 s
    first = start + timedelta(seconds=2)
    assert PeriodicTask.objects.get().next_run_at == first
    assert scheduling.enqueue_due(SCHEDULE, now=first) == [SWEEP]
    assert scheduling.enqueue_due(SCHEDULE, now=first) == []  # the period is claimed
    row = PeriodicTask.objects.get()
    assert (row.runs, row.next_run_at, row.last_enqueued_at) == (1, first + timedelta(seconds=30), first)

    # The run has not happened yet: the next period is skipped, and stays due.
    assert scheduling.enqueue_due(SCHEDULE, now=first + timedelta(seconds=31)) == []
    assert PeriodicTask.objects.get().runs == 1
    DBTaskResult.objects.filter(pk=row.last_result_id).update(status="SUCCESSFUL")
    assert scheduling.enqueue_due(SCHEDULE, now=first + timedelta(seconds=32)) == [SWEEP]
    # Periods follow each other from the first run.
    assert PeriodicTask.objects.get().next_run_at == first + timedelta(seconds=60)


def test_a_run_lost_with_its_worker_does_not_stop_the_schedule() -> None:
    start = timezone.now()
    scheduling.enqueue_due(SCHEDULE, now=start)
    first = start + timedelta(seconds=2)
    scheduling.enqueue_due(SCHEDULE, now=first)
    DBTaskResult.objects.update(status="RUNNING")  # its worker was killed while running it
    late = first + timedelta(seconds=scheduling.OVERLAP_LIMIT_SECONDS + 1)
    assert scheduling.enqueue_due(SCHEDULE, now=late) == [SWEEP]
    # Far behind: the next period starts from now.
    assert PeriodicTask.objects.get().next_run_at == late + timedelta(seconds=30)
    assert DBTaskResult.objects.filter(task_path=SWEEP).count() == 2
