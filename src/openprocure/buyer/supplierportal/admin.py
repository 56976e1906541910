from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openprocure.buyer.supplierportal import models


@admin.register(models.SupplierAccount)
class SupplierAccountAdmin(admin.ModelAdmin):
    """Supplier accounts, read here: a supplier creates its own from an order's portal link. Neither
    added nor deleted here: without its row the user would be an ordinary role-less person of the
    suite (who may shop); close an account by deactivating its user."""

    list_display = ["user", "supplier", "created_at"]
    list_select_related = ["user", "supplier"]
    readonly_fields = ["user", "supplier", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
