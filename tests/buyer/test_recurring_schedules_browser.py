"""In Chromium: the requester skips the next occurrence, undoes it, and pauses the schedule from the
"My schedules" page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from openprocure.buyer.recurring import services
from openprocure.buyer.recurring.choices import Period, ScheduleStatus, Weekday
from openprocure.buyer.recurring.models import RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_skip_undo_and_pause_from_my_schedules(
    live_server: Any, chromium: Any, approved: Requisition, rita: User
) -> None:
    schedule = services.create_schedule(
        requisition=approved,
        actor=rita,
        period=Period.WEEKS,
        every=1,
        weekday=Weekday.MONDAY,
        starts_on=date(2099, 2, 2),
        ends_on=date(2099, 6, 29),
    )
    page = signed_in_page(chromium, live_server.url, rita.email, locale="en-GB")
    page.goto(f"{live_server.url}/")
    with page.expect_navigation(url=f"{live_server.url}/recurring/"):
        page.get_by_role("link", name="My schedules").click()
    row = page.locator(f"#schedule-{schedule.pk}")
    assert row.locator("td").nth(2).inner_text() == "2 Feb 2099"

    with page.expect_navigation(url=f"{live_server.url}/recurring/{schedule.pk}/"):
        row.get_by_role("link", name=approved.number).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Skip the next one").click()
    assert page.locator("#next-on").inner_text() == "9 Feb 2099"
    with page.expect_navigation():
        page.get_by_role("button", name="Undo the skip of 2 Feb 2099").click()
    assert page.locator("#next-on").inner_text() == "2 Feb 2099"
    assert page.get_by_role("button", name="Undo the skip of 2 Feb 2099").count() == 0

    page.goto(f"{live_server.url}/recurring/")
    with page.expect_navigation(url=f"{live_server.url}/recurring/"):
        page.locator(f"#schedule-{schedule.pk}").get_by_role("button", name="Pause").click()
    assert page.locator(f"#schedule-{schedule.pk} td").nth(4).inner_text() == "Paused"
    assert RecurringSchedule.objects.get(pk=schedule.pk).status == ScheduleStatus.PAUSED
    assert page.locator(f"#schedule-{schedule.pk}").get_by_role("button", name="Resume").count() == 1
