"""Background task of recurring requisitions (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.recurring import services


@task()
def create_due_occurrences() -> int:
    """Create, price and submit every occurrence due today or earlier; returns how many were made."""
    return services.create_due_occurrences()
