"""Forms of the supplier portal: one field per order line, added in ``__init__`` (``<name>_<line>``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.purchasing.models import PurchaseOrderLine
from openprocure.core.tunables import tunable

ANSWERS = [("accept", _("Accept")), ("reject", _("Reject"))]


def _quantity(
    label: Any, *, maximum: Decimal | None = None, initial: Decimal | None = None
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=maximum,
        max_digits=18,
        decimal_places=4,
        initial=initial,
        required=False,
    )


class ConfirmForm(forms.Form):
    """Accept or reject each line; an accepted line may propose another quantity or delivery date."""

    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)

    def __init__(self, *args: Any, lines: list[PurchaseOrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if not line.is_cancelled]
        for line in self.lines:
            n = line.line_number
            self.fields[f"answer_{n}"] = forms.ChoiceField(
                label=_("Line %(n)s") % {"n": n}, choices=ANSWERS, initial="accept"
            )
            self.fields[f"qty_{n}"] = _quantity(
                _("Quantity you will deliver"), maximum=Decimal(line.quantity), initial=line.quantity
            )
            self.fields[f"date_{n}"] = forms.DateField(
                label=_("Delivery date"), required=False, initial=line.need_by
            )
            # The table's cells have no <label>: each field names its line for assistive technology.
            for name in ("answer", "qty", "date"):
                field = self.fields[f"{name}_{n}"]
                field.widget.attrs["aria-label"] = _("%(field)s, line %(n)s") % {"field": field.label, "n": n}

    def answers(self) -> dict[int, tuple[str, Decimal, Any]]:
        """Per line number: (accept or reject, quantity, delivery date)."""
        data = self.cleaned_data
        return {
            line.line_number: (
                data[f"answer_{line.line_number}"],
                Decimal(line.quantity)
                if data[f"qty_{line.line_number}"] is None
                else data[f"qty_{line.line_number}"],
                data[f"date_{line.line_number}"],
            )
            for line in self.lines
        }


class _LineQuantitiesForm(forms.Form):
    """A form with a quantity per order line (``qty_<line>``, up to what is open on the line and
    starting at it) that needs a quantity on at least one line."""

    #: The label of a line's quantity (``%(n)s``: the line number).
    quantity_label: Any = ""
    #: The error when no line has a quantity.
    nothing_entered: Any = ""

    def __init__(self, *args: Any, open_quantities: dict[int, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = sorted(open_quantities)
        for n in self.numbers:
            self.fields[f"qty_{n}"] = _quantity(
                self.quantity_label % {"n": n}, maximum=open_quantities[n], initial=open_quantities[n]
            )

    def quantities(self) -> dict[int, Decimal]:
        """Per line number with a quantity: the quantity."""
        return {n: q for n in self.numbers if (q := self.cleaned_data.get(f"qty_{n}"))}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.quantities():
            raise forms.ValidationError(self.nothing_entered)
        return cleaned


class ShipForm(_LineQuantitiesForm):
    """A shipment: carrier, tracking number, and the quantity shipped of each line."""

    quantity_label = _("Line %(n)s shipped")
    nothing_entered = _("Enter the quantity shipped of at least one line.")

    carrier = forms.CharField(label=_("Carrier"), max_length=200)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=200)
    delivery_date = forms.DateField(label=_("Expected delivery"), required=False)


class InvoiceForm(_LineQuantitiesForm):
    """An invoice made from the order: its number, and per line the quantity (up to what shipped)
    and the tax rate."""

    quantity_label = _("Line %(n)s invoiced")
    nothing_entered = _("Enter the quantity invoiced of at least one line.")

    number = forms.CharField(label=_("Invoice number"), max_length=50)
    invoice_date = forms.DateField(label=_("Invoice date"))

    def __init__(self, *args: Any, invoiceable: dict[int, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, open_quantities=invoiceable, **kwargs)
        for n in self.numbers:
            self.fields[f"tax_{n}"] = forms.DecimalField(
                label=_("Tax rate (%%) of line %(n)s") % {"n": n},
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=6,
                decimal_places=3,
                initial=Decimal(0),
            )

    def lines(self) -> dict[int, tuple[Decimal, Decimal]]:
        """Per line number invoiced: (quantity, tax rate in percent)."""
        data = self.cleaned_data
        return {n: (data[f"qty_{n}"], data[f"tax_{n}"]) for n in self.numbers if data.get(f"qty_{n}")}


class UploadForm(forms.Form):
    """An e-invoice file (Factur-X PDF, UBL or CII XML) for the order."""

    file = forms.FileField(label=_("Invoice file (Factur-X, UBL or CII)"))

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size and file.size > tunable("INVOICING_MAX_UPLOAD_BYTES"):
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return file


class AccountForm(SetPasswordForm):
    """The password of a new supplier account (twice), checked by the site's password validators
    against the account's e-mail address (the unsaved user passed in)."""
