from django.contrib import admin

from openprocure.supplier.support.models import LookupRecord


@admin.register(LookupRecord)
class LookupRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "who", "query", "order", "results"]
    readonly_fields = ["at", "who", "query", "order", "results"]
