"""The tolerance-rule form (procurement administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.buyer.suppliers.models import Supplier

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


class ToleranceRuleForm(forms.ModelForm):
    class Meta:
        model = ToleranceRule
        fields = ["supplier", "unspsc_prefix", "mode", *AMOUNTS, "note"]
        help_texts = {
            "supplier": _("Empty: every supplier."),
            "unspsc_prefix": _("Empty: every category. Otherwise 2 to 8 digits of a UNSPSC code."),
            "price_pct": _("Above the order price by more than the smaller of the two (where both are set)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.order_by("name")  # type: ignore[attr-defined]
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
