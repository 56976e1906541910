"""In Chromium: the approval rule editor shows only the fields of the chosen kind of approver, and the
fields of other kinds, hidden, post nothing."""

from __future__ import annotations

from typing import Any

import pytest

from openprocure.buyer.approvals.models import ApprovalRuleApprover
from tests.browser import signed_in_page
from tests.buyer.approval_world import build_world

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
