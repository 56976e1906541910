"""Forms of fulfilment pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openprocure.core.links import web_url


def validate_web_url(value: str) -> None:
    """Refuse any link that is not http(s): it is shown to the buyer as a link to click."""
    if value and web_url(value) is None:
        raise ValidationError(
            _("Enter a web address that starts with http:// or https://, or leave the link empty."),
            code="not_web_url",
        )


class ShipmentDetailsForm(forms.Form):
    """Carrier and tracking of a shipment (the quantities per line are read beside it)."""

    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)
    # A CharField, not a URLField: URLField would add "http://" in front of "javascript:…" and
    # accept ftp; the one rule is the validator's.
    tracking_url = forms.CharField(
        label=_("Tracking link"), max_length=500, required=False, validators=[validate_web_url]
    )
