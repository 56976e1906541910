"""Requisitions: status table, submit (double submit, hooks), free-text lines, accounting splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.organization.models import CostCenter, GLAccount
from openprocure.buyer.requisitions import hooks
from openprocure.buyer.requisitions.choices import REQUISITION_TRANSITIONS, RequisitionStatus
from openprocure.buyer.requisitions.models import AccountingSplit, Requisition, RequisitionEvent
from openprocure.buyer.requisitions.services import (
    RequisitionError,
    change_status,
    submit_requisition,
)
from openprocure.core.models import User
from openprocure.core.status import IllegalTransition

S = RequisitionStatus


@pytest.fixture
def called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Isolate ``hooks.on_submitted`` from other apps' registrations and record its calls."""
    calls: list[str] = []
    hook = hooks.Hook()
    hook.register(lambda requisition: calls.append(f"{requisition.number}:{requisition.status}"))
    monkeypatch.setattr(hooks, "on_submitted", hook)
    return calls


@pytest.fixture
def client(rita: User) -> Client:
    client = Client()
    client.force_login(rita)
    return client


def test_transition_table_is_complete_and_final_states_are_final() -> None:
    assert set(REQUISITION_TRANSITIONS) == set(S.values)
    assert REQUISITION_TRANSITIONS[S.DRAFT] == {S.SUBMITTED, S.CANCELLED}
    assert REQUISITION_TRANSITIONS[S.SUBMITTED] == {S.APPROVED, S.REJECTED, S.RETURNED, S.CANCELLED}
    for final in (S.REJECTED, S.CLOSED, S.CANCELLED):
        assert REQUISITION_TRANSITIONS[final] == set()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        pytest.param([], S.APPROVED, id="draft-to-approved"),
        pytest.param([], S.ORDERED, id="draft-to-ordered"),
        pytest.param([S.SUBMITTED, S.REJECTED], S.SUBMITTED, id="rejected-is-final"),
        pytest.param([S.SUBMITTED, S.APPROVED, S.ORDERED], S.CANCELLED, id="ordered-cannot-cancel"),
        pytest.param([S.CANCELLED], S.DRAFT, id="cancelled-is-final"),
    ],
)
def test_illegal_transitions_are_refused_and_record_nothing(
    requisition: Requisition, rita: User, path: list[str], target: str
) -> None:
    for step in path:
        change_status(requisition=requisition, target=step, actor=rita)
    events_before = RequisitionEvent.objects.count()
    status_before = Requisition.objects.get(pk=requisition.pk).status
    with pytest.raises(IllegalTransition):
        change_status(requisition=requisition, target=target, actor=rita)
    assert Requisition.objects.get(pk=requisition.pk).status == status_before
    assert RequisitionEvent.objects.count() == events_before


def test_legal_path_records_every_change_with_actor_and_reason(
    requisition: Requisition, rita: User, called: list[str]
) -> None:
    approver = User.objects.get(email="approver@acme.test")
    submit_requisition(requisition, rita)
    change_status(requisition=requisition, target=S.RETURNED, actor=approver, reason="Add a quote")
    submit_requisition(requisition, rita, reason="Quote attached")
    change_status(requisition=requisition, target=S.APPROVED, actor=approver)
    change_status(requisition=requisition, target=S.ORDERED, actor=None, reason="PO-1")
    change_status(requisition=requisition, target=S.CLOSED, actor=None)
    moves = [
        (e.from_status, e.to_status, e.actor.email if e.actor else None, e.reason)
        for e in RequisitionEvent.objects.filter(requisition=requisition, kind="status_changed")
    ]
    assert moves == [
        ("draft", "submitted", "requester@acme.test", ""),
        ("submitted", "returned", "approver@acme.test", "Add a quote"),
        ("returned", "submitted", "requester@acme.test", "Quote attached"),
        ("submitted", "approved", "approver@acme.test", ""),
        ("approved", "ordered", None, "PO-1"),
        ("ordered", "closed", None, ""),
    ]
    assert called == [f"{requisition.number}:submitted", f"{requisition.number}:submitted"]


def test_submit_through_the_page_then_double_submit_is_refused(
    requisition: Requisition, client: Client, called: list[str]
) -> None:
    response = client.post(f"/requisitions/{requisition.pk}/submit/", follow=True)
    assert "submitted for approval" in response.content.decode()
    requisition.refresh_from_db()
    assert requisition.status == S.SUBMITTED
    assert requisition.total_amount == Decimal("99.99")
    submitted_at = requisition.submitted_at

    response = client.post(f"/requisitions/{requisition.pk}/submit/", follow=True)
    assert f"Requisition {requisition.number} was already submitted." in response.content.decode()
    requisition.refresh_from_db()
    assert requisition.submitted_at == submitted_at
    assert RequisitionEvent.objects.filter(requisition=requisition, to_status=S.SUBMITTED).count() == 1
    assert called == [f"{requisition.number}:submitted"]


def test_a_failing_hook_rolls_the_submission_back(
    requisition: Requisition, rita: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(requisition: Requisition) -> None:
        raise RequisitionError("No approval rule matches")

    monkeypatch.setattr(hooks, "on_submitted", hooks.Hook([refuse]))
    with pytest.raises(RequisitionError):
        submit_requisition(requisition, rita)
    assert Requisition.objects.get(pk=requisition.pk).status == S.DRAFT
    assert RequisitionEvent.objects.filter(requisition=requisition, kind="status_changed").count() == 0


def test_nobody_else_submits_and_nothing_without_cost_center(
    requisition: Requisition, called: list[str]
) -> None:
    other = Client()
    other.force_login(User.objects.get(email="approver@acme.test"))
    assert other.post(f"/requisitions/{requisition.pk}/submit/").status_code == 404
    requisition.lines.update(cost_center=None)
    with pytest.raises(RequisitionError, match="Line 1 has no cost center"):
        submit_requisition(requisition, requisition.requester)
    assert Requisition.objects.get(pk=requisition.pk).status == S.DRAFT
    assert called == []


def test_restricted_category_needs_the_role(requisition: Requisition, called: list[str]) -> None:
    requisition.lines.update(unspsc="43211503")  # notebook computers: restricted to technical administrators
    with pytest.raises(RequisitionError, match="Line 1 is in category 43211503"):
        submit_requisition(requisition, requisition.requester)
    assert called == []


def test_a_title_or_reason_too_long_is_refused_with_its_field_and_changes_nothing(
    requisition: Requisition, client: Client, called: list[str]
) -> None:
    count = Requisition.objects.count()
    response = client.post("/requisitions/new/", {"title": "t" * 201}, follow=True)
    assert "Title: Ensure this value has at most 200 characters (it has 201)." in response.content.decode()
    assert Requisition.objects.count() == count
    response = client.post(f"/requisitions/{requisition.pk}/submit/", {"reason": "r" * 2001}, follow=True)
    assert "Reason: Ensure this value has at most 2000 characters (it has 2001)." in response.content.decode()
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.DRAFT
    assert called == []


def test_free_text_line_through_the_page(client: Client, rita: User) -> None:
    response = client.post("/requisitions/new/")
    requisition = Requisition.objects.get()
    assert response["Location"] == f"/requisitions/{requisition.pk}/"
    client.post(
        f"/requisitions/{requisition.pk}/lines/add/",
        {
            "description": "Calibration service",
            "quantity": "2",
            "unit_of_measure": "HUR",
            "unit_price": "95.50",
            "currency": "EUR",
            "justification": "Annual",
        },
    )
    line = requisition.lines.get()
    assert (
        line.description,
        line.quantity,
        line.unit_of_measure,
        line.unit_price,
        line.is_free_text,
        line.cost_center.code,
    ) == (
        "Calibration service",
        Decimal("2.0000"),
        "HUR",
        Decimal("95.5000"),
        True,
        "CC-100",
    )
    requisition.refresh_from_db()
    assert requisition.total_amount == Decimal("191.00")
    bad = client.post(
        f"/requisitions/{requisition.pk}/lines/add/",
        {"description": "x", "quantity": "0", "unit_of_measure": "EA", "unit_price": "1", "currency": "EUR"},
        follow=True,
    )
    assert "Ensure this value is greater than or equal to 0.0001" in bad.content.decode()
    assert requisition.lines.count() == 1
    page = client.get(f"/requisitions/{requisition.pk}/").content.decode()
    assert f'href="/approvals/requisitions/{requisition.pk}/preview/">Who will approve?</a>' in page


def _split_post(mode: str, shares: list[tuple[int, int | None, str]]) -> dict[str, str]:
    data = {
        "mode": mode,
        "split-TOTAL_FORMS": str(len(shares)),
        "split-INITIAL_FORMS": "0",
        "split-MIN_NUM_FORMS": "1",
        "split-MAX_NUM_FORMS": "1000",
    }
    for index, (cost_center, gl_account, share) in enumerate(shares):
        data[f"split-{index}-cost_center"] = str(cost_center)
        data[f"split-{index}-gl_account"] = str(gl_account or "")
        data[f"split-{index}-share"] = share
    return data


def test_accounting_split_by_percentage_must_add_up_to_100(requisition: Requisition, client: Client) -> None:
    line = requisition.lines.get()
    ops, it = CostCenter.objects.get(code="CC-100"), CostCenter.objects.get(code="CC-300")
    gl = GLAccount.objects.get(code="6000")
    url = f"/requisitions/{requisition.pk}/lines/{line.pk}/accounting/"
    bad = client.post(url, _split_post("percentage", [(ops.pk, gl.pk, "60"), (it.pk, gl.pk, "30")]))
    assert bad.status_code == 400
    assert "The percentages add up to 90 %; they must add up to 100 %." in bad.content.decode()
    assert AccountingSplit.objects.count() == 0

    good = client.post(url, _split_post("percentage", [(ops.pk, gl.pk, "60"), (it.pk, gl.pk, "40")]))
    assert good.status_code == 302
    assert [
        (s.cost_center.code, s.gl_account.code, s.percentage, s.amount) for s in line.splits.order_by("id")
    ] == [
        ("CC-100", "6000", Decimal("60.0000"), None),
        ("CC-300", "6000", Decimal("40.0000"), None),
    ]


def test_accounting_split_by_amount_must_add_up_to_the_line_amount(
    requisition: Requisition, client: Client
) -> None:
    line = requisition.lines.get()  # 3 × 33.33 = 99.99 EUR
    ops, it = CostCenter.objects.get(code="CC-100"), CostCenter.objects.get(code="CC-300")
    url = f"/requisitions/{requisition.pk}/lines/{line.pk}/accounting/"
    bad = client.post(url, _split_post("amount", [(ops.pk, None, "50.00"), (it.pk, None, "50.00")]))
    assert (
        "The amounts add up to 100.00 EUR; they must add up to the line amount, 99.99 EUR."
        in bad.content.decode()
    )
    assert AccountingSplit.objects.count() == 0

    client.post(url, _split_post("amount", [(ops.pk, None, "50.00"), (it.pk, None, "49.99")]))
    assert [(s.cost_center.code, s.amount) for s in line.splits.order_by("id")] == [
        ("CC-100", Decimal("50.00")),
        ("CC-300", Decimal("49.99")),
    ]
    line.refresh_from_db()
    assert line.split_mode == "amount"


def test_cancel_needs_the_confirmation_box(requisition: Requisition, client: Client) -> None:
    answer = client.post(
        f"/requisitions/{requisition.pk}/cancel/", {"reason": "Bought elsewhere"}, follow=True
    )
    requisition.refresh_from_db()
    assert requisition.status == S.DRAFT
    assert not requisition.events.filter(to_status=S.CANCELLED).exists()
    assert [str(m) for m in answer.context["messages"]] == [
        "Tick “Yes, cancel this requisition” to cancel it; nothing was changed."
    ]


def test_cancel_with_reason_and_no_edits_after(requisition: Requisition, client: Client) -> None:
    client.post(f"/requisitions/{requisition.pk}/cancel/", {"reason": "Bought elsewhere", "confirm": "on"})
    requisition.refresh_from_db()
    assert requisition.status == S.CANCELLED
    event = requisition.events.get(to_status=S.CANCELLED)
    assert (event.reason, event.actor.email) == ("Bought elsewhere", "requester@acme.test")
    client.post(
        f"/requisitions/{requisition.pk}/lines/add/",
        {
            "description": "More",
            "quantity": "1",
            "unit_of_measure": "EA",
            "unit_price": "1",
            "currency": "EUR",
        },
    )
    assert requisition.lines.count() == 1


def test_my_requisitions_lists_only_mine(requisition: Requisition, client: Client) -> None:
    page = client.get("/requisitions/").content.decode()
    assert requisition.number in page
    other = Client()
    other.force_login(User.objects.get(email="ap@acme.test"))
    assert requisition.number not in other.get("/requisitions/").content.decode()
