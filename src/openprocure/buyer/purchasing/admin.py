from django.contrib import admin

from openprocure.buyer.purchasing import models


class LineInline(admin.TabularInline):
    model = models.PurchaseOrderLine
    extra = 0


@admin.register(models.PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "status", "total_amount", "currency", "created_at"]
    list_filter = ["status"]
    search_fields = ["number"]
    inlines = [LineInline]


admin.site.register(models.Transmission)
admin.site.register(models.PONumberCounter)
