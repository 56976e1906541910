"""Background tasks of purchasing (scheduled by the core ``worker`` through ``PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.purchasing import services


@task()
def sync_deliveries() -> int:
    """Move purchase orders whose OrderRequest delivery finished (accepted / failed)."""
    return services.sync_deliveries()


@task()
def schedule_deliveries(message_ids: list[int]) -> int:
    """Give each outbox message of a batch of orders its own delivery task (see ``send_purchase_orders``)."""
    from openprocure.core.outbox import schedule_delivery

    for message_id in message_ids:
        schedule_delivery(message_id)  # outside a transaction: enqueued at once
    return len(message_ids)
