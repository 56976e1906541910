"""Forms of hosted catalogs: upload a file, publish or discard a version, search, buy an item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.catalogs.choices import SearchSort
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core import reference
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


class PriceCurrencyField(SortField):
    """The currency prices are compared in: one of the choices, written the ISO way (``eur`` is
    ``EUR``); any other value (an unknown or edited code) is ``default``, never an error."""

    def to_python(self, value: Any) -> str:
        return reference.normalize_code(super().to_python(value))

    def bound_data(self, data: Any, initial: Any) -> Any:
        value = self.to_python(data)
        return value if self.valid_value(value) else self.default


def price_currency_default(counts: dict[str, int], preferred: str) -> str:
    """The currency a search compares prices in when none is asked: ``preferred`` (the company's
    base currency) when some item has a price in it, else the one most items are priced in (the
    first code on a tie); "" when no item has a price."""
    if preferred in counts:
        return preferred
    return min(counts, key=lambda code: (-counts[code], code), default="")


class SearchForm(forms.Form):
    """Words, a supplier, a UNSPSC category, a price range (all optional) and the order; the
    currency of the prices when the items in force are priced in more than one (else it is implied).

    ``currencies``: currency → how many items in force have a price in it (``search.price_currencies``);
    ``preferred``: the company's base currency (the default when items are priced in it). The chosen
    currency is :attr:`currency`."""

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

    def __init__(
        self, *args: Any, currencies: dict[str, int] | None = None, preferred: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        counts = {code: n for code, n in (currencies or {}).items() if reference.is_currency(code)}
        self.currencies = sorted(counts)
        self.default_currency = price_currency_default(counts, preferred)
        if len(self.currencies) > 1:
            self.fields["currency"] = PriceCurrencyField(
                label=_("Currency of the prices"),
                choices=[(code, code) for code in self.currencies],
                default=self.default_currency,
                help_text=_("Prices are compared in one currency: 100 USD is not 100 EUR."),
            )
            self.order_fields(["q", "supplier", "category", "currency", "min_price", "max_price"])

    @property
    def currency(self) -> str:
        """The currency prices are compared in: the one asked for, else the default."""
        data = getattr(self, "cleaned_data", {})
        return str(data.get("currency") or self.default_currency)

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
