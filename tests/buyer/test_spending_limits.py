"""Spending limits: a requisition above its requester's limit is never approved on its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRule, ApprovalStep
from openprocure.buyer.organization.models import SpendingLimit, UserProfile
from openprocure.buyer.organization.services import set_profile, spending_limit_for
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User
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
    world = build_world()
    SpendingLimit.objects.create(company=world.company, role="requester", amount=Decimal("1000.00"))
    return world


def status(req: Requisition) -> str:
    return Requisition.objects.get(pk=req.pk).status


def test_up_to_the_limit_no_rule_means_ordered_at_once(world) -> None:
    req = requisition(world, price="1000.00")
    submit(world, req)
    assert status(req) == "ordered"
    assert PurchaseOrder.objects.filter(requisition=req).count() == 1


def test_above_the_limit_the_requesters_manager_approves(world) -> None:
    req = requisition(world, price="1000.01")
    _, messages = submit(world, req)
    assert messages == [f"Requisition {req.number} submitted for approval."]
    assert status(req) == "submitted"
    assert approver_emails(req) == [[("mona@acme.test", "pending")]]
    step = ApprovalStep.objects.get(request__requisition=req)
    assert (step.name, step.rule_id_at_submit) == (
        "Above the requester's spending limit of 1,000.00\xa0EUR",
        None,
    )
    assert PurchaseOrder.objects.count() == 0
    signed_in(world.mona).post(f"/approvals/{step.assignments.get().pk}/", {"decision": "approve"})
    assert status(req) == "ordered"


def test_preview_names_the_limit_step_before_submit(world) -> None:
    req = requisition(world, price="1200.00")
    page = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/preview/").content.decode()
    assert "Above the requester&#x27;s spending limit of 1,000.00\xa0EUR" in page
    assert '<li class="approver">mona@acme.test' in page


def test_without_a_manager_the_procurement_administrators_approve(world) -> None:
    UserProfile.objects.filter(user=world.rita).update(manager=None)
    req = requisition(world, price="1500.00")
    submit(world, req)
    assert approver_emails(req) == [[("ada@acme.test", "pending")]]


def test_when_nobody_else_can_approve_submission_is_refused(world) -> None:
    UserProfile.objects.filter(user=world.rita).update(manager=None)
    UserProfile.objects.filter(user=world.ada).delete()
    req = requisition(world, price="1500.00")
    _, messages = submit(world, req)
    assert messages == [
        "Nobody can approve step “Above the requester's spending limit of 1,000.00\xa0EUR”: the policy names "
        "no one other than you. Ask your procurement administrator."
    ]
    assert status(req) == "draft"


def test_a_policy_that_already_asks_someone_adds_no_step(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world, price="5000.00")
    submit(world, req)
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]


@pytest.mark.parametrize(
    ("label", "own", "roles", "expected"),
    [
        ("own limit wins over the roles'", Decimal("300.00"), ["requester", "approver"], Decimal("300.00")),
        ("highest among the roles", None, ["requester", "approver"], Decimal("5000.00")),
        ("one role", None, ["requester"], Decimal("1000.00")),
        ("no limit for the role", None, ["ap_clerk"], None),
    ],
)
def test_the_limit_that_applies(world, label, own, roles, expected) -> None:
    SpendingLimit.objects.create(company=world.company, role="approver", amount=Decimal("5000.00"))
    if own is not None:
        SpendingLimit.objects.create(company=world.company, user=world.rita, amount=own)
    set_profile(user=world.rita, company=world.company, roles=roles, manager=world.mona)
    found = spending_limit_for(user=world.rita)
    assert found == (None if expected is None else (expected, "EUR"))


def test_another_companys_role_limit_does_not_apply(world) -> None:
    from openprocure.buyer.organization.models import Company

    other = Company.objects.create(name="Other Co")
    SpendingLimit.objects.filter(company=world.company).delete()
    SpendingLimit.objects.create(company=other, role="requester", amount=Decimal("10.00"))
    assert spending_limit_for(user=world.rita) is None


def test_submit_selected_routes_only_the_one_above_the_limit(world) -> None:
    within, above = requisition(world, price="999.99"), requisition(world, price="1000.01")
    signed_in(world.rita).post("/requisitions/submit-selected/", {"requisition": [within.pk, above.pk]})
    assert (status(within), status(above)) == ("ordered", "submitted")
    assert approver_emails(above) == [[("mona@acme.test", "pending")]]
    assert ApprovalStep.objects.get(request__requisition=above).name == (
        "Above the requester's spending limit of 1,000.00\xa0EUR"
    )


# -- people who left ------------------------------------------------------------------------------
def test_a_manager_who_left_is_passed_over_for_their_own_manager(world) -> None:
    User.objects.filter(pk=world.mona.pk).update(is_active=False)
    req = requisition(world, price="1000.01")
    submit(world, req)
    assert approver_emails(req) == [[("dirk@acme.test", "pending")]]


def test_a_cost_center_owner_or_a_named_approver_who_left_is_nobody_to_ask(world) -> None:
    rule("Owner", {"kind": "cost_center_owner", "name": "Cost-center owner"})
    User.objects.filter(pk=world.olga.pk).update(is_active=False)
    req = requisition(world, price="50.00")
    _, messages = submit(world, req)
    assert messages == [
        "Nobody can approve step “Cost-center owner”: the policy names no one other than you. "
        "Ask your procurement administrator."
    ]
    assert status(req) == "draft"
    ApprovalRule.objects.all().delete()
    rule("Named", {"users": [world.alan], "name": "Alan"})
    User.objects.filter(pk=world.alan.pk).update(is_active=False)
    _, messages = submit(world, req)
    assert messages == [
        "Nobody can approve step “Alan”: the policy names no one other than you. "
        "Ask your procurement administrator."
    ]
    User.objects.filter(pk=world.alan.pk).update(is_active=True)
    submit(world, req)
    assert approver_emails(req) == [[("alan@acme.test", "pending")]]


# -- an approver's own limit ----------------------------------------------------------------------
def _decide(person, req, email: str, decision: str = "approve", comment: str = ""):
    from django.contrib.messages import get_messages

    assignment = ApprovalAssignment.objects.get(
        step__request__requisition=req, approver__email=email, status="pending"
    )
    answer = signed_in(person).post(
        f"/approvals/{assignment.pk}/", {"decision": decision, "comment": comment}
    )
    return [str(m) for m in get_messages(answer.wsgi_request)]


def test_an_approval_above_the_approvers_limit_is_referred_to_their_manager(world) -> None:
    rule("r", {"users": [world.mona], "name": "Manager"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("2000.00"))
    req = requisition(world, price="2500.00")
    submit(world, req)
    assert _decide(world.mona, req, "mona@acme.test") == [
        f"{req.number} is above your spending limit of 2,000.00\xa0EUR: your approval is recorded, "
        "and dirk@acme.test now decide in your place."
    ]
    assert status(req) == "submitted"
    assert approver_emails(req) == [[("mona@acme.test", "referred"), ("dirk@acme.test", "pending")]]
    assert ApprovalAssignment.objects.get(approver=world.dirk).source == f"limit:{world.mona.pk}"
    history = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/").content.decode()
    assert "Approved above their limit: referred up" in history
    assert _decide(world.dirk, req, "dirk@acme.test") == [f"Your decision on {req.number} was recorded."]
    assert status(req) == "ordered"


def test_a_referral_goes_on_up_until_someone_may_approve_and_to_the_administrators_at_the_top(
    world,
) -> None:
    rule("r", {"users": [world.mona], "name": "Manager"})
    for person in (world.mona, world.dirk, world.ceo):
        SpendingLimit.objects.create(company=world.company, user=person, amount=Decimal("2000.00"))
    req = requisition(world, price="9000.00")
    submit(world, req)
    _decide(world.mona, req, "mona@acme.test")
    _decide(world.dirk, req, "dirk@acme.test")
    assert _decide(world.ceo, req, "ceo@acme.test") == [
        f"{req.number} is above your spending limit of 2,000.00\xa0EUR: your approval is recorded, "
        "and ada@acme.test now decide in your place."
    ]
    assert approver_emails(req) == [
        [
            ("mona@acme.test", "referred"),
            ("dirk@acme.test", "referred"),
            ("ceo@acme.test", "referred"),
            ("ada@acme.test", "pending"),
        ]
    ]
    _decide(world.ada, req, "ada@acme.test")  # no limit
    assert status(req) == "ordered"


def test_a_rejection_is_never_referred_and_nobody_above_means_the_approval_stands(world) -> None:
    rule("r", {"users": [world.alan], "name": "Finance"})
    SpendingLimit.objects.create(company=world.company, user=world.alan, amount=Decimal("100.00"))
    req = requisition(world, price="600.00")
    submit(world, req)
    _decide(world.alan, req, "alan@acme.test", "reject", "Too expensive")
    assert status(req) == "rejected"
    # Alan has no manager and the only administrator left: his approval stands.
    User.objects.filter(pk=world.ada.pk).update(is_active=False)
    other = requisition(world, price="600.00")
    submit(world, other)
    assert _decide(world.alan, other, "alan@acme.test") == [f"Your decision on {other.number} was recorded."]
    assert status(other) == "ordered"


def test_in_a_serial_step_the_referral_stands_for_the_approver_and_the_next_one_is_asked(world) -> None:
    rule("r", {"users": [world.mona, world.bob], "mode": "serial", "name": "Both"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("1000.00"))
    req = requisition(world, price="1500.00")
    submit(world, req)
    _decide(world.mona, req, "mona@acme.test")
    _decide(world.dirk, req, "dirk@acme.test")
    assert status(req) == "submitted"
    assert approver_emails(req) == [
        [("mona@acme.test", "referred"), ("dirk@acme.test", "approved"), ("bob@acme.test", "pending")]
    ]
    _decide(world.bob, req, "bob@acme.test")
    assert status(req) == "ordered"


def test_a_limit_in_another_currency_without_a_rate_counts_as_exceeded(world, settings) -> None:
    rule("r", {"users": [world.mona], "name": "Manager"})
    SpendingLimit.objects.create(
        company=world.company, user=world.mona, amount=Decimal("1000000"), currency="JPY"
    )
    req = requisition(world, price="10.00")
    submit(world, req)
    _decide(world.mona, req, "mona@acme.test")
    assert approver_emails(req) == [[("mona@acme.test", "referred"), ("dirk@acme.test", "pending")]]


def test_approve_selected_refers_only_what_is_above_the_limit(world) -> None:
    from django.contrib.messages import get_messages

    rule("r", {"users": [world.mona], "name": "Manager"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("2000.00"))
    within, above = requisition(world, price="1999.00"), requisition(world, price="2000.01")
    for req in (within, above):
        submit(world, req)
    ids = list(
        ApprovalAssignment.objects.filter(approver=world.mona, status="pending").values_list("pk", flat=True)
    )
    answer = signed_in(world.mona).post("/approvals/approve-selected/", {"assignment": ids})
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        f"1 approved. 1 above your spending limit, referred to someone above you: {above.number}."
    ]
    assert (status(within), status(above)) == ("ordered", "submitted")
    assert approver_emails(above) == [[("mona@acme.test", "referred"), ("dirk@acme.test", "pending")]]


def test_an_email_link_approval_above_the_limit_says_who_decides_now(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    import re

    from django.core import mail

    settings.PUBLIC_URL = "https://buy.acme.test"
    rule("r", {"users": [world.mona], "name": "Manager"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("2000.00"))
    req = requisition(world, price="2500.00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, req)
    path = re.search(r"Approve now \(single use\): https://buy\.acme\.test(\S+)", mail.outbox[0].body)[1]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = signed_in(world.mona).post(path, {"comment": ""}).content.decode()  # the addressee
    assert (
        f"{req.number} is above your spending limit of 2,000.00\xa0EUR: your approval is recorded, "
        "and dirk@acme.test now decide in your place."
    ) in page
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["dirk@acme.test"], f"Approval needed for {req.number}")
    ]


def test_the_api_says_who_decides_in_place_of_an_approver_above_their_limit(world) -> None:
    from django.test import Client

    rule("r", {"users": [world.mona], "name": "Manager"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("2000.00"))
    req = requisition(world, price="2500.00")
    submit(world, req)
    page = signed_in(world.mona).post("/approvals/tokens/", {"name": "cli"}).content.decode()
    token = page.split('<code class="token">')[1].split("</code>")[0]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    [waiting] = api.get("/api/approvals/").json()
    answer = api.post(f"/api/approvals/{waiting['id']}/approve", {}, content_type="application/json")
    assert answer.json() == {
        "request_status": "pending",
        "step_completed": False,
        "referred_to": ["dirk@acme.test"],
    }


# -- someone who leaves with approvals waiting ------------------------------------------------------
def _stop_signing_in(world, person) -> list[str]:
    """Ada, the procurement administrator, unticks "May sign in" for ``person`` on the People page."""
    from django.contrib.messages import get_messages

    profile = UserProfile.objects.prefetch_related("roles").get(user=person)
    answer = signed_in(world.ada).post(
        f"/organization/people/{person.pk}/",
        {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "roles": sorted(profile.role_codes()),
            "manager": profile.manager_id or "",
            "department": profile.department_id or "",
            "limit_currency": "EUR",
        },
    )
    assert answer.status_code == 302
    return [str(m) for m in get_messages(answer.wsgi_request)]


def test_approvals_waiting_for_someone_who_left_go_to_their_manager(world) -> None:
    rule("r", {"users": [world.mona], "name": "Manager"})
    req = requisition(world, price="600.00")
    submit(world, req)
    assert _stop_signing_in(world, world.mona) == [
        "mona@acme.test saved.",
        "1 approval waiting for mona@acme.test was handed to their manager or to you.",
    ]
    assert approver_emails(req) == [[("mona@acme.test", "reassigned"), ("dirk@acme.test", "pending")]]
    _decide(world.dirk, req, "dirk@acme.test")
    assert status(req) == "ordered"


def test_a_queued_turn_is_taken_over_and_without_a_manager_the_administrator_takes_it(world) -> None:
    rule("r", {"users": [world.alan, world.mona], "mode": "serial", "name": "Both"})
    req = requisition(world, price="600.00")
    submit(world, req)
    _stop_signing_in(world, world.mona)
    assert approver_emails(req) == [[("alan@acme.test", "pending"), ("dirk@acme.test", "queued")]]
    # Alan has no manager: the administrator who stopped him takes his approval.
    assert _stop_signing_in(world, world.alan)[1] == (
        "1 approval waiting for alan@acme.test was handed to their manager or to you."
    )
    assert approver_emails(req) == [
        [("alan@acme.test", "reassigned"), ("ada@acme.test", "pending"), ("dirk@acme.test", "queued")]
    ]
    _decide(world.ada, req, "ada@acme.test")
    assert approver_emails(req)[0][1:] == [("ada@acme.test", "approved"), ("dirk@acme.test", "pending")]


def test_the_preview_says_whose_approval_will_go_up(world) -> None:
    rule("r", {"users": [world.mona, world.alan], "name": "Both"})
    SpendingLimit.objects.create(company=world.company, user=world.mona, amount=Decimal("2000.00"))
    req = requisition(world, price="2500.00")
    page = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/preview/").content.decode()
    assert (
        '<li class="approver">mona@acme.test <span class="muted">(named in the policy)</span> '
        '<span class="badge warn">above their spending limit of 2,000.00\xa0EUR: their approval goes up to '
        "their manager</span></li>"
    ) in page
    assert '<li class="approver">alan@acme.test <span class="muted">(named in the policy)</span></li>' in page
