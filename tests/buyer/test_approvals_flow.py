"""Approval workflows through the suite's pages, as requesters, approvers and administrators use them."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone, translation

from openprocure.buyer.approvals import budgets, services
from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    Budget,
    Delegation,
)
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import AdminEvent, User
from tests.buyer.approval_world import (
    approver_emails,
    build_world,
    requisition,
    rule,
    signed_in,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def pending(req: Requisition, email: str) -> ApprovalAssignment:
    return ApprovalAssignment.objects.get(
        step__request__requisition=req, approver__email=email, status="pending"
    )


def decide(person, assignment: ApprovalAssignment, decision: str = "approve", comment: str = ""):
    return signed_in(person).post(f"/approvals/{assignment.pk}/", {"decision": decision, "comment": comment})


def status(req: Requisition) -> str:
    return Requisition.objects.get(pk=req.pk).status


# -- rule types ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "conditions", "matching", "not_matching"),
    [
        (
            "amount above 500 EUR",
            {"min_amount": Decimal("500"), "currency": "EUR"},
            {"price": "500.01"},
            {"price": "500.00"},
        ),
        (
            "amount up to 1000 EUR",
            {"max_amount": Decimal("1000"), "currency": "EUR"},
            {"price": "1000.00"},
            {"price": "1000.01"},
        ),
        (
            "UNSPSC prefix 4412",
            {"category_prefixes": "4412 4321"},
            {"unspsc": "44121615"},
            {"unspsc": "43211503"[:2] + "99"},
        ),
        ("free text only", {"free_text": "catalog"}, {}, None),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_simple_rule_conditions(world, label, conditions, matching, not_matching) -> None:
    rule("r", {"users": [world.alan]}, **conditions)
    asked = requisition(world, **matching)
    submit(world, asked)
    assert approver_emails(asked) == [[("alan@acme.test", "pending")]]
    assert status(asked) == "submitted"
    if not_matching is not None:
        skipped = requisition(world, **not_matching)
        submit(world, skipped)
        assert ApprovalRequest.objects.get(requisition=skipped).steps.count() == 0
        assert status(skipped) == "ordered"


def test_cost_center_department_and_supplier_conditions(world) -> None:
    rule("cc", {"users": [world.alan]}, cost_centers=[world.cc_ops])
    rule("dept", {"users": [world.bob]}, departments=[world.ops])
    rule("supplier", {"users": [world.carl]}, suppliers=[world.other_supplier])
    req = requisition(world)
    submit(world, req)
    assert approver_emails(req) == [[("alan@acme.test", "pending")], [("bob@acme.test", "queued")]]
    other = requisition(world, supplier=world.other_supplier)
    submit(world, other)
    assert approver_emails(other) == [
        [("alan@acme.test", "pending")],
        [("bob@acme.test", "queued")],
        [("carl@acme.test", "queued")],
    ]


def test_free_text_condition(world) -> None:
    from openprocure.buyer.requisitions.services import add_free_text_line, create_requisition

    rule("free text", {"users": [world.alan]}, free_text="free_text")
    req = create_requisition(requester=world.rita, title="Consulting")
    add_free_text_line(
        requisition=req,
        actor=world.rita,
        description="Two days of audit",
        quantity=Decimal("2"),
        unit_price=Decimal("900"),
        supplier=world.supplier,
    )
    submit(world, req)
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]


def test_manager_chain_cost_center_owner_and_role(world) -> None:
    rule(
        "managers",
        {"kind": "manager", "levels": 2, "mode": "serial"},
        {"kind": "cost_center_owner"},
        {"kind": "role", "role": "procurement_admin"},
    )
    req = requisition(world)
    submit(world, req)
    assert approver_emails(req) == [
        [("mona@acme.test", "pending"), ("dirk@acme.test", "queued")],
        [("olga@acme.test", "queued")],
        [("ada@acme.test", "queued")],
    ]


# -- serial and parallel ------------------------------------------------------------------------------
def test_serial_step_asks_one_after_another_then_orders(world) -> None:
    rule("managers", {"kind": "manager", "levels": 2, "mode": "serial"})
    req = requisition(world)
    submit(world, req)
    assert decide(world.mona, pending(req, "mona@acme.test")).status_code == 302
    assert approver_emails(req) == [[("mona@acme.test", "approved"), ("dirk@acme.test", "pending")]]
    assert status(req) == "submitted"
    decide(world.dirk, pending(req, "dirk@acme.test"))
    assert approver_emails(req) == [[("mona@acme.test", "approved"), ("dirk@acme.test", "approved")]]
    assert status(req) == "ordered"
    assert PurchaseOrder.objects.filter(requisition=req).count() == 1


def test_parallel_two_of_three_then_late_vote_changes_nothing(world) -> None:
    rule("committee", {"users": [world.alan, world.bob, world.carl], "quorum": "count", "count": 2})
    req = requisition(world)
    submit(world, req)
    step = ApprovalStep.objects.get(request__requisition=req)
    assert step.required == 2
    late = pending(req, "carl@acme.test")
    decide(world.alan, pending(req, "alan@acme.test"))
    assert status(req) == "submitted"
    decide(world.bob, pending(req, "bob@acme.test"))
    assert status(req) == "ordered"
    answer = decide(world.carl, late)
    assert answer.status_code == 409
    assert approver_emails(req) == [
        [("alan@acme.test", "approved"), ("bob@acme.test", "approved"), ("carl@acme.test", "closed")]
    ]
    assert ApprovalDecision.objects.filter(assignment__step=step).count() == 2


def test_parallel_all_needs_everyone(world) -> None:
    rule("all", {"users": [world.alan, world.bob], "quorum": "all"})
    req = requisition(world)
    submit(world, req)
    decide(world.bob, pending(req, "bob@acme.test"))
    assert status(req) == "submitted"
    decide(world.alan, pending(req, "alan@acme.test"))
    assert status(req) == "ordered"


def test_reject_needs_a_comment_and_ends_the_requisition(world) -> None:
    rule("r", {"users": [world.alan]}, {"users": [world.bob]})
    req = requisition(world)
    submit(world, req)
    assignment = pending(req, "alan@acme.test")
    refused = decide(world.alan, assignment, "reject")
    assert refused.status_code == 409
    assert ApprovalDecision.objects.count() == 0
    assert status(req) == "submitted"
    decide(world.alan, assignment, "reject", "Too expensive: take the standard model.")
    assert status(req) == "rejected"
    assert approver_emails(req) == [[("alan@acme.test", "rejected")], [("bob@acme.test", "closed")]]
    assert ApprovalRequest.objects.get(requisition=req).status == "rejected"
    assert ApprovalDecision.objects.get().comment == "Too expensive: take the standard model."


def test_return_sends_it_back_and_resubmit_starts_round_two(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    decide(world.alan, pending(req, "alan@acme.test"), "return", "Add the cost center split.")
    assert status(req) == "returned"
    submit(world, req)
    assert list(req.approval_requests.order_by("round").values_list("round", "status")) == [
        (1, "returned"),
        (2, "pending"),
    ]


# -- nobody approves their own request ----------------------------------------------------------------
def test_requester_cannot_approve_their_own_request(world) -> None:
    rule("r", {"users": [world.rita, world.alan]})
    req = requisition(world)
    submit(world, req)
    # The engine left Rita out of her own chain; forcing her onto the step is refused as well.
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]
    assignment = pending(req, "alan@acme.test")
    ApprovalAssignment.objects.filter(pk=assignment.pk).update(on_behalf_of=world.rita)
    answer = decide(world.rita, assignment)
    assert answer.status_code == 409
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        "You cannot approve your own request. It waits for the approvers named in its chain."
    ]
    assert ApprovalDecision.objects.count() == 0
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]
    assert status(req) == "submitted"


def test_someone_not_asked_cannot_decide(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    answer = signed_in(world.bob).post(
        f"/approvals/{pending(req, 'alan@acme.test').pk}/", {"decision": "approve"}
    )
    assert answer.status_code == 403
    assert ApprovalDecision.objects.count() == 0


def test_only_the_requester_as_approver_refuses_submission(world) -> None:
    rule("self", {"users": [world.rita]})
    req = requisition(world)
    _, messages = submit(world, req)
    assert messages == [
        "Nobody can approve step “self 1”: the policy names no one other than you. Ask your procurement administrator."
    ]
    assert status(req) == "draft"
    assert ApprovalRequest.objects.count() == 0


# -- delegation, reassignment, escalation -------------------------------------------------------------
def test_delegation_sends_new_and_open_approvals_to_the_delegate(world) -> None:
    rule("r", {"users": [world.alan]})
    before = requisition(world)
    submit(world, before)
    today = timezone.localdate()
    answer = signed_in(world.alan).post(
        "/approvals/delegations/",
        {
            "delegate": world.bob.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=5)).isoformat(),
            "reason": "Holiday",
        },
    )
    assert answer.status_code == 302
    assert Delegation.objects.get().delegate == world.bob
    after = requisition(world)
    submit(world, after)
    for req in (before, after):
        assignment = pending(req, "bob@acme.test")
        assert assignment.on_behalf_of == world.alan
    inbox = signed_in(world.bob).get("/approvals/")
    assert inbox.content.decode().count("(for Alan Approver)") == 2
    decide(world.bob, pending(after, "bob@acme.test"))
    assert status(after) == "ordered"


def _delegation_events() -> list[tuple[str, int | None, str, list[str]]]:
    return [
        (e.kind, e.subject_id, e.actor.email, e.detail["fields"])
        for e in AdminEvent.objects.filter(subject_type="approvals.delegation").order_by("id")
    ]


def test_a_delegation_created_and_cancelled_on_its_page_is_on_the_administrative_record(world) -> None:
    today = timezone.localdate()
    alan = signed_in(world.alan)
    answer = alan.post(
        "/approvals/delegations/",
        {"delegate": world.bob.pk, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    assert answer.status_code == 302
    delegation = Delegation.objects.get()
    created = ("created", delegation.pk, "alan@acme.test", ["delegate", "starts_on", "ends_on"])
    assert _delegation_events() == [created]
    assert AdminEvent.objects.get().subject_text == str(delegation)

    # Someone else cannot cancel it: nothing changes, nothing is recorded.
    assert signed_in(world.bob).post(f"/approvals/delegations/{delegation.pk}/cancel/").status_code == 302
    delegation.refresh_from_db()
    assert (delegation.cancelled_at, _delegation_events()) == (None, [created])

    assert alan.post(f"/approvals/delegations/{delegation.pk}/cancel/").status_code == 302
    delegation.refresh_from_db()
    assert delegation.cancelled_at is not None
    cancelled = ("changed", delegation.pk, "alan@acme.test", ["cancelled_at"])
    assert _delegation_events() == [created, cancelled]
    # Cancelled twice: the first cancellation stands, no second event.
    first_cancelled_at = delegation.cancelled_at
    assert alan.post(f"/approvals/delegations/{delegation.pk}/cancel/").status_code == 302
    delegation.refresh_from_db()
    assert (delegation.cancelled_at, _delegation_events()) == (first_cancelled_at, [created, cancelled])


def test_a_delegation_with_a_reason_names_it_and_a_refused_one_records_nothing(world) -> None:
    today = timezone.localdate()
    services.create_delegation(
        delegator=world.alan, delegate=world.bob, starts_on=today, ends_on=today, reason="Holiday"
    )
    delegation = Delegation.objects.get()
    assert _delegation_events() == [
        ("created", delegation.pk, "alan@acme.test", ["delegate", "starts_on", "ends_on", "reason"])
    ]
    with pytest.raises(services.ApprovalError, match="You cannot delegate to yourself"):
        services.create_delegation(delegator=world.alan, delegate=world.alan, starts_on=today, ends_on=today)
    with pytest.raises(services.ApprovalError, match="The end date is before the start date"):
        services.create_delegation(
            delegator=world.alan, delegate=world.bob, starts_on=today, ends_on=today - timedelta(days=1)
        )
    assert Delegation.objects.count() == 1
    assert AdminEvent.objects.count() == 1


def test_delegation_outside_its_dates_changes_nothing(world) -> None:
    rule("r", {"users": [world.alan]})
    tomorrow = timezone.localdate() + timedelta(days=1)
    Delegation.objects.create(delegator=world.alan, delegate=world.bob, starts_on=tomorrow, ends_on=tomorrow)
    req = requisition(world)
    submit(world, req)
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]


def test_a_delegate_who_left_acts_for_nobody_in_single_and_batch_submits(world) -> None:
    rule("r", {"users": [world.alan]})
    today = timezone.localdate()
    Delegation.objects.create(delegator=world.alan, delegate=world.bob, starts_on=today, ends_on=today)
    User.objects.filter(pk=world.bob.pk).update(is_active=False)
    single, first, second = requisition(world), requisition(world), requisition(world)
    submit(world, single)
    signed_in(world.rita).post("/requisitions/submit-selected/", {"requisition": [first.pk, second.pk]})
    for req in (single, first, second):
        assert approver_emails(req) == [[("alan@acme.test", "pending")]]


def test_route_gives_an_assignment_to_the_delegate_but_never_to_the_requester() -> None:
    # (approver, requester, delegate) -> (who receives it, on whose behalf)
    assert services.route(7, 9, None) == (7, None)
    assert services.route(7, 9, 8) == (8, 7)
    assert services.route(7, 9, 9) == (7, None)  # nobody approves their own request
    assert services.route(7, 9, 7) == (7, None)


def test_the_most_recent_delegation_covering_the_day_says_who_acts(world) -> None:
    today = timezone.localdate()
    Delegation.objects.create(delegator=world.alan, delegate=world.bob, starts_on=today, ends_on=today)
    Delegation.objects.create(delegator=world.alan, delegate=world.carl, starts_on=today, ends_on=today)
    Delegation.objects.create(
        delegator=world.mona, delegate=world.bob, starts_on=today - timedelta(days=2), ends_on=today
    )
    Delegation.objects.create(
        delegator=world.dirk,
        delegate=world.bob,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=3),
    )
    approvers = {world.alan.pk, world.mona.pk, world.dirk.pk, world.olga.pk}
    assert services.active_delegates(approvers) == {world.alan.pk: world.carl.pk, world.mona.pk: world.bob.pk}
    assert services.active_delegates(approvers, on=today - timedelta(days=1)) == {world.mona.pk: world.bob.pk}


def test_reassignment_to_the_requester_is_refused_and_to_a_colleague_works(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assignment = pending(req, "alan@acme.test")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/reassign/", {"to_user": world.rita.pk})
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]
    signed_in(world.alan).post(
        f"/approvals/{assignment.pk}/reassign/", {"to_user": world.carl.pk, "comment": "Carl knows"}
    )
    assert approver_emails(req) == [[("alan@acme.test", "reassigned"), ("carl@acme.test", "pending")]]


def test_a_hand_over_without_a_person_shows_the_form_again_as_typed(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assignment = pending(req, "alan@acme.test")
    answer = signed_in(world.alan).post(
        f"/approvals/{assignment.pk}/reassign/", {"to_user": "", "comment": "Carl knows the supplier"}
    )
    assert answer.status_code == 400
    assert answer.context["reassign_form"].errors == {"to_user": ["This field is required."]}
    page = answer.content.decode()
    assert 'value="Carl knows the supplier"' in page
    assert '<ul class="errorlist" id="id_to_user_error"><li>This field is required.</li></ul>' in page
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]
    # Someone who may not see the approval is not shown it, and nothing changes.
    stranger = signed_in(world.bob).post(f"/approvals/{assignment.pk}/reassign/", {"comment": "Mine"})
    assert stranger.status_code == 403
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]


def test_reminder_then_escalation_to_the_managers_manager(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.APPROVAL_REMINDER_HOURS = 24
    settings.APPROVAL_ESCALATION_HOURS = 72
    rule("manager", {"kind": "manager"})
    req = requisition(world)
    submit(world, req)
    step = ApprovalStep.objects.get(request__requisition=req)
    mail.outbox.clear()
    now = timezone.now()
    assert services.remind_and_escalate(now=now) == {"reminded": 0, "escalated": 0}
    ApprovalAssignment.objects.filter(step=step).update(notified_at=now - timedelta(hours=25))
    ApprovalStep.objects.filter(pk=step.pk).update(activated_at=now - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_and_escalate(now=now) == {"reminded": 1, "escalated": 0}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["mona@acme.test"], f"Reminder: approval needed for {req.number}")
    ]
    ApprovalStep.objects.filter(pk=step.pk).update(activated_at=now - timedelta(hours=73))
    assert services.remind_and_escalate(now=now)["escalated"] == 1
    assert approver_emails(req) == [[("dirk@acme.test", "pending"), ("mona@acme.test", "pending")]]
    assert ApprovalAssignment.objects.get(approver=world.dirk).source == "escalation:2"
    decide(world.dirk, pending(req, "dirk@acme.test"))
    assert status(req) == "ordered"
    assert approver_emails(req) == [[("dirk@acme.test", "approved"), ("mona@acme.test", "closed")]]


# -- frozen chain and material change -----------------------------------------------------------------
def test_policy_edit_in_the_ui_does_not_move_a_submitted_request(world) -> None:
    admin = signed_in(world.ada)
    form = {
        "name": "Above 500",
        "priority": "10",
        "min_amount": "500",
        "currency": "EUR",
        "free_text": "any",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1",
        "steps-0-name": "Finance",
        "steps-0-mode": "parallel",
        "steps-0-quorum": "any",
        "steps-0-quorum_count": "1",
        "steps-0-kind": "user",
        "steps-0-users": [str(world.alan.pk)],
    }
    assert admin.post("/approvals/policy/new/", form).status_code == 302
    first = requisition(world)
    submit(world, first)
    from openprocure.buyer.approvals.models import ApprovalRule

    rule_id = ApprovalRule.objects.get().pk
    assert (
        admin.post(
            f"/approvals/policy/{rule_id}/", {**form, "steps-0-users": [str(world.bob.pk)]}
        ).status_code
        == 302
    )
    second = requisition(world)
    submit(world, second)
    assert approver_emails(first) == [[("alan@acme.test", "pending")]]
    assert approver_emails(second) == [[("bob@acme.test", "pending")]]


def _step_post(**step: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "Step kinds",
        "priority": "10",
        "currency": "EUR",
        "free_text": "any",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1",
        "steps-0-name": "Check",
        "steps-0-mode": "parallel",
        "steps-0-quorum": "any",
        "steps-0-quorum_count": "1",
    }
    form.update({f"steps-0-{name}": value for name, value in step.items()})
    return form


def test_rule_editor_groups_the_fields_of_each_approver_kind(world) -> None:
    page = signed_in(world.ada).get("/approvals/policy/new/").content.decode()
    assert 'data-reveal="approver-kind"' in page
    kinds = re.findall(r'<fieldset data-reveal-when="([a-z_]+)">\s*<legend>([^<]*)</legend>', page)
    assert len(kinds) == 6  # the first step and the spare row; nothing for cost-center owners
    assert kinds[:3] == [
        ("manager", "For approvers “Requester&#x27;s manager”"),
        ("role", "For approvers “Everyone with a role”"),
        ("user", "For approvers “A named person”"),
    ]
    user_fields = page[page.index('data-reveal-when="user"') :]
    assert 'name="steps-0-users"' in user_fields[: user_fields.index("</fieldset>")]


@pytest.mark.parametrize(
    ("step", "errors"),
    [
        pytest.param(
            {"kind": "user", "levels": "2", "role": "approver"},
            {
                "levels": ["Manager levels does not apply to approvers “A named person”: leave it empty."],
                "role": ["Role does not apply to approvers “A named person”: leave it empty."],
                "users": ["Choose at least one person for a step of named approvers."],
            },
            id="user-with-levels-and-role",
        ),
        pytest.param(
            {"kind": "manager"},
            {"levels": ["Say how many levels of managers approve this step (1 to 10)."]},
            id="manager-without-levels",
        ),
        pytest.param(
            {"kind": "role", "levels": "1"},
            {
                "levels": [
                    "Manager levels does not apply to approvers “Everyone with a role”: leave it empty."
                ],
                "role": ["Choose the role whose holders approve this step."],
            },
            id="role-with-levels-no-role",
        ),
        pytest.param(
            {"kind": "cost_center_owner", "role": "approver", "users": ["ALAN"]},
            {
                "role": ["Role does not apply to approvers “Cost-center owner”: leave it empty."],
                "users": ["People does not apply to approvers “Cost-center owner”: leave it empty."],
            },
            id="owner-with-role-and-people",
        ),
    ],
)
def test_rule_editor_refuses_fields_that_do_not_apply_to_the_approver_kind(world, step, errors) -> None:
    step = {k: ([str(world.alan.pk)] if v == ["ALAN"] else v) for k, v in step.items()}
    answer = signed_in(world.ada).post("/approvals/policy/new/", _step_post(**step))
    assert answer.status_code == 200
    form = answer.context["steps"].forms[0]
    assert {name: list(messages) for name, messages in form.errors.items()} == errors
    page = answer.content.decode()
    first = next(iter(errors))
    assert html.unescape(errors[first][0]) in html.unescape(page)
    from openprocure.buyer.approvals.models import ApprovalRule

    assert ApprovalRule.objects.count() == 0


@pytest.mark.parametrize(
    ("step", "saved"),
    [
        pytest.param({"kind": "manager", "levels": "2"}, ("manager", 2, "", None), id="manager"),
        pytest.param({"kind": "role", "role": "approver"}, ("role", 1, "approver", None), id="role"),
        pytest.param({"kind": "cost_center_owner"}, ("cost_center_owner", 1, "", None), id="owner"),
        pytest.param({"kind": "user", "users": ["ALAN"]}, ("user", 1, "", "alan@acme.test"), id="user"),
    ],
)
def test_rule_editor_saves_each_approver_kind_with_only_its_fields(world, step, saved) -> None:
    from openprocure.buyer.approvals.models import ApprovalRuleApprover

    step = {k: ([str(world.alan.pk)] if v == ["ALAN"] else v) for k, v in step.items()}
    admin = signed_in(world.ada)
    assert admin.post("/approvals/policy/new/", _step_post(**step)).status_code == 302
    approver = ApprovalRuleApprover.objects.get()
    assert (approver.kind, approver.levels, approver.role, approver.user and approver.user.email) == saved
    rule_id = approver.step.rule_id
    page = admin.get(f"/approvals/policy/{rule_id}/").content.decode()
    levels = re.search(r'<input type="number" name="steps-0-levels"[^>]*>', page)
    assert levels is not None
    expected = ' value="2"' if saved[0] == "manager" else ""  # empty unless the step is the managers'
    assert (
        levels.group(0)
        == f'<input type="number" name="steps-0-levels"{expected} min="1" max="10" id="id_steps-0-levels">'
    )


def test_policy_editor_is_for_procurement_administrators_only(world) -> None:
    answer = signed_in(world.rita).post("/approvals/policy/new/", {"name": "sneaky"})
    assert answer.status_code == 403
    from openprocure.buyer.approvals.models import ApprovalRule

    assert ApprovalRule.objects.count() == 0


def _rule_events() -> list[tuple[str, int | None, str, list[str]]]:
    return [
        (e.kind, e.subject_id, e.actor.email, e.detail["fields"])
        for e in AdminEvent.objects.filter(subject_type="approvals.approvalrule").order_by("id")
    ]


def test_a_rule_saved_in_the_policy_editor_is_on_the_administrative_record(world) -> None:
    from openprocure.buyer.approvals.models import ApprovalRule

    admin = signed_in(world.ada)
    form = _step_post(kind="user", users=[str(world.alan.pk)])
    assert admin.post("/approvals/policy/new/", form).status_code == 302
    saved = ApprovalRule.objects.get()
    assert (saved.updated_by, AdminEvent.objects.get().subject_text) == (world.ada, "Step kinds")
    # Currency EUR, "any" and active are the form's initial values: not changed fields.
    created = ("created", saved.pk, "ada@acme.test", ["name", "priority", "steps"])
    assert _rule_events() == [created]

    # Saved again as it was: nothing is written, nothing is recorded.
    assert admin.post(f"/approvals/policy/{saved.pk}/", form).status_code == 302
    assert _rule_events() == [created]

    # Only the step's approver changes: the fields are just "steps".
    form = {**form, "steps-0-users": [str(world.bob.pk)]}
    assert admin.post(f"/approvals/policy/{saved.pk}/", form).status_code == 302
    steps = ("changed", saved.pk, "ada@acme.test", ["steps"])
    assert _rule_events() == [created, steps]

    # The name and the active flag change, the steps not.
    form = {key: value for key, value in {**form, "name": "Renamed"}.items() if key != "is_active"}
    assert admin.post(f"/approvals/policy/{saved.pk}/", form).status_code == 302
    renamed = ("changed", saved.pk, "ada@acme.test", ["name", "is_active"])
    assert _rule_events() == [created, steps, renamed]
    assert AdminEvent.objects.filter(subject_type="approvals.approvalrule").last().subject_text == "Renamed"


def test_a_rule_the_editor_refuses_or_a_non_administrator_posts_records_nothing(world) -> None:
    from openprocure.buyer.approvals.models import ApprovalRule

    refused = signed_in(world.ada).post("/approvals/policy/new/", _step_post(kind="manager"))
    assert refused.status_code == 200
    forbidden = signed_in(world.rita).post("/approvals/policy/new/", _step_post(kind="manager", levels="1"))
    assert forbidden.status_code == 403
    with pytest.raises(services.ApprovalError, match="Only a procurement administrator"):
        services.save_rule(form=None, steps=[], actor=world.rita)
    assert (ApprovalRule.objects.count(), AdminEvent.objects.count()) == (0, 0)


def test_policy_and_preview_name_roles_in_words(world) -> None:
    rule("admins", {"kind": "role", "role": "procurement_admin"})
    policy = signed_in(world.ada).get("/approvals/policy/").content.decode()
    assert "Everyone with a role Procurement administrator" in policy
    assert "procurement_admin" not in policy
    req = requisition(world)
    preview = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/preview/").content.decode()
    assert "role Procurement administrator" in preview
    assert "procurement_admin" not in preview


def test_preview_shows_who_will_approve_before_submit(world) -> None:
    rule("above 500", {"users": [world.alan]}, min_amount=Decimal("500"))
    rule("above 5000", {"users": [world.ada]}, min_amount=Decimal("5000"))
    req = requisition(world, price="6000.00")
    page = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/preview/").content.decode()
    assert page.index("alan@acme.test") < page.index("ada@acme.test")
    assert ApprovalRequest.objects.count() == 0


def test_material_change_restarts_approval(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    line = req.lines.get()
    assert services.on_material_change(req) is None  # nothing changed
    line.unit_price = Decimal("550.00")
    line.save()
    assert services.on_material_change(req) is None  # cheaper: not material by default
    line.unit_price = Decimal("700.00")
    line.save()
    new = services.on_material_change(req)
    assert (new.round, new.amount) == (2, Decimal("700.00"))
    assert list(req.approval_requests.order_by("round").values_list("round", "status")) == [
        (1, "superseded"),
        (2, "pending"),
    ]
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]
    assert ApprovalAssignment.objects.filter(step__request__round=1).get().status == "closed"


# -- budgets ------------------------------------------------------------------------------------------
def budget(world, amount: str, enforcement: str) -> Budget:
    today = timezone.localdate()
    return Budget.objects.create(
        cost_center=world.cc_ops,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        amount=Decimal(amount),
        currency="EUR",
        enforcement=enforcement,
    )


def test_a_budget_saved_on_its_page_is_on_the_administrative_record(world) -> None:
    answer = signed_in(world.ada).post(
        "/approvals/budgets/",
        {
            "cost_center": world.cc_ops.pk,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "amount": "5000",
            "currency": "EUR",
            "enforcement": "block",
        },
    )
    assert answer.status_code == 302
    saved = Budget.objects.get()
    events = AdminEvent.objects.filter(subject_type="approvals.budget")
    assert list(events.values_list("kind", "subject_id", "actor__email", "subject_text")) == [
        ("created", saved.pk, world.ada.email, str(saved))
    ]
    # The currency is the form's initial EUR: not a changed field.
    assert sorted(events.get().detail["fields"]) == [
        "amount",
        "cost_center",
        "enforcement",
        "period_end",
        "period_start",
    ]


def test_a_budget_the_form_refuses_answers_400_with_what_was_typed_and_records_nothing(world) -> None:
    answer = signed_in(world.ada).post(
        "/approvals/budgets/",
        {
            "cost_center": world.cc_ops.pk,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "amount": "-5",
            "currency": "EUR",
            "enforcement": "block",
        },
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors == {"amount": ["A budget cannot be negative."]}
    page = answer.content.decode()
    # The message stands beside the amount (its error list opens the amount's paragraph), which
    # keeps what was typed.
    amount = re.search(
        r'<ul class="errorlist" id="id_amount_error"><li>A budget cannot be negative.</li></ul>\s*'
        r'<p>\s*<label for="id_amount">[^<]*</label>\s*(<input[^>]*>)',
        page,
    )
    assert amount is not None
    assert 'name="amount" value="-5"' in amount.group(1)
    assert (Budget.objects.count(), AdminEvent.objects.count()) == (0, 0)


def test_budget_warning_shows_the_numbers_and_lets_it_through(world) -> None:
    b = budget(world, "1000.00", "warn")
    first = requisition(world, price="600.00")
    submit(world, first)  # no rule: approved at once, commits 600
    second = requisition(world, price="500.00")
    page = signed_in(world.rita).get(f"/approvals/requisitions/{second.pk}/preview/").content.decode()
    expected = (
        f"Budget of CC100 Operations for {b.period_start.isoformat()}–{b.period_end.isoformat()}: 1,000.00\xa0EUR, "
        "already committed 600.00\xa0EUR, this requisition 500.00\xa0EUR, remaining -100.00\xa0EUR."
    )
    assert expected in page
    submit(world, second)
    assert status(second) == "ordered"
    assert Requisition.objects.get(pk=second.pk).warnings == [
        {"code": "budget_exceeded", "message": expected}
    ]


def test_blocking_budget_refuses_submission_and_changes_nothing(world) -> None:
    budget(world, "1000.00", "block")
    req = requisition(world, price="1000.01")
    _, messages = submit(world, req)
    b = Budget.objects.get()
    period = f"{b.period_start.isoformat()}–{b.period_end.isoformat()}"
    assert messages == [
        f"Budget of CC100 Operations for {period}: 1,000.00\xa0EUR, already committed 0.00\xa0EUR, "
        "this requisition 1,000.01\xa0EUR, remaining -0.01\xa0EUR."
    ]
    # The same check in French: comma decimals and a narrow no-break space between thousands.
    with translation.override("fr"):
        (check,) = budgets.check_requisition(req)
        assert check.message() == (
            f"Budget de CC100 Operations pour la période {period} : 1\u202f000,00\xa0EUR ; "
            "déjà engagé : 0,00\xa0EUR ; cette demande d'achat : 1\u202f000,01\xa0EUR ; "
            "disponible : -0,01\xa0EUR."
        )
    assert status(req) == "draft"
    assert ApprovalRequest.objects.count() == 0
    assert PurchaseOrder.objects.count() == 0
    fits = requisition(world, price="1000.00")
    submit(world, fits)
    assert status(fits) == "ordered"


# -- e-mail links -------------------------------------------------------------------------------------
def test_email_link_approves_once(world, settings, django_capture_on_commit_callbacks) -> None:
    settings.PUBLIC_URL = "https://buy.acme.test"
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, req)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["alan@acme.test"], f"Approval needed for {req.number}")
    ]
    body = mail.outbox[0].body
    link = next(w for w in body.split() if w.startswith("https://buy.acme.test/approvals/email/"))
    path = link.removeprefix("https://buy.acme.test")
    alan = signed_in(world.alan)  # the link acts for its addressee, signed in as himself
    assert alan.get(path).status_code == 200
    assert status(req) == "submitted"  # a GET (mail scanners) changes nothing
    assert alan.post(path, {"comment": "ok"}).status_code == 200
    assert status(req) == "ordered"
    assert ApprovalDecision.objects.get().channel == "email"
    assert alan.post(path, {"comment": "again"}).status_code == 410
    assert ApprovalDecision.objects.count() == 1


def test_expired_email_link_is_refused(world, django_capture_on_commit_callbacks) -> None:
    from openprocure.buyer.approvals.models import EmailActionToken

    rule("r", {"users": [world.alan]})
    req = requisition(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, req)
    link = next(w for w in mail.outbox[0].body.split() if "/approvals/email/" in w)
    EmailActionToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = "/approvals/email/" + link.rstrip("/").rsplit("/", 1)[1] + "/"
    assert signed_in(world.alan).post(path).status_code == 410
    assert status(req) == "submitted"


# -- concurrency --------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_person", [True, False], ids=["double click", "two approvers"])
def test_concurrent_approvals_of_one_step_are_counted_once(same_person: bool) -> None:
    import threading

    from django.db import OperationalError, close_old_connections

    world = build_world()
    rule("any", {"users": [world.alan, world.bob]})
    req = requisition(world)
    submit(world, req)
    alan, bob = pending(req, "alan@acme.test"), pending(req, "bob@acme.test")
    calls = (
        [(alan, world.alan), (alan, world.alan)] if same_person else [(alan, world.alan), (bob, world.bob)]
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def approve(assignment: ApprovalAssignment, person) -> None:
        barrier.wait()
        while True:
            try:
                services.decide(assignment_id=assignment.pk, actor=person, decision="approve")
                outcomes.append("approved")
                break
            except services.ApprovalError:
                outcomes.append("refused")
                break
            except OperationalError:  # SQLite: "database is locked" — retried like a client would
                continue
        close_old_connections()

    threads = [threading.Thread(target=approve, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert ApprovalDecision.objects.filter(assignment__step__request__requisition=req).count() == 1
    assert ApprovalStep.objects.get(request__requisition=req).status == "approved"
    assert PurchaseOrder.objects.filter(requisition=req).count() == 1
    assert status(req) == "ordered"


def test_demo_policy_asks_the_approver_above_500_and_the_admin_above_5000(world) -> None:
    from openprocure.buyer.approvals.demo import seed_approvals
    from tests.buyer.approval_world import user

    user("approver@acme.test", "Alan", "Approver")
    user("admin@acme.test", "Ada", "Admin")
    seed_approvals()
    seed_approvals()  # idempotent
    small, medium, large = (requisition(world, price=p) for p in ("500.00", "500.01", "5000.01"))
    for req in (small, medium, large):
        submit(world, req)
    assert status(small) == "ordered"
    assert approver_emails(medium) == [[("approver@acme.test", "pending")]]
    assert approver_emails(large) == [[("approver@acme.test", "pending")], [("admin@acme.test", "queued")]]


def test_a_cancelled_requisition_leaves_the_inbox_and_cannot_be_approved(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assignment = pending(req, "alan@acme.test")
    signed_in(world.rita).post(f"/requisitions/{req.pk}/cancel/", {"reason": "Not needed", "confirm": "on"})
    assert status(req) == "cancelled"
    assert "REQ-" not in signed_in(world.alan).get("/approvals/").content.decode()
    answer = decide(world.alan, assignment)
    assert answer.status_code == 409
    assert ApprovalDecision.objects.count() == 0
    assert ApprovalRequest.objects.get(requisition=req).status == "withdrawn"
    assert PurchaseOrder.objects.count() == 0


def test_pages_render_for_the_people_who_use_them(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assignment = pending(req, "alan@acme.test")
    alan, ada = signed_in(world.alan), signed_in(world.ada)
    detail = alan.get(f"/approvals/{assignment.pk}/").content.decode()
    assert "Your decision" in detail and "Ergonomic chair" in detail
    assert "Round 1 — Waiting for approval" in alan.get(f"/approvals/requisitions/{req.pk}/").content.decode()
    for path in (
        "/approvals/policy/",
        "/approvals/policy/new/",
        "/approvals/budgets/",
        "/approvals/delegations/",
        "/approvals/tokens/",
    ):
        assert ada.get(path).status_code == 200, path
    assert alan.get("/approvals/policy/").status_code == 403
    assert signed_in(world.bob).get(f"/approvals/{assignment.pk}/").status_code == 403
