"""Forms of hosted catalogs: upload a file, publish or discard a version, search, buy an item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.catalogs.choices import SearchSort
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.forms import SortField, labelled_errors


class UploadForm(forms.Form):
    """A supplier and its catalog file (CIF 3.0 or BMEcat); the format is read from the file."""

    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True).order_by("name", "pk")
    )
    file = forms.FileField(
        label=_("Catalog file"), help_text=_("CIF 3.0 (.cif) or BMEcat (.xml), as the supplier sent it.")
    )


class PublishForm(forms.Form):
    """“Publish”: from now, or from a later date and time."""

    effective_from = forms.DateTimeField(
        label=_("In force from"),
        required=False,
        help_text=_("Leave empty to publish now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class DiscardForm(forms.Form):
    """“Discard”: the button carries nothing but itself (the version is in the URL)."""


class SearchForm(forms.Form):
    """Words, a supplier, a UNSPSC category, a price range (all optional) and the order."""

    q = forms.CharField(label=_("Search the catalogs"), required=False, max_length=200)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        required=False,
        queryset=Supplier.objects.filter(is_active=True, catalog_versions__status="published")
        .distinct()
        .order_by("name", "pk"),
        empty_label=_("All suppliers"),
    )
    category = forms.RegexField(
        label=_("UNSPSC category"),
        required=False,
        regex=r"^\d{2}(\d{2}){0,3}$",
        max_length=8,
        help_text=_("2, 4, 6 or 8 digits, e.g. 44 or 44121600."),
        error_messages={"invalid": _("Write a UNSPSC code of 2, 4, 6 or 8 digits, e.g. 44 or 44121600.")},
    )
    min_price = forms.DecimalField(
        label=_("Price from"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=4
    )
    max_price = forms.DecimalField(
        label=_("Price up to"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=4
    )
    sort = SortField(label=_("Sort by"), choices=SearchSort.choices, default=SearchSort.BEST_MATCH)
    requisition = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and high < low:
            self.add_error("max_price", _("The highest price is below the lowest."))
        return data


class AddItemForm(forms.Form):
    """Add one catalog item to a requisition: the item, a quantity and (optionally) which draft.

    No price: the server takes it from the catalog."""

    item = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.0001"), max_digits=13, decimal_places=4, initial=1
    )
    requisition = forms.IntegerField(
        label=_("Requisition"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The requisition to add to is not one of yours.")},
    )

    def error_text(self) -> str:
        return " ".join(labelled_errors(self))


class OpenItemForm(forms.Form):
    """Open a PunchOut-enabled item at its supplier's site."""

    item = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
