from django.contrib import admin

from openprocure.buyer.requisitions import models


class LineInline(admin.TabularInline):
    model = models.RequisitionLine
    extra = 0


class EventInline(admin.TabularInline):
    model = models.RequisitionEvent
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "actor", "reason", "detail", "created_at"]


@admin.register(models.Requisition)
class RequisitionAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the services (and their events), not through this form."""

    list_display = ["number", "requester", "status", "total_amount", "currency", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "total_amount", "submitted_at"]
    inlines = [LineInline, EventInline]
