"""Recurring requisitions: a past requisition bought again on a schedule, one occurrence at a time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.recurring.choices import (
    WEEKDAY_IN_SENTENCE,
    Period,
    ScheduleEventKind,
    ScheduleStatus,
)
from openprocure.core.audit import AuditEvent
from openprocure.core.choices import Weekday
from openprocure.core.status import status_field


class RecurringSchedule(models.Model):
    """A requisition bought again every N weeks or months on a weekday, until a date.

    Occurrence ``k`` (counted from 0, skipped ones included) falls on the first ``weekday`` on or
    after ``starts_on`` moved ``k × every`` weeks or months on; ``next_index`` is the next one to
    make. ``envelope`` is what was approved (the source's lines and total): an occurrence that stays
    within it is approved at once.
    """

    source = models.ForeignKey(
        "requisitions.Requisition",
        verbose_name=_("requisition"),
        on_delete=models.PROTECT,
        related_name="schedules",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    every = models.PositiveSmallIntegerField(_("every"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    next_index = models.PositiveIntegerField(_("next occurrence"), default=0)
    next_on = models.DateField(_("next occurrence on"), null=True, blank=True, db_index=True)
    status = status_field(ScheduleStatus, ScheduleStatus.ACTIVE, db_index=True)
    envelope = models.JSONField(_("approved envelope"), default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["next_on", "id"]
        verbose_name = _("recurring schedule")
        verbose_name_plural = _("recurring schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every__gte=1, every__lte=52), name="schedule_every_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} every {self.every} {self.period}"

    @property
    def weekday_in_sentence(self) -> str:
        """The weekday as written inside a sentence, in the reader's language."""
        return str(WEEKDAY_IN_SENTENCE[Weekday(self.weekday)])


class Occurrence(models.Model):
    """One requisition a schedule created (or the date it skipped)."""

    schedule = models.ForeignKey(RecurringSchedule, on_delete=models.CASCADE, related_name="occurrences")
    index = models.PositiveIntegerField(_("occurrence"))
    due_on = models.DateField(_("due on"))
    requisition = models.OneToOneField(
        "requisitions.Requisition",
        verbose_name=_("requisition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrence",
    )
    skipped = models.BooleanField(_("skipped"), default=False)
    within_envelope = models.BooleanField(_("within the approved envelope"), default=False)

    class Meta:
        ordering = ["schedule", "index"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "index"], name="unique_schedule_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id}#{self.index}"


class ScheduleEvent(AuditEvent):
    """One thing that happened to a schedule: created, an occurrence made or skipped, ended."""

    SUBJECT = "schedule"
    KIND_LABELS = dict(ScheduleEventKind.choices)

    schedule = models.ForeignKey(RecurringSchedule, on_delete=models.CASCADE, related_name="events")
    reason = models.TextField(_("reason"), blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("schedule event")
        verbose_name_plural = _("schedule events")
