"""Requisitions: status table, submit (double submit, hooks), free-text lines, accounting splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.organization.models import Company, CostCenter, GLAccount
from openprocure.buyer.requisitions import hooks
from openprocure.buyer.requisitions.choices import REQUISITION_TRANSITIONS, RequisitionStatus
from openprocure.buyer.requisitions.models import AccountingSplit, Requisition, RequisitionEvent
from openprocure.buyer.requisitions.services import (
    RequisitionError,
    change_status,
    submit_requisition,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
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
        "The amounts add up to 100.00\xa0EUR; they must add up to the line amount, 99.99\xa0EUR."
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


# -- copy into a new draft ------------------------------------------------------------------------------
AUX = "  cart=7f3a;line=1\n\tsession=<é&ü>  "


def _ended(rita: User, acme: PunchOutConnection, end: str) -> Requisition:
    """A requisition with odd supplier IDs, a free-text line, a 60/40 split, then submitted and ended."""
    from datetime import date

    from openprocure.buyer.approvals.demo import seed_approvals
    from openprocure.buyer.approvals.models import ApprovalAssignment
    from openprocure.buyer.approvals.services import decide
    from openprocure.buyer.organization.models import Address
    from openprocure.buyer.requisitions.services import (
        CartLine,
        SplitInput,
        add_free_text_line,
        cancel_requisition,
        create_requisition_from_cart,
        set_accounting,
    )

    requisition = create_requisition_from_cart(
        requester=rita,
        lines=[
            CartLine(
                supplier_part_id=" PEN-001 ",
                supplier_part_auxiliary_id=AUX,
                quantity=Decimal("3"),
                unit_price=Decimal("333.3333"),
                currency="EUR",
                description="Pens",
                unit_of_measure="BX",
                price_basis_quantity=Decimal("2"),
                unspsc="44121701",
                extrinsics={"colour": "blue"},
            )
        ],
        supplier=acme.supplier,
        connection=acme,
        title="Pens for the lab",
    )
    lab = Address.objects.create(
        company=acme_company(),
        kind="ship_to",
        code="LAB",
        name="Acme Lab",
        street="3 Rue Curie",
        city="Lyon",
        postal_code="69007",
        country="FR",
    )
    Requisition.objects.filter(pk=requisition.pk).update(
        justification="The lab ran out", need_by=date(2027, 3, 1), ship_to=lab
    )
    pens = requisition.lines.get()
    ops, it = CostCenter.objects.get(code="CC-100"), CostCenter.objects.get(code="CC-300")
    gl = GLAccount.objects.get(code="6000")
    set_accounting(
        line=pens,
        actor=rita,
        splits=[
            SplitInput(cost_center=ops, gl_account=gl, percentage=Decimal("60")),
            SplitInput(cost_center=it, percentage=Decimal("40")),
        ],
    )
    add_free_text_line(
        requisition=requisition,
        actor=rita,
        description="Calibration",
        quantity=Decimal("1.5"),
        unit_price=Decimal("95.50"),
        unit_of_measure="HUR",
    )
    seed_approvals()  # above 500 EUR the approver decides
    submit_requisition(requisition, rita)
    if end == S.CANCELLED:
        cancel_requisition(requisition=requisition, actor=rita, reason="Wrong supplier")
    else:
        assignment = ApprovalAssignment.objects.get(step__request__requisition=requisition)
        decide(
            assignment_id=assignment.pk,
            actor=assignment.approver,
            decision="reject" if end == S.REJECTED else "return",
            comment="Too dear",
        )
    return Requisition.objects.get(pk=requisition.pk)


def acme_company() -> Company:
    return Company.objects.get(name="Acme Industries")


def _lines(requisition: Requisition) -> list[tuple[object, ...]]:
    return [
        (
            line.line_number,
            line.supplier_id,
            line.connection_id,
            line.supplier_part_id,
            line.supplier_part_auxiliary_id,
            line.description,
            line.quantity,
            line.unit_of_measure,
            line.unit_price,
            line.currency,
            line.price_basis_quantity,
            line.unspsc,
            line.extrinsics,
            line.is_free_text,
            line.cost_center_id,
            line.split_mode,
            [
                (s.cost_center.code, s.gl_account.code if s.gl_account else None, s.percentage, s.amount)
                for s in line.splits.order_by("id")
            ],
        )
        for line in requisition.lines.order_by("line_number")
    ]


@pytest.mark.parametrize("end", [S.REJECTED, S.CANCELLED, S.RETURNED])
def test_copy_into_a_new_draft_keeps_the_lines_and_not_the_history(
    rita: User, acme: PunchOutConnection, client: Client, end: str
) -> None:
    old = _ended(rita, acme, end)
    page = client.get(f"/requisitions/{old.pk}/").content.decode()
    assert f'action="/requisitions/{old.pk}/copy/"' in page
    events_before = list(old.events.values_list("pk", flat=True))

    answer = client.post(f"/requisitions/{old.pk}/copy/")

    new = Requisition.objects.exclude(pk=old.pk).get()
    assert answer.status_code == 302 and answer["Location"] == f"/requisitions/{new.pk}/"
    assert new.number == f"REQ-{new.pk:06d}"
    assert (
        new.status,
        new.requester_id,
        new.title,
        new.justification,
        new.need_by,
        new.ship_to_id,
        new.currency,
        new.total_amount,
        new.submitted_at,
    ) == (
        S.DRAFT,
        rita.pk,
        "Pens for the lab",
        "The lab ran out",
        old.need_by,
        old.ship_to_id,
        "EUR",
        Decimal("643.25"),
        None,
    )
    assert _lines(new) == _lines(old)
    assert new.lines.get(line_number=1).supplier_part_auxiliary_id == AUX
    assert new.lines.get(line_number=1).supplier_part_id == " PEN-001 "
    assert [(e.kind, e.to_status, e.actor_id, e.reason, e.detail) for e in new.events.order_by("id")] == [
        ("created", S.DRAFT, rita.pk, f"Copied from {old.number}", {"copied_from": old.number, "lines": 2})
    ]
    assert (old.approval_requests.count(), new.approval_requests.count()) == (1, 0)
    old.refresh_from_db()
    assert old.status == end
    copied_to = old.events.exclude(pk__in=events_before).get()
    assert (copied_to.kind, copied_to.to_status, copied_to.reason, copied_to.detail) == (
        "note",
        "",
        f"Copied to {new.number}",
        {"copied_to": new.number},
    )
    followed = client.get(f"/requisitions/{new.pk}/")
    assert [str(m) for m in followed.context["messages"]] == [
        f"Requisition {new.number} is a new draft copied from {old.number}: change it and submit it."
    ]


def test_copy_is_refused_to_others_with_404_and_creates_nothing(rita: User, acme: PunchOutConnection) -> None:
    old = _ended(rita, acme, S.REJECTED)
    events = old.events.count()
    for email in ("approver@acme.test", "ap@acme.test"):
        other = Client()
        other.force_login(User.objects.get(email=email))
        assert other.post(f"/requisitions/{old.pk}/copy/").status_code == 404
    assert Requisition.objects.count() == 1
    assert old.events.count() == events
    assert Client().post(f"/requisitions/{old.pk}/copy/").status_code == 302  # to the sign-in page
    assert Requisition.objects.count() == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED])
def test_copy_is_refused_for_a_requisition_still_under_way(
    requisition: Requisition, rita: User, client: Client, status: str
) -> None:
    path = {S.DRAFT: [], S.SUBMITTED: [S.SUBMITTED], S.APPROVED: [S.SUBMITTED, S.APPROVED]}[status]
    for step in path:
        change_status(requisition=requisition, target=step, actor=rita)
    events = requisition.events.count()
    page = client.get(f"/requisitions/{requisition.pk}/").content.decode()
    assert "/copy/" not in page

    answer = client.post(f"/requisitions/{requisition.pk}/copy/", follow=True)

    label = {S.DRAFT: "Draft", S.SUBMITTED: "Submitted", S.APPROVED: "Approved"}[status]
    assert [str(m) for m in answer.context["messages"]] == [
        f"Requisition {requisition.number} is {label}: only a rejected, cancelled, returned, "
        "ordered or closed requisition can be copied into a new draft."
    ]
    assert answer.redirect_chain == [(f"/requisitions/{requisition.pk}/", 302)]
    assert Requisition.objects.count() == 1
    assert requisition.events.count() == events


def test_copy_service_refuses_someone_else(rita: User, acme: PunchOutConnection) -> None:
    from openprocure.buyer.requisitions.services import copy_requisition

    old = _ended(rita, acme, S.REJECTED)
    with pytest.raises(RequisitionError) as refused:
        copy_requisition(requisition=old, actor=User.objects.get(email="admin@acme.test"))
    assert refused.value.message == f"Only the requester can copy requisition {old.number}."
    assert Requisition.objects.count() == 1


@pytest.mark.parametrize(
    ("end", "css", "said"),
    [
        pytest.param(S.REJECTED, "error", "Rejected by", id="rejected"),
        pytest.param(S.RETURNED, "warning", "Returned for changes by", id="returned"),
    ],
)
def test_the_decision_that_ended_the_round_is_on_top_of_the_page_with_who_when_and_why(
    rita: User, acme: PunchOutConnection, client: Client, end: str, css: str, said: str
) -> None:
    import re

    from django.utils import timezone
    from django.utils.formats import date_format

    from openprocure.buyer.approvals.models import ApprovalDecision

    old = _ended(rita, acme, end)
    decision = ApprovalDecision.objects.get(assignment__step__request__requisition=old)
    page = client.get(f"/requisitions/{old.pk}/").content.decode()
    notice = re.search(rf'<p class="{css} wrap" id="decision-reason">(.*?)</p>', page, re.S)
    assert notice is not None
    when = date_format(timezone.localtime(decision.created_at), "SHORT_DATETIME_FORMAT")
    assert " ".join(notice.group(1).split()) == f"{said} Alan Approver on {when}: “Too dear”"
    # Above the status line and the lines, where the requester looks first.
    assert page.index('id="decision-reason"') < page.index('id="status"') < page.index('id="lines"')


def test_a_cancelled_requisition_says_who_cancelled_it_and_why(
    rita: User, acme: PunchOutConnection, client: Client
) -> None:
    import re

    old = _ended(rita, acme, S.CANCELLED)
    page = client.get(f"/requisitions/{old.pk}/").content.decode()
    notice = re.search(r'<p class="error wrap" id="decision-reason">(.*?)</p>', page, re.S)
    assert notice is not None
    text = " ".join(notice.group(1).split())
    assert text.startswith("Cancelled by Rita Requester on ") and text.endswith(": “Wrong supplier”")


def test_the_notice_names_whom_the_approver_decided_for(
    rita: User, acme: PunchOutConnection, client: Client
) -> None:
    import re

    from openprocure.buyer.approvals.models import ApprovalAssignment

    old = _ended(rita, acme, S.REJECTED)
    away = User.objects.get(email="admin@acme.test")
    ApprovalAssignment.objects.filter(step__request__requisition=old).update(on_behalf_of=away)
    page = client.get(f"/requisitions/{old.pk}/").content.decode()
    notice = re.search(r'<p class="error wrap" id="decision-reason">(.*?)</p>', page, re.S)
    assert notice is not None
    text = " ".join(notice.group(1).split())
    assert text.startswith("Rejected by Alan Approver on ") and text.endswith(" (for Ada Admin): “Too dear”")
