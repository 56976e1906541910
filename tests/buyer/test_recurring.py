"""Recurring requisitions: the schedule's dates, the worker's occurrences, the approved envelope, skip, end."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalEvent
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.recurring import services, tasks
from openprocure.buyer.recurring.choices import Period, ScheduleStatus
from openprocure.buyer.recurring.models import Occurrence, RecurringSchedule, ScheduleEvent
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core import scheduling
from openprocure.core.choices import Weekday
from openprocure.core.models import User
from tests.buyer.recurring_world import weekly as _weekly


@pytest.mark.parametrize(
    ("period", "every", "weekday", "starts_on", "expected"),
    [
        pytest.param(
            Period.WEEKS, 2, Weekday.MONDAY, date(2027, 1, 20),
            [date(2027, 1, 25), date(2027, 2, 8), date(2027, 2, 22)], id="every-2-weeks-into-february",
        ),
        pytest.param(
            # 31 Jan: February has no 31st, so its month starts from the 28th; the dates never drift.
            Period.MONTHS, 1, Weekday.FRIDAY, date(2027, 1, 31),
            [date(2027, 2, 5), date(2027, 3, 5), date(2027, 4, 2)], id="monthly-from-the-31st",
        ),
        pytest.param(
            Period.MONTHS, 3, Weekday.MONDAY, date(2026, 12, 1),
            [date(2026, 12, 7), date(2027, 3, 1), date(2027, 6, 7)], id="quarterly-across-the-year",
        ),
    ],
)  # fmt: skip
def test_occurrence_dates(
    period: str, every: int, weekday: int, starts_on: date, expected: list[date]
) -> None:
    assert [
        services.occurrence_date(period=period, every=every, weekday=weekday, starts_on=starts_on, index=k)
        for k in range(3)
    ] == expected


def test_worker_makes_occurrences_across_a_month_boundary_approved_at_once_within_the_envelope(
    approved: Requisition, rita: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    schedule = _weekly(approved, rita, starts_on=date(2027, 1, 27), ends_on=date(2027, 2, 28))
    assert (schedule.next_on, schedule.status, schedule.envelope["total"]) == (
        date(2027, 2, 1),
        ScheduleStatus.ACTIVE,
        "699.99",
    )
    assert services.create_due_occurrences(today=date(2027, 1, 31)) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 0  # made once

    occurrence = Occurrence.objects.get(schedule=schedule)
    made = occurrence.requisition
    assert made is not None
    assert (occurrence.index, occurrence.due_on, occurrence.within_envelope) == (0, date(2027, 2, 1), True)
    assert (made.requester_id, made.total_amount, made.title) == (rita.pk, Decimal("699.99"), approved.title)
    assert made.status == "ordered"  # approved at once, then ordered by purchasing
    assert made.lines.count() == 2
    event = ApprovalEvent.objects.get(request__requisition=made, kind="within_envelope")
    assert event.detail == {
        "reason": f"Within the approved envelope of {approved.number}: same lines, prices within 2 %."
    }
    assert ApprovalAssignment.objects.filter(step__request__requisition=made).count() == 0
    notes = list(made.events.filter(kind="note").values_list("reason", flat=True))
    assert notes == ["Line 1 keeps its last price, 33.33\u00a0EUR: the supplier was not asked."]
    schedule.refresh_from_db()
    assert (schedule.next_index, schedule.next_on) == (1, date(2027, 2, 8))
    told = [m for m in mail.outbox if m.subject == f"Recurring requisition {made.number} created"]
    assert len(told) == 1 and told[0].to == [rita.email]
    assert f"was created for 1 Feb 2027 from {approved.number}" in told[0].body
    assert told[0].body.endswith(
        f"Requisition {made.number}: http://testserver/requisitions/{made.pk}/\n"
        f"The schedule, where you can skip the next one: http://testserver/recurring/{schedule.pk}/"
    )
    assert list(schedule.events.values_list("kind", flat=True)) == [
        "created",
        "occurred",
        "requester_notified",
    ]
    client = Client()
    client.force_login(rita)
    home = client.get("/").content.decode()
    assert (
        f'<a href="/requisitions/{made.pk}/">Recurring requisition {made.number} created</a> · '
        f'<a href="/recurring/{schedule.pk}/">Schedule</a>'
    ) in home


@pytest.mark.parametrize(
    ("approved_price", "within"),
    [
        pytest.param("59.00", True, id="1.69-percent-within-2"),
        pytest.param("58.00", False, id="3.45-percent-beyond-2"),
    ],
)
def test_a_price_change_within_the_tolerance_is_approved_at_once_beyond_it_goes_to_approval(
    approved: Requisition, rita: User, approved_price: str, within: bool
) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    # What was approved: the paper at another price (the supplier's price moved since).
    envelope = schedule.envelope
    envelope["lines"][1]["unit_price"] = approved_price
    envelope["total"] = str(Decimal("99.99") + 10 * Decimal(approved_price))
    RecurringSchedule.objects.filter(pk=schedule.pk).update(envelope=envelope)

    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1

    made = Occurrence.objects.get(schedule=schedule).requisition
    assert made is not None
    if within:
        assert made.status == "ordered"
        assert ApprovalAssignment.objects.filter(step__request__requisition=made).count() == 0
    else:
        assert made.status == "submitted"
        assert [
            a.approver.email for a in ApprovalAssignment.objects.filter(step__request__requisition=made)
        ] == ["approver@acme.test"]
        left = made.events.get(kind="note", detail__envelope="left")
        assert left.reason == "The price of line 2 moved from 58.00\u00a0EUR to 60.00\u00a0EUR, beyond 2 %."


def test_skip_the_next_occurrence_and_end_after_the_end_date(approved: Requisition, rita: User) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 15))
    approver = User.objects.get(email="approver@acme.test")
    with pytest.raises(services.ScheduleError) as refused:
        services.skip_next(schedule=schedule, actor=approver)
    assert (
        refused.value.message == "Only the requester or a procurement administrator can skip an occurrence."
    )
    schedule.refresh_from_db()
    assert (schedule.next_index, schedule.next_on) == (0, date(2027, 2, 1))

    services.skip_next(schedule=schedule, actor=rita)
    schedule.refresh_from_db()
    assert (schedule.next_index, schedule.next_on) == (1, date(2027, 2, 8))
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 0

    # A worker that was stopped makes the occurrences it missed, then the schedule ends.
    assert services.create_due_occurrences(today=date(2027, 3, 1)) == 2
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_on, schedule.next_index) == (ScheduleStatus.ENDED, None, 3)
    assert [
        (o.index, o.due_on, o.skipped, o.requisition_id is not None) for o in schedule.occurrences.all()
    ] == [
        (0, date(2027, 2, 1), True, False),
        (1, date(2027, 2, 8), False, True),
        (2, date(2027, 2, 15), False, True),
    ]
    ended = schedule.events.get(kind="status_changed")
    assert (ended.reason, ended.detail) == (
        "No occurrence is left before the end date.",
        {"from": "active", "to": "ended"},
    )
    with pytest.raises(services.ScheduleError) as refused:
        services.skip_next(schedule=schedule, actor=rita)
    assert refused.value.message == "This schedule is Ended: it makes no more occurrences."


def test_a_schedule_is_refused_for_a_draft_for_someone_else_and_for_an_end_before_the_start(
    requisition: Requisition, approved: Requisition, rita: User
) -> None:
    draft = Requisition.objects.create(number="REQ-DRAFT", requester=rita)
    with pytest.raises(services.ScheduleError) as refused:
        _weekly(draft, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert refused.value.message == (
        "Requisition REQ-DRAFT is Draft: only an approved, ordered or closed requisition can recur."
    )
    approver = User.objects.get(email="approver@acme.test")
    with pytest.raises(services.ScheduleError) as refused:
        _weekly(approved, approver, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert refused.value.message == (
        f"Only the requester or a procurement administrator can make requisition {approved.number} recur."
    )
    with pytest.raises(services.ScheduleError) as refused:
        _weekly(
            approved, rita, starts_on=date(2027, 2, 2), ends_on=date(2027, 2, 7)
        )  # next Monday is the 8th
    assert refused.value.message == "The end date comes before the first occurrence."
    assert RecurringSchedule.objects.count() == 0
    assert ScheduleEvent.objects.count() == 0


def test_the_worker_task_is_scheduled_and_makes_todays_occurrence(approved: Requisition, rita: User) -> None:
    today = timezone.localdate()
    path = "openprocure.buyer.recurring.tasks.create_due_occurrences"
    assert dict(scheduling.periodic_tasks())[path] == 3600.0
    start = timezone.now()
    schedule_rows = [(path, 3600.0)]
    assert scheduling.enqueue_due(schedule_rows, now=start) == []  # first seen: due in 2 s
    assert scheduling.enqueue_due(schedule_rows, now=start + timedelta(seconds=3)) == [path]
    schedule = services.create_schedule(
        requisition=approved,
        actor=rita,
        period=Period.MONTHS,
        every=1,
        weekday=today.weekday(),
        starts_on=today,
        ends_on=today + timedelta(days=90),
    )
    assert tasks.create_due_occurrences.call() == 1
    assert tasks.create_due_occurrences.call() == 0
    schedule.refresh_from_db()
    assert schedule.next_index == 1
    assert schedule.next_on == services.occurrence_date(
        period=Period.MONTHS, every=1, weekday=today.weekday(), starts_on=today, index=1
    )


def test_reorder_an_ordered_requisition_from_its_page(approved: Requisition, rita: User) -> None:
    client = Client()
    client.force_login(rita)
    assert approved.status == "ordered"
    page = client.get(f"/requisitions/{approved.pk}/").content.decode()
    assert 'id="reorder-form"' in page
    assert f'href="/recurring/from/{approved.pk}/"' in page

    answer = client.post(f"/requisitions/{approved.pk}/copy/", follow=True)

    draft = Requisition.objects.get(events__detail__copied_from=approved.number)
    assert (draft.status, draft.total_amount, draft.lines.count()) == ("draft", Decimal("699.99"), 2)
    assert answer.redirect_chain == [(f"/requisitions/{draft.pk}/", 302)]
    assert [str(m) for m in answer.context["messages"]] == [
        f"Requisition {draft.number} is a new draft copied from {approved.number}: change it and submit it.",
        f"Its PunchOut lines carry the prices of {approved.number}: open each supplier's cart with "
        "“Edit cart at …” so the supplier confirms today's prices; the history shows what changed.",
    ]


def test_make_a_schedule_and_skip_from_the_pages_and_others_are_refused(
    approved: Requisition, rita: User
) -> None:
    client = Client()
    client.force_login(rita)
    typed = {
        "every": "1",
        "period": "months",
        "weekday": "4",
        "starts_on": "2027-01-31",
        "ends_on": "2027-06-30",
    }
    refused = client.post(f"/recurring/from/{approved.pk}/", {**typed, "ends_on": "2027-01-01"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"ends_on": ["The end date comes before the start date."]}
    assert RecurringSchedule.objects.count() == 0

    other = Client()
    other.force_login(User.objects.get(email="approver@acme.test"))
    assert other.post(f"/recurring/from/{approved.pk}/", typed).status_code == 403
    assert RecurringSchedule.objects.count() == 0

    answer = client.post(f"/recurring/from/{approved.pk}/", typed, follow=True)
    schedule = RecurringSchedule.objects.get()
    assert answer.redirect_chain == [(f"/recurring/{schedule.pk}/", 302)]
    assert (schedule.period, schedule.every, schedule.weekday, schedule.next_on, schedule.created_by_id) == (
        "months",
        1,
        4,
        date(2027, 2, 5),
        rita.pk,
    )
    page = answer.content.decode()
    assert '<dd id="next-on">5 Feb 2027</dd>' in page
    assert "Every month, on the first Friday from the start's day" in page

    assert other.post(f"/recurring/{schedule.pk}/skip/").status_code == 403
    assert other.get(f"/recurring/{schedule.pk}/").status_code == 403
    schedule.refresh_from_db()
    assert schedule.next_on == date(2027, 2, 5)

    skipped = client.post(f"/recurring/{schedule.pk}/skip/", follow=True)
    assert [str(m) for m in skipped.context["messages"]] == ["The occurrence of 5 Feb 2027 is skipped."]
    assert '<dd id="next-on">5 Mar 2027</dd>' in skipped.content.decode()


def test_the_schedule_page_reads_as_often_with_30_occurrences_as_with_3(
    approved: Requisition, rita: User
) -> None:
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2028, 2, 1))
    client = Client()
    client.force_login(rita)
    client.get("/")  # the session learns once that rita is no supplier account, as on a running site

    def queries_with(count: int) -> int:
        """``count`` occurrences, each with its requisition (made by the worker, weekly)."""
        services.create_due_occurrences(today=date(2027, 2, 1) + timedelta(weeks=count - 1))
        assert schedule.occurrences.exclude(requisition=None).count() == count
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/recurring/{schedule.pk}/").status_code == 200
        return len(captured)

    assert queries_with(3) == queries_with(30)


def test_the_requester_is_told_in_their_language(
    approved: Requisition, rita: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=rita.pk).update(preferred_language="fr")
    schedule = _weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    made = Occurrence.objects.get(schedule=schedule).requisition
    assert made is not None
    [told] = [m for m in mail.outbox if m.to == [rita.email] and "récurrente" in m.subject]
    assert told.subject == f"Demande d'achat récurrente {made.number} créée"
    assert (
        f"La demande d'achat {made.number} a été créée pour le 1 février 2027 à partir de {approved.number} ; "
        "elle est au statut « Commandée »."
    ) in told.body
    assert (
        "- La ligne 1 garde son dernier prix, 33,33\u00a0EUR : le fournisseur n'a pas été interrogé."
        in told.body
    )
    assert told.body.endswith(
        f"Le calendrier, où vous pouvez sauter la prochaine : http://testserver/recurring/{schedule.pk}/"
    )


def test_reorder_from_a_purchase_order_copies_its_lines_only_and_only_for_its_requester(
    approved: Requisition, rita: User
) -> None:
    [po] = PurchaseOrder.objects.filter(requisition=approved, lines__supplier_part_id="PEN-001")
    other = Client()
    other.force_login(User.objects.get(email="approver@acme.test"))  # may open the order, not reorder it
    assert 'id="reorder-form"' not in other.get(f"/purchasing/{po.number}/").content.decode()
    refused = other.post(f"/purchasing/{po.number}/reorder/", follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        f"Only the requester can copy requisition {approved.number}."
    ]
    assert Requisition.objects.count() == 1

    client = Client()
    client.force_login(rita)
    assert 'id="reorder-form"' in client.get(f"/purchasing/{po.number}/").content.decode()
    answer = client.post(f"/purchasing/{po.number}/reorder/", follow=True)
    draft = Requisition.objects.exclude(pk=approved.pk).get()
    assert answer.redirect_chain == [(f"/requisitions/{draft.pk}/", 302)]
    assert [str(m) for m in answer.context["messages"]] == [
        f"Requisition {draft.number} is a new draft with the lines of order {po.number}: change it and submit it."
    ]
    assert [(line.supplier_part_id, line.quantity, line.unit_price) for line in draft.lines.all()] == [
        (line.supplier_part_id, line.quantity, line.unit_price) for line in po.lines.all()
    ]
    assert draft.total_amount == po.lines.get().quantity * po.lines.get().unit_price
