"""Background tasks of purchasing (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.purchasing import services


@task()
def sync_deliveries() -> int:
    """Move purchase orders whose OrderRequest delivery finished (accepted / failed)."""
    return services.sync_deliveries()
