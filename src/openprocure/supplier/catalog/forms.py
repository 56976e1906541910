"""Forms of the catalog: exporting a business's catalog and choosing which products it contains."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.supplier.catalog.choices import ExportFormat, SelectionScope
from openprocure.supplier.catalog.models import CatalogSelection, Category


class ExportForm(forms.Form):
    """Ask for an export: the format, and a date for the prices changed since then (else everything)."""

    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    since = forms.DateField(
        label=_("Only prices changed since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the whole catalog (CIF full load, BMEcat new catalog)."),
    )

    def clean_since(self) -> datetime | None:
        day = self.cleaned_data.get("since")
        if day is None:
            return None
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a date that is not in the future."))
        return timezone.make_aware(datetime.combine(day, time.min))


class CatalogSelectionForm(forms.ModelForm[CatalogSelection]):
    """An operator chooses which products a business's catalog contains."""

    class Meta:
        model = CatalogSelection
        fields = ["scope", "category_code", "part_numbers"]
        widgets = {"scope": forms.RadioSelect, "part_numbers": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        code = (data.get("category_code") or "").strip()
        if scope == SelectionScope.CATEGORY:
            if not Category.objects.filter(code=code).exists():
                self.add_error("category_code", _("Enter a UNSPSC code of the catalog, e.g. 44120000."))
        elif code:
            data["category_code"] = ""
        if scope == SelectionScope.PARTS and not (data.get("part_numbers") or "").strip():
            self.add_error("part_numbers", _("Enter at least one part number."))
        return data
