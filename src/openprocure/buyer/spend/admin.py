from django.contrib import admin

from openprocure.buyer.spend.models import SummaryRefresh


@admin.register(SummaryRefresh)
class SummaryRefreshAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "lines_read", "rows_written"]
    readonly_fields = ["started_at", "finished_at", "lines_read", "rows_written"]
