"""Spending limits: a requisition above its requester's limit is never approved on its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprocure.buyer.approvals.models import ApprovalRule, ApprovalStep
from openprocure.buyer.organization.models import SpendingLimit, UserProfile
from openprocure.buyer.organization.services import set_profile, spending_limit_for
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User
from tests.buyer.test_approvals_helpers import (
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
        "Above the requester's spending limit of 1000.00 EUR",
        None,
    )
    assert PurchaseOrder.objects.count() == 0
    signed_in(world.mona).post(f"/approvals/{step.assignments.get().pk}/", {"decision": "approve"})
    assert status(req) == "ordered"


def test_preview_names_the_limit_step_before_submit(world) -> None:
    req = requisition(world, price="1200.00")
    page = signed_in(world.rita).get(f"/approvals/requisitions/{req.pk}/preview/").content.decode()
    assert "Above the requester&#x27;s spending limit of 1000.00 EUR" in page
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
        "Nobody can approve step “Above the requester's spending limit of 1000.00 EUR”: the policy names "
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
        "Above the requester's spending limit of 1000.00 EUR"
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
