from django.contrib import admin

from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "default_currency", "is_active"]


@admin.register(PunchOutConnection)
class PunchOutConnectionAdmin(admin.ModelAdmin):
    """The shared secret is not editable here (it is entered on the connection page, encrypted)."""

    list_display = ["supplier", "name", "protocol", "deployment_mode", "setup_url", "is_active"]
    exclude = ["shared_secret_encrypted"]
