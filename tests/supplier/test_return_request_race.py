"""Two submits of a return request of one order at once: the order is locked while one is checked
and written, so the second waits for the first, sees its request waiting and is refused."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import ReturnRequest
from openprocure.supplier.orders.models import Order
from tests.supplier.worlds import make_operator, place


@pytest.mark.django_db(transaction=True)
def test_a_second_return_request_submitted_meanwhile_waits_and_is_refused(client, shop) -> None:
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    line = order.lines.get()
    member = Order.objects.get(pk=order.pk).user
    refused: list[list[str]] = []
    made: list[int] = []

    def second_submit() -> None:
        try:
            asked = services.request_return(
                order=order, quantities=[services.ReturnedQuantity(line.pk, 1)], reason="Broken", by=member
            )
            made.append(asked.pk)
        except ValidationError as error:
            refused.append(error.messages)
        finally:
            connection.close()  # this thread's own connection

    second = threading.Thread(target=second_submit)
    with transaction.atomic():
        # The first submit holds the order's lock while the second one starts.
        Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive()  # waiting for the order
        first = services.request_return(
            order=order, quantities=[services.ReturnedQuantity(line.pk, 2)], reason="Too many", by=member
        )
    second.join()

    assert (made, refused) == (
        [],
        [["A return request of this order is already waiting: we answer it first."]],
    )
    assert list(ReturnRequest.objects.values_list("pk", "status", "quantities", "reason")) == [
        (first.pk, "requested", {str(line.pk): 2}, "Too many")
    ]
