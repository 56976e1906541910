"""The form of a “Shop” button: which session to open, and for which requisition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.punchout.choices import SessionOperation
from openprocure.core.forms import labelled_errors


class LaunchForm(forms.Form):
    """Create a cart (the default), or edit or inspect the lines of one of my requisitions."""

    operation = forms.TypedChoiceField(
        label=_("Operation"),
        choices=SessionOperation.choices,
        required=False,
        empty_value=SessionOperation.CREATE,
    )
    requisition = forms.IntegerField(
        label=_("Requisition"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": _("The requisition to shop for is not one of yours.")},
    )

    def error_text(self) -> str:
        return " ".join(labelled_errors(self))
