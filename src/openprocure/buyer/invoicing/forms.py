"""The tolerance-rule form (procurement administrators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.invoicing.choices import IdentifierScheme
from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.forms import AmountField, DecimalAsTypedField, NumberEntryField
from openprocure.core.lifecycle import REASON_CODES
from openprocure.core.reference import CurrencyField

ZERO = Decimal(0)

#: The rule's percentages and amounts: none may be negative.
AMOUNTS = (
    "quantity_pct",
    "price_pct",
    "price_abs",
    "line_amount_abs",
    "header_amount_abs",
    "tax_abs",
    "max_tax_rate_pct",
    "shipping_max",
)
#: Those of them that are amounts of money (the rule has no currency: they apply in any).
MONEY = ("price_abs", "line_amount_abs", "header_amount_abs", "tax_abs", "shipping_max")
#: Those of them that are percentages.
PERCENTAGES = ("quantity_pct", "price_pct", "max_tax_rate_pct")


class ToleranceRuleForm(forms.ModelForm):
    class Meta:
        model = ToleranceRule
        fields = ["supplier", "unspsc_prefix", "mode", *AMOUNTS, "note"]
        help_texts = {
            "supplier": _("Empty: every supplier."),
            "unspsc_prefix": _("Empty: every category. Otherwise 2 to 8 digits of a UNSPSC code."),
            "price_pct": _("Above the order price by more than the smaller of the two (where both are set)."),
        }
        field_classes = {
            **dict.fromkeys(MONEY, AmountField),
            **dict.fromkeys(PERCENTAGES, DecimalAsTypedField),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        for name in AMOUNTS:
            self.fields[name].widget.attrs["min"] = 0

    def clean_unspsc_prefix(self) -> str:
        prefix = str(self.cleaned_data.get("unspsc_prefix") or "").strip()
        if prefix and not (prefix.isdigit() and 2 <= len(prefix) <= 8):
            raise forms.ValidationError(_("Enter 2 to 8 digits of a UNSPSC code, such as 43 or 4321."))
        return prefix

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in AMOUNTS:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Enter zero or more."))
        others = ToleranceRule.objects.filter(
            supplier=data.get("supplier"), unspsc_prefix=data.get("unspsc_prefix", "")
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("A rule for this supplier and category already exists: change it instead."),
                code="duplicate",
            )
        return data

    def validate_constraints(self) -> None:
        """The scope is checked in :meth:`clean` with a message people understand."""


#: How many line rows a paper invoice may have, and how many the empty page shows.
PAPER_LINES = 20
PAPER_ROWS_SHOWN = 5
LINE_FIELDS = ("order", "order_line", "part", "description", "quantity", "unit_price")


class PaperInvoiceForm(forms.Form):
    """A paper invoice keyed in by an AP clerk: its header, and up to 20 lines (``quantity_1``…)."""

    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the suppliers listed.")},
    )
    number = forms.CharField(label=_("Invoice number"), max_length=100)
    invoice_date = forms.DateField(
        label=_("Invoice date"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Enter the invoice date as YYYY-MM-DD."),
            "invalid": _("Enter the invoice date as YYYY-MM-DD."),
        },
    )
    currency = CurrencyField(label=_("Currency"), required=False)
    is_credit = forms.BooleanField(label=_("Credit memo"), required=False)
    tax = NumberEntryField(label=_("Tax"))
    shipping = NumberEntryField(label=_("Shipping"))
    total = NumberEntryField(label=_("Total"), empty=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Supplier]", self.fields["supplier"]).queryset = Supplier.objects.filter(
            is_active=True
        )
        for n in range(1, PAPER_LINES + 1):
            self.fields[f"order_{n}"] = forms.CharField(label=_("Order"), required=False, max_length=64)
            self.fields[f"order_line_{n}"] = forms.IntegerField(
                label=_("Order line"), required=False, min_value=1, max_value=999999
            )
            self.fields[f"part_{n}"] = forms.CharField(label=_("Part"), required=False, max_length=200)
            self.fields[f"description_{n}"] = forms.CharField(
                label=_("Description"), required=False, max_length=2000
            )
            self.fields[f"quantity_{n}"] = NumberEntryField(label=_("Quantity"), empty=None)
            self.fields[f"unit_price_{n}"] = NumberEntryField(label=_("Unit price"))

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]) or "EUR"

    def lines(self) -> list[dict[str, Any]]:
        """The rows with a quantity, as the paper-invoice service takes them (after ``is_valid()``)."""
        data = self.cleaned_data
        return [
            {
                "quantity": data[f"quantity_{n}"],
                "unit_price": data[f"unit_price_{n}"],
                "order_number": data[f"order_{n}"],
                "order_line_number": data[f"order_line_{n}"],
                "part_id": data[f"part_{n}"],
                "description": data[f"description_{n}"],
            }
            for n in range(1, PAPER_LINES + 1)
            if data[f"quantity_{n}"] is not None
        ]

    def rows(self) -> list[dict[str, Any]]:
        """The line rows to show: five, or as many as were filled in; each field's value and errors."""
        filled = [
            n for n in range(1, PAPER_LINES + 1) if any(self[f"{name}_{n}"].value() for name in LINE_FIELDS)
        ]
        shown = max([PAPER_ROWS_SHOWN, *filled])
        return [
            {
                "n": n,
                **{name: self[f"{name}_{n}"].value() or "" for name in LINE_FIELDS},
                "errors": [error for name in LINE_FIELDS for error in self[f"{name}_{n}"].errors],
            }
            for n in range(1, shown + 1)
        ]


class SupplierIdentifierForm(forms.Form):
    """A supplier's identifier to add (the value is checked by the service, by its scheme's rules)."""

    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    scheme = forms.ChoiceField(label=_("Kind of identifier"), choices=IdentifierScheme.choices)
    value = forms.CharField(label=_("Identifier"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Supplier]", self.fields["supplier"]
        ).queryset = Supplier.objects.order_by("name")


class ExceptionActionForm(forms.Form):
    """The reason an AP clerk gives for accepting, holding or rejecting an invoice, or asking for a credit."""

    reason = forms.CharField(
        label=_("Reason (kept in the invoice's history)"), required=False, max_length=2000
    )
    reason_code = forms.ChoiceField(
        label=_("Reason code sent to the supplier"),
        required=False,
        choices=[("", _("From the exceptions"))] + [(code, label) for code, label in REASON_CODES.items()],
    )
