"""Recurring schedule statuses, their table of allowed moves, periods and event kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openprocure.core.choices import Weekday


class ScheduleStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # the worker creates each occurrence when it is due
    PAUSED = "paused", _("Paused")  # no occurrence is made until it is resumed
    ENDED = "ended", _("Ended")  # the next occurrence would fall after the end date; final
    CANCELLED = "cancelled", _("Cancelled")  # stopped by the requester or an administrator; final


S = ScheduleStatus

SCHEDULE_TRANSITIONS: dict[str, set[str]] = {
    S.ACTIVE: {S.PAUSED, S.ENDED, S.CANCELLED},
    S.PAUSED: {S.ACTIVE, S.ENDED, S.CANCELLED},
    S.ENDED: set(),
    S.CANCELLED: set(),
}


class Period(models.TextChoices):
    WEEKS = "weeks", _("Weeks")
    MONTHS = "months", _("Months")


#: A weekday inside a sentence ("Every month, on the first Friday…"): French writes it in lower case.
WEEKDAY_IN_SENTENCE = {
    Weekday.MONDAY: pgettext_lazy("weekday in a sentence", "Monday"),
    Weekday.TUESDAY: pgettext_lazy("weekday in a sentence", "Tuesday"),
    Weekday.WEDNESDAY: pgettext_lazy("weekday in a sentence", "Wednesday"),
    Weekday.THURSDAY: pgettext_lazy("weekday in a sentence", "Thursday"),
    Weekday.FRIDAY: pgettext_lazy("weekday in a sentence", "Friday"),
    Weekday.SATURDAY: pgettext_lazy("weekday in a sentence", "Saturday"),
    Weekday.SUNDAY: pgettext_lazy("weekday in a sentence", "Sunday"),
}


class ScheduleEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    OCCURRED = "occurred", _("Occurrence created")
    SKIPPED = "skipped", _("Occurrence skipped")
    UNSKIPPED = "unskipped", _("Skip undone")
    REQUESTER_NOTIFIED = "requester_notified", _("Requester told")
    STATUS_CHANGED = "status_changed", _("Status changed")
