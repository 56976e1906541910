"""Shared by the recurring requisition tests: a weekly schedule made through the service."""

from __future__ import annotations

from datetime import date

from openprocure.buyer.recurring import services
from openprocure.buyer.recurring.choices import Period, Weekday
from openprocure.buyer.recurring.models import RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User


def weekly(source: Requisition, actor: User, *, starts_on: date, ends_on: date) -> RecurringSchedule:
    return services.create_schedule(
        requisition=source,
        actor=actor,
        period=Period.WEEKS,
        every=1,
        weekday=Weekday.MONDAY,
        starts_on=starts_on,
        ends_on=ends_on,
    )
