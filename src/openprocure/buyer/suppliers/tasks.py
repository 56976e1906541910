"""Background tasks of the supplier directory (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.suppliers import services
from openprocure.buyer.suppliers.conformance import run_conformance


@task()
def refresh_profiles() -> int:
    """Read the ProfileResponse of the cXML connections due (never read, a day old, or to retry)."""
    return services.refresh_profiles()


# Enqueued by ``conformance.start_conformance_run``; defined beside the run it plays, listed here with
# the app's other tasks.
__all__ = ["refresh_profiles", "run_conformance"]
