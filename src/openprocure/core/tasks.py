"""Background tasks shared by both sites."""

from __future__ import annotations

from django_tasks import task

from openprocure.core import outbox


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message (claiming it first, so a duplicate task is harmless)."""
    return outbox.deliver_message(message_id).status


@task()
def sweep_outbox() -> int:
    """Re-schedule due outbox messages whose task was lost (a worker died, a backend restarted)."""
    return outbox.sweep()
