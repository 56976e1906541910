"""Forms of requisition pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.choices import AddressKind
from openprocure.buyer.organization.models import Address, CostCenter, GLAccount
from openprocure.buyer.requisitions import limits
from openprocure.buyer.requisitions.choices import SplitMode
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.fields import MAX_DIGITS
from openprocure.core.reference import CurrencyField


def _four_decimals(label: Any, minimum: Decimal, maximum: Decimal) -> forms.DecimalField:
    """A required number with up to four decimals, as quantities and unit prices are stored."""
    return forms.DecimalField(
        label=label, min_value=minimum, max_value=maximum, max_digits=MAX_DIGITS, decimal_places=4
    )


class FreeTextLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=2000)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True), required=False
    )
    quantity = _four_decimals(_("Quantity"), Decimal("0.0001"), limits.MAX_QUANTITY)
    unit_of_measure = forms.CharField(label=_("Unit"), max_length=16, initial="EA")
    unit_price = _four_decimals(_("Unit price"), Decimal("0"), limits.MAX_UNIT_PRICE)
    currency = CurrencyField(label=_("Currency"), initial="EUR")
    unspsc = forms.CharField(label=_("UNSPSC"), max_length=16, required=False)
    need_by = forms.DateField(
        label=_("Need by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("quantity") is not None and data.get("unit_price") is not None:
            problem = limits.line_problem(
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                currency=data.get("currency") or "EUR",
                credit_allowed=True,
            )
            if problem:
                self.add_error("quantity", problem[:1].upper() + problem[1:])
        return data


class SplitForm(forms.Form):
    cost_center = forms.ModelChoiceField(
        label=_("Cost center"), queryset=CostCenter.objects.filter(is_active=True)
    )
    gl_account = forms.ModelChoiceField(
        label=_("GL account"), queryset=GLAccount.objects.filter(is_active=True), required=False
    )
    share = forms.DecimalField(label=_("Share"), max_digits=18, decimal_places=4)


class AccountingModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Split"), choices=SplitMode.choices)


SplitFormSet = forms.formset_factory(SplitForm, extra=2, min_num=1, validate_min=True)


class NewRequisitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class CancelForm(ReasonForm):
    """Cancelling is final: the person ticks a box to say so (a stray click cancels nothing)."""

    confirm = forms.BooleanField(
        label=_("Yes, cancel this requisition"),
        error_messages={
            "required": _("Tick “Yes, cancel this requisition” to cancel it; nothing was changed.")
        },
    )


class CopyForm(forms.Form):
    """“Copy into a new draft”: the button carries nothing but itself (the requisition is in the URL)."""


class HeaderForm(forms.Form):
    """The requisition's details; its ship-to and coding apply to every line."""

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this is needed: the approvers read it."),
    )
    need_by = forms.DateField(
        label=_("Need by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ship_to = forms.ModelChoiceField(
        label=_("Ship to"),
        queryset=Address.objects.none(),
        required=False,
        help_text=_("Every line is delivered here."),
    )
    cost_center = forms.ModelChoiceField(
        label=_("Cost center"),
        queryset=CostCenter.objects.none(),
        required=False,
        help_text=_("A new cost center or GL account charges every line here, replacing its splits."),
    )
    gl_account = forms.ModelChoiceField(
        label=_("GL account"), queryset=GLAccount.objects.none(), required=False
    )

    def __init__(self, *args: Any, company_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The requester's company's addresses and accounts only (inactive ones cannot be chosen); a
        # requester without a company (no buyer profile) has none to choose from.
        fields: Any = self.fields
        company: dict[str, Any] = {"company_id": company_id} if company_id is not None else {"pk__in": []}
        fields["ship_to"].queryset = Address.objects.filter(kind=AddressKind.SHIP_TO, **company)
        fields["cost_center"].queryset = CostCenter.objects.filter(is_active=True, **company)
        fields["gl_account"].queryset = GLAccount.objects.filter(is_active=True, **company)
