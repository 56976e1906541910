"""The filter of the schedules list (``?status=``), declared as a django-filter ``FilterSet``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.recurring.choices import ScheduleStatus
from openprocure.buyer.recurring.models import RecurringSchedule


class ScheduleFilter(django_filters.FilterSet):
    """``?status=``: the schedules in one status (all when empty)."""

    status = django_filters.ChoiceFilter(
        choices=ScheduleStatus.choices, label=_("Status"), empty_label=_("All")
    )

    class Meta:
        model = RecurringSchedule
        fields: list[str] = []
