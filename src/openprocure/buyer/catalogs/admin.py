from django.contrib import admin

from openprocure.buyer.catalogs import models


class EventInline(admin.TabularInline):
    model = models.CatalogEvent
    extra = 0
    readonly_fields = ["kind", "actor", "from_status", "to_status", "detail", "created_at"]


@admin.register(models.CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change through the catalog pages (and their events), not through this form."""

    list_display = ["supplier", "number", "format", "status", "item_count", "effective_from"]
    list_filter = ["status", "format"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False
