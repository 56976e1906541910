from django.contrib import admin

from openprocure.buyer.supplierportal import models


@admin.register(models.SupplierAccount)
class SupplierAccountAdmin(admin.ModelAdmin):
    """Supplier accounts, read here: a supplier creates its own from an order's portal link."""

    list_display = ["user", "supplier", "created_at"]
    list_select_related = ["user", "supplier"]
    readonly_fields = ["user", "supplier", "created_at"]
