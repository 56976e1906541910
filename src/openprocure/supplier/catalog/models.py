"""The storefront's catalog: products, who sells them, their UNSPSC categories and quantity prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from openprocure.core.fields import currency_field
from openprocure.core.models import RequestedRun
from openprocure.core.reference import is_currency, validate_minor_units
from openprocure.core.status import status_field
from openprocure.supplier.business.models import Business
from openprocure.supplier.catalog.choices import ExportFormat, ExportStatus, SelectionScope

#: Decimals of a stored catalog price: the most minor units of a currency the storefront sells in
#: (KWD, BHD, OMR, JOD, TND: 3). Each price has no more than its own currency's (JPY 0, EUR 2).
PRICE_DECIMALS = 3


def _price_field(verbose_name: Any) -> models.DecimalField[Any, Any]:
    """A catalog unit price: ten digits before the point, :data:`PRICE_DECIMALS` after."""
    return models.DecimalField(verbose_name, max_digits=10 + PRICE_DECIMALS, decimal_places=PRICE_DECIMALS)


def _check_places(prices: dict[str, Any], currency: str) -> None:
    """Each of ``prices`` (field name -> value) has no more decimals than ``currency``'s minor units."""
    if not is_currency(currency):
        return  # the currency field reports its own error
    errors: dict[str, Any] = {}
    for name, value in prices.items():
        if isinstance(value, Decimal):
            try:
                validate_minor_units(value, currency)
            except ValidationError as error:
                errors[name] = error
    if errors:
        raise ValidationError(errors)


class Seller(models.Model):
    """A company that sells on the marketplace ("Sold by"); ``is_marketplace`` marks the operator itself."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_marketplace = models.BooleanField(_("sold by the marketplace itself"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """One UNSPSC code with its English title.

    The code is 8 digits; trailing pairs of zeros say the level: segment (``44000000``), family
    (``44120000``), class (``44121600``) or commodity (``44121615``). Products carry a commodity code.
    """

    code = models.CharField(_("UNSPSC code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Product(models.Model):
    """An item a business can buy: identified by its ASIN, sold by one seller at a list price.

    Business customers pay ``business_price`` (lower or equal) and, from the quantities in its
    ``price_tiers``, less per unit. Which price a visitor sees is decided per request by a pricing
    strategy (``catalog.pricing``), never stored in the search index.

    ``sales_rank`` is the precomputed popularity order (1 = best seller). It is also the row id of
    the full-text index, so "most popular first" is the index's natural order: very broad searches
    are ordered by it instead of scoring every match (see ``search_fts5``).
    """

    asin = models.CharField(_("ASIN"), max_length=10, unique=True)
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(
        _("French title"), max_length=500, blank=True, help_text=_("Shown to French readers; searched too.")
    )
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    manufacturer_part_number = models.CharField(_("manufacturer part number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("French description"), blank=True)
    unspsc = models.CharField(_("UNSPSC code"), max_length=8, db_index=True)
    unit_of_measure = models.CharField(
        _("unit of measure"), max_length=3, default="EA", help_text=_("UN/CEFACT code, e.g. EA, BX, PK.")
    )
    list_price = _price_field(_("list price"))
    business_price = _price_field(_("business price"))
    currency = currency_field(default="EUR")
    seller = models.ForeignKey(
        Seller, verbose_name=_("sold by"), on_delete=models.PROTECT, related_name="products"
    )
    fulfilled_by_us = models.BooleanField(_("fulfilled by the marketplace"), default=True)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (days)"), default=2)
    sales_rank = models.PositiveIntegerField(_("sales rank"), unique=True)
    price_changed_at = models.DateTimeField(
        _("price changed"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When the list price, business price or quantity prices last changed (empty: never)."),
    )

    class Meta:
        ordering = ["sales_rank"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.asin} {self.title}"

    def clean(self) -> None:
        _check_places({"list_price": self.list_price, "business_price": self.business_price}, self.currency)

    @property
    def reader_title(self) -> str:
        """The title in the active language: French when the reader reads French and there is one."""
        return self.title_fr if self.title_fr and _reads_french() else self.title

    @property
    def reader_description(self) -> str:
        """The description in the active language, English when there is no French one."""
        return self.description_fr if self.description_fr and _reads_french() else self.description


def _reads_french() -> bool:
    return (get_language() or "").split("-")[0] == "fr"


class PriceTier(models.Model):
    """A business unit price that applies from ``min_quantity`` units of one product in one order line."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="price_tiers"
    )
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price = _price_field(_("unit price"))

    class Meta:
        ordering = ["product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "min_quantity"], name="catalog_pricetier_unique_quantity"
            )
        ]
        verbose_name = _("quantity price")
        verbose_name_plural = _("quantity prices")

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.unit_price}"

    def clean(self) -> None:
        if self.product_id is not None:
            _check_places({"unit_price": self.unit_price}, self.product.currency)


class Suggestion(models.Model):
    """A typeahead completion: a brand or a common product phrase, found by the prefix in ``key``.

    A phrase is stored once per word it starts at ("copy paper" under "copy paper" and "paper"), so
    typing any word of it finds it with an index range scan.
    """

    key = models.CharField(max_length=200, db_index=True)
    text = models.CharField(max_length=200)
    is_brand = models.BooleanField(default=False)
    weight = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search suggestion")
        verbose_name_plural = _("search suggestions")

    def __str__(self) -> str:
        return self.text


class SearchWord(models.Model):
    """A word of the catalog's titles and brands, with the number of products using it.

    The vocabulary spelling suggestions are drawn from ("staplr" → "stapler"), rebuilt with the
    typeahead table after every bulk load (``services.rebuild_suggestions``).
    """

    word = models.CharField(max_length=100, unique=True)
    products = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word


class CatalogVersion(models.Model):
    """A counter bumped by every catalog write (one row).

    Search processes keep per-product facet data in memory; they compare this number with the one
    they loaded to know when to reload it.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")

    def __str__(self) -> str:
        return str(self.version)


class CatalogSelection(models.Model):
    """Which products a business's exported catalog contains, chosen by an operator.

    Every product (``all``), the products of one UNSPSC category (``category_code``: a segment,
    family, class or commodity code; its trailing zero pairs are a prefix), or the products whose
    ASIN or manufacturer part number is in ``part_numbers`` (one a line). A business without a
    selection exports every product.
    """

    business = models.OneToOneField(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="catalog_selection"
    )
    scope = models.CharField(
        _("products"), max_length=16, choices=SelectionScope.choices, default=SelectionScope.ALL
    )
    category_code = models.CharField(_("UNSPSC category"), max_length=8, blank=True)
    part_numbers = models.TextField(
        _("part numbers"), blank=True, help_text=_("One ASIN or manufacturer part number a line.")
    )

    class Meta:
        verbose_name = _("catalog selection")
        verbose_name_plural = _("catalog selections")

    def __str__(self) -> str:
        return f"{self.business_id} {self.scope}"

    def part_number_list(self) -> list[str]:
        return sorted({line.strip() for line in self.part_numbers.splitlines() if line.strip()})


class CatalogExport(RequestedRun):
    """One export of a business's catalog as a file (CIF or BMEcat), written by the worker.

    A full catalog (``since`` empty: CIF full load, BMEcat ``T_NEW_CATALOG``) or the prices changed
    since a date (CIF incremental load, BMEcat ``T_UPDATE_PRICES``). ``done`` of ``total`` products
    are written so far (the page shows the progress); ``file_name`` is the file under the data
    directory's ``catalog-exports`` folder once written; ``error`` says why an export stopped. After
    ``CATALOG_EXPORT_RETENTION_DAYS`` the housekeeping deletes the file: ``file_name`` is emptied and
    ``file_deleted_at`` says when (the row stays, as the record of the export).
    """

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="catalog_exports"
    )
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    since = models.DateTimeField(_("prices changed since"), null=True, blank=True)
    status = status_field(ExportStatus, ExportStatus.QUEUED, max_length=8)
    total = models.PositiveIntegerField(_("products"), default=0)
    done = models.PositiveIntegerField(_("products written"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    error = models.TextField(_("why it stopped"), blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta(RequestedRun.Meta):
        verbose_name = _("catalog export")
        verbose_name_plural = _("catalog exports")

    def __str__(self) -> str:
        return f"{self.business_id} {self.format} ({self.status})"

    @property
    def percent(self) -> int:
        return (
            100 * self.done // self.total if self.total else (100 if self.status == ExportStatus.DONE else 0)
        )
