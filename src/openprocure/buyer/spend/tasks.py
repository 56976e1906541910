"""Background tasks of spend visibility (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.spend import services


@task()
def refresh_monthly_spend() -> int:
    """Rebuild the monthly spend summary the dashboards read; returns the rows written."""
    return services.refresh_monthly_spend().rows_written
