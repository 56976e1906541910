"""Forms of PunchOut sessions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.supplier.punchout import defaults


class WelcomeForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)


class AddToCartForm(forms.Form):
    asin = forms.CharField(max_length=10)
    quantity = forms.IntegerField(min_value=1, max_value=defaults.MAX_LINE_QUANTITY, initial=1)


class UpdateLineForm(forms.Form):
    """A cart line's new quantity; 0 removes the line (the "Remove" button posts 0)."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=0,
        max_value=defaults.MAX_LINE_QUANTITY,
        error_messages={
            "required": _("Enter a quantity (0 removes the line)."),
            "invalid": _("Enter a whole number (0 removes the line)."),
            "min_value": _("A quantity cannot be negative (0 removes the line)."),
            "max_value": _("At most %(limit_value)s of one item per line."),
        },
    )
