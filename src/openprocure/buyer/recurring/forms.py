"""Forms of recurring requisitions: the schedule, and the button that skips the next occurrence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.recurring.choices import Period
from openprocure.core.choices import Weekday


class ScheduleForm(forms.Form):
    """Every N weeks or months, on a weekday, from a date until a date."""

    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=52, initial=1)
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, initial=Period.MONTHS)
    weekday = forms.TypedChoiceField(
        label=_("On"), choices=Weekday.choices, coerce=int, initial=Weekday.MONDAY
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date comes before the start date."))
        return data


class SkipForm(forms.Form):
    """“Skip the next one”: the button carries nothing but itself (the schedule is in the URL)."""


class ScheduleActionForm(forms.Form):
    """Pause, resume, cancel or undo a skip: the button carries only the page to come back to."""

    back = forms.ChoiceField(choices=[("detail", "detail"), ("list", "list")], required=False)
