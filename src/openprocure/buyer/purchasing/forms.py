"""Forms of a purchase order's actions: a change order (lower quantities, cancel lines) and a cancellation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

REASON_MAX = 2000


class ChangeOrderForm(forms.Form):
    """New quantities per order line (``qty_<line number>``; empty leaves the line, 0 cancels it)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)

    def __init__(self, *args: Any, line_numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_numbers = line_numbers
        for number in line_numbers:
            self.fields[f"qty_{number}"] = forms.DecimalField(
                label=_("Line %(number)s") % {"number": number},
                required=False,
                max_digits=18,
                decimal_places=4,
                error_messages={"invalid": _("Quantities must be numbers such as 3 or 2.5.")},
            )

    def quantities(self) -> dict[int, Decimal]:
        """The lines given a quantity (call after ``is_valid()``)."""
        return {
            number: self.cleaned_data[f"qty_{number}"]
            for number in self.line_numbers
            if self.cleaned_data[f"qty_{number}"] is not None
        }


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)


class CloseOrderForm(forms.Form):
    """Close a partly received order: what was not received is no longer expected."""

    confirm = forms.BooleanField(
        label=_("Nothing more is expected of this order"),
        error_messages={"required": _("Tick the box to confirm that nothing more is expected.")},
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)


class ReorderForm(forms.Form):
    """“Reorder”: the button carries nothing but itself (the order is in the URL)."""
