"""Background tasks of the supplier directory (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.suppliers import services
from openprocure.buyer.suppliers.conformance import run_conformance

# ``run_conformance`` is defined in ``conformance`` beside ``start_conformance_run``, which enqueues
# it (this module imports the services, so defining it here would make an import cycle).
__all__ = ["refresh_profiles", "run_conformance"]


@task()
def refresh_profiles() -> int:
    """Read the ProfileResponse of the cXML connections due (never read, a day old, or to retry)."""
    return services.refresh_profiles()
