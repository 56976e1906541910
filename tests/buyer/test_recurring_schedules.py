"""Recurring requisitions, continued: undo a skip, pause, resume, cancel, the schedules page, the
``recurring`` Extrinsic of an occurrence's OrderRequest, and month boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from openprocure.buyer.purchasing.documents import build_order_request
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.recurring import services
from openprocure.buyer.recurring.choices import Period, ScheduleStatus
from openprocure.buyer.recurring.models import Occurrence
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import CartLine, create_requisition_from_cart
from openprocure.core.models import User
from tests.buyer.recurring_world import weekly as _weekly


@pytest.mark.parametrize(
    ("starts_on", "months", "expected"),
    [
        pytest.param(date(2027, 1, 31), 1, date(2027, 2, 28), id="31-jan-plus-1-month"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31-jan-plus-1-month-leap-year"),
        pytest.param(date(2027, 1, 31), 2, date(2027, 3, 31), id="31-jan-plus-2-months-no-drift"),
        pytest.param(date(2027, 3, 31), 1, date(2027, 4, 30), id="31-mar-plus-1-month"),
        pytest.param(date(2027, 12, 31), 2, date(2028, 2, 29), id="across-the-year"),
    ],
)
def test_month_boundaries(starts_on: date, months: int, expected: date) -> None:
    # Weekday of the expected day itself: the occurrence falls on the month-moved day.
    weekday = expected.weekday()
    assert (
        services.occurrence_date(
            period=Period.MONTHS, every=1, weekday=weekday, starts_on=starts_on, index=months
        )
        == expected
    )


def test_undo_a_skip_until_its_day_passes(approved: Requisition, rita: User) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert services.undoable_skip(schedule, today=date(2027, 1, 25)) is None
    services.skip_next(schedule=schedule, actor=rita)
    schedule.refresh_from_db()
    assert services.undoable_skip(schedule, today=date(2027, 2, 2)) is None  # its day has passed
    approver = User.objects.get(email="approver@acme.test")
    with pytest.raises(services.ScheduleError) as refused:
        services.undo_skip(schedule=schedule, actor=approver, today=date(2027, 1, 25))
    assert (
        refused.value.message == "Only the requester or a procurement administrator can change this schedule."
    )
    assert Occurrence.objects.filter(schedule=schedule, skipped=True).count() == 1

    assert services.undo_skip(schedule=schedule, actor=rita, today=date(2027, 1, 25)) == date(2027, 2, 1)
    schedule.refresh_from_db()
    assert (schedule.next_index, schedule.next_on, schedule.occurrences.count()) == (0, date(2027, 2, 1), 0)
    assert list(schedule.events.values_list("kind", flat=True)) == ["created", "skipped", "unskipped"]
    with pytest.raises(services.ScheduleError) as refused:
        services.undo_skip(schedule=schedule, actor=rita, today=date(2027, 1, 25))
    assert refused.value.message == (
        "There is no skipped occurrence to bring back: its day has passed or none was skipped."
    )


def test_pause_skips_what_falls_meanwhile_resume_and_cancel(approved: Requisition, rita: User) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 29))
    services.pause_schedule(schedule=schedule, actor=rita)
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PAUSED
    # The worker makes nothing for a paused schedule.
    assert services.create_due_occurrences(today=date(2027, 2, 10)) == 0
    with pytest.raises(services.ScheduleError) as refused:
        services.pause_schedule(schedule=schedule, actor=rita)
    assert refused.value.message == "This schedule is already paused."

    services.resume_schedule(schedule=schedule, actor=rita, today=date(2027, 2, 10))
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_index, schedule.next_on) == (
        ScheduleStatus.ACTIVE,
        2,
        date(2027, 2, 15),
    )
    assert [(o.index, o.due_on, o.skipped) for o in schedule.occurrences.all()] == [
        (0, date(2027, 2, 1), True),
        (1, date(2027, 2, 8), True),
    ]
    resumed = schedule.events.filter(kind="status_changed").order_by("pk").last()
    assert resumed is not None
    assert (resumed.detail, resumed.reason) == (
        {"from": "paused", "to": "active"},
        "2 occurrences fell while it was paused: skipped.",
    )

    services.cancel_schedule(schedule=schedule, actor=User.objects.get(email="admin@acme.test"))
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_on) == (ScheduleStatus.CANCELLED, None)
    assert services.create_due_occurrences(today=date(2027, 3, 1)) == 0
    with pytest.raises(services.ScheduleError) as refused:
        services.resume_schedule(schedule=schedule, actor=rita)
    assert refused.value.message == "This schedule is Cancelled: it makes no more occurrences."


def test_a_schedule_resumed_after_its_end_ends(approved: Requisition, rita: User) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 8))
    services.pause_schedule(schedule=schedule, actor=rita)
    services.resume_schedule(schedule=schedule, actor=rita, today=date(2027, 3, 1))
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_on, schedule.occurrences.filter(skipped=True).count()) == (
        ScheduleStatus.ENDED,
        None,
        2,
    )


def test_my_schedules_page_with_pause_resume_cancel_and_undo(approved: Requisition, rita: User) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2099, 2, 2), ends_on=date(2099, 6, 29))
    client = Client()
    client.force_login(rita)
    page = client.get("/recurring/").content.decode()
    assert "<h1>My schedules</h1>" in page
    assert f'<a href="/recurring/{schedule.pk}/">{approved.number}</a>' in page
    assert "Every week on Monday" in page

    paused = client.post(f"/recurring/{schedule.pk}/pause/", {"back": "list"}, follow=True)
    assert paused.redirect_chain == [("/recurring/", 302)]
    assert [str(m) for m in paused.context["messages"]] == [f"The schedule from {approved.number} is paused."]
    assert list(client.get("/recurring/?status=paused").context["schedules"]) == [schedule]
    assert list(client.get("/recurring/?status=active").context["schedules"]) == []

    resumed = client.post(f"/recurring/{schedule.pk}/resume/", follow=True)
    assert resumed.redirect_chain == [(f"/recurring/{schedule.pk}/", 302)]
    assert '<dd id="status">Active</dd>' in resumed.content.decode()

    skipped = client.post(f"/recurring/{schedule.pk}/skip/", follow=True).content.decode()
    assert '<dd id="next-on">9 Feb 2099</dd>' in skipped
    assert "Undo the skip of 2 Feb 2099" in skipped
    back = client.post(f"/recurring/{schedule.pk}/unskip/", follow=True)
    assert [str(m) for m in back.context["messages"]] == ["The occurrence of 2 Feb 2099 is back."]
    assert '<dd id="next-on">2 Feb 2099</dd>' in back.content.decode()

    other = Client()
    other.force_login(User.objects.get(email="approver@acme.test"))
    assert list(other.get("/recurring/").context["schedules"]) == []
    for action in ("pause", "cancel", "unskip", "resume"):
        assert other.post(f"/recurring/{schedule.pk}/{action}/").status_code == 403
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.ACTIVE

    admin = Client()
    admin.force_login(User.objects.get(email="admin@acme.test"))
    listed = admin.get("/recurring/")
    assert "<h1>Schedules</h1>" in listed.content.decode()
    assert list(listed.context["schedules"]) == [schedule]
    cancelled = admin.post(f"/recurring/{schedule.pk}/cancel/", {"back": "list"}, follow=True)
    assert [str(m) for m in cancelled.context["messages"]] == [
        f"The schedule from {approved.number} is cancelled."
    ]
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.CANCELLED
    refused = client.post(f"/recurring/{schedule.pk}/pause/", follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "This schedule is Cancelled: it makes no more occurrences."
    ]


def test_the_order_of_an_occurrence_says_it_recurs(
    approved: Requisition, rita: User, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 28))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    made = Occurrence.objects.get(schedule=schedule).requisition
    po = PurchaseOrder.objects.get(requisition=made)
    _payload, body = build_order_request(po, kind="new")
    header = etree.fromstring(body).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert [(e.get("name"), e.text) for e in header.findall("Extrinsic")] == [
        ("UserEmail", rita.email),
        ("RequisitionNumber", made.number),
        ("recurring", str(schedule.pk)),
    ]
    # The order of the source requisition does not recur.
    _payload, body = build_order_request(PurchaseOrder.objects.get(requisition=approved), kind="new")
    names = etree.fromstring(body).xpath("//OrderRequestHeader/Extrinsic/@name")
    assert names == ["UserEmail", "RequisitionNumber"]


@pytest.mark.parametrize(
    ("latest", "status", "within"),
    [
        pytest.param("33.50", "ordered", True, id="0.51-percent-within-2"),
        pytest.param("40.00", "submitted", False, id="20-percent-beyond-2"),
    ],
)
def test_an_occurrence_is_priced_from_the_latest_cart_price_of_its_parts(
    approved: Requisition, rita: User, acme: Any, latest: str, status: str, within: bool
) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    # A later cart from the same supplier priced the pens again.
    later = create_requisition_from_cart(
        requester=rita,
        lines=[
            CartLine(
                supplier_part_id="PEN-001",
                quantity=Decimal("1"),
                unit_price=Decimal(latest),
                currency="EUR",
                description="Pens",
            )
        ],
        supplier=acme.supplier,
        connection=acme,
    )
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    made = Occurrence.objects.get(schedule=schedule).requisition
    assert made is not None
    pens = made.lines.get(line_number=1)
    assert (pens.unit_price, made.status) == (Decimal(latest), status)
    assert made.total_amount == 3 * Decimal(latest) + Decimal("600.00")
    change = made.events.get(kind="lines_changed")
    assert change.reason == (
        f"Line 1 is priced at {latest}\u00a0EUR, the latest price known for it ({later.number}); "
        "it was 33.33\u00a0EUR."
    )
    # Unit prices are kept with four decimals.
    assert change.detail == {
        "line": 1,
        "before": {"unit_price": "33.3300"},
        "after": {"unit_price": latest + "00"},
    }
    assert Occurrence.objects.get(schedule=schedule).within_envelope is within
    if not within:
        left = made.events.get(kind="note", detail__envelope="left")
        assert left.reason == "The price of line 1 moved from 33.33\u00a0EUR to 40.00\u00a0EUR, beyond 2 %."


def test_an_occurrence_keeps_the_price_when_no_later_price_is_known(
    approved: Requisition, rita: User
) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    made = Occurrence.objects.get(schedule=schedule).requisition
    assert made is not None
    assert made.lines.get(line_number=1).unit_price == Decimal("33.33")
    assert list(made.events.filter(kind="note").values_list("reason", flat=True)) == [
        "Line 1 keeps its last price, 33.33\u00a0EUR: the supplier was not asked."
    ]


def test_an_occurrence_whose_part_has_no_known_price_goes_through_approval(
    approved: Requisition, rita: User
) -> None:
    # A PunchOut line that names no supplier: no price the suite holds can be matched to it.
    approved.lines.filter(line_number=1).update(supplier=None)
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    made = Occurrence.objects.get(schedule=schedule).requisition
    assert made is not None
    assert made.status == "submitted"
    assert Occurrence.objects.get(schedule=schedule).within_envelope is False
    reason = (
        "Line 1 keeps its last price, 33.33\u00a0EUR, but no price is known for its part: the occurrence "
        "goes through approval."
    )
    assert list(made.events.filter(kind="note").values_list("reason", flat=True)) == [reason, reason]
    assert made.events.get(kind="note", detail__envelope="left").reason == reason
