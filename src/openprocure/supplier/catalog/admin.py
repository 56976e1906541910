"""Catalog in the admin: sellers are editable; products are read-only here, because every product
write must go through ``services`` to keep the search index in step (use ``import_catalog``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from openprocure.supplier.catalog.models import Category, PriceTier, Product, Seller


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("name", "is_marketplace")
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "asin",
        "title",
        "brand",
        "unspsc",
        "list_price",
        "business_price",
        "currency",
        "seller",
        "stock",
    )
    list_select_related = ("seller",)
    search_fields = ("=asin", "=manufacturer_part_number")
    show_full_result_count = False
    inlines = (PriceTierInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
