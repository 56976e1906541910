"""Background tasks of spend visibility (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.spend import services


@task()
def refresh_monthly_spend() -> int:
    """Rebuild the changed months of the summary the dashboards read (all of them once a day)."""
    return services.refresh_monthly_spend().rows_written
