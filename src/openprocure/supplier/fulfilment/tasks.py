"""Background tasks of fulfilment (scheduled by the site's ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.supplier.fulfilment import services


@task()
def auto_fulfil() -> int:
    """Ship the orders whose automatic fulfilment delay has passed; the number of shipments made."""
    return len(services.auto_fulfil())
