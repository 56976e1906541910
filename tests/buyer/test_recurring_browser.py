"""In Chromium: the requester makes an ordered requisition recur from its page and reads the next
occurrence's date in their language (English and French)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from openprocure.buyer.recurring.models import RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SEEN = {
    "en-GB": (
        "Repeat on a schedule",
        "Make it recur",
        "5 Feb 2027",
        "Every month, on the first Friday from the start's day",
    ),
    "fr-FR": (
        "Renouveler selon un calendrier",
        "Renouveler",
        "5 février 2027",
        "Chaque mois, le premier vendredi à partir du jour de début",
    ),
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_requester_makes_a_requisition_recur_and_reads_the_next_date_in_their_language(
    live_server: Any, chromium: Any, approved: Requisition, rita: User, locale: str
) -> None:
    link, button, next_on, rule = SEEN[locale]
    page = signed_in_page(chromium, live_server.url, rita.email, locale=locale)
    page.goto(f"{live_server.url}/requisitions/{approved.pk}/")
    with page.expect_navigation(url=f"{live_server.url}/recurring/from/{approved.pk}/"):
        page.get_by_role("link", name=link).click()
    page.fill("#id_every", "1")
    page.select_option("#id_period", "months")
    page.select_option("#id_weekday", "4")  # Friday
    page.fill("#id_starts_on", "2027-01-31")
    page.fill("#id_ends_on", "2027-06-30")
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    schedule = RecurringSchedule.objects.get(source=approved)
    assert page.url == f"{live_server.url}/recurring/{schedule.pk}/"
    assert schedule.next_on == date(2027, 2, 5)
    assert page.locator("#next-on").inner_text() == next_on
    assert page.locator("#rule").inner_text() == rule
