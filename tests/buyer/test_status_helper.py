"""``core.status``: the one way to change a status checks the table, saves and records together."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprocure.buyer.requisitions.choices import REQUISITION_TRANSITIONS, EventKind, RequisitionStatus
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent
from openprocure.buyer.requisitions.services import CartLine, create_requisition_from_cart
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User
from openprocure.core.status import (
    IllegalTransition,
    set_status,
    set_status_many,
    set_status_where,
)

S = RequisitionStatus


def _requisition(requester: User, connection: PunchOutConnection, description: str) -> Requisition:
    return create_requisition_from_cart(
        requester=requester,
        lines=[
            CartLine(
                supplier_part_id="PEN-001",
                quantity=Decimal("2"),
                unit_price=Decimal("1.50"),
                currency="EUR",
                description=description,
            )
        ],
        supplier=connection.supplier,
        connection=connection,
    )


@pytest.fixture
def rita(acme: PunchOutConnection) -> User:
    return User.objects.get(email="requester@acme.test")


def _event(requisition: Requisition, actor: User, target: str) -> RequisitionEvent:
    return RequisitionEvent(
        requisition=requisition,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        from_status=requisition.status,
        to_status=target,
    )


def test_a_legal_move_saves_the_status_the_other_fields_and_the_event(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _requisition(rita, acme, "Pens")
    events = RequisitionEvent.objects.filter(requisition=requisition)
    before = events.count()
    requisition.total_amount = Decimal("3.00")
    previous = set_status(
        requisition,
        S.SUBMITTED,
        table=REQUISITION_TRANSITIONS,
        also=["total_amount"],
        event=_event(requisition, rita, S.SUBMITTED),
    )
    assert previous == S.DRAFT
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.status, stored.total_amount) == (S.SUBMITTED, Decimal("3.00"))
    assert events.count() == before + 1
    event = events.order_by("-id").first()
    assert event is not None
    assert (event.from_status, event.to_status, event.actor_id) == (S.DRAFT, S.SUBMITTED, rita.pk)


def test_an_illegal_move_raises_and_saves_nothing_not_even_the_other_fields(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _requisition(rita, acme, "Pens")
    events_before = RequisitionEvent.objects.count()
    requisition.total_amount = Decimal("99.00")
    with pytest.raises(IllegalTransition) as refused:
        set_status(
            requisition,
            S.ORDERED,
            table=REQUISITION_TRANSITIONS,
            also=["total_amount"],
            event=_event(requisition, rita, S.ORDERED),
        )
    assert str(refused.value) == "Requisition cannot go from “draft” to “ordered”."
    assert (refused.value.current, refused.value.target) == (S.DRAFT, S.ORDERED)
    assert requisition.status == S.DRAFT  # not even in memory
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.status, stored.total_amount) == (S.DRAFT, Decimal("3.00"))
    assert RequisitionEvent.objects.count() == events_before


def test_values_are_set_and_saved_with_the_status_only_when_the_move_is_legal(
    rita: User, acme: PunchOutConnection
) -> None:
    requisition = _requisition(rita, acme, "Pens")
    with pytest.raises(IllegalTransition):
        set_status(requisition, S.ORDERED, table=REQUISITION_TRANSITIONS, values={"justification": "Refused"})
    assert (requisition.status, requisition.justification) == (S.DRAFT, "")  # not even in memory
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.status, stored.justification) == (S.DRAFT, "")

    requisition.title = "Not saved: neither in values nor in also"
    set_status(
        requisition,
        S.SUBMITTED,
        table=REQUISITION_TRANSITIONS,
        values={"justification": "Office pens", "total_amount": Decimal("3.00")},
    )
    assert (requisition.status, requisition.justification) == (S.SUBMITTED, "Office pens")
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.status, stored.justification, stored.total_amount, stored.title) == (
        S.SUBMITTED,
        "Office pens",
        Decimal("3.00"),
        "Marketplace",  # the supplier's name, given at creation
    )


def test_a_refusal_can_name_the_statuses_as_people_read_them(rita: User, acme: PunchOutConnection) -> None:
    requisition = _requisition(rita, acme, "Pens")
    with pytest.raises(IllegalTransition) as refused:
        set_status(
            requisition, S.CLOSED, table=REQUISITION_TRANSITIONS, refusal="It is %(status)s, not yet %(new)s."
        )
    assert str(refused.value) == "It is Draft, not yet Closed."
    assert refused.value.messages == ["It is Draft, not yet Closed."]


def test_many_objects_move_together_or_not_at_all(rita: User, acme: PunchOutConnection) -> None:
    first, second = _requisition(rita, acme, "Pens"), _requisition(rita, acme, "Paper")
    set_status(second, S.CANCELLED, table=REQUISITION_TRANSITIONS)
    events_before = RequisitionEvent.objects.count()
    with pytest.raises(IllegalTransition):
        set_status_many(
            [first, second],
            S.SUBMITTED,
            table=REQUISITION_TRANSITIONS,
            events=[_event(first, rita, S.SUBMITTED), _event(second, rita, S.SUBMITTED)],
        )
    stored = dict(Requisition.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "status"))
    assert stored == {first.pk: S.DRAFT, second.pk: S.CANCELLED}
    assert (first.status, second.status) == (S.DRAFT, S.CANCELLED)
    assert RequisitionEvent.objects.count() == events_before

    previous = set_status_many(
        [first], S.SUBMITTED, table=REQUISITION_TRANSITIONS, events=[_event(first, rita, S.SUBMITTED)]
    )
    assert previous == {first.pk: S.DRAFT}
    assert Requisition.objects.get(pk=first.pk).status == S.SUBMITTED
    assert RequisitionEvent.objects.count() == events_before + 1


def test_a_conditional_update_moves_only_the_rows_the_table_allows(
    rita: User, acme: PunchOutConnection
) -> None:
    draft, cancelled = _requisition(rita, acme, "Pens"), _requisition(rita, acme, "Paper")
    set_status(cancelled, S.CANCELLED, table=REQUISITION_TRANSITIONS)
    both = Requisition.objects.filter(pk__in=[draft.pk, cancelled.pk])
    assert set_status_where(both, S.SUBMITTED, table=REQUISITION_TRANSITIONS) == 1
    assert dict(both.values_list("pk", "status")) == {draft.pk: S.SUBMITTED, cancelled.pk: S.CANCELLED}
    assert set_status_where(both, S.SUBMITTED, table=REQUISITION_TRANSITIONS) == 0
