"""The automatic fulfilment picks its orders before it locks them: a second run of the periodic task
(another worker) or an operator shipping by hand in between must never ship an order twice, and a
run that comes second ships nothing and reports no failure."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from openprocure.core.models import OutboxMessage
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Charge, Shipment, ShipmentLine
from openprocure.supplier.orders.choices import OrderStatus
from openprocure.supplier.orders.models import Order, OrderLine, OrderSettings
from tests.supplier.worlds import make_operator, place

pytestmark = pytest.mark.django_db

LOGGER = "openprocure.supplier.fulfilment.services"


def shipped(order: Order) -> list[tuple[int, int, int]]:
    """(line number, accepted, shipped) of the order's current lines."""
    return list(
        OrderLine.objects.filter(order=order, is_current=True)
        .order_by("line_number")
        .values_list("line_number", "accepted_quantity", "shipped_quantity")
    )


def test_a_second_run_with_the_orders_it_picked_before_the_first_shipped_ships_nothing(
    client, shop, caplog
) -> None:
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    later = timezone.now() + timedelta(minutes=6)
    order = place(client, [("B000PAPER1", 3)])
    picked = [candidate.pk for candidate in services.queue()]  # the second worker's pick
    assert picked == [order.pk]

    (shipment,) = services.auto_fulfil(now=later)  # the first worker ships
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert services._auto_ship(picked, now=later) is None  # the second, with its stale pick
        assert services.auto_fulfil(now=later) == []  # and a run after both

    assert caplog.records == []
    assert list(Shipment.objects.values_list("shipment_id", "automatic")) == [(shipment.shipment_id, True)]
    assert list(ShipmentLine.objects.values_list("quantity", flat=True)) == [3]
    assert shipped(order) == [(1, 3, 3)]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert (
        Charge.objects.filter(order=order).count(),
        OutboxMessage.objects.filter(kind="ShipNoticeRequest").count(),
    ) == (1, 1)


def test_an_order_shipped_by_hand_meanwhile_leaves_the_rest_of_the_pick_to_ship(client, shop, caplog) -> None:
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    later = timezone.now() + timedelta(minutes=6)
    first = place(client, [("B000PAPER1", 1)])
    second = place(client, [("B000PAPER1", 2)], order_id="PO-2026-000002")
    picked = [candidate.pk for candidate in services.queue()]
    assert picked == [first.pk, second.pk]

    by_hand = services.ship(order_ids=[first.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        automatic = services._auto_ship(picked, now=later)

    assert caplog.records == []
    assert automatic is not None
    assert sorted(
        Shipment.objects.values_list("shipment_id", "automatic", "lines__order_line__order__buyer_order_id")
    ) == sorted(
        [(by_hand.shipment_id, False, "PO-2026-000001"), (automatic.shipment_id, True, "PO-2026-000002")]
    )
    assert (shipped(first), shipped(second)) == ([(1, 1, 1)], [(1, 2, 2)])
    assert OutboxMessage.objects.filter(kind="ShipNoticeRequest").count() == 2


def test_a_picked_order_whose_delay_has_not_passed_is_not_shipped(client, shop, caplog) -> None:
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    order = place(client, [("B000PAPER1", 1)])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert services._auto_ship([order.pk], now=timezone.now()) is None
    assert (caplog.records, Shipment.objects.count(), shipped(order)) == ([], 0, [(1, 1, 0)])


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_task_at_once_ship_each_order_once(client, shop) -> None:
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    later = timezone.now() + timedelta(minutes=6)
    order = place(client, [("B000PAPER1", 3)])
    made: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        try:
            while True:
                try:
                    made.append(len(services.auto_fulfil(now=later)))
                    break
                except OperationalError:  # SQLite: "database is locked"; the next run tries again
                    continue
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(made) == [0, 1]
    assert list(ShipmentLine.objects.values_list("quantity", flat=True)) == [3]
    assert shipped(order) == [(1, 3, 3)]
    assert OutboxMessage.objects.filter(kind="ShipNoticeRequest").count() == 1
