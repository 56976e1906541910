"""Admin of PunchOut sessions and cart lines (read-only: they are a record of what happened)."""

from django.contrib import admin

from openprocure.supplier.punchout import models


class CartLineInline(admin.TabularInline):
    model = models.CartLine
    extra = 0
    fields = ("product", "quantity", "unit_price", "currency", "auxiliary_id", "source_line")
    readonly_fields = fields
    can_delete = False


@admin.register(models.PunchOutSession)
class PunchOutSessionAdmin(admin.ModelAdmin):
    list_display = ["business", "email", "protocol", "operation", "status", "is_test", "created_at"]
    list_filter = ["status", "protocol", "is_test"]
    search_fields = ["email", "business__name", "buyer_cookie"]
    exclude = ["start_token_hash", "key_hash"]
    inlines = [CartLineInline]

    def has_change_permission(self, request, obj=None):
        return False
