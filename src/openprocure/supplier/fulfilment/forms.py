"""Forms of fulfilment pages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openprocure.core.links import web_url
from openprocure.supplier.fulfilment.models import InvoiceLine
from openprocure.supplier.orders.models import OrderLine


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


#: The most items one line may ship or come back in one go (far above any real order).
MOST_ITEMS = 1_000_000_000


class LineQuantitiesForm(forms.Form):
    """A whole number of items per order line (``line-<id>``; empty is none), and why (returns).

    A negative number is left to the service, which says which line and why. ``shown-<id>`` (hidden)
    is the quantity the page showed as left for the line, so a form posted twice, or after someone
    else's change, is refused by the service instead of acting twice.
    """

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, lines: Iterable[OrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"line-{line.pk}"] = forms.IntegerField(
                label=_("Line %(number)s") % {"number": line.line_number},
                required=False,
                min_value=-MOST_ITEMS,
                max_value=MOST_ITEMS,
                error_messages={"invalid": _("Enter whole numbers of items.")},
            )
            self.fields[f"shown-{line.pk}"] = forms.IntegerField(
                required=False, min_value=0, max_value=MOST_ITEMS, widget=forms.HiddenInput
            )

    def quantity(self, line: OrderLine) -> int:
        return int(self.cleaned_data[f"line-{line.pk}"] or 0)

    def shown(self) -> dict[int, int]:
        """``{line id: quantity left as the page showed it}`` of the lines whose page said it."""
        return {
            line.pk: int(self.cleaned_data[f"shown-{line.pk}"])
            for line in self.lines
            if self.cleaned_data.get(f"shown-{line.pk}") is not None
        }

    def typed(self, line: OrderLine) -> Any:
        """What was typed for ``line`` (None on a form not posted)."""
        return self[f"line-{line.pk}"].value() if self.is_bound else None

    def messages(self) -> list[str]:
        """Each error with its field's label, for the page's messages."""
        return [
            f"{self.fields[name].label}: {error}" for name, errors in self.errors.items() for error in errors
        ]


class ReturnRequestRefForm(forms.Form):
    """The buyer's return request a recorded return answers (a hidden field of the return page)."""

    request = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def request_id(self) -> int:
        return int(self.cleaned_data["request"] or 0) if self.is_valid() else 0


class DeclineReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why decline"), required=False, max_length=500)


class RecordIdsField(forms.Field):
    """Ids of records posted under one name (hidden fields); each must be one a database id can be."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        texts = [str(item).strip() for item in values]
        if any(not (text.isdigit() and 0 < int(text) < 2**63) for text in texts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(text) for text in texts]


class ShipTogetherForm(forms.Form):
    """Several orders to one address in one shipment; carrier and tracking are checked by the service."""

    order = RecordIdsField(
        label=_("Orders"),
        required=False,
        error_messages={"invalid": _("Enter whole numbers of items.")},
    )
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=100)


class CorrectiveInvoiceForm(forms.Form):
    """A corrective invoice: each line of the original with its quantity and unit price as they
    should have been (``quantity-<id>``, ``price-<id>``, prefilled with the original's), and what was
    wrong."""

    reason = forms.CharField(label=_("What was wrong"), max_length=500)

    def __init__(self, *args: Any, lines: Iterable[InvoiceLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            number = line.invoice_line_number
            self.fields[f"quantity-{line.pk}"] = forms.IntegerField(
                label=_("Line %(number)s: quantity") % {"number": number},
                min_value=0,
                max_value=MOST_ITEMS,
                initial=line.quantity,
                error_messages={"invalid": _("Enter whole numbers of items.")},
            )
            self.fields[f"price-{line.pk}"] = forms.DecimalField(
                label=_("Line %(number)s: unit price") % {"number": number},
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=4,
                initial=Decimal(line.unit_price).normalize(),
            )

    def rows(self) -> list[tuple[InvoiceLine, forms.BoundField, forms.BoundField]]:
        """Each original line with its quantity and price fields, for the page."""
        return [(line, self[f"quantity-{line.pk}"], self[f"price-{line.pk}"]) for line in self.lines]

    def corrected(self) -> list[tuple[int, int, Decimal]]:
        """(invoice line id, quantity, unit price) of each line of a valid form."""
        return [
            (line.pk, int(self.cleaned_data[f"quantity-{line.pk}"]), self.cleaned_data[f"price-{line.pk}"])
            for line in self.lines
        ]
