"""Background tasks of orders: the checks of a business's procurement system."""

from __future__ import annotations

from django_tasks import task

from openprocure.supplier.orders import services


@task()
def run_conformance_checks(run_id: int) -> str:
    """Run the checks a person asked for (``services.start_conformance_run``); the run's status."""
    return str(services.run_conformance(run_id=run_id).status)
