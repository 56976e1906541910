"""Forms of the catalog: what a storefront search asks in its URL, the typeahead's prefix, exporting a
business's catalog and choosing which products it contains."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django import forms
from django.core import validators
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.forms import SortField
from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.choices import ExportFormat, SelectionScope
from openprocure.supplier.catalog.models import CatalogSelection, Category
from openprocure.supplier.catalog.search import SearchQuery, Sort

#: The orders a storefront search offers, with their labels, in the order the page lists them.
SORT_LABELS = {
    Sort.RELEVANCE: _("Relevance"),
    Sort.PRICE_ASC: _("Price: low to high"),
    Sort.PRICE_DESC: _("Price: high to low"),
    Sort.DELIVERY: _("Fastest delivery"),
}

#: Search results are never paged past this many products (the last page holds the 10,000th).
MAX_RESULTS = 10_000

#: The largest id a database key holds.
_MAX_ID = 2**63 - 1


class ClippedTextField(forms.CharField):
    """Words typed in a search box: surrounding spaces dropped, cut at ``max_length`` characters (a
    longer text is searched by its beginning, never refused)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.clip = max_length
        super().__init__(required=False, **kwargs)
        self.widget.attrs.setdefault("maxlength", str(max_length))

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value))[: self.clip]


class RepeatedField(forms.Field):
    """A parameter a URL may repeat (``?brand=A&brand=B``): its first ``limit`` values, each read by
    ``item``, which answers None for a value to leave out."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int, item: Callable[[str], Any], **kwargs: Any) -> None:
        self.limit, self.item = limit, item
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[Any]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        read = (self.item(str(item)) for item in values[: self.limit])
        return [item for item in read if item is not None]


def _positive_id(value: str) -> int | None:
    """A database id written in a URL (``12``, `` 12 ``), else None."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number <= _MAX_ID else None


class StorefrontSearchForm(forms.Form):
    """What a storefront search (``/search/``, ``/browse/<code>/``) asks in its URL: words, a UNSPSC
    category, brands, sellers, who fulfils, a price band, the order and the page.

    Every value is optional and none is an error the visitor sees (the page is a link anyone may
    edit): a value out of its bounds is left out, as if the URL had not carried it, and the search
    runs without it. :meth:`search_query` reads the cleaned values."""

    q = ClippedTextField(label=_("Search the catalog"), max_length=200)
    cat = forms.RegexField(
        label=_("Category"), required=False, regex=r"^[0-9]{2}(?:[0-9]{2}){0,3}\Z", strip=False
    )
    brand = RepeatedField(label=_("Brand"), limit=10, item=lambda value: value)
    seller = RepeatedField(label=_("Sold by"), limit=10, item=_positive_id)
    ful = forms.TypedChoiceField(
        label=_("Fulfilment"),
        required=False,
        choices=[("us", _("Fulfilled by us")), ("seller", _("Fulfilled by the seller"))],
        coerce=lambda value: value == "us",
        empty_value=None,
    )
    price = forms.IntegerField(label=_("Price"), required=False, min_value=0)
    sort = SortField(label=_("Sort by"), choices=list(SORT_LABELS.items()), default=Sort.RELEVANCE)
    page = forms.IntegerField(label=_("Page"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_size = int(tunable("CATALOG_PAGE_SIZE"))
        # A band is a number from 0 (under the first bound) to the number of bounds (the last and above).
        bands = len(tunable("CATALOG_PRICE_BANDS"))
        self.fields["price"].validators.append(validators.MaxValueValidator(bands))

    def clean_page(self) -> int:
        """At least the first page, at most the one that holds the :data:`MAX_RESULTS`-th result."""
        page = self.cleaned_data.get("page") or 1
        return min(max(1, page), MAX_RESULTS // self.page_size + 1)

    def search_query(self, *, category: str | None = None, price_basis: str = "list") -> SearchQuery:
        """The search the URL asks for; ``category``, a browse page's own category (its code without
        trailing zero pairs), wins over ``cat``."""
        self.is_valid()  # a value out of its bounds is left out of cleaned_data: the search runs without it
        data = self.cleaned_data
        return SearchQuery(
            text=data.get("q", ""),
            category=category if category is not None else data.get("cat") or "",
            brands=tuple(data.get("brand", ())),
            seller_ids=tuple(data.get("seller", ())),
            fulfilled_by_us=data.get("ful"),
            price_band=data.get("price"),
            sort=data.get("sort", Sort.RELEVANCE),
            page=data.get("page", 1),
            page_size=self.page_size,
            price_basis=price_basis,
        )


class SuggestForm(forms.Form):
    """What the typeahead asks: the beginning of what the visitor is typing."""

    q = ClippedTextField(label=_("Search the catalog"), max_length=100)

    def typed(self) -> str:
        """What was typed, without surrounding spaces, at most 100 characters ("" for a text with a
        null character, which no product has)."""
        return str(self.cleaned_data.get("q", "")) if self.is_valid() else ""


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
