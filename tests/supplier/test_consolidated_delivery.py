"""Recurring orders held for their address's consolidated delivery day: the date, the confirmation,
the business's pages, the fulfilment queue and the automatic fulfilment on that day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from openprocure.core.choices import AdminEventKind, Weekday
from openprocure.core.models import AdminEvent, OutboxMessage
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Shipment
from openprocure.supplier.orders.choices import OrderStatus
from openprocure.supplier.orders.consolidation import delivery_date
from openprocure.supplier.orders.models import Order, OrderSettings
from punchout import cxml
from tests.supplier.worlds import (
    PASSWORD,
    make_dock,
    make_member,
    make_operator,
    order_request,
    punch_out,
    send,
)

PARIS = ZoneInfo("Europe/Paris")
RECURRING = (cxml.Extrinsic("recurring", "17"),)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "weekday", "expected"),
    [
        # Friday after the 14:00 cut-off: counts from Saturday, plus a day of handling → next Friday.
        (datetime(2026, 12, 4, 15, 30, tzinfo=PARIS), Weekday.FRIDAY, date(2026, 12, 11)),
        # Friday before the cut-off: a day of handling leaves no room for today → next Friday.
        (datetime(2026, 12, 4, 9, 0, tzinfo=PARIS), Weekday.FRIDAY, date(2026, 12, 11)),
        # Thursday before the cut-off: tomorrow Friday.
        (datetime(2026, 12, 3, 13, 59, tzinfo=PARIS), Weekday.FRIDAY, date(2026, 12, 4)),
        # Thursday at the cut-off: too late for tomorrow.
        (datetime(2026, 12, 3, 14, 0, tzinfo=PARIS), Weekday.FRIDAY, date(2026, 12, 11)),
        # Across the month and the year: Wednesday 30 December → Friday 1 January.
        (datetime(2026, 12, 30, 10, 0, tzinfo=PARIS), Weekday.FRIDAY, date(2027, 1, 1)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=PARIS), Weekday.FRIDAY, date(2027, 1, 8)),
        # Saturday 30 January for a Monday: Monday 1 February.
        (datetime(2027, 1, 30, 11, 0, tzinfo=PARIS), Weekday.MONDAY, date(2027, 2, 1)),
        # Thursday 13:30 UTC is 14:30 in Paris, past the cut-off (the site's time zone decides).
        (datetime(2026, 12, 3, 13, 30, tzinfo=ZoneInfo("UTC")), Weekday.FRIDAY, date(2026, 12, 11)),
    ],
)
def test_the_consolidated_delivery_date(received, weekday, expected):
    assert delivery_date(weekday, received=received) == expected


@pytest.fixture
def dock(shop):
    """Acme's Lyon dock (the ship-to of the test orders), delivered on Fridays."""
    return make_dock(shop.business, Weekday.FRIDAY)


def _order(client, order_id: str, *, recurring: bool) -> Order:
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart, order_id=order_id, extrinsics=RECURRING if recurring else ())
    assert send(client, body).code == 200
    return Order.objects.get(buyer_order_id=order_id)


def _confirmation(order: Order) -> cxml.ConfirmationRequest:
    message = OutboxMessage.objects.get(kind="ConfirmationRequest", reference=order.number)
    return cxml.parse(message.body.encode()).document.message


@freeze_time("2026-12-04 14:30:00")  # Friday 15:30 in Paris, after the cut-off
def test_a_recurring_order_is_held_and_the_confirmation_says_the_date(client, dock):
    order = _order(client, "PO-REC-1", recurring=True)
    assert (order.held_until, order.shipping_address) == (date(2026, 12, 11), dock)
    confirmation = _confirmation(order)
    assert [c.text for c in confirmation.header.comments] == [
        "Sold by Marketplace",
        "Consolidated delivery on 2026-12-11 with your other recurring orders",
    ]
    (status,) = confirmation.items[0].statuses
    assert status.type == cxml.ConfirmationStatusType.ACCEPT
    assert status.delivery_date == datetime(2026, 12, 11, 0, 0, tzinfo=PARIS)
    body = OutboxMessage.objects.get(kind="ConfirmationRequest", reference=order.number).body
    assert 'deliveryDate="2026-12-11T00:00:00+01:00"' in body


@freeze_time("2026-12-04 14:30:00")
def test_a_non_recurring_order_is_not_held(client, dock):
    order = _order(client, "PO-ONCE-1", recurring=False)
    assert (order.held_until, order.shipping_address) == (None, dock)
    confirmation = _confirmation(order)
    assert [c.text for c in confirmation.header.comments] == ["Sold by Marketplace"]
    assert confirmation.items[0].statuses[0].delivery_date is None


@freeze_time("2026-12-04 14:30:00")
def test_a_recurring_order_to_an_address_without_a_day_is_not_held(client, shop):
    order = _order(client, "PO-REC-1", recurring=True)
    assert (order.held_until, order.shipping_address) == (None, None)


def test_the_business_sees_the_held_date(client, dock):
    with freeze_time("2026-12-04 14:30:00"):
        order = _order(client, "PO-REC-1", recurring=True)
        client.logout()
        assert client.login(username="admin@acme.test", password=PASSWORD)
        page = client.get(reverse("orders-account-order", args=[order.number])).content.decode()
        assert (
            "Held for consolidated delivery on 11 Dec 2026, with your other recurring orders to this address."
            in page
        )
        listing = client.get(reverse("orders-account") + "?all=1").content.decode()
        assert "held for consolidated delivery on 11 Dec 2026" in listing


def test_the_queue_groups_held_orders_and_they_ship_together_on_the_day(client, shop, dock):
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    with freeze_time("2026-12-04 14:30:00") as frozen:
        first = _order(client, "PO-REC-1", recurring=True)
        second = _order(client, "PO-REC-2", recurring=True)
        once = _order(client, "PO-ONCE-1", recurring=False)
        client.force_login(make_operator())
        response = client.get(reverse("fulfilment-queue"))
        groups = [(g.address, g.held_until, g.orders, g.shippable) for g in response.context["groups"]]
        assert groups == [
            (dock, date(2026, 12, 11), [first, second], False),
            (dock, None, [once], True),
        ]
        page = response.content.decode()
        assert page.count("held for consolidated delivery on 11 Dec 2026") == 3  # the group, then each order
        assert page.count(">Ship together</button>") == 1  # only the group whose day has come

        # By hand before the day: refused, with the day.
        response = client.post(
            reverse("fulfilment-ship-together"),
            {"order": [first.pk, second.pk], "carrier": "DHL", "tracking_number": "JD1"},
            follow=True,
        )
        assert [str(m) for m in response.context["messages"]] == [
            f"Order {first.number} is held for consolidated delivery on 11 Dec 2026: it ships that day."
        ]
        assert Shipment.objects.count() == 0

        # Friday itself, after the delay: the order that is not held ships (it is the address's day).
        frozen.move_to("2026-12-04 15:00:00")
        (shipment,) = services.auto_fulfil()
        assert list(shipment.lines.values_list("order_line__order__buyer_order_id", flat=True)) == [
            "PO-ONCE-1"
        ]
        assert Order.objects.get(pk=first.pk).status == OrderStatus.ACCEPTED

        frozen.move_to("2026-12-10 08:00:00")  # Thursday: still held
        assert services.auto_fulfil() == []

        frozen.move_to("2026-12-11 06:00:00")  # the Friday they are held for: one shipment for both
        (together,) = services.auto_fulfil()
    assert (together.consolidated, together.automatic, together.expected_delivery) == (
        True,
        True,
        date(2026, 12, 11),
    )
    assert sorted(together.lines.values_list("order_line__order__buyer_order_id", flat=True)) == [
        "PO-REC-1",
        "PO-REC-2",
    ]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SHIPPED}


def test_the_administrator_sets_the_delivery_day_and_it_is_recorded(client, dock):
    assert client.login(username="admin@acme.test", password=PASSWORD)
    page = client.get(reverse("business-manage")).content.decode()
    assert "Consolidated delivery day" in page
    response = client.post(
        reverse("business-delivery-day"),
        {"address_id": dock.pk, "preferred_delivery_day": str(Weekday.TUESDAY)},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Delivery day saved."]
    dock.refresh_from_db()
    assert dock.preferred_delivery_day == Weekday.TUESDAY
    event = AdminEvent.objects.get(subject_type="business.shippingaddress", subject_id=dock.pk)
    assert (event.kind, event.actor.email, event.detail) == (
        AdminEventKind.CHANGED,
        "admin@acme.test",
        {"fields": ["preferred_delivery_day"], "old": Weekday.FRIDAY, "new": Weekday.TUESDAY},
    )
    response = client.post(
        reverse("business-delivery-day"), {"address_id": dock.pk, "preferred_delivery_day": ""}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Delivery day saved."]
    dock.refresh_from_db()
    assert dock.preferred_delivery_day is None
    assert AdminEvent.objects.filter(subject_id=dock.pk).count() == 2

    response = client.post(
        reverse("business-delivery-day"), {"address_id": dock.pk, "preferred_delivery_day": "9"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Choose a weekday or any day."]


def test_only_the_business_administrator_sets_its_delivery_day(client, dock, globex):
    make_member(dock.business, "clerk@acme.test")
    assert client.login(username="clerk@acme.test", password=PASSWORD)
    response = client.post(
        reverse("business-delivery-day"), {"address_id": dock.pk, "preferred_delivery_day": "0"}
    )
    assert response.status_code == 403
    client.logout()
    assert client.login(username="admin@globex.test", password=PASSWORD)
    response = client.post(
        reverse("business-delivery-day"), {"address_id": dock.pk, "preferred_delivery_day": "0"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["This address is not one of your business's."]
    dock.refresh_from_db()
    assert dock.preferred_delivery_day == Weekday.FRIDAY
    assert not AdminEvent.objects.filter(subject_type="business.shippingaddress").exists()


def _confirmations(order: Order) -> list[cxml.ConfirmationRequest]:
    messages = OutboxMessage.objects.filter(kind="ConfirmationRequest", reference=order.number).order_by("id")
    return [cxml.parse(message.body.encode()).document.message for message in messages]


def _set_day(client, dock, day: str) -> None:
    response = client.post(
        reverse("business-delivery-day"), {"address_id": dock.pk, "preferred_delivery_day": day}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Delivery day saved."]


def test_held_orders_move_to_the_new_delivery_day_and_the_buyer_is_told(client, shop, dock):
    with freeze_time("2026-12-04 14:30:00"):  # Friday 15:30 in Paris: held for Friday 11 December
        held = _order(client, "PO-REC-1", recurring=True)
        once = _order(client, "PO-ONCE-1", recurring=False)
        shipped = _order(client, "PO-REC-2", recurring=True)
    Order.objects.filter(pk=shipped.pk).update(status=OrderStatus.SHIPPED)  # already on its way
    client.logout()
    assert client.login(username="admin@acme.test", password=PASSWORD)
    # Monday 14:30 in Paris, past the cut-off: the order counts from Tuesday, plus a day of handling,
    # so Tuesday 8 December is too soon: the next Tuesday, 15 December.
    with freeze_time("2026-12-07 13:30:00"):
        _set_day(client, dock, str(Weekday.TUESDAY))
    held.refresh_from_db()
    assert held.held_until == date(2026, 12, 15)
    first, redated = _confirmations(held)
    assert first.header.confirm_id == f"{held.number}-v1"
    assert redated.header.confirm_id == f"{held.number}-v1-20261215"
    assert redated.header.type == cxml.ConfirmationType.DETAIL
    assert redated.order_reference.order_id == "PO-REC-1"
    assert [c.text for c in redated.header.comments] == [
        "Sold by Marketplace",
        "Consolidated delivery on 2026-12-15 with your other recurring orders",
    ]
    (status,) = redated.items[0].statuses
    assert (status.type, status.quantity) == (cxml.ConfirmationStatusType.ACCEPT, 1)
    assert status.delivery_date == datetime(2026, 12, 15, 0, 0, tzinfo=PARIS)
    body = OutboxMessage.objects.filter(kind="ConfirmationRequest", reference=held.number).latest("id").body
    assert 'deliveryDate="2026-12-15T00:00:00+01:00"' in body
    event = held.events.get(kind="delivery_redated")
    assert (event.actor.email, event.detail, event.label) == (
        "admin@acme.test",
        {"from": "2026-12-11", "to": "2026-12-15"},
        "Delivery day changed",
    )
    # The others are left as they were, and told nothing.
    once.refresh_from_db()
    shipped.refresh_from_db()
    assert (once.held_until, shipped.held_until) == (None, date(2026, 12, 11))
    assert len(_confirmations(once)) == len(_confirmations(shipped)) == 1

    # Wednesday is far enough from Monday afternoon: Wednesday 9 December, earlier than before.
    with freeze_time("2026-12-07 13:30:00"):
        _set_day(client, dock, str(Weekday.WEDNESDAY))
    held.refresh_from_db()
    assert held.held_until == date(2026, 12, 9)
    assert _confirmations(held)[-1].header.confirm_id == f"{held.number}-v1-20261209"

    # No day any more: the order is released and ships as usual; the confirmation states no date.
    with freeze_time("2026-12-07 13:30:00"):
        _set_day(client, dock, "")
    held.refresh_from_db()
    assert held.held_until is None
    released = _confirmations(held)[-1]
    assert released.header.confirm_id == f"{held.number}-v1-released"
    assert [c.text for c in released.header.comments] == ["Sold by Marketplace"]
    assert released.items[0].statuses[0].delivery_date is None
    assert [e.detail for e in held.events.filter(kind="delivery_redated").order_by("id")] == [
        {"from": "2026-12-11", "to": "2026-12-15"},
        {"from": "2026-12-15", "to": "2026-12-09"},
        {"from": "2026-12-09", "to": ""},
    ]


def test_an_unchanged_day_moves_nothing_and_sends_nothing(client, shop, dock):
    with freeze_time("2026-12-04 14:30:00"):
        held = _order(client, "PO-REC-1", recurring=True)
    client.logout()
    assert client.login(username="admin@acme.test", password=PASSWORD)
    with freeze_time("2026-12-07 13:30:00"):
        _set_day(client, dock, str(Weekday.FRIDAY))
    held.refresh_from_db()
    assert held.held_until == date(2026, 12, 11)
    assert len(_confirmations(held)) == 1
    assert not held.events.filter(kind="delivery_redated").exists()
