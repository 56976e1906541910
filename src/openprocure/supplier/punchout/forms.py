"""Forms of PunchOut sessions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from openprocure.core.tunables import tunable


def _cap_quantity(field: forms.Field) -> None:
    """Bound a quantity field by ``PUNCHOUT_MAX_LINE_QUANTITY``, read when the form is made."""
    limit = int(tunable("PUNCHOUT_MAX_LINE_QUANTITY"))
    assert isinstance(field, forms.IntegerField)
    field.max_value = limit
    field.validators.append(MaxValueValidator(limit))
    field.widget.attrs["max"] = str(limit)


class WelcomeForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)


class AddToCartForm(forms.Form):
    asin = forms.CharField(max_length=10)
    quantity = forms.IntegerField(min_value=1, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_quantity(self.fields["quantity"])


class UpdateLineForm(forms.Form):
    """A cart line's new quantity; 0 removes the line (the "Remove" button posts 0)."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=0,
        error_messages={
            "required": _("Enter a quantity (0 removes the line)."),
            "invalid": _("Enter a whole number (0 removes the line)."),
            "min_value": _("A quantity cannot be negative (0 removes the line)."),
            "max_value": _("At most %(limit_value)s of one item per line."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_quantity(self.fields["quantity"])
