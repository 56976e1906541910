"""In Chromium: the approval rule editor shows only the fields of the chosen kind of approver, and the
fields of other kinds, hidden, post nothing; the editor, the inbox with “Reject selected” and a rejected
requisition with its notice and “Copy into a new draft” pass axe."""

from __future__ import annotations

from typing import Any

import pytest

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRuleApprover
from tests.accessibility import serious_violations
from tests.browser import signed_in_page
from tests.buyer.approval_world import build_world, requisition, rule, signed_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_choosing_the_approver_kind_shows_only_its_fields(live_server: Any, chromium: Any) -> None:
    world = build_world()
    world.ada.set_password("admin-password-1")
    world.ada.save()

    page = signed_in_page(chromium, live_server.url, world.ada.email, "admin-password-1")
    page.goto(f"{live_server.url}/approvals/policy/new/")
    step = page.locator("[data-reveal-scope]").first

    def shown() -> list[str]:
        return [
            fieldset.get_attribute("data-reveal-when") or ""
            for fieldset in step.locator("fieldset[data-reveal-when]").all()
            if fieldset.is_visible()
        ]

    kind = step.locator("select[data-reveal]")
    assert shown() == []  # no kind chosen yet
    kind.select_option("role")
    assert shown() == ["role"]
    step.get_by_label("Role").select_option("approver")
    kind.select_option("user")
    assert shown() == ["user"]
    kind.select_option("manager")
    assert shown() == ["manager"]
    step.get_by_label("Manager levels").fill("2")
    kind.select_option("cost_center_owner")
    assert shown() == []
    kind.select_option("manager")
    page.locator("#id_name").fill("Managers")
    with page.expect_navigation():
        page.get_by_role("button", name="Save rule").click()
    # The role chosen on the way was in a hidden, disabled fieldset: it was not posted.
    approver = ApprovalRuleApprover.objects.get()
    assert (approver.kind, approver.levels, approver.role, approver.user_id) == ("manager", 2, "", None)
    page.context.close()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_approval_pages_have_no_serious_accessibility_violation(
    live_server: Any, chromium: Any, locale: str
) -> None:
    world = build_world()
    rule("r", {"users": [world.alan]})
    submit(world, requisition(world))
    rejected = requisition(world)
    submit(world, rejected)
    signed_in(world.alan).post(
        "/approvals/reject-selected/",
        {
            "assignment": [ApprovalAssignment.objects.get(step__request__requisition=rejected).pk],
            "reason": "No",
        },
    )
    for person in (world.ada, world.alan, world.rita):
        person.set_password("a-password-1")
        person.save()
    found: dict[str, list[str]] = {}
    admin = signed_in_page(
        chromium, live_server.url, world.ada.email, "a-password-1", bypass_csp=True, locale=locale
    )
    admin.goto(f"{live_server.url}/approvals/policy/new/")
    found["rule editor"] = serious_violations(admin)
    admin.locator("select[data-reveal]").first.select_option("user")
    found["rule editor, named person"] = serious_violations(admin)
    admin.context.close()
    approver = signed_in_page(
        chromium, live_server.url, world.alan.email, "a-password-1", bypass_csp=True, locale=locale
    )
    approver.goto(f"{live_server.url}/approvals/")
    assert approver.locator("button[formaction]").count() == 1
    found["inbox"] = serious_violations(approver)
    approver.context.close()
    requester = signed_in_page(
        chromium, live_server.url, world.rita.email, "a-password-1", bypass_csp=True, locale=locale
    )
    requester.goto(f"{live_server.url}/requisitions/{rejected.pk}/")
    assert requester.locator("#decision-reason").count() == 1
    assert requester.locator("#copy-form button").count() == 1
    found["rejected requisition"] = serious_violations(requester)
    requester.context.close()
    assert {key: value for key, value in found.items() if value} == {}
