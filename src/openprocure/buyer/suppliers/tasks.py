"""Background tasks of the supplier directory (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.suppliers import services


@task()
def refresh_profiles() -> int:
    """Read again the ProfileResponse of every cXML connection not read for a day."""
    return services.refresh_profiles()
