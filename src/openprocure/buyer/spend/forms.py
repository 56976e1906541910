"""The GET forms of the dashboards and the purchase history (ordinary links; no JavaScript)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.models import CostCenter, LegalEntity
from openprocure.buyer.spend.choices import DocumentKind
from openprocure.buyer.spend.history import HistoryFilters, status_choices
from openprocure.buyer.suppliers.models import Supplier

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class MonthField(forms.CharField):
    """A month written YYYY-MM (the browser's ``<input type="month">``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]  # the field returns its own type, narrower than the stub's
        value = super().to_python(value)
        if not value:
            return None
        match = _MONTH.match(value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-03."))
        return date(int(match.group(1)), int(match.group(2)), 1)


def month_param(month: date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


class PeriodForm(forms.Form):
    """Period, legal entity and cost center: the filters every dashboard shares."""

    date_from = MonthField(label=_("From month"), required=False)
    date_to = MonthField(label=_("To month"), required=False)
    entity = forms.ModelChoiceField(
        label=_("Legal entity"), queryset=LegalEntity.objects.all(), required=False, empty_label=_("All")
    )
    cost_center = forms.ModelChoiceField(
        label=_("Cost center"), queryset=CostCenter.objects.all(), required=False, empty_label=_("All")
    )

    def add_prefix(self, field_name: str) -> str:
        # Links and the form use the short parameter names ``from`` and ``to``.
        return {"date_from": "from", "date_to": "to"}.get(field_name, field_name)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first month comes after the last one: swap them."))
        return data


def default_period(months: int = 12) -> tuple[date, date]:
    """The last ``months`` months, this one included."""
    today = timezone.localdate()
    end = today.replace(day=1)
    index = end.year * 12 + end.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), end


class HistoryForm(PeriodForm):
    """Search and filters of the purchase history."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Document"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False, empty_label=_("All")
    )
    category = forms.RegexField(
        label=_("UNSPSC category"),
        regex=r"^(\d{2,8}|none)$",
        required=False,
        error_messages={"invalid": _("Give the first 2 to 8 digits of a UNSPSC code, or “none”.")},
    )
    structured = forms.ChoiceField(label=_("PunchOut or catalog line"), choices=YES_NO, required=False)
    electronic = forms.ChoiceField(label=_("Sent as cXML"), choices=YES_NO, required=False)
    listed = forms.ChoiceField(
        label=_("Has a list price"), choices=[("", _("Any")), ("yes", _("Yes"))], required=False
    )
    ordered = forms.ChoiceField(label=_("Became an order"), choices=YES_NO, required=False)
    step = forms.CharField(label=_("Approved step"), required=False, max_length=200)
    in_spend = forms.BooleanField(label=_("Only documents counted in the figures"), required=False)
    due = forms.ChoiceField(
        label=_("Need-by date in the period"), choices=[("", _("Any")), ("yes", _("Yes"))], required=False
    )
    without_po = forms.ChoiceField(
        label=_("Invoice without purchase order"), choices=[("", _("Any")), ("yes", _("Yes"))], required=False
    )
    exception = forms.CharField(label=_("Invoice exception type"), required=False, max_length=32)
    first_match = forms.ChoiceField(label=_("Matched at the first attempt"), choices=YES_NO, required=False)

    field_order = ["q", "kind", "status", "supplier", "date_from", "date_to", "entity", "cost_center"]
    #: Filters most people never set by hand: dashboard drill-down links set them.
    advanced = ("category", "structured", "electronic", "listed", "ordered", "step", "in_spend", "due",
                "without_po", "exception", "first_match")  # fmt: skip

    def main_fields(self) -> list[Any]:
        return [field for field in self if field.name not in self.advanced]

    def advanced_fields(self) -> list[Any]:
        return [field for field in self if field.name in self.advanced]

    def uses_advanced(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.advanced)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("All documents")),
            *DocumentKind.choices,
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any")), *status_choices()]

    def filters(self) -> HistoryFilters:
        """The cleaned filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return HistoryFilters(
            kind=data.get("kind") or "",
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            cost_center_id=data["cost_center"].pk if data.get("cost_center") else None,
            entity_id=data["entity"].pk if data.get("entity") else None,
            month_from=data.get("date_from"),
            month_to=data.get("date_to"),
            category=data.get("category") or "",
            structured=data.get("structured") or "",
            electronic=data.get("electronic") or "",
            listed=data.get("listed") or "",
            ordered=data.get("ordered") or "",
            step=(data.get("step") or "").strip(),
            in_spend=bool(data.get("in_spend")),
            due=data.get("due") or "",
            without_po=data.get("without_po") or "",
            exception=(data.get("exception") or "").strip(),
            first_match=data.get("first_match") or "",
        )
