"""Background tasks of the approval workflow (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.approvals import services


@task()
def remind_and_escalate() -> dict[str, int]:
    """Remind approvers who have waited too long; escalate steps open too long to the next manager."""
    return services.remind_and_escalate()
